package accounts

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

// HashLimiter caps the argon2 hashes running at once (each takes ~19 MiB
// and a core for tens of milliseconds). A few callers may wait a short
// while for a slot; anyone beyond that queue, or waiting longer, gets 503
// with Retry-After at once: the queue never grows without bound.
type HashLimiter struct {
	slots   chan struct{}
	queue   int64 // waiters allowed beyond the running hashes
	wait    time.Duration
	waiting atomic.Int64
}

// NewHashLimiter allows n concurrent hashes, queue waiters, each waiting
// at most wait. n <= 0 means max(1, GOMAXPROCS/2).
func NewHashLimiter(n, queue int, wait time.Duration) *HashLimiter {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	return &HashLimiter{slots: make(chan struct{}, n), queue: int64(max(0, queue)), wait: wait}
}

// Size is how many hashes may run at once.
func (l *HashLimiter) Size() int { return cap(l.slots) }

// hashBusyRetry is the Retry-After of a refused hash: slots free within
// tens of milliseconds, so a second is plenty.
const hashBusyRetry = time.Second

func errHashBusy() error {
	return &RateLimitedError{Err: apperr.New(apperr.Unavailable, "the server is busy checking passwords: try again in a moment"), RetryAfter: hashBusyRetry}
}

// Do runs fn in a slot, waiting in the queue if there is room.
func (l *HashLimiter) Do(ctx context.Context, fn func()) error {
	select {
	case l.slots <- struct{}{}:
	default:
		if l.waiting.Add(1) > l.queue {
			l.waiting.Add(-1)
			return errHashBusy()
		}
		t := time.NewTimer(l.wait)
		select {
		case l.slots <- struct{}{}:
			l.waiting.Add(-1)
			t.Stop()
		case <-t.C:
			l.waiting.Add(-1)
			return errHashBusy()
		case <-ctx.Done():
			l.waiting.Add(-1)
			t.Stop()
			return errHashBusy()
		}
	}
	defer func() { <-l.slots }()
	fn()
	return nil
}

// Hashes is the service's limiter, built from Limits on first use.
func (s *Service) Hashes() *HashLimiter {
	s.hashOnce.Do(func() {
		if s.hashes == nil {
			s.hashes = NewHashLimiter(s.Limits.HashConcurrency, s.Limits.HashQueue, s.Limits.HashWait)
		}
	})
	return s.hashes
}

// SetHashes replaces the limiter (tests: a small one).
func (s *Service) SetHashes(l *HashLimiter) {
	s.hashOnce.Do(func() {})
	s.hashes = l
}

type hashState struct {
	hashOnce sync.Once
	hashes   *HashLimiter
}

// hash is HashPassword inside a slot.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	var h string
	var err error
	if lerr := s.Hashes().Do(ctx, func() { h, err = HashPassword(pw) }); lerr != nil {
		return "", lerr
	}
	if err != nil {
		return "", apperr.Internalf(err, "hash password")
	}
	return h, nil
}

// check is CheckPassword inside a slot.
func (s *Service) check(ctx context.Context, hash, pw string) (bool, error) {
	ok := false
	err := s.Hashes().Do(ctx, func() { ok = CheckPassword(hash, pw) })
	return ok, err
}
