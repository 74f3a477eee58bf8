package catalog_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
)

// flakyIndex fails every write while down, like an engine that was killed.
type flakyIndex struct {
	search.Index
	down atomic.Bool
}

func (f *flakyIndex) Upsert(ctx context.Context, docs ...search.Document) error {
	if f.down.Load() {
		return search.ErrUnavailable
	}
	return f.Index.Upsert(ctx, docs...)
}

func (f *flakyIndex) Delete(ctx context.Context, ids ...string) error {
	if f.down.Load() {
		return search.ErrUnavailable
	}
	return f.Index.Delete(ctx, ids...)
}

// TestEngineDownLosesNoUpdate changes the catalog while the engine fails:
// the writes succeed, the outbox keeps the backlog, and once the engine is
// back the index matches the database.
func TestEngineDownLosesNoUpdate(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			flaky := &flakyIndex{}
			clock := time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true,
				Now:       func() time.Time { return clock },
				WrapIndex: func(i search.Index) search.Index { flaky.Index = i; return flaky }})
			p.Outbox.Now = func() time.Time { return clock }
			ctx := context.Background()

			var list []catalog.Dataset
			p.DB.Where("open_type = ?", catalog.Unconditional).Order("id").Limit(4).Find(&list)
			if len(list) < 4 {
				t.Fatal("need four datasets")
			}
			flaky.down.Store(true)
			// Catalog writes commit together with their outbox rows.
			err := p.DB.Transaction(func(tx *gorm.DB) error {
				for i, d := range list[:3] {
					title := []string{"松花江水质监测点位信息", "冰雪旅游景区客流量统计", "寒地黑土耕地质量监测"}[i]
					if err := tx.Model(&catalog.Dataset{}).Where("id = ?", d.ID).Update("title", title).Error; err != nil {
						return err
					}
				}
				if err := tx.Model(&catalog.Dataset{}).Where("id = ?", list[3].ID).Update("open_type", catalog.NotOpen).Error; err != nil {
					return err
				}
				return outbox.Enqueue(tx, clock, "dataset", list[0].ID, list[1].ID, list[2].ID, list[3].ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := p.Outbox.Drain(ctx); err == nil || n != 0 {
				t.Fatalf("drain while down: applied %d, err %v", n, err)
			}
			if !errors.Is(err, nil) {
				t.Fatal(err)
			}
			backlog, _ := outbox.Backlog(ctx, p.DB)
			if backlog != 4 {
				t.Fatalf("backlog %d, want 4", backlog)
			}
			r := p.Get(t, "/readyz").Map(t)
			if r["checks"].(map[string]any)["outbox_backlog"].(float64) != 4 {
				t.Errorf("readyz does not report the backlog: %v", r)
			}
			// Retried only after the backoff.
			if n, _ := p.Outbox.Drain(ctx); n != 0 {
				t.Fatalf("retried before backoff")
			}
			flaky.down.Store(false)
			if n, _ := p.Outbox.Drain(ctx); n != 0 {
				t.Fatalf("retried before backoff elapsed")
			}
			clock = clock.Add(outbox.Backoff(1) + time.Second)
			if n, err := p.Outbox.Drain(ctx); err != nil || n != 4 {
				t.Fatalf("drain after recovery: %d, %v", n, err)
			}
			// Applying the entries queues their profiles and scores
			// (server/quality); no dataset event is left.
			var left int64
			p.DB.Table("outbox_events").Where("kind = ?", "dataset").Count(&left)
			if left != 0 {
				t.Fatalf("%d dataset events left after recovery", left)
			}
			for _, q := range []string{"松花江水质监测点位信息", "冰雪旅游景区客流量统计", "寒地黑土耕地质量监测"} {
				res, err := p.Index.Search(ctx, search.Query{Text: q, Limit: 3})
				if err != nil || res.Total == 0 {
					t.Errorf("search %s: %v %+v", q, err, res)
				}
			}
			res, _ := p.Index.Search(ctx, search.Query{Limit: 1000})
			for _, h := range res.Hits {
				if h.ID == list[3].ID {
					t.Errorf("not_open entry %s still indexed", h.ID)
				}
			}
			in, err := p.Catalog.IndexInSync(ctx)
			if err != nil || !in {
				t.Errorf("index out of step after recovery: %v", err)
			}
		})
	}
}
