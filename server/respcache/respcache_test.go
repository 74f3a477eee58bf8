package respcache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/metrics"
	"github.com/hlj-opendata/portal/server/respcache"
)

// clock is an injected clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is one replica: a cache in front of a handler that counts its calls.
type rig struct {
	e     *echo.Echo
	cache *respcache.Cache
	calls atomic.Int64
	body  atomic.Value // string the handler answers
}

func newRig(t *testing.T, db *gorm.DB, clk *clock, maxAge time.Duration, maxBytes int) *rig {
	t.Helper()
	v := &respcache.Versions{DB: db, MaxAge: maxAge, Now: clk.Now}
	r := &rig{e: echo.New(), cache: respcache.New(v, maxBytes, time.Minute)}
	r.body.Store("first")
	r.cache.Cacheable = func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/api/") }
	r.e.Use(r.cache.Middleware)
	r.e.GET("/api/item", func(c echo.Context) error {
		r.calls.Add(1)
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, map[string]string{"body": r.body.Load().(string), "lang": c.Request().Header.Get("Accept-Language")})
	})
	r.e.GET("/api/big", func(c echo.Context) error {
		r.calls.Add(1)
		return c.String(http.StatusOK, strings.Repeat("数据目录 ", 2000))
	})
	r.e.GET("/api/missing", func(c echo.Context) error {
		r.calls.Add(1)
		return c.JSON(http.StatusNotFound, map[string]string{"error": "not found"})
	})
	r.e.GET("/api/standin", func(c echo.Context) error {
		r.calls.Add(1)
		respcache.Skip(c)
		return c.String(http.StatusOK, "from the database while the index starts")
	})
	r.e.GET("/api/cookie", func(c echo.Context) error {
		r.calls.Add(1)
		c.SetCookie(&http.Cookie{Name: "x", Value: "y"})
		return c.String(http.StatusOK, "with a cookie")
	})
	return r
}

func (r *rig) get(path string, h ...string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	w := httptest.NewRecorder()
	r.e.ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func versionsDB(t *testing.T, engine string) *gorm.DB {
	return apptest.MigratedDB(t, engine, respcache.Migrations())
}

func TestServesStoredAnswerWithValidators(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			r := newRig(t, versionsDB(t, engine), newClock(), time.Second, 1<<20)
			a := r.get("/api/item?b=2&a=1")
			ab := body(t, a)
			b := r.get("/api/item?a=1&b=2") // the same query in another order
			if a.StatusCode != 200 || b.StatusCode != 200 || body(t, b) != ab || r.calls.Load() != 1 {
				t.Fatalf("second read: status %d/%d, handler ran %d times; want one run", a.StatusCode, b.StatusCode, r.calls.Load())
			}
			if cc, cdn := b.Header.Get("Cache-Control"), b.Header.Get("CDN-Cache-Control"); cc != respcache.CacheControl || cdn != respcache.CDNCacheControl {
				t.Errorf("Cache-Control = %q, CDN-Cache-Control = %q", cc, cdn)
			}
			if v := b.Header.Get(respcache.HeaderVersion); v != "1" {
				t.Errorf("X-Catalog-Version = %q, want 1", v)
			}
			vary := strings.Join(b.Header.Values("Vary"), ",")
			for _, h := range []string{"Accept-Language", "Accept-Encoding", "Cookie"} {
				if !strings.Contains(vary, h) {
					t.Errorf("Vary %q lacks %s", vary, h)
				}
			}
			etag := b.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || etag != a.Header.Get("ETag") {
				t.Fatalf("ETag %q / %q: want one strong validator", etag, a.Header.Get("ETag"))
			}
			nm := r.get("/api/item?a=1&b=2", "If-None-Match", etag)
			if nm.StatusCode != http.StatusNotModified || body(t, nm) != "" || nm.Header.Get("ETag") != etag {
				t.Errorf("If-None-Match: %d %q", nm.StatusCode, nm.Header.Get("ETag"))
			}
			// Another language is another answer.
			en := r.get("/api/item?a=1&b=2", "Accept-Language", "en")
			if body(t, en) == ab || r.calls.Load() != 2 {
				t.Errorf("English read answered from the Chinese entry")
			}
		})
	}
}

