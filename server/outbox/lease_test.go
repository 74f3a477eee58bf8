package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
)

// manualTicker is a heartbeat the test drives: each send is one tick.
type manualTicker struct {
	c       chan time.Time
	stopped atomic.Bool
}

func newManualTicker() *manualTicker { return &manualTicker{c: make(chan time.Time)} }

func (m *manualTicker) make(time.Duration) (<-chan time.Time, func()) {
	return m.c, func() { m.stopped.Store(true) }
}

// leaseEnv is one database with an outbox and a clock the test moves.
type leaseEnv struct {
	t     *testing.T
	db    *gorm.DB
	clock *apptest.Clock
}

func newLeaseEnv(t *testing.T, engine string) *leaseEnv {
	db := apptest.OpenDB(t, engine)
	if err := store.Migrate(db, outbox.Migrations()); err != nil {
		t.Fatal(err)
	}
	return &leaseEnv{t: t, db: db, clock: apptest.NewClock(time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC))}
}

// worker makes a worker on the env's clock with a manual heartbeat whose
// renewals are reported on the returned channel.
func (e *leaseEnv) worker(h outbox.Handler) (*outbox.Worker, *manualTicker, chan bool) {
	tick := newManualTicker()
	w := &outbox.Worker{DB: e.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now,
		Handlers: map[string]outbox.Handler{"dataset": h}, Ticker: tick.make}
	renewed := make(chan bool, 10)
	outbox.OnRenew(w, func(owned bool, err error) {
		if err != nil {
			e.t.Errorf("renewal: %v", err)
		}
		renewed <- owned
	})
	return w, tick, renewed
}

// rows returns the outbox rows by id.
func (e *leaseEnv) rows() []outbox.Event {
	var evs []outbox.Event
	if err := e.db.Order("id").Find(&evs).Error; err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// blocking is a handler that reports each call and waits for release
// or for its context to end.
type blocking struct {
	started  chan []string
	release  chan struct{}
	applied  atomic.Int32 // calls that returned success
	canceled atomic.Int32 // calls that saw their context end
}

func newBlocking() *blocking {
	return &blocking{started: make(chan []string, 4), release: make(chan struct{})}
}

func (b *blocking) handle(ctx context.Context, ids []string) error {
	b.started <- ids
	select {
	case <-b.release:
		b.applied.Add(1)
		return nil
	case <-ctx.Done():
		b.canceled.Add(1)
		return ctx.Err()
	}
}

type drained struct {
	n   int
	err error
}

func drainAsync(w *outbox.Worker, ctx context.Context) chan drained {
	out := make(chan drained, 1)
	go func() {
		n, err := w.Drain(ctx)
		out <- drained{n, err}
	}()
	return out
}

func wait[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second): // a hang, not a deadline of the code under test
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// TestLeaseRenewedWhileHandlerRuns: a handler that blocks keeps its
// events: each heartbeat moves the lease to now+Lease, another worker
// finds them taken even after the first lease's end, and the heartbeat
// stops when the handler returns.
func TestLeaseRenewedWhileHandlerRuns(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newLeaseEnv(t, engine)
			t0 := e.clock.Now()
			if err := outbox.Enqueue(e.db, t0, "dataset", "a", "b"); err != nil {
				t.Fatal(err)
			}
			slow := newBlocking()
			a, tick, renewed := e.worker(slow.handle)
			res := drainAsync(a, context.Background())
			if ids := wait(t, slow.started, "handler call"); len(ids) != 2 {
				t.Fatalf("handler got %v", ids)
			}
			rows := e.rows()
			lock := rows[0].LockedBy
			for _, r := range rows {
				if r.LockedBy == "" || r.LockedBy != lock || r.LockedUntil == nil || !r.LockedUntil.Equal(t0.Add(outbox.DefaultLease)) {
					t.Fatalf("claimed row %+v, want lease until %s", r, t0.Add(outbox.DefaultLease))
				}
			}

			// A renewal at an unchanged time still finds the rows its own
			// (MySQL reports no changed rows then).
			tick.c <- e.clock.Now()
			if !wait(t, renewed, "renewal") {
				t.Fatal("renewal at the same time lost the lease")
			}
			for i := 1; i <= 3; i++ {
				e.clock.Advance(outbox.DefaultRenew)
				tick.c <- e.clock.Now()
				if !wait(t, renewed, "renewal") {
					t.Fatalf("renewal %d lost the lease", i)
				}
				want := e.clock.Now().Add(outbox.DefaultLease)
				for _, r := range e.rows() {
					if r.LockedBy != lock || r.LockedUntil == nil || !r.LockedUntil.Equal(want) {
						t.Fatalf("after renewal %d: %+v, want %s until %s", i, r, lock, want)
					}
				}
			}
			// 4.5 s after the claim plus 1 s: past the first lease, inside the renewed one.
			e.clock.Advance(time.Second)
			if !e.clock.Now().After(t0.Add(outbox.DefaultLease)) {
				t.Fatal("test clock not past the first lease")
			}
			other, _, _ := e.worker(func(ctx context.Context, ids []string) error {
				t.Errorf("second worker applied %v under a live lease", ids)
				return nil
			})
			if n, err := other.Drain(context.Background()); n != 0 || err != nil {
				t.Fatalf("second worker: %d %v", n, err)
			}

			close(slow.release)
			if r := wait(t, res, "drain"); r.n != 2 || r.err != nil {
				t.Fatalf("drain: %d %v", r.n, r.err)
			}
			if len(e.rows()) != 0 {
				t.Fatalf("rows left: %+v", e.rows())
			}
			// The heartbeat ended with the batch: nobody takes a tick.
			if !tick.stopped.Load() {
				t.Error("heartbeat ticker not stopped")
			}
			select {
			case tick.c <- e.clock.Now():
				t.Error("heartbeat still running after the handler returned")
			default:
			}
			if slow.applied.Load() != 1 || slow.canceled.Load() != 0 {
				t.Errorf("handler applied %d, canceled %d", slow.applied.Load(), slow.canceled.Load())
			}
		})
	}
}

