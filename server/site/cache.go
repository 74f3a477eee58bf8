package site

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hlj-opendata/portal/frontend"
)

// Cache sizes: rendered pages are 20–60 KB, so the default bound keeps the
// cache under about 100 MB.
const (
	CacheEntries = 2048
	CacheTTL     = 60 * time.Second
)

// Entry is a rendered page.
type Entry struct {
	Page   string // the page template it was rendered from (its inline style)
	Status int
	Body   []byte
	ETag   string
	// Until, when set, is when the page stops being true (e.g. a
	// revocation takes effect): the entry expires then at the latest.
	Until   time.Time
	expires time.Time
	version uint64 // the catalog version before the page was made
	gzOnce  sync.Once
	gz      []byte
}

// Gz is the body gzip-compressed, made once.
func (e *Entry) Gz() []byte {
	e.gzOnce.Do(func() { e.gz = frontend.Gzip(e.Body) })
	return e.gz
}

// Cache keeps rendered pages for a while. It is bounded in entries; when
// full, the entries closest to expiry go first.
type Cache struct {
	mu  sync.Mutex
	max int
	ttl time.Duration
	m   map[string]*Entry
	now func() time.Time
	// version, when set, is this replica's catalog version (respcache):
	// a page made before the version went up is not served again.
	version func() uint64
	// missAt is the version at the first miss of a key not yet put: a
	// page is stamped with it (Get and Put share no request), so a page
	// made from data older than a change never passes for newer.
	missAt map[string]uint64
}

// NewCache returns a cache of at most max entries kept for ttl; max 0
// disables caching.
func NewCache(max int, ttl time.Duration) *Cache {
	return &Cache{max: max, ttl: ttl, m: map[string]*Entry{}, now: time.Now, missAt: map[string]uint64{}}
}

// SetVersion makes the pages follow the shared catalog version: every
// replica drops its pages once it sees the version go up.
func (c *Cache) SetVersion(v func() uint64) {
	if c != nil {
		c.mu.Lock()
		c.version = v
		c.mu.Unlock()
	}
}

// missed records the version a page under key starts being made from.
func (c *Cache) missed(key string) {
	if c.version == nil {
		return
	}
	if _, ok := c.missAt[key]; ok {
		return
	}
	if len(c.missAt) >= 4*c.max {
		clear(c.missAt) // misses never put (errors, 404s): forgetting only skips a Put
	}
	c.missAt[key] = c.version()
}

// SetClock makes the cache read time from now (the app's injected clock),
// so expiry follows the same time as the deadlines and revocations.
func (c *Cache) SetClock(now func() time.Time) {
	if c != nil && now != nil {
		c.mu.Lock()
		c.now = now
		c.mu.Unlock()
	}
}

// Get returns the live entry under key, nil when none.
func (c *Cache) Get(key string) *Entry {
	if c == nil || c.max == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e != nil && (!c.now().Before(e.expires) || (c.version != nil && e.version < c.version())) {
		delete(c.m, key)
		e = nil
	}
	if e == nil {
		c.missed(key)
	}
	return e
}

// Put stores e under key.
func (c *Cache) Put(key string, e *Entry) {
	if c == nil || c.max == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != nil {
		v, ok := c.missAt[key]
		if !ok {
			return // its miss was put by another request: its data may predate a change
		}
		delete(c.missAt, key)
		e.version = v
	}
	now := c.now()
	e.expires = now.Add(c.ttl)
	if !e.Until.IsZero() && e.Until.Before(e.expires) {
		e.expires = e.Until
	}
	if !now.Before(e.expires) {
		return // already stale
	}
	if len(c.m) >= c.max {
		c.evict(now)
	}
	c.m[key] = e
}

// evict drops expired entries, then, if still full, the quarter that
// expires soonest (an old page goes before a fresh one; a crawler walking
// the catalog does not empty the cache).
func (c *Cache) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	if len(c.m) < c.max {
		return
	}
	type kv struct {
		k string
		t time.Time
	}
	all := make([]kv, 0, len(c.m))
	for k, e := range c.m {
		all = append(all, kv{k, e.expires})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	for _, x := range all[:len(all)/4+1] {
		delete(c.m, x.k)
	}
}

// Invalidate drops every entry whose key starts with prefix ("" drops all).
func (c *Cache) Invalidate(prefix string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if strings.HasPrefix(k, prefix) {
			delete(c.m, k)
		}
	}
}

// Len is the number of entries (for tests and metrics).
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Cache key prefixes of the pages that show catalog entries.
const (
	KeyDataset      = "dataset:"
	KeyDepartment   = "department:"
	KeyTopic        = "topic:"
	KeyAnnouncement = "announcement:"
)

// AfterDatasets wraps the outbox handler of catalog changes: once the
// change is applied, the rendered pages that show those entries are dropped.
func (c *Cache) AfterDatasets(next func(ctx context.Context, ids []string) error) func(ctx context.Context, ids []string) error {
	return func(ctx context.Context, ids []string) error {
		if err := next(ctx, ids); err != nil {
			return err
		}
		for _, id := range ids {
			c.Invalidate(KeyDataset + id + "\x00")
		}
		c.Invalidate(KeyDepartment)
		c.Invalidate(KeyTopic)
		c.Invalidate(KeyHome)
		return nil
	}
}
