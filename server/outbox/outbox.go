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
	"sync"
	"sync/atomic"
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
// Its context is cancelled when the worker loses the batch's lease.
type Handler func(ctx context.Context, ids []string) error

// Lease defaults: a claim lives 5 s unless renewed, and the worker renews
// it every 1.5 s while its handlers run. A slow handler keeps its events;
// a crashed process's events are free again within 5 s (finding 8: with
// one long lease they waited a minute after every crash).
const (
	DefaultLease = 5 * time.Second
	DefaultRenew = 1500 * time.Millisecond
)

// ErrLeaseLost: another worker took the batch over (this one stalled past
// its lease); what is left of the batch is that worker's.
var ErrLeaseLost = errors.New("outbox: lease lost to another worker")

// Worker drains the outbox. Several replicas may run one each: rows are
// claimed with a lease that names the claim (locked_by), so one event is
// applied by one worker at a time; the lease is renewed while handlers
// run, and a crashed worker's lease simply expires.
type Worker struct {
	DB       *gorm.DB
	Log      *slog.Logger
	Now      func() time.Time
	Handlers map[string]Handler
	Batch    int           // events per claim (default 200)
	Lease    time.Duration // claim lifetime without renewal (default DefaultLease)
	Renew    time.Duration // heartbeat period while handlers run (default DefaultRenew, below Lease)
	Idle     time.Duration // poll interval when idle (default 500ms)
	// Ticker makes the heartbeat's ticks (a time.Ticker when nil); tests
	// inject their own so that no test waits for real time.
	Ticker func(d time.Duration) (<-chan time.Time, func())
	id     string
	kick   chan struct{}
	// renewed, when set (tests), is told the outcome of every renewal.
	renewed func(owned bool, err error)
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
	if w.Lease <= 0 {
		w.Lease = DefaultLease
	}
	if w.Renew <= 0 || w.Renew >= w.Lease {
		w.Renew = min(DefaultRenew, w.Lease*3/10)
	}
	if w.Idle == 0 {
		w.Idle = 500 * time.Millisecond
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Ticker == nil {
		w.Ticker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
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
	if err := w.DB.WithContext(ctx).Where("id IN ? AND locked_by = ?", candidates, lock).Order("id").Find(&claimed).Error; err != nil {
		return 0, err
	}
	if len(claimed) == 0 {
		return 0, nil // another worker claimed them first
	}
	l := &lease{w: w, lock: lock, held: map[uint64]bool{}}
	for _, ev := range claimed {
		l.held[ev.ID] = true
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopHeartbeat := l.heartbeat(hctx, cancel)
	defer stopHeartbeat()

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
		if l.lost.Load() {
			return applied, ErrLeaseLost
		}
		if ctx.Err() != nil {
			l.release(ctx) // stopping: the rest is free for the next start at once
			return applied, ctx.Err()
		}
		evs := byKind[kind]
		h := w.Handlers[kind]
		var herr error
		if h == nil {
			herr = errors.New("no handler for kind " + kind)
		} else {
			herr = h(hctx, distinctIDs(evs))
		}
		if l.lost.Load() {
			return applied, ErrLeaseLost
		}
		if herr == nil {
			n, err := l.done(ctx, evs)
			if err != nil {
				return applied, err
			}
			applied += n
			continue
		}
		if ctx.Err() != nil {
			// Stopping cut the handler short: no attempt is counted, and
			// the events are free for the next start or another replica.
			l.release(ctx)
			return applied, ctx.Err()
		}
		if firstErr == nil {
			firstErr = herr
		}
		l.retry(ctx, evs, now, herr)
	}
	return applied, firstErr
}

// lease is one claimed batch: the claim's name and the events it still
// holds. mu orders renewals against the rows leaving the batch, so a
// renewal knows how many rows it must find.
type lease struct {
	w    *Worker
	lock string
	mu   sync.Mutex
	held map[uint64]bool
	lost atomic.Bool
}

// heartbeat renews the lease every Renew until the returned stop is
// called (it waits for the heartbeat to end). When the renewal finds the
// batch taken over, it cancels the handlers' context.
func (l *lease) heartbeat(ctx context.Context, cancel context.CancelFunc) (stop func()) {
	tick, stopTick := l.w.Ticker(l.w.Renew)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer stopTick()
		for {
			select {
			case <-quit:
				return
			case <-tick:
			}
			owned, err := l.renew(ctx)
			if l.w.renewed != nil {
				l.w.renewed(owned, err)
			}
			if err != nil {
				// The database did not answer: try again at the next tick;
				// the lease may still be ours.
				if ctx.Err() == nil {
					l.w.Log.Warn("outbox: lease renewal failed", "err", err)
				}
				continue
			}
			if !owned {
				l.lost.Store(true)
				l.w.Log.Warn("outbox: lease lost to another worker; it applies the rest of the batch")
				cancel()
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// renew extends the lease of every event the batch still holds, and
// reports whether the batch still owns all of them.
func (l *lease) renew(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.held) == 0 {
		return true, nil
	}
	ids := l.heldIDs()
	db := l.w.DB.WithContext(ctx)
	until := l.w.Now().UTC().Add(l.w.Lease)
	r := db.Model(&Event{}).Where("id IN ? AND locked_by = ?", ids, l.lock).Update("locked_until", until)
	if r.Error != nil {
		return false, r.Error
	}
	if r.RowsAffected == int64(len(ids)) {
		return true, nil
	}
	// MySQL counts changed rows only (an unchanged time counts 0): count
	// the rows still named by this claim.
	var n int64
	if err := db.Model(&Event{}).Where("id IN ? AND locked_by = ?", ids, l.lock).Count(&n).Error; err != nil {
		return false, err
	}
	return n == int64(len(ids)), nil
}

// heldIDs lists the events the batch holds (caller holds mu).
func (l *lease) heldIDs() []uint64 {
	ids := make([]uint64, 0, len(l.held))
	for id := range l.held {
		ids = append(ids, id)
	}
	return ids
}

// forget removes events from the batch (caller holds mu).
func (l *lease) forget(evs []Event) {
	for _, ev := range evs {
		delete(l.held, ev.ID)
	}
}

// finishing bounds the recording of a batch's outcome; it goes on after
// ctx ends (shutdown), so a finished batch is not applied again and an
// interrupted one is free at once.
func (l *lease) finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), l.w.Lease)
}

// done deletes applied events that this claim still holds.
func (l *lease) done(ctx context.Context, evs []Event) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := l.finishing(ctx)
	defer cancel()
	r := l.w.DB.WithContext(ctx).Where("id IN ? AND locked_by = ?", eventIDs(evs), l.lock).Delete(&Event{})
	if r.Error != nil {
		return 0, r.Error
	}
	l.forget(evs)
	return int(r.RowsAffected), nil
}

// retry counts a failed attempt and makes the events due after the backoff.
func (l *lease) retry(ctx context.Context, evs []Event, now time.Time, herr error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := l.finishing(ctx)
	defer cancel()
	msg := herr.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	for _, ev := range evs {
		next := now.Add(Backoff(ev.Attempts + 1))
		l.w.DB.WithContext(ctx).Model(&Event{}).Where("id = ? AND locked_by = ?", ev.ID, l.lock).
			Updates(map[string]any{"attempts": ev.Attempts + 1, "available_at": next, "locked_by": "", "locked_until": nil, "last_error": msg})
	}
	l.forget(evs)
}

// release gives every event the batch still holds back without
// counting an attempt.
func (l *lease) release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := l.finishing(ctx)
	defer cancel()
	if len(l.held) == 0 {
		return
	}
	ids := l.heldIDs()
	l.w.DB.WithContext(ctx).Model(&Event{}).Where("id IN ? AND locked_by = ?", ids, l.lock).
		Updates(map[string]any{"locked_by": "", "locked_until": nil})
	clear(l.held)
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
