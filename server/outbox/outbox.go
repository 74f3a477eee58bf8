// Package outbox keeps side effects (search indexing) in step with the
// database: a change writes an event row in the same transaction, and a
// worker applies events after commit, retrying with backoff. Handlers must
// be idempotent: they read the current state, not the event payload.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sort"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Event is one pending side effect about one entity.
type Event struct {
	ID          uint64    `gorm:"primaryKey;autoIncrement"`
	Kind        string    `gorm:"size:32;not null;index:idx_outbox_due,priority:2"`
	EntityID    string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
	AvailableAt time.Time `gorm:"not null;index:idx_outbox_due,priority:1"`
	Attempts    int       `gorm:"not null;default:0"`
	LockedBy    string    `gorm:"size:32"`
	LockedUntil *time.Time
	LastError   string `gorm:"size:500"`
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "outbox_events" }

// Migrations creates the outbox table.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID:       "0002_outbox",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &eventV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("outbox_events") },
	}}
}

// eventV1 is the table as migration 0002 created it.
type eventV1 struct {
	ID          uint64    `gorm:"primaryKey;autoIncrement"`
	Kind        string    `gorm:"size:32;not null;index:idx_outbox_due,priority:2"`
	EntityID    string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
	AvailableAt time.Time `gorm:"not null;index:idx_outbox_due,priority:1"`
	Attempts    int       `gorm:"not null;default:0"`
	LockedBy    string    `gorm:"size:32"`
	LockedUntil *time.Time
	LastError   string `gorm:"size:500"`
}

func (eventV1) TableName() string { return "outbox_events" }

// Enqueue records that entity kind/id changed. Call it with the
// transaction that makes the change.
func Enqueue(tx *gorm.DB, now time.Time, kind string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	evs := make([]Event, len(ids))
	for i, id := range ids {
		evs[i] = Event{Kind: kind, EntityID: id, CreatedAt: now, AvailableAt: now}
	}
	return tx.CreateInBatches(evs, 500).Error
}

// Handler applies the events of one kind; ids are distinct. It returns an
// error when none or only some could be applied; the whole batch is retried.
type Handler func(ctx context.Context, ids []string) error

// Worker drains the outbox. Several replicas may run one each: rows are
// claimed with a lease, so one event is applied by one worker at a time,
// and a crashed worker's lease simply expires.
type Worker struct {
	DB       *gorm.DB
	Log      *slog.Logger
	Now      func() time.Time
	Handlers map[string]Handler
	Batch    int           // events per claim (default 200)
	Lease    time.Duration // default 1 minute
	Idle     time.Duration // poll interval when idle (default 500ms)
	id       string
	kick     chan struct{}
}

// Kick wakes the worker after a commit so changes show up at once.
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *Worker) init() {
	if w.kick == nil {
		w.kick = make(chan struct{}, 1)
	}
	if w.id == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		w.id = hex.EncodeToString(b[:])
	}
	if w.Batch == 0 {
		w.Batch = 200
	}
	if w.Lease == 0 {
		w.Lease = time.Minute
	}
	if w.Idle == 0 {
		w.Idle = 500 * time.Millisecond
	}
	if w.Now == nil {
		w.Now = time.Now
	}
}

// Run drains until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
		n, err := w.Drain(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("outbox: batch failed, will retry", "err", err)
		}
		wait := w.Idle
		if n > 0 && err == nil {
			wait = 0
		}
		t.Reset(wait)
	}
}

// Drain claims and applies one batch; it returns how many events it applied.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.init()
	now := w.Now().UTC()
	var candidates []uint64
	err := w.DB.WithContext(ctx).Model(&Event{}).
		Where("available_at <= ? AND (locked_until IS NULL OR locked_until < ?)", now, now).
		Order("id").Limit(w.Batch).Pluck("id", &candidates).Error
	if err != nil || len(candidates) == 0 {
		return 0, err
	}
	var token [8]byte
	_, _ = rand.Read(token[:])
	lock := w.id + hex.EncodeToString(token[:4])
	until := now.Add(w.Lease)
	err = w.DB.WithContext(ctx).Model(&Event{}).
		Where("id IN ? AND (locked_until IS NULL OR locked_until < ?)", candidates, now).
		Updates(map[string]any{"locked_by": lock, "locked_until": until}).Error
	if err != nil {
		return 0, err
	}
	var claimed []Event
	if err := w.DB.WithContext(ctx).Where("locked_by = ?", lock).Order("id").Find(&claimed).Error; err != nil {
		return 0, err
	}
	byKind := map[string][]Event{}
	for _, ev := range claimed {
		byKind[ev.Kind] = append(byKind[ev.Kind], ev)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	applied := 0
	var firstErr error
	for _, kind := range kinds {
		evs := byKind[kind]
		h := w.Handlers[kind]
		var herr error
		if h == nil {
			herr = errors.New("no handler for kind " + kind)
		} else {
			herr = h(ctx, distinctIDs(evs))
		}
		ids := eventIDs(evs)
		if herr == nil {
			if err := w.DB.WithContext(ctx).Where("id IN ? AND locked_by = ?", ids, lock).Delete(&Event{}).Error; err != nil {
				return applied, err
			}
			applied += len(evs)
			continue
		}
		if firstErr == nil {
			firstErr = herr
		}
		msg := herr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		for _, ev := range evs {
			next := now.Add(Backoff(ev.Attempts + 1))
			w.DB.WithContext(ctx).Model(&Event{}).Where("id = ? AND locked_by = ?", ev.ID, lock).
				Updates(map[string]any{"attempts": ev.Attempts + 1, "available_at": next, "locked_by": "", "locked_until": nil, "last_error": msg})
		}
	}
	return applied, firstErr
}

// Backoff is the wait before attempt n (1-based): 1s, 2s, 4s … capped at 5 min.
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := time.Second << min(attempt-1, 9)
	return min(d, 5*time.Minute)
}

// Backlog counts pending events.
func Backlog(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Event{}).Count(&n).Error
	return n, err
}

func distinctIDs(evs []Event) []string {
	seen := map[string]bool{}
	var out []string
	for _, ev := range evs {
		if !seen[ev.EntityID] {
			seen[ev.EntityID] = true
			out = append(out, ev.EntityID)
		}
	}
	return out
}

func eventIDs(evs []Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}
