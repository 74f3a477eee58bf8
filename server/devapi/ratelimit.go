package devapi

import (
	"math"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
)

// Limiter limits developer-API requests with one token bucket per API
// token (or signed-in account) and one per client address for anonymous
// callers. A bucket holds one minute's worth of requests and refills
// continuously.
//
// Replicas: each replica keeps its own buckets in memory, so behind a
// load balancer that spreads one client over N replicas the client gets
// up to N times the configured rate. Either configure the per-replica
// rate as the wanted total divided by N, or route each client to one
// replica (hash on the Authorization header and client address). No
// shared store is needed for either.
type Limiter struct {
	AnonPerMinute  int // per client address; 0 = unlimited
	TokenPerMinute int // per API token or account; 0 = unlimited
	Now            func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const maxBuckets = 200_000

// Middleware enforces the limits; it must run after the authz guard (so
// the caller is known).
func (l *Limiter) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(authz.QuotaChargedKey) != nil {
			return next(c) // an app call its own quota paid for (server/apps)
		}
		key, perMin := l.key(c)
		if perMin <= 0 {
			return next(c)
		}
		ok, wait, remaining := l.take(key, perMin)
		h := c.Response().Header()
		h.Set("RateLimit-Limit", strconv.Itoa(perMin))
		h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
		// The same under the X- names apps use; Reset is when the bucket
		// is full again (it refills continuously).
		full := time.Duration(perMin-remaining) * time.Minute / time.Duration(perMin)
		h.Set("X-RateLimit-Limit", strconv.Itoa(perMin))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(l.now().Add(full).Unix(), 10))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			h.Set("Retry-After", strconv.Itoa(secs))
			return apperr.New(apperr.RateLimited, "too many requests: at most %d a minute; retry in %d s", perMin, secs)
		}
		return next(c)
	}
}

// key identifies the caller: its token, else its account, else its
// address (IPv6 clients by their /64, which one host usually holds).
func (l *Limiter) key(c echo.Context) (string, int) {
	if p := authz.PrincipalFrom(c); p != nil {
		if p.AppID != nil {
			return "a:" + *p.AppID, l.TokenPerMinute
		}
		if p.TokenID != nil {
			return "t:" + strconv.FormatUint(*p.TokenID, 10), l.TokenPerMinute
		}
		return "u:" + strconv.FormatUint(p.UserID, 10), l.TokenPerMinute
	}
	ip := c.RealIP()
	if c.Echo().IPExtractor == nil {
		ip = echo.ExtractIPDirect()(c.Request())
	}
	if parsed := net.ParseIP(ip); parsed != nil && parsed.To4() == nil {
		ip = parsed.Mask(net.CIDRMask(64, 128)).String()
	}
	return "ip:" + ip, l.AnonPerMinute
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// take spends one request from key's bucket.
func (l *Limiter) take(key string, perMin int) (bool, time.Duration, int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	l.calls++
	if l.calls%1024 == 0 || len(l.buckets) > maxBuckets {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(perMin)/60), perMin)}
		b.lim.SetBurstAt(now, perMin)
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute, 0
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, 0
	}
	return true, 0, int(b.lim.TokensAt(now))
}

// sweep forgets buckets that have refilled completely (idle ≥ 1 minute).
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.seen) >= time.Minute {
			delete(l.buckets, k)
		}
	}
}
