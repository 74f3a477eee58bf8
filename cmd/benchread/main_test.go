package main

import (
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/seed"
)

// The search and CKAN rotations must never repeat a request: a response
// cache would answer a repeat and the uncached path would go unmeasured.
func TestQueriesAreDistinctAndDetailIsPublic(t *testing.T) {
	paths := readPaths(2000)
	for _, name := range []string{"search", "ckan"} {
		p := mustFind(paths, name)
		seen := map[string]bool{}
		for _, u := range p.paths {
			if seen[u] {
				t.Fatalf("%s repeats %s", name, u)
			}
			seen[u] = true
		}
		if len(p.paths) < 10000 {
			t.Errorf("%s: only %d distinct requests", name, len(p.paths))
		}
	}
	notOpen := map[string]bool{}
	for _, d := range seed.Synthetic(2000, 0) {
		if d.OpenType == "not_open" {
			notOpen["/api/v1/datasets/"+d.ID] = true
		}
	}
	if len(notOpen) == 0 {
		t.Fatal("the synthetic catalog has no not_open entry: the test proves nothing")
	}
	for _, u := range mustFind(paths, "detail").paths {
		if notOpen[u] {
			t.Fatalf("detail asks for a not_open entry: %s", u)
		}
	}
	if deep := mustFind(paths, "api-p500").paths[0]; !strings.HasSuffix(deep, "?page=95") {
		t.Errorf("deep page on ~1,900 public entries: %s, want the last full page", deep)
	}
}
