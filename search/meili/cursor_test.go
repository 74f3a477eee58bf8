package meili

import (
	"context"
	"reflect"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// TestSearchCursorRequests: search-after as filters, written from
// Meilisearch's search API: "filter" takes `attr < n`, `attr = n`, AND, OR
// and parentheses, and (v1.15+) string comparison such as `id > "x"`;
// page/hitsPerPage mode returns an exact totalHits, here the number of
// documents after the cursor; attributesToRetrieve returns the sort keys.
func TestSearchCursorRequests(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()

	// Page 1 by downloads: the last hit's keys make the cursor.
	f.multiSearch = `{"results": [{"totalHits": 16, "hitsPerPage": 2, "page": 1, "hits": [
		{"id": "ds-004", "title": "公交线路", "downloads": 8800},
		{"id": "ds-010", "title": "空气质量", "downloads": 8800}],
		"facetDistribution": {"topic": {"traffic": 9, "econ": 7}}}]}`
	first, err := a.Search(ctx, search.Query{Sort: search.SortDownloads, Limit: 2, Facets: []string{search.FieldTopic}})
	if err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, `{"queries": [
		{"indexUid": "catalog", "q": "", "matchingStrategy": "all", "page": 1, "hitsPerPage": 2,
		 "sort": ["downloads:desc", "id:asc"],
		 "attributesToRetrieve": ["id", "title", "tags", "topic_name", "department_name", "data_items", "description", "downloads"],
		 "facets": ["topic"], "showRankingScore": true, "hybrid": null}
	]}`)
	expectRequests(t, f.take(), []request{{Method: "POST", Path: "/multi-search", Body: body}})
	want := search.Cursor{Sort: search.SortDownloads, Ints: []int64{8800}, ID: "ds-010"}.Encode()
	if first.Next != want || first.Total != 16 {
		t.Fatalf("page 1: Next %q total %d, want %q and 16", first.Next, first.Total, want)
	}

	// Page 2 by cursor, with a filter: the hits query gets the cursor
	// filter; a counts query without it gives the total and the
	// unfiltered facet; the filtered facet keeps its own query.
	f.multiSearch = `{"results": [
		{"totalHits": 3, "hitsPerPage": 2, "page": 1, "hits": [
			{"id": "ds-007", "title": "a", "downloads": 8800},
			{"id": "ds-014", "title": "b", "downloads": 5000}]},
		{"totalHits": 12, "hitsPerPage": 0, "page": 1, "hits": [], "facetDistribution": {"formats": {"csv": 12}}},
		{"totalHits": 14, "hitsPerPage": 0, "page": 1, "hits": [], "facetDistribution": {"topic": {"econ": 12, "traffic": 2}}}
	]}`
	q := search.Query{Sort: search.SortDownloads, Limit: 2, After: first.Next,
		Filters: map[string][]string{search.FieldTopic: {"econ"}}, Facets: []string{search.FieldTopic, search.FieldFormat}}
	second, err := a.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	body = mustJSON(t, `{"queries": [
		{"indexUid": "catalog", "q": "", "matchingStrategy": "all", "page": 1, "hitsPerPage": 2,
		 "sort": ["downloads:desc", "id:asc"],
		 "attributesToRetrieve": ["id", "title", "tags", "topic_name", "department_name", "data_items", "description", "downloads"],
		 "filter": "topic IN [\"econ\"] AND ((downloads < 8800) OR (downloads = 8800 AND id > \"ds-010\"))",
		 "showRankingScore": true, "hybrid": null},
		{"indexUid": "catalog", "q": "", "matchingStrategy": "all", "page": 1, "hitsPerPage": 0,
		 "attributesToRetrieve": ["id"], "filter": "topic IN [\"econ\"]", "facets": ["formats"], "hybrid": null},
		{"indexUid": "catalog", "q": "", "matchingStrategy": "all", "page": 1, "hitsPerPage": 0,
		 "attributesToRetrieve": ["id"], "facets": ["topic"], "hybrid": null}
	]}`)
	expectRequests(t, f.take(), []request{{Method: "POST", Path: "/multi-search", Body: body}})
	wantRes := search.Result{
		Total: 12,
		Hits:  []search.Hit{{ID: "ds-007"}, {ID: "ds-014"}},
		Facets: map[string][]search.FacetCount{
			search.FieldTopic:  {{Value: "econ", Count: 12}, {Value: "traffic", Count: 2}},
			search.FieldFormat: {{Value: "csv", Count: 12}},
		},
		Next: search.Cursor{Sort: search.SortDownloads, Ints: []int64{5000}, ID: "ds-014"}.Encode(),
	}
	if !reflect.DeepEqual(second, wantRes) {
		t.Fatalf("page 2:\n%s\nwant:\n%s", pretty(second), pretty(wantRes))
	}

	// The last page (no more after it) has no cursor.
	f.multiSearch = `{"results": [{"totalHits": 1, "hits": [{"id": "ds-015", "title": "c", "downloads": 0}]},
		{"totalHits": 16, "hits": []}]}`
	q = search.Query{Sort: search.SortDownloads, Limit: 2, After: second.Next}
	if last, err := a.Search(ctx, q); err != nil || last.Next != "" || len(last.Hits) != 1 || last.Total != 16 {
		t.Fatalf("last page: %+v, %v", last, err)
	}
	f.take()
}

// TestCursorFilters: each sort's cursor filter, timestamps back in the
// whole seconds Meilisearch holds, and user text inside string literals.
func TestCursorFilters(t *testing.T) {
	const sec = int64(1_700_000_000)
	for _, c := range []struct {
		sort   string
		cursor search.Cursor
		want   string
	}{
		{search.SortUpdated, search.Cursor{Ints: []int64{sec * 1e9}, ID: "ds-001"},
			`(updated_at_ts < 1700000000) OR (updated_at_ts = 1700000000 AND id > "ds-001")`},
		{search.SortPublished, search.Cursor{Ints: []int64{sec * 1e9}, ID: "ds-001"},
			`(published_at_ts < 1700000000) OR (published_at_ts = 1700000000 AND id > "ds-001")`},
		{search.SortQuality, search.Cursor{Ints: []int64{85, sec * 1e9}, ID: "ds-003"},
			`(quality < 85) OR (quality = 85 AND updated_at_ts < 1700000000) OR (quality = 85 AND updated_at_ts = 1700000000 AND id > "ds-003")`},
		{search.SortName, search.Cursor{Str: `全省"企业\登记`, ID: `ds-"1`},
			`(title > "全省\"企业\\登记") OR (title = "全省\"企业\\登记" AND id > "ds-\"1")`},
	} {
		if got := cursorFilter(c.sort, c.cursor); got != c.want {
			t.Errorf("%s: %s\nwant %s", c.sort, got, c.want)
		}
	}
}

// TestNoCursorForRelevance: relevance with query text pages by offset only.
func TestNoCursorForRelevance(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	f.multiSearch = `{"results": [{"totalHits": 9, "hits": [{"id": "ds-001", "_rankingScore": 0.9}]}]}`
	res, err := a.Search(context.Background(), search.Query{Text: "企业", Limit: 1})
	if err != nil || res.Next != "" || res.Total != 9 {
		t.Fatalf("relevance: %+v, %v; want 9 hits in total and no cursor", res, err)
	}
	f.take()
}
