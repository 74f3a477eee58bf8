package respcache

import (
	"context"
	"sync"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/store"
)

// CatalogVersion is the one row every replica reads. Version goes up on
// every change of public reads; Indexed only when the outbox has applied
// one (the rendered pages follow the index, the API the database).
type CatalogVersion struct {
	ID      uint8  `gorm:"primaryKey;autoIncrement:false"`
	Version uint64 `gorm:"not null"`
	Indexed uint64 `gorm:"not null"`
}

// TableName keeps the table name stable.
func (CatalogVersion) TableName() string { return "catalog_versions" }

// Migrations creates the version table with its single row. The struct is
// used as it is: a later change gets its own migration with a frozen copy.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0085_catalog_version",
		Migrate: func(tx *gorm.DB) error {
			if err := store.AutoMigrate(tx, &CatalogVersion{}); err != nil {
				return err
			}
			return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&CatalogVersion{ID: 1, Version: 1, Indexed: 1}).Error
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("catalog_versions") },
	}}
}

// Versions is this replica's view of the shared catalog version. Reads
// are coalesced (one database read in flight at a time) and reused for
// MaxAge; the value it reports never goes down.
type Versions struct {
	DB     *gorm.DB
	MaxAge time.Duration    // how long a read is reused; 0 reads every time (coalesced)
	Now    func() time.Time // injected clock

	mu      sync.Mutex
	v       uint64
	indexed uint64
	readAt  time.Time
	fresh   bool // readAt is set
	call    *versionCall
}

type versionCall struct {
	done chan struct{}
	v    uint64
	err  error
}

func (s *Versions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Peek is the last version this replica saw, without reading.
func (s *Versions) Peek() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v
}

// PeekIndexed is the last indexed version this replica saw (changes the
// outbox has applied), without reading.
func (s *Versions) PeekIndexed() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.indexed
}

// Current is the shared version, read from the database at most once per
// MaxAge (and by one request at a time).
func (s *Versions) Current(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	if s.fresh && s.now().Sub(s.readAt) < s.MaxAge {
		v := s.v
		s.mu.Unlock()
		return v, nil
	}
	s.mu.Unlock()
	return s.read(ctx, false)
}

// AtLeast is the shared version when the caller has already seen min (a
// client echoing X-Catalog-Version, possibly from another replica): a
// local value below min is not trusted and the database is read again.
// When the database itself is below min (a made-up header), its value wins.
func (s *Versions) AtLeast(ctx context.Context, min uint64) (uint64, error) {
	v, err := s.Current(ctx)
	if err != nil || v >= min {
		return v, err
	}
	// A read that was already in flight may predate the change the client
	// saw: join it, then start one of our own if still short.
	return s.read(ctx, true)
}

// read loads the version, joining a read in flight. own asks for a read
// that starts after the call (joining at most one older read first).
func (s *Versions) read(ctx context.Context, own bool) (uint64, error) {
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		if c := s.call; c != nil {
			s.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
			if !own || attempt > 0 {
				return c.v, c.err
			}
			continue
		}
		c := &versionCall{done: make(chan struct{})}
		s.call = c
		s.mu.Unlock()
		// The read is shared: one caller's cancellation must not fail the others.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		row, err := s.load(rctx)
		cancel()
		s.mu.Lock()
		if err == nil {
			s.observeLocked(row)
			s.readAt, s.fresh = s.now(), true
		}
		c.v, c.err = s.v, err
		s.call = nil
		s.mu.Unlock()
		close(c.done)
		return c.v, c.err
	}
}

func (s *Versions) load(ctx context.Context) (CatalogVersion, error) {
	var row CatalogVersion
	err := s.DB.WithContext(ctx).Where("id = ?", 1).Take(&row).Error
	return row, err
}

func (s *Versions) observeLocked(row CatalogVersion) {
	s.v = max(s.v, row.Version)
	s.indexed = max(s.indexed, row.Indexed)
}

// Bump adds one to the shared version (and to the indexed one when the
// outbox applied the change) and makes this replica see it at once (the
// replica that applied the change answers from it next).
func (s *Versions) Bump(ctx context.Context, indexed bool) (uint64, error) {
	var row CatalogVersion
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		set := map[string]any{"version": gorm.Expr("version + 1")}
		if indexed {
			set["indexed"] = gorm.Expr("indexed + 1")
		}
		if err := tx.Model(&CatalogVersion{}).Where("id = ?", 1).UpdateColumns(set).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", 1).Take(&row).Error
	})
	if err != nil {
		return 0, err
	}
	var v uint64
	s.mu.Lock()
	s.observeLocked(row)
	s.readAt, s.fresh = s.now(), true
	v = s.v
	s.mu.Unlock()
	return v, nil
}

// AfterChange wraps an outbox handler: once it has applied its events,
// the catalog version goes up, so every replica's cached answers made
// before the change stop being served.
func (s *Versions) AfterChange(next func(ctx context.Context, ids []string) error) func(ctx context.Context, ids []string) error {
	return func(ctx context.Context, ids []string) error {
		if err := next(ctx, ids); err != nil {
			return err
		}
		_, err := s.Bump(ctx, true)
		return err
	}
}
