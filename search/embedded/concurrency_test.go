package embedded

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

// TestConcurrentUse runs searches, writes, a rebuild and a compaction at the
// same time; run with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	corpus := searchtest.Corpus()
	if err := e.Upsert(ctx, corpus...); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	queries := []search.Query{
		{Text: "企业登记", Limit: 5, Facets: search.FacetFields},
		{Text: "哈尔滨", Limit: 3, Sort: search.SortDownloads, Filters: map[string][]string{search.FieldFormat: {"csv"}}},
		{Limit: 10, Sort: search.SortName, Facets: []string{search.FieldTopic}},
	}
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if _, err := e.Search(ctx, queries[(g+i)%len(queries)]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 100 {
			d := corpus[i%len(corpus)]
			d.ID = fmt.Sprintf("extra-%03d", i)
			if err := e.Upsert(ctx, d); err != nil {
				errs <- err
				return
			}
			if i%3 == 0 {
				if err := e.Delete(ctx, fmt.Sprintf("extra-%03d", i/2)); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	wg.Go(func() {
		err := e.Rebuild(ctx, func(emit func(search.Document) error) error {
			for _, d := range corpus {
				if err := emit(d); err != nil {
					return err
				}
			}
			return nil
		}, nil)
		if err != nil {
			errs <- err
		}
	})
	wg.Go(func() {
		if err := e.Compact(ctx); err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Whatever the interleaving, memory and disk agree.
	want := hitIDs(t, e, "全省")
	n := count(t, e)
	e.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	if got := hitIDs(t, e, "全省"); !sameIDs(got, want) || count(t, e) != n {
		t.Fatalf("after reopen: %v (%d docs), before: %v (%d docs)", got, count(t, e), want, n)
	}
}

func TestAutomaticCompaction(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, t.TempDir())
	defer e.Close()
	corpus := searchtest.Corpus()
	for range 100 { // 1,600 replacements: well past the dead-slot threshold
		if err := e.Upsert(ctx, corpus...); err != nil {
			t.Fatal(err)
		}
	}
	e.bg.Wait()
	e.mu.RLock()
	dead, slots := e.st.dead(), len(e.st.slots)
	e.mu.RUnlock()
	if float64(dead) > compactDeadRatio*float64(slots) && dead > compactDeadMin {
		t.Fatalf("no compaction: %d dead of %d slots", dead, slots)
	}
	if n := count(t, e); n != len(corpus) {
		t.Fatalf("count = %d", n)
	}
}