func TestGzipMadeOnce(t *testing.T) {
	r := newRig(t, versionsDB(t, "sqlite"), newClock(), time.Second, 1<<20)
	plain := body(t, r.get("/api/big"))
	for i := 0; i < 2; i++ {
		res := r.get("/api/big", "Accept-Encoding", "gzip")
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(res.Header.Get("ETag"), `-gz"`) {
			t.Fatalf("gzip answer: encoding %q etag %q", res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if string(b) != plain {
			t.Fatalf("gzip body differs from the plain one")
		}
	}
	if r.calls.Load() != 1 {
		t.Errorf("handler ran %d times", r.calls.Load())
	}
}

func TestNeverCachesPrivateOrFailedAnswers(t *testing.T) {
	r := newRig(t, versionsDB(t, "sqlite"), newClock(), time.Second, 1<<20)
	for _, h := range [][]string{
		{"Authorization", "Bearer abc"},
		{"Cookie", "portal_session=abc"},
		{"Cookie", "lang=en; portal_session=abc"},
		{"X-App-Key", "app_1"},
	} {
		before := r.calls.Load()
		for i := 0; i < 2; i++ {
			res := r.get("/api/item", h...)
			if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get(respcache.HeaderVersion) != "" {
				t.Errorf("%v: status %d, Cache-Control %q", h, res.StatusCode, res.Header.Get("Cache-Control"))
			}
		}
		if n := r.calls.Load() - before; n != 2 {
			t.Errorf("%v: handler ran %d times for two reads, want 2", h, n)
		}
	}
	// The language cookie alone is anonymous.
	r.get("/api/item", "Cookie", "lang=en")
	before := r.calls.Load()
	if res := r.get("/api/item", "Cookie", "lang=en"); res.Header.Get(respcache.HeaderVersion) != "1" || r.calls.Load() != before {
		t.Errorf("lang cookie: not answered from the cache")
	}
	for _, p := range []string{"/api/missing", "/api/cookie", "/api/standin"} {
		before := r.calls.Load()
		a, b := r.get(p), r.get(p)
		if r.calls.Load()-before != 2 {
			t.Errorf("%s: handler ran %d times for two reads, want 2", p, r.calls.Load()-before)
		}
		if a.StatusCode != b.StatusCode || body(t, a) != body(t, b) {
			t.Errorf("%s: two reads differ", p)
		}
	}
	if res := r.get("/api/missing"); res.StatusCode != http.StatusNotFound {
		t.Errorf("404 became %d", res.StatusCode)
	}
	if res := r.get("/api/cookie"); len(res.Cookies()) != 1 {
		t.Errorf("Set-Cookie lost")
	}
}

func TestBumpDropsOlderAnswers(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			r := newRig(t, versionsDB(t, engine), newClock(), time.Hour, 1<<20)
			if b := body(t, r.get("/api/item")); !strings.Contains(b, "first") {
				t.Fatalf("body %s", b)
			}
			r.body.Store("second")
			if b := body(t, r.get("/api/item")); !strings.Contains(b, "first") {
				t.Fatalf("before the bump the stored answer stands, got %s", b)
			}
			if _, err := r.cache.Versions.Bump(context.Background(), true); err != nil {
				t.Fatal(err)
			}
			res := r.get("/api/item")
			if b := body(t, res); !strings.Contains(b, "second") || res.Header.Get(respcache.HeaderVersion) != "2" {
				t.Errorf("after the bump: %s (version %s)", b, res.Header.Get(respcache.HeaderVersion))
			}
		})
	}
}

// Two replicas on one database: B has read the version recently (max age
// one hour), A applies a change. B answers from its entry until it reads
// the version again, but never older than what the client says it saw.
func TestReplicaNeverOlderThanObserved(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, clk := versionsDB(t, engine), newClock()
			a, b := newRig(t, db, clk, time.Hour, 1<<20), newRig(t, db, clk, time.Hour, 1<<20)
			a.get("/api/item")
			b.get("/api/item")
			a.body.Store("second")
			b.body.Store("second")
			if _, err := a.cache.Versions.Bump(context.Background(), true); err != nil {
				t.Fatal(err)
			}
			ra := a.get("/api/item")
			seen := ra.Header.Get(respcache.HeaderVersion)
			if !strings.Contains(body(t, ra), "second") || seen != "2" {
				t.Fatalf("replica A after its change: version %s", seen)
			}
			// B has not read the version again yet: its answer says so.
			if rb := b.get("/api/item"); rb.Header.Get(respcache.HeaderVersion) != "1" || !strings.Contains(body(t, rb), "first") {
				t.Fatalf("replica B within its max age: version %s", rb.Header.Get(respcache.HeaderVersion))
			}
			// A client that saw version 2 gets at least 2 from B, and so does
			// everyone after it (B's version never goes down).
			for _, h := range [][]string{{respcache.HeaderVersion, seen}, nil} {
				rb := b.get("/api/item", h...)
				if !strings.Contains(body(t, rb), "second") || rb.Header.Get(respcache.HeaderVersion) != "2" {
					t.Errorf("replica B (%v): version %s", h, rb.Header.Get(respcache.HeaderVersion))
				}
			}
			// A made-up future version costs a read, not an error.
			if rb := b.get("/api/item", respcache.HeaderVersion, "99"); rb.StatusCode != 200 || rb.Header.Get(respcache.HeaderVersion) != "2" {
				t.Errorf("future version: %d %s", rb.StatusCode, rb.Header.Get(respcache.HeaderVersion))
			}
		})
	}
}

