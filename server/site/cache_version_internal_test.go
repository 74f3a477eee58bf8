package site

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// A page is stamped with the catalog version of its miss, not of its Put:
// one made from data older than a change is not served once the version
// went up, on whichever replica.
func TestCacheFollowsCatalogVersion(t *testing.T) {
	var v atomic.Uint64
	v.Store(1)
	c := NewCache(10, time.Minute)
	c.SetVersion(v.Load)
	page := func(s string) *Entry { return &Entry{Status: http.StatusOK, Body: []byte(s)} }

	if c.Get("k") != nil {
		t.Fatal("empty cache hit")
	}
	v.Store(2) // the change lands while the page is being made
	c.Put("k", page("old"))
	if e := c.Get("k"); e != nil {
		t.Fatalf("page made before version 2 served at version 2: %q", e.Body)
	}
	c.Put("k", page("new")) // made after the miss at version 2
	if e := c.Get("k"); e == nil || string(e.Body) != "new" {
		t.Fatalf("page made at version 2 not kept")
	}
	// A Put whose miss another request already put is not trusted.
	c.Put("k", page("late"))
	if e := c.Get("k"); e == nil || string(e.Body) != "new" {
		t.Errorf("a Put without its own miss replaced the page")
	}
	v.Store(3)
	if c.Get("k") != nil {
		t.Errorf("page of version 2 served at version 3")
	}
}
