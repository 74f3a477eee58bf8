package searchtest

import (
	"context"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// walkCursor pages through q by cursor, size hits at a time, checking that
// every page reports the whole match set as Total and that only the last
// page has no Next.
func walkCursor(t *testing.T, idx search.Index, q search.Query, size int) []string {
	t.Helper()
	var got []string
	q.Limit, q.Offset = size, 0
	for page := 0; ; page++ {
		res := mustSearch(t, idx, q)
		got = append(got, ids(res)...)
		if res.Next == "" {
			return got
		}
		if len(res.Hits) != size {
			t.Fatalf("%+v page %d: %d hits with a Next cursor", q, page, len(res.Hits))
		}
		if page > 100 {
			t.Fatalf("%+v: cursor walk does not end", q)
		}
		q.After = res.Next
	}
}

// offsetIDs is every hit of q in order, by offset paging.
func offsetIDs(t *testing.T, idx search.Index, q search.Query) ([]string, int) {
	t.Helper()
	q.Limit, q.Offset, q.After = 100, 0, ""
	res := mustSearch(t, idx, q)
	if res.Next != "" {
		t.Fatalf("%+v: Next %q on a page holding every hit", q, res.Next)
	}
	return ids(res), res.Total
}

var cursorSorts = []string{"", search.SortRelevance, search.SortUpdated, search.SortPublished, search.SortDownloads, search.SortQuality, search.SortName}

var cursorCases = []testCase{
	{"CursorWalkEqualsOffsetPaging", func(t *testing.T, idx search.Index) {
		queries := []search.Query{
			{},
			{Filters: map[string][]string{search.FieldOpenType: {"unconditional"}}},
			{MinQuality: 60},
		}
		for _, base := range queries {
			for _, sort := range cursorSorts {
				q := base
				q.Sort = sort
				want, total := offsetIDs(t, idx, q)
				if len(want) < 4 {
					t.Fatalf("%+v: only %d hits, too few to page", q, len(want))
				}
				for _, size := range []int{1, 3, len(want)} {
					if got := walkCursor(t, idx, q, size); !slices.Equal(got, want) {
						t.Fatalf("%+v by cursor, %d a page = %v, want %v (total %d)", q, size, got, want, total)
					}
				}
			}
		}
	}},
	{"CursorWithTextAndSort", func(t *testing.T, idx search.Index) {
		q := search.Query{Text: "哈尔滨市", Sort: search.SortDownloads}
		want := []string{"ds-004", "ds-005", "ds-008", "ds-013", "ds-006"}
		if got := walkCursor(t, idx, q, 2); !slices.Equal(got, want) {
			t.Fatalf("哈尔滨市 by downloads, by cursor = %v, want %v", got, want)
		}
	}},
	{"CursorTotalAndFacetsCoverWholeMatchSet", func(t *testing.T, idx search.Index) {
		q := search.Query{Sort: search.SortDownloads, Limit: 2, Facets: []string{search.FieldTopic}}
		first := mustSearch(t, idx, q)
		q.After = first.Next
		second := mustSearch(t, idx, q)
		if second.Total != len(Corpus()) || first.Total != second.Total {
			t.Fatalf("totals %d then %d, want %d", first.Total, second.Total, len(Corpus()))
		}
		if want := expectedFacets(Corpus(), search.FieldTopic); !slices.Equal(second.Facets[search.FieldTopic], want) {
			t.Fatalf("facets after a cursor = %v, want %v", second.Facets[search.FieldTopic], want)
		}
	}},
	{"NoCursorForRelevanceWithText", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "全省", Limit: 1})
		if res.Total < 2 || res.Next != "" {
			t.Fatalf("relevance with text: total %d, Next %q; want several hits and no cursor", res.Total, res.Next)
		}
	}},
	{"NoCursorWithoutHits", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Sort: search.SortUpdated, Limit: 0})
		if res.Next != "" {
			t.Fatalf("counts-only query has Next %q", res.Next)
		}
	}},
	{"CursorOfAnotherSortIsBadQuery", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		next := mustSearch(t, idx, search.Query{Sort: search.SortUpdated, Limit: 2}).Next
		if next == "" {
			t.Fatal("first page by updated has no Next")
		}
		for _, q := range []search.Query{
			{Sort: search.SortDownloads, After: next, Limit: 2},
			{Sort: search.SortName, After: next, Limit: 2},
			{Text: "全省", After: next, Limit: 2},                          // relevance
			{Sort: search.SortUpdated, After: next, Offset: 2, Limit: 2}, // offset with a cursor
			{Sort: search.SortUpdated, After: "not-a-cursor", Limit: 2},
			{Sort: search.SortUpdated, After: search.Cursor{Sort: search.SortUpdated, ID: "ds-001"}.Encode(), Limit: 2}, // no key
		} {
			_, err := idx.Search(ctx, q)
			errIs(t, err, search.ErrBadQuery)
		}
		// Relevance without text is updated, so an updated cursor fits it.
		if _, err := idx.Search(ctx, search.Query{After: next, Limit: 2}); err != nil {
			t.Fatalf("updated cursor on an empty relevance query: %v", err)
		}
	}},
	{"CursorBeyondMaxWindow", func(t *testing.T, idx search.Index) {
		// The cursor is how to page past MaxWindow: it is not refused.
		c := search.Cursor{Sort: search.SortDownloads, Ints: []int64{-1}, ID: "zzz"}
		res := mustSearch(t, idx, search.Query{Sort: search.SortDownloads, After: c.Encode(), Limit: search.MaxLimit})
		if len(res.Hits) != 0 || res.Next != "" || res.Total != len(Corpus()) {
			t.Fatalf("cursor past the end: %d hits, Next %q, total %d", len(res.Hits), res.Next, res.Total)
		}
	}},
}

var cursorWriteCases = []testCase{
	{"CursorContinuesAcrossWrites", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		q := search.Query{Sort: search.SortDownloads, Limit: 3}
		first := mustSearch(t, idx, q)
		all, _ := offsetIDs(t, idx, q)
		// Delete the page's last hit (the cursor's own document) and one
		// ahead of it, and add one that sorts first and one that sorts last.
		if err := idx.Delete(ctx, all[2], all[5]); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		top, bottom := corpusByID()["ds-001"], corpusByID()["ds-002"]
		top.ID, top.Downloads = "ds-900", 1<<40
		bottom.ID, bottom.Downloads = "ds-901", 0
		if err := idx.Upsert(ctx, top, bottom); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		q.After = first.Next
		q.Limit = 100
		got := ids(mustSearch(t, idx, q))
		want := slices.Concat(all[3:5], all[6:])
		want = slices.Insert(want, len(want)-countZeroDownloadsAfter(all[6:], "ds-901"), "ds-901")
		if !slices.Equal(got, want) {
			t.Fatalf("after writes, the rest by cursor = %v, want %v", got, want)
		}
	}},
}

// countZeroDownloadsAfter counts the corpus ids among list that tie with a
// zero-downloads document id and sort after it (ties go by id).
func countZeroDownloadsAfter(list []string, id string) int {
	byID := corpusByID()
	n := 0
	for _, x := range list {
		if byID[x].Downloads == 0 && x > id {
			n++
		}
	}
	return n
}

func init() {
	readOnlyCases = append(readOnlyCases, cursorCases...)
	writeCases = append(writeCases, cursorWriteCases...)
}
