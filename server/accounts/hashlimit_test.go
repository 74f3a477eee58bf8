package accounts

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

func busy(err error) bool {
	var rl *RateLimitedError
	return errors.As(err, &rl) && rl.Err.Code == apperr.Unavailable && rl.RetryAfter == time.Second
}

// TestHashLimiter: at most N run at once, Q more wait, the rest are
// refused at once; a waiter gives up after the wait or with its request.
// Holders are blocked on channels: no timing decides the outcome.
func TestHashLimiter(t *testing.T) {
	const n, q = 3, 2
	l := NewHashLimiter(n, q, time.Hour)
	var running, peak atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, n+q)
	work := func() {
		if r := running.Add(1); r > peak.Load() {
			peak.Store(r)
		}
		entered <- struct{}{}
		<-release
		running.Add(-1)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n+q)
	for range n + q {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- l.Do(context.Background(), work) }()
	}
	for range n {
		<-entered
	}
	// n run; wait until the q others stand in the queue.
	for l.waiting.Load() != q {
		time.Sleep(time.Millisecond)
	}
	if got := running.Load(); got != n {
		t.Fatalf("%d running, want %d", got, n)
	}
	// The queue is full: refused at once, without running.
	ran := false
	if err := l.Do(context.Background(), func() { ran = true }); !busy(err) || ran {
		t.Fatalf("beyond the queue: %v (ran %v)", err, ran)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a queued hash failed: %v", err)
		}
	}
	if peak.Load() != n {
		t.Fatalf("peak %d concurrent, want %d", peak.Load(), n)
	}
	if l.waiting.Load() != 0 || len(l.slots) != 0 {
		t.Fatalf("left behind: %d waiting, %d slots", l.waiting.Load(), len(l.slots))
	}

	// A waiter's request ends: it leaves the queue with 503.
	one := NewHashLimiter(1, 1, time.Hour)
	hold, held := make(chan struct{}), make(chan struct{})
	go one.Do(context.Background(), func() { close(held); <-hold })
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := one.Do(ctx, func() {}); !busy(err) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	// The wait is bounded.
	one.wait = time.Millisecond
	if err := one.Do(context.Background(), func() {}); !busy(err) {
		t.Fatalf("timed-out waiter: %v", err)
	}
	close(hold)

	if d := NewHashLimiter(0, 0, 0).Size(); d < 1 {
		t.Fatalf("default size %d", d)
	}
}
