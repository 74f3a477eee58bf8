package searchtest

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// expectedOrder sorts the corpus by key (descending unless asc), ties by id.
func expectedOrder(key func(d search.Document) int64, title bool) []string {
	docs := Corpus()
	slices.SortFunc(docs, func(a, b search.Document) int {
		var c int
		if title {
			c = cmp.Compare(a.Title, b.Title)
		} else {
			c = cmp.Compare(key(b), key(a))
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return docIDs(docs)
}

var (
	byUpdated   = func(d search.Document) int64 { return d.UpdatedAt.Unix() }
	byPublished = func(d search.Document) int64 { return d.PublishedAt.Unix() }
	byDownloads = func(d search.Document) int64 { return d.Downloads }
)

var sortCases = []testCase{
	{"SortUpdated", func(t *testing.T, idx search.Index) {
		checkSort(t, idx, search.SortUpdated, expectedOrder(byUpdated, false))
	}},
	{"SortDownloads", func(t *testing.T, idx search.Index) {
		checkSort(t, idx, search.SortDownloads, expectedOrder(byDownloads, false))
	}},
	{"SortName", func(t *testing.T, idx search.Index) {
		checkSort(t, idx, search.SortName, expectedOrder(nil, true))
	}},
	{"SortPublished", func(t *testing.T, idx search.Index) {
		checkSort(t, idx, search.SortPublished, expectedOrder(byPublished, false))
	}},
	{"SortRelevanceWithoutTextIsUpdated", func(t *testing.T, idx search.Index) {
		checkSort(t, idx, search.SortRelevance, expectedOrder(byUpdated, false))
		checkSort(t, idx, "", expectedOrder(byUpdated, false))
	}},
	{"PunctuationOnlyTextIsEmpty", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "，。！", Limit: 100})
		if got, want := ids(res), expectedOrder(byUpdated, false); !slices.Equal(got, want) {
			t.Fatalf("punctuation-only query = %v, want every document by updated %v", got, want)
		}
	}},
	{"SortWithText", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨市", Sort: search.SortDownloads, Limit: 100})
		want := []string{"ds-004", "ds-005", "ds-008", "ds-013", "ds-006"} // 8800, 4100, 2300, 1200, 950
		if got := ids(res); !slices.Equal(got, want) {
			t.Fatalf("哈尔滨市 by downloads = %v, want %v", got, want)
		}
	}},
	{"PagingIsStable", func(t *testing.T, idx search.Index) {
		for _, sort := range []string{search.SortDownloads, search.SortUpdated, search.SortName, search.SortPublished, search.SortQuality} {
			full := ids(mustSearch(t, idx, search.Query{Sort: sort, Limit: 100}))
			var paged []string
			for off := 0; off < len(full)+3; off += 3 {
				res := mustSearch(t, idx, search.Query{Sort: sort, Offset: off, Limit: 3})
				if res.Total != len(full) {
					t.Fatalf("%s page %d: total %d, want %d", sort, off, res.Total, len(full))
				}
				paged = append(paged, ids(res)...)
			}
			if !slices.Equal(paged, full) {
				t.Fatalf("%s: pages %v differ from full list %v", sort, paged, full)
			}
		}
		// Relevance paging with text, including ties in score.
		full := ids(mustSearch(t, idx, search.Query{Text: "全省", Limit: 100}))
		var paged []string
		for off := 0; off < len(full); off += 2 {
			paged = append(paged, ids(mustSearch(t, idx, search.Query{Text: "全省", Offset: off, Limit: 2}))...)
		}
		if !slices.Equal(paged, full) {
			t.Fatalf("relevance pages %v differ from %v", paged, full)
		}
	}},
	{"OffsetPastEnd", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Offset: 100, Limit: 10})
		if len(res.Hits) != 0 || res.Total != len(Corpus()) {
			t.Fatalf("offset past end: %d hits, total %d", len(res.Hits), res.Total)
		}
	}},
}

func checkSort(t *testing.T, idx search.Index, sort string, want []string) {
	t.Helper()
	res, err := idx.Search(context.Background(), search.Query{Sort: sort, Limit: 100})
	if err != nil {
		t.Fatalf("sort %q: %v", sort, err)
	}
	if got := ids(res); !slices.Equal(got, want) {
		t.Fatalf("sort %q = %v, want %v", sort, got, want)
	}
}

func init() { readOnlyCases = append(readOnlyCases, sortCases...) }
