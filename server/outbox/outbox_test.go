package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
)

// TestTwoReplicasApplyEachEventOnce: two workers (two portal replicas)
// drain one outbox at the same time; every event is applied exactly once.
func TestTwoReplicasApplyEachEventOnce(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.OpenDB(t, engine)
			if err := store.Migrate(db, outbox.Migrations()); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
			const n = 300
			ids := make([]string, n)
			for i := range ids {
				ids[i] = "ds-" + strconv.Itoa(i)
			}
			if err := outbox.Enqueue(db, now, "dataset", ids...); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			applied := map[string]int{}
			handler := func(ctx context.Context, ids []string) error {
				mu.Lock()
				defer mu.Unlock()
				for _, id := range ids {
					applied[id]++
				}
				return nil
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			workers := []*outbox.Worker{
				{DB: db, Log: log, Now: func() time.Time { return now }, Batch: 25, Handlers: map[string]outbox.Handler{"dataset": handler}},
				{DB: db, Log: log, Now: func() time.Time { return now }, Batch: 25, Handlers: map[string]outbox.Handler{"dataset": handler}},
			}
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Add(1)
				go func(w *outbox.Worker) {
					defer wg.Done()
					for i := 0; i < 100; i++ { // bounded: 300 events / 25 per batch
						k, err := w.Drain(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						if k == 0 {
							if left, _ := outbox.Backlog(context.Background(), db); left == 0 {
								return
							}
						}
					}
				}(w)
			}
			wg.Wait()
			if len(applied) != n {
				t.Fatalf("applied %d distinct events, want %d", len(applied), n)
			}
			for id, c := range applied {
				if c != 1 {
					t.Errorf("%s applied %d times", id, c)
				}
			}
			if left, _ := outbox.Backlog(context.Background(), db); left != 0 {
				t.Errorf("backlog %d", left)
			}
		})
	}
}

// TestFailedBatchIsRetriedAfterBackoff: a failing handler keeps the events,
// counts the attempt and records the error; they come back after the
// backoff, and an expired lease of a crashed worker is taken over.
func TestFailedBatchIsRetriedAfterBackoff(t *testing.T) {
	db := apptest.OpenDB(t, "sqlite")
	if err := store.Migrate(db, outbox.Migrations()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	if err := outbox.Enqueue(db, now, "dataset", "a", "b"); err != nil {
		t.Fatal(err)
	}
	fail := true
	calls := 0
	w := &outbox.Worker{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock, Handlers: map[string]outbox.Handler{
		"dataset": func(ctx context.Context, ids []string) error {
			calls++
			if fail {
				return errors.New("engine down")
			}
			return nil
		},
	}}
	if k, err := w.Drain(context.Background()); err == nil || k != 0 {
		t.Fatalf("first drain: %d %v", k, err)
	}
	var ev outbox.Event
	db.Order("id").First(&ev)
	if ev.Attempts != 1 || ev.LastError != "engine down" || !ev.AvailableAt.Equal(now.Add(outbox.Backoff(1))) {
		t.Fatalf("after failure: %+v", ev)
	}
	fail = false
	if k, _ := w.Drain(context.Background()); k != 0 || calls != 1 {
		t.Fatalf("retried before the backoff: %d applied, %d calls", k, calls)
	}
	now = now.Add(outbox.Backoff(1))
	if k, err := w.Drain(context.Background()); err != nil || k != 2 {
		t.Fatalf("after backoff: %d %v", k, err)
	}

	// A worker that claimed events and crashed: its lease runs out and
	// another worker applies them.
	if err := outbox.Enqueue(db, now, "dataset", "c"); err != nil {
		t.Fatal(err)
	}
	lease := now.Add(time.Minute)
	db.Model(&outbox.Event{}).Where("entity_id = ?", "c").Updates(map[string]any{"locked_by": "crashed", "locked_until": lease})
	if k, _ := w.Drain(context.Background()); k != 0 {
		t.Fatal("took over a live lease")
	}
	now = lease.Add(time.Second)
	if k, err := w.Drain(context.Background()); err != nil || k != 1 {
		t.Fatalf("after lease expiry: %d %v", k, err)
	}
	if b := outbox.Backoff(30); b != 5*time.Minute {
		t.Errorf("backoff cap %v", b)
	}
}
