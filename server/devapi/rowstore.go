package devapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/store"
)

// Table states.
const (
	stateLoading = "loading"
	stateReady   = "ready"
	stateFailed  = "failed"
)

// TableMeta describes a resource's table in the database.
type TableMeta struct {
	ResourceID string `gorm:"primaryKey;size:64"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Columns    string `gorm:"type:text;not null"` // JSON []StoredColumn
	Rows       int64  `gorm:"not null;default:0"`
	State      string `gorm:"size:16;not null"`
	Error      string `gorm:"size:500"`
	LeaseUntil *time.Time
	LoadedAt   *time.Time

	cols []StoredColumn `gorm:"-"`
}

// TableName keeps the table name stable.
func (TableMeta) TableName() string { return "resource_tables" }

// StoredColumn is one column of a loaded table (position = index in the
// JSON array of each row).
type StoredColumn struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
}

// StoredColumns decodes the column list.
func (m *TableMeta) StoredColumns() []StoredColumn {
	if m.cols == nil {
		_ = json.Unmarshal([]byte(m.Columns), &m.cols)
	}
	return m.cols
}

type rowRecord struct {
	ResourceID string `gorm:"primaryKey;size:64"`
	RowNo      int64  `gorm:"primaryKey"`
	Data       string
}

func (rowRecord) TableName() string { return "resource_rows" }

// RowStore loads tabular resources into the database and queries them.
//
// When: every "dataset" outbox event (publication, update, revocation)
// runs Sync, which loads the tables of public entries and drops those of
// entries no longer public; anything loaded without an event (the demo
// seed) is loaded lazily on the first row-API call. A lease row in
// resource_tables makes one replica load while the others wait.
type RowStore struct {
	DB    *gorm.DB
	Blobs blob.Store
	Log   *slog.Logger
	Now   func() time.Time
	// MaxScanRows is the largest table a filtered, searched or sorted
	// query may scan (query-cost limit); default 2,000,000.
	MaxScanRows int64
	// QueryTimeout bounds one row query; default 10s.
	QueryTimeout time.Duration
	// WaitLoad is how long a request waits for another replica's load.
	WaitLoad time.Duration
}

// loadLease: a load renews it every loadLease/3 while it runs, so a
// crashed process's load is taken over within seconds, not minutes.
const loadLease = 15 * time.Second

func (s *RowStore) mysql() bool { return s.DB.Dialector.Name() == "mysql" }

// Meta returns a ready table for the resource, loading it first when it
// is missing or stale (the file changed).
func (s *RowStore) Meta(ctx context.Context, res *catalog.Resource, items []catalog.DataItem) (*TableMeta, error) {
	if !Tabular(res) {
		return nil, apperr.New(apperr.NotFound, "this resource has no table (only CSV resources do)")
	}
	wait := s.WaitLoad
	if wait == 0 {
		wait = 20 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		var m TableMeta
		err := s.DB.WithContext(ctx).Where("resource_id = ?", res.ID).Take(&m).Error
		found := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Internalf(err, "read table state of %s", res.ID)
		}
		now := s.Now().UTC()
		if found && m.SHA256 == res.SHA256 {
			switch m.State {
			case stateReady:
				return &m, nil
			case stateFailed:
				if m.LeaseUntil != nil && now.Before(*m.LeaseUntil) {
					return nil, apperr.New(apperr.Unavailable, "this resource's table could not be loaded: %s", m.Error)
				}
			case stateLoading:
				if m.LeaseUntil != nil && now.Before(*m.LeaseUntil) {
					if time.Now().After(deadline) {
						return nil, apperr.New(apperr.Unavailable, "this resource's table is being loaded; try again shortly")
					}
					select {
					case <-ctx.Done():
						return nil, ctx.Err()
					case <-time.After(200 * time.Millisecond):
					}
					continue
				}
			}
		}
		claimed, err := s.claim(ctx, res, found, &m, now)
		if err != nil {
			return nil, err
		}
		if !claimed {
			continue // someone else claimed first: wait for them
		}
		if err := s.load(ctx, res, items); err != nil {
			return nil, err
		}
	}
}

// claim takes the load lease: insert a loading row, or take over a stale,
// failed or expired one with a compare-and-set on its previous state.
func (s *RowStore) claim(ctx context.Context, res *catalog.Resource, found bool, prev *TableMeta, now time.Time) (bool, error) {
	until := now.Add(loadLease)
	db := s.DB.WithContext(ctx)
	if !found {
		err := db.Create(&TableMeta{ResourceID: res.ID, SHA256: res.SHA256, Columns: "[]", State: stateLoading, LeaseUntil: &until}).Error
		if store.IsDuplicate(err) {
			return false, nil
		}
		if err != nil {
			return false, apperr.Internalf(err, "claim table load of %s", res.ID)
		}
		return true, nil
	}
	q := db.Model(&TableMeta{}).Where("resource_id = ? AND sha256 = ? AND state = ?", res.ID, prev.SHA256, prev.State)
	if prev.LeaseUntil == nil {
		q = q.Where("lease_until IS NULL")
	} else {
		q = q.Where("lease_until = ?", *prev.LeaseUntil)
	}
	r := q.Updates(map[string]any{"sha256": res.SHA256, "state": stateLoading, "lease_until": until, "error": ""})
	if r.Error != nil {
		return false, apperr.Internalf(r.Error, "claim table load of %s", res.ID)
	}
	return r.RowsAffected == 1, nil
}

const loadBatch = 1000

// load reads the stored CSV and writes its rows in batches.
func (s *RowStore) load(ctx context.Context, res *catalog.Resource, items []catalog.DataItem) (err error) {
	// A load that started finishes even if the request that started it is
	// gone: other requests are waiting for it.
	ctx = context.WithoutCancel(ctx)
	db := s.DB.WithContext(ctx)
	defer func() {
		if err != nil {
			retry := s.Now().UTC().Add(10 * time.Minute)
			msg := err.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			db.Model(&TableMeta{}).Where("resource_id = ?", res.ID).Updates(map[string]any{"state": stateFailed, "error": msg, "lease_until": retry})
			s.Log.Error("load table", "resource", res.ID, "err", err)
			err = apperr.Wrap(apperr.Unavailable, err, "this resource's table could not be loaded")
		}
	}()
	// Heartbeat: a slow file or bucket keeps the lease between batches.
	stop, beat := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beat)
		tick := time.NewTicker(loadLease / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				db.Model(&TableMeta{}).Where("resource_id = ? AND sha256 = ? AND state = ?", res.ID, res.SHA256, stateLoading).
					Update("lease_until", s.Now().UTC().Add(loadLease))
			}
		}
	}()
	defer func() { close(stop); <-beat }()
	obj, err := s.Blobs.Open(ctx, res.StorageKey)
	if err != nil {
		return err
	}
	defer obj.Close()
	tbl, err := OpenTable(obj, items, nil)
	if err != nil {
		return err
	}
	cols := make([]StoredColumn, len(tbl.Columns))
	for i, c := range tbl.Columns {
		cols[i] = StoredColumn{Name: c.Name, Type: c.Type, Label: c.Label}
	}
	colJSON, _ := json.Marshal(cols)
	if err := db.Where("resource_id = ?", res.ID).Delete(&rowRecord{}).Error; err != nil {
		return err
	}
	batch := make([]rowRecord, 0, loadBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&batch).Error; err != nil {
			return err
		}
		batch = batch[:0]
		// Keep the lease while a big file loads.
		until := s.Now().UTC().Add(loadLease)
		return db.Model(&TableMeta{}).Where("resource_id = ?", res.ID).Update("lease_until", until).Error
	}
	var buf []byte
	for {
		vals, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		buf = append(buf[:0], '[')
		for i, v := range vals {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendJSONValue(buf, tbl.Columns[i].Type, v)
		}
		buf = append(buf, ']')
		batch = append(batch, rowRecord{ResourceID: res.ID, RowNo: tbl.Rows, Data: string(buf)})
		if len(batch) == loadBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	now := s.Now().UTC()
	return db.Model(&TableMeta{}).Where("resource_id = ?", res.ID).Updates(map[string]any{
		"columns": string(colJSON), "rows": tbl.Rows, "state": stateReady, "lease_until": nil, "loaded_at": now, "error": "",
	}).Error
}

// Drop removes a resource's table (its entry is no longer public).
func (s *RowStore) Drop(ctx context.Context, resourceID string) error {
	db := s.DB.WithContext(ctx)
	if err := db.Where("resource_id = ?", resourceID).Delete(&rowRecord{}).Error; err != nil {
		return err
	}
	return db.Where("resource_id = ?", resourceID).Delete(&TableMeta{}).Error
}

// Sync is the outbox handler for "dataset" events: public entries get
// their tables loaded (publication time), others lose them. Idempotent.
func (s *RowStore) Sync(cat *catalog.Store) func(ctx context.Context, ids []string) error {
	return func(ctx context.Context, ids []string) error {
		for _, id := range ids {
			ds, err := cat.Dataset(ctx, id)
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !ds.Public() {
				for _, r := range ds.Resources {
					if err := s.Drop(ctx, r.ID); err != nil {
						return fmt.Errorf("drop table of %s: %w", r.ID, err)
					}
				}
				continue
			}
			for i := range ds.Resources {
				r := &ds.Resources[i]
				if !Tabular(r) {
					continue
				}
				if _, err := s.Meta(ctx, r, ds.DataItems); err != nil && !apperr.Is(err, apperr.Unavailable) {
					return err
				}
			}
		}
		return nil
	}
}
