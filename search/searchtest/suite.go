// Package searchtest is the conformance suite every search.Index engine
// must pass. Engines call Run from their own tests.
package searchtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// Run checks idx behaviour against the fixed Corpus. open must return a new,
// empty index each call; Run closes it when the (sub)test ends.
func Run(t *testing.T, open func(t *testing.T) search.Index) {
	seeded := func(t *testing.T) search.Index {
		t.Helper()
		idx := open(t)
		t.Cleanup(func() { idx.Close() })
		if err := idx.Upsert(context.Background(), Corpus()...); err != nil {
			t.Fatalf("seed corpus: %v", err)
		}
		return idx
	}

	// Read-only checks share one seeded index.
	t.Run("ReadOnly", func(t *testing.T) {
		idx := seeded(t)
		for _, c := range readOnlyCases {
			t.Run(c.name, func(t *testing.T) { c.run(t, idx) })
		}
	})
	for _, c := range writeCases {
		t.Run(c.name, func(t *testing.T) { c.run(t, seeded(t)) })
	}
	t.Run("EmptyIndex", func(t *testing.T) {
		idx := open(t)
		t.Cleanup(func() { idx.Close() })
		res := mustSearch(t, idx, search.Query{Text: "企业", Limit: 10, Facets: []string{search.FieldTopic}})
		if res.Total != 0 || len(res.Hits) != 0 {
			t.Fatalf("empty index returned %d hits", res.Total)
		}
		if err := idx.Health(context.Background()); err != nil {
			t.Fatalf("Health: %v", err)
		}
	})
}

type testCase struct {
	name string
	run  func(t *testing.T, idx search.Index)
}

func mustSearch(t *testing.T, idx search.Index, q search.Query) search.Result {
	t.Helper()
	res, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res search.Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// searchIDs returns the ids of every hit for text (with optional filters).
func searchIDs(t *testing.T, idx search.Index, text string) []string {
	t.Helper()
	return ids(mustSearch(t, idx, search.Query{Text: text, Limit: 100}))
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func position(list []string, id string) int { return slices.Index(list, id) }

func hitByID(t *testing.T, res search.Result, id string) search.Hit {
	t.Helper()
	for _, h := range res.Hits {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("%s not among hits %v", id, ids(res))
	return search.Hit{}
}

func errIs(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

func corpusByID() map[string]search.Document {
	m := map[string]search.Document{}
	for _, d := range Corpus() {
		m[d.ID] = d
	}
	return m
}

// expectedFacets counts field values over docs, sorted as engines must.
func expectedFacets(docs []search.Document, field string) []search.FacetCount {
	counts := map[string]int{}
	for i := range docs {
		for _, v := range search.FacetValues(&docs[i], field) {
			counts[v]++
		}
	}
	out := []search.FacetCount{}
	for v, n := range counts {
		out = append(out, search.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// matchesFilters applies filters to d by hand, skipping one field.
func matchesFilters(d search.Document, filters map[string][]string, skip string) bool {
	for field, values := range filters {
		if field == skip || len(values) == 0 {
			continue
		}
		ok := false
		for _, v := range search.FacetValues(&d, field) {
			if slices.Contains(values, v) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// filterDocs returns the corpus documents among only (all when nil)
// passing filters except skip.
func filterDocs(only []string, filters map[string][]string, skip string) []search.Document {
	var out []search.Document
	for _, d := range Corpus() {
		if only != nil && !slices.Contains(only, d.ID) {
			continue
		}
		if matchesFilters(d, filters, skip) {
			out = append(out, d)
		}
	}
	return out
}

func docIDs(docs []search.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}