func TestReplicaFollowsAfterMaxAge(t *testing.T) {
	db, clk := versionsDB(t, "sqlite"), newClock()
	a, b := newRig(t, db, clk, time.Second, 1<<20), newRig(t, db, clk, time.Second, 1<<20)
	b.get("/api/item")
	b.body.Store("second")
	if _, err := a.cache.Versions.Bump(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	if rb := b.get("/api/item"); !strings.Contains(body(t, rb), "second") {
		t.Errorf("replica B one max age after the change: version %s", rb.Header.Get(respcache.HeaderVersion))
	}
}

func TestEntriesExpire(t *testing.T) {
	clk := newClock()
	r := newRig(t, versionsDB(t, "sqlite"), clk, time.Hour, 1<<20)
	r.get("/api/item")
	clk.Add(59 * time.Second)
	r.get("/api/item")
	clk.Add(time.Second)
	r.get("/api/item")
	if r.calls.Load() != 2 {
		t.Errorf("handler ran %d times, want 2 (one per minute)", r.calls.Load())
	}
}

func TestVersionReadsCoalesced(t *testing.T) {
	db := versionsDB(t, "sqlite")
	var reads atomic.Int64
	if err := db.Callback().Query().Before("gorm:query").Register("count_version_reads", func(tx *gorm.DB) {
		if tx.Statement.Table == "catalog_versions" {
			reads.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	v := &respcache.Versions{DB: db, MaxAge: time.Hour, Now: newClock().Now}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := v.Current(context.Background()); err != nil || got != 1 {
				t.Errorf("Current = %d, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if n := reads.Load(); n < 1 || n > 2 {
		t.Errorf("%d database reads for 50 concurrent requests within the max age", n)
	}
}

func TestLRUBound(t *testing.T) {
	l := respcache.NewLRU(10_000)
	put := func(k string) bool {
		return l.Put(k, &respcache.Entry{Version: 1, Status: 200, Body: bytes.Repeat([]byte("x"), 600)})
	}
	for i := 0; i < 10; i++ {
		put(fmt.Sprint("k", i))
		if i == 5 {
			l.Get("k0") // recently used: stays
		}
	}
	if l.Bytes() > 10_000 || l.Len() >= 10 {
		t.Fatalf("%d bytes in %d entries over a 10000-byte bound", l.Bytes(), l.Len())
	}
	if l.Get("k0") == nil || l.Get("k1") != nil || l.Get("k9") == nil {
		t.Errorf("least recently used out first: k0 %v k1 %v k9 %v", l.Get("k0") != nil, l.Get("k1") != nil, l.Get("k9") != nil)
	}
	if put("huge" + strings.Repeat("x", 3000)) {
		t.Errorf("an entry over an eighth of the bound was kept")
	}
	// An older answer does not replace a newer one.
	l.Put("v", &respcache.Entry{Version: 5, Body: []byte("new")})
	if l.Put("v", &respcache.Entry{Version: 4, Body: []byte("old")}) || string(l.Get("v").Body) != "new" {
		t.Errorf("older entry replaced a newer one")
	}
}

func TestMetrics(t *testing.T) {
	value := func(name string) float64 {
		fams, err := metrics.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() == name {
				m := f.GetMetric()[0]
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
		t.Fatalf("%s not registered", name)
		return 0
	}
	r := newRig(t, versionsDB(t, "sqlite"), newClock(), time.Second, 1<<20)
	hits, misses, size := value("portal_response_cache_hits_total"), value("portal_response_cache_misses_total"), value("portal_response_cache_bytes")
	r.get("/api/item?metrics")
	r.get("/api/item?metrics")
	if value("portal_response_cache_hits_total") != hits+1 || value("portal_response_cache_misses_total") != misses+1 {
		t.Errorf("hits %v→%v, misses %v→%v; want +1 each", hits, value("portal_response_cache_hits_total"), misses, value("portal_response_cache_misses_total"))
	}
	if value("portal_response_cache_bytes") <= size {
		t.Errorf("bytes did not grow with a stored answer")
	}
}