// TestExpiredLeaseReclaimedByAnotherWorker: a worker that stalls past its
// lease (no heartbeat) loses the batch to another worker; at its next
// heartbeat it sees that, its handler is cancelled, and it leaves the
// rows to the new owner: the events are applied once.
func TestExpiredLeaseReclaimedByAnotherWorker(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newLeaseEnv(t, engine)
			if err := outbox.Enqueue(e.db, e.clock.Now(), "dataset", "a", "b", "c"); err != nil {
				t.Fatal(err)
			}
			stalled := newBlocking()
			a, aTick, aRenewed := e.worker(stalled.handle)
			aRes := drainAsync(a, context.Background())
			wait(t, stalled.started, "first worker's handler")
			aLock := e.rows()[0].LockedBy

			// Just at the end of the lease the events are still taken.
			e.clock.Advance(outbox.DefaultLease)
			next := newBlocking()
			b, _, _ := e.worker(next.handle)
			if n, err := b.Drain(context.Background()); n != 0 || err != nil {
				t.Fatalf("claimed at the lease's last instant: %d %v", n, err)
			}
			e.clock.Advance(time.Second)
			bRes := drainAsync(b, context.Background())
			if ids := wait(t, next.started, "second worker's handler"); len(ids) != 3 {
				t.Fatalf("second worker got %v", ids)
			}
			rows := e.rows()
			bLock, bUntil := rows[0].LockedBy, *rows[0].LockedUntil
			if bLock == aLock || !bUntil.Equal(e.clock.Now().Add(outbox.DefaultLease)) {
				t.Fatalf("not taken over: %+v", rows[0])
			}

			// The first worker's heartbeat comes back: it no longer owns
			// the rows, so it does not extend them and stops its handler.
			aTick.c <- e.clock.Now()
			if wait(t, aRenewed, "first worker's renewal") {
				t.Fatal("the stalled worker still believes it holds the lease")
			}
			if r := wait(t, aRes, "first worker's drain"); r.n != 0 || !errors.Is(r.err, outbox.ErrLeaseLost) {
				t.Fatalf("first worker: %d %v", r.n, r.err)
			}
			if stalled.canceled.Load() != 1 || stalled.applied.Load() != 0 {
				t.Fatalf("stalled handler: applied %d, canceled %d", stalled.applied.Load(), stalled.canceled.Load())
			}
			for _, r := range e.rows() {
				if r.LockedBy != bLock || !r.LockedUntil.Equal(bUntil) || r.Attempts != 0 || r.LastError != "" {
					t.Fatalf("the loser touched the new owner's row: %+v", r)
				}
			}

			close(next.release)
			if r := wait(t, bRes, "second worker's drain"); r.n != 3 || r.err != nil {
				t.Fatalf("second worker: %d %v", r.n, r.err)
			}
			if left := e.rows(); len(left) != 0 {
				t.Fatalf("rows left: %+v", left)
			}
		})
	}
}

// TestStopReleasesLease: a worker stopped mid-batch (SIGTERM) hands the
// events back without counting an attempt, so the next start or another
// replica applies them at once instead of after the lease.
func TestStopReleasesLease(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newLeaseEnv(t, engine)
			if err := outbox.Enqueue(e.db, e.clock.Now(), "dataset", "a", "b"); err != nil {
				t.Fatal(err)
			}
			slow := newBlocking()
			a, _, _ := e.worker(slow.handle)
			ctx, stop := context.WithCancel(context.Background())
			res := drainAsync(a, ctx)
			wait(t, slow.started, "handler call")
			stop()
			if r := wait(t, res, "drain"); r.n != 0 || !errors.Is(r.err, context.Canceled) {
				t.Fatalf("stopped drain: %d %v", r.n, r.err)
			}
			for _, r := range e.rows() {
				if r.LockedBy != "" || r.LockedUntil != nil || r.Attempts != 0 || !r.AvailableAt.Equal(e.clock.Now()) {
					t.Fatalf("not released: %+v", r)
				}
			}
			var got []string
			b, _, _ := e.worker(func(ctx context.Context, ids []string) error { got = ids; return nil })
			if n, err := b.Drain(context.Background()); n != 2 || err != nil || len(got) != 2 {
				t.Fatalf("next worker at the same instant: %d %v %v", n, err, got)
			}
		})
	}
}
