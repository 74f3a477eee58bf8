package meili

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
)

const testKey = "test-key"

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expected JSON: %v\n%s", err, s)
	}
	return v
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// expectRequests checks method, path and (when want.Body != nil) the exact
// JSON body of every request, in order.
func expectRequests(t *testing.T, got, want []request) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d requests %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Method != want[i].Method || got[i].Path != want[i].Path {
			t.Fatalf("request %d = %s, want %s (all: %v)", i, got[i], want[i], got)
		}
		if want[i].Body != nil && !reflect.DeepEqual(got[i].Body, want[i].Body) {
			t.Fatalf("request %d %s body:\n%s\nwant:\n%s", i, got[i], pretty(got[i].Body), pretty(want[i].Body))
		}
	}
}

const settingsJSON = `{
  "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
  "searchableAttributes": ["title", "tags", "topic_name", "department_name", "data_items", "description"],
  "filterableAttributes": ["topic", "department", "open_type", "formats", "update_frequency", "grade", "tags", "region", "quality", "id", "title", "updated_at_ts", "published_at_ts", "downloads"],
  "sortableAttributes": ["updated_at_ts", "published_at_ts", "downloads", "title", "quality", "id"],
  "localizedAttributes": [
    {"locales": ["cmn"], "attributePatterns": ["title", "tags", "topic_name", "department_name", "data_items", "description"]}
  ],
  "pagination": {"maxTotalHits": 1000000},
  "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "count"}}
}`

func openFake(t *testing.T, f *fakeMeili) *Adapter {
	t.Helper()
	a, err := Open(context.Background(), f.url(), testKey, "catalog")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestOpenCreatesAndConfiguresIndex(t *testing.T) {
	f := newFakeMeili(t)
	openFake(t, f)
	expectRequests(t, f.take(), []request{
		{Method: "GET", Path: "/keys?limit=1"},
		{Method: "GET", Path: "/indexes/catalog"},
		{Method: "POST", Path: "/indexes", Body: mustJSON(t, `{"uid": "catalog", "primaryKey": "id"}`)},
		{Method: "GET", Path: "/tasks/0"},
		{Method: "PATCH", Path: "/indexes/catalog/settings", Body: mustJSON(t, settingsJSON)},
		{Method: "GET", Path: "/tasks/1"},
	})
}

func TestOpenExistingIndexOnlyConfigures(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	openFake(t, f)
	expectRequests(t, f.take(), []request{
		{Method: "GET", Path: "/keys?limit=1"},
		{Method: "GET", Path: "/indexes/catalog"},
		{Method: "PATCH", Path: "/indexes/catalog/settings", Body: mustJSON(t, settingsJSON)},
		{Method: "GET", Path: "/tasks/0"},
	})
}

func cst(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600))
	return t
}

func TestUpsertSendsDocumentJSON(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	doc := search.Document{
		ID: "ds-001", Title: "全省企业登记信息", Description: "市场主体登记信息",
		Department: "scjg", DepartmentName: "黑龙江省市场监督管理局", Topic: "econ", TopicName: "经济建设",
		OpenType: "unconditional", Formats: []string{"csv", "xlsx"}, UpdateFrequency: "monthly", Grade: "A",
		Region: "230000", DataItems: []string{"统一社会信用代码"},
		UpdatedAt: cst("2024-06-01"), PublishedAt: cst("2021-03-01"), Downloads: 5200, Quality: 87,
	}
	if err := a.Upsert(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.take(), []request{
		{Method: "POST", Path: "/indexes/catalog/documents?primaryKey=id", Body: mustJSON(t, `[{
			"id": "ds-001", "title": "全省企业登记信息", "description": "市场主体登记信息",
			"department": "scjg", "department_name": "黑龙江省市场监督管理局",
			"topic": "econ", "topic_name": "经济建设", "open_type": "unconditional",
			"formats": ["csv", "xlsx"], "update_frequency": "monthly", "grade": "A",
			"tags": [], "region": "230000", "data_items": ["统一社会信用代码"],
			"updated_at": "2024-06-01T00:00:00+08:00", "published_at": "2021-03-01T00:00:00+08:00",
			"downloads": 5200, "quality": 87, "updated_at_ts": 1717171200, "published_at_ts": 1614528000
		}]`)},
		{Method: "GET", Path: "/tasks/1"},
	})
}

func TestUpsertClampsQuality(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	if err := a.Upsert(context.Background(), search.Document{ID: "a", Quality: 130}, search.Document{ID: "b", Quality: -4}); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, d := range f.take()[0].Body.([]any) {
		got = append(got, d.(map[string]any)["quality"])
	}
	if want := []any{100.0, 0.0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("quality sent = %v, want %v (clamped as the embedded engine stores it)", got, want)
	}
}

func TestDeleteSendsIDs(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	if err := a.Delete(context.Background(), "ds-001", "ds-002"); err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.take(), []request{
		{Method: "POST", Path: "/indexes/catalog/documents/delete-batch", Body: mustJSON(t, `["ds-001", "ds-002"]`)},
		{Method: "GET", Path: "/tasks/1"},
	})
}

func TestFailedTaskIsAnError(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.failTasks = true
	err := a.Upsert(context.Background(), search.Document{ID: "ds-001"})
	if err == nil {
		t.Fatal("Upsert succeeded although its task failed")
	}
	if err := a.Delete(context.Background(), "ds-001"); err == nil {
		t.Fatal("Delete succeeded although its task failed")
	}
}

func TestUnreachableIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := Open(context.Background(), url, testKey, "catalog")
	if !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("Open error = %v, want search.ErrUnavailable", err)
	}
}

func TestSearchRequestAndResult(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	f.multiSearch = `{"results": [
		{"indexUid": "catalog", "query": "企业", "processingTimeMs": 1, "hitsPerPage": 20, "page": 1, "totalPages": 1,
		 "totalHits": 7,
		 "hits": [{"id": "ds-001", "_rankingScore": 0.9, "_formatted": {
			"id": "ds-001",
			"title": "全省\ue000hl\ue001企业\ue000/hl\ue001登记<b>",
			"description": "没有匹配",
			"department_name": "黑龙江省市场监督管理局",
			"topic_name": "经济建设",
			"data_items": ["统一社会信用代码", "\ue000hl\ue001企业\ue000/hl\ue001名称"],
			"tags": ["市场主体"]}}],
		 "facetDistribution": {"formats": {"xlsx": 5, "csv": 5, "api": 1}}},
		{"indexUid": "catalog", "query": "企业", "processingTimeMs": 1, "hitsPerPage": 0, "page": 1, "totalPages": 0,
		 "totalHits": 12, "hits": [],
		 "facetDistribution": {"topic": {"traffic": 4, "econ": 4, "credit": 1}}}
	]}`
	q := search.Query{
		Text:    "企业",
		Filters: map[string][]string{search.FieldTopic: {"traffic", "econ"}, search.FieldTag: {`市场"主体`, `a\b`}},
		Facets:  []string{search.FieldTopic, search.FieldFormat},
		Limit:   20,
	}
	res, err := a.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}

	// The user's quote and backslash stay inside the string literals.
	allFilters := `topic IN ["traffic", "econ"] AND tags IN ["市场\"主体", "a\\b"]`
	tagFilter := `tags IN ["市场\"主体", "a\\b"]`
	body := map[string]any{"queries": []any{
		map[string]any{
			"indexUid": "catalog", "q": "企业", "matchingStrategy": "all", "page": 1.0, "hitsPerPage": 20.0,
			"attributesToRetrieve":  []any{"id", "title", "tags", "topic_name", "department_name", "data_items", "description"},
			"attributesToHighlight": []any{"title", "tags", "topic_name", "department_name", "data_items", "description"},
			"highlightPreTag":       "\ue000hl\ue001", "highlightPostTag": "\ue000/hl\ue001",
			"filter": allFilters, "facets": []any{"formats"}, "showRankingScore": true, "hybrid": nil,
		},
		map[string]any{
			"indexUid": "catalog", "q": "企业", "matchingStrategy": "all", "page": 1.0, "hitsPerPage": 0.0,
			"attributesToRetrieve": []any{"id"}, "filter": tagFilter, "facets": []any{"topic"}, "hybrid": nil,
		},
	}}
	expectRequests(t, f.take(), []request{{Method: "POST", Path: "/multi-search", Body: body}})

	want := search.Result{
		Total: 7,
		Hits: []search.Hit{{ID: "ds-001", Score: 0.9, Highlights: map[string]string{
			"title":      "全省<mark>企业</mark>登记&lt;b&gt;",
			"data_items": "<mark>企业</mark>名称",
		}}},
		Facets: map[string][]search.FacetCount{
			search.FieldTopic:  {{Value: "econ", Count: 4}, {Value: "traffic", Count: 4}, {Value: "credit", Count: 1}},
			search.FieldFormat: {{Value: "csv", Count: 5}, {Value: "xlsx", Count: 5}, {Value: "api", Count: 1}},
		},
	}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("result:\n%s\nwant:\n%s", pretty(res), pretty(want))
	}
}

func TestSearchSortsAndPaging(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	f.multiSearch = `{"results": [{"totalHits": 0, "hits": []}]}`
	_, err := a.Search(context.Background(), search.Query{Sort: search.SortDownloads, Offset: 5, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	q := reqs[0].Body.(map[string]any)["queries"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(q["sort"], []any{"downloads:desc", "id:asc"}) {
		t.Fatalf("sort = %v", q["sort"])
	}
	// Offset 5, limit 10 fits in page 1 of 15; no text: no highlighting.
	if q["page"] != 1.0 || q["hitsPerPage"] != 15.0 || q["attributesToHighlight"] != nil {
		t.Fatalf("window/highlight = page %v hitsPerPage %v highlight %v", q["page"], q["hitsPerPage"], q["attributesToHighlight"])
	}
	if _, err := a.Search(context.Background(), search.Query{Limit: search.MaxLimit + 1}); !errors.Is(err, search.ErrBadQuery) {
		t.Fatalf("bad limit: %v", err)
	}
	if len(f.take()) != 0 {
		t.Fatal("an invalid query reached Meilisearch")
	}
}

// TestSearchQualityRequest: sort=quality and MinQuality as Meilisearch's
// search API takes them: "sort" is a list of "attribute:direction" rules
// on sortableAttributes, applied in order; "filter" compares a numeric
// filterable attribute with >=, joined to the facet filters with AND.
func TestSearchQualityRequest(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	f.multiSearch = `{"results": [{"totalHits": 0, "hits": []}, {"totalHits": 0, "hits": []}]}`
	q := search.Query{
		Text:       "企业",
		Filters:    map[string][]string{search.FieldTopic: {"econ"}},
		Facets:     []string{search.FieldTopic, search.FieldFormat},
		Sort:       search.SortQuality,
		MinQuality: 60,
		Limit:      10,
	}
	if _, err := a.Search(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, `{"queries": [
		{"indexUid": "catalog", "q": "企业", "matchingStrategy": "all", "page": 1, "hitsPerPage": 10,
		 "sort": ["quality:desc", "updated_at_ts:desc", "id:asc"],
		 "attributesToRetrieve": ["id", "title", "tags", "topic_name", "department_name", "data_items", "description", "quality", "updated_at_ts"],
		 "attributesToHighlight": ["title", "tags", "topic_name", "department_name", "data_items", "description"],
		 "highlightPreTag": "\ue000hl\ue001", "highlightPostTag": "\ue000/hl\ue001",
		 "filter": "topic IN [\"econ\"] AND quality >= 60", "facets": ["formats"],
		 "showRankingScore": true, "hybrid": null},
		{"indexUid": "catalog", "q": "企业", "matchingStrategy": "all", "page": 1, "hitsPerPage": 0,
		 "attributesToRetrieve": ["id"], "filter": "quality >= 60", "facets": ["topic"], "hybrid": null}
	]}`)
	expectRequests(t, f.take(), []request{{Method: "POST", Path: "/multi-search", Body: body}})

	// Minimum 0 sends no quality condition at all, so documents indexed
	// before they carried a quality are not filtered out.
	f.multiSearch = `{"results": [{"totalHits": 0, "hits": []}]}`
	if _, err := a.Search(context.Background(), search.Query{Sort: search.SortQuality, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	body = mustJSON(t, `{"queries": [
		{"indexUid": "catalog", "q": "", "matchingStrategy": "all", "page": 1, "hitsPerPage": 10,
		 "sort": ["quality:desc", "updated_at_ts:desc", "id:asc"],
		 "attributesToRetrieve": ["id", "title", "tags", "topic_name", "department_name", "data_items", "description", "quality", "updated_at_ts"],
		 "showRankingScore": true, "hybrid": null}
	]}`)
	expectRequests(t, f.take(), []request{{Method: "POST", Path: "/multi-search", Body: body}})

	if _, err := a.Search(context.Background(), search.Query{MinQuality: 101, Limit: 10}); !errors.Is(err, search.ErrBadQuery) {
		t.Fatalf("min quality 101: %v", err)
	}
	if len(f.take()) != 0 {
		t.Fatal("an invalid min quality reached Meilisearch")
	}
}

func TestPageWindowCoversRequest(t *testing.T) {
	for offset := 0; offset <= 300; offset++ {
		for _, limit := range []int{1, 2, 3, 7, 10, 20, 50} {
			page, per := pageWindow(offset, limit)
			first := int(page-1) * int(per)
			if first > offset || first+int(per) < offset+limit {
				t.Fatalf("pageWindow(%d, %d) = page %d of %d, does not cover the request", offset, limit, page, per)
			}
		}
	}
	if page, per := pageWindow(40, 20); page != 3 || per != 20 {
		t.Fatalf("aligned window = %d/%d, want page 3 of 20", page, per)
	}
	if page, per := pageWindow(0, 0); page != 1 || per != 0 {
		t.Fatalf("limit 0 window = %d/%d", page, per)
	}
}

func TestRebuildFillsTemporaryIndexAndSwaps(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	var progress []int
	err := a.Rebuild(context.Background(), func(emit func(search.Document) error) error {
		return emit(search.Document{ID: "ds-100", Title: "全省公交企业名录"})
	}, func(n int) { progress = append(progress, n) })
	if err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.take(), []request{
		{Method: "DELETE", Path: "/indexes/catalog_rebuild"}, // left over? (fails: index_not_found)
		{Method: "GET", Path: "/tasks/1"},
		{Method: "GET", Path: "/indexes/catalog_rebuild"},
		{Method: "POST", Path: "/indexes", Body: mustJSON(t, `{"uid": "catalog_rebuild", "primaryKey": "id"}`)},
		{Method: "GET", Path: "/tasks/2"},
		{Method: "PATCH", Path: "/indexes/catalog_rebuild/settings", Body: mustJSON(t, settingsJSON)},
		{Method: "GET", Path: "/tasks/3"},
		{Method: "POST", Path: "/indexes/catalog_rebuild/documents?primaryKey=id"},
		{Method: "GET", Path: "/tasks/4"},
		{Method: "POST", Path: "/swap-indexes", Body: mustJSON(t, `[{"indexes": ["catalog", "catalog_rebuild"], "rename": false}]`)},
		{Method: "GET", Path: "/tasks/5"},
		{Method: "DELETE", Path: "/indexes/catalog_rebuild"},
		{Method: "GET", Path: "/tasks/6"},
	})
	if !reflect.DeepEqual(progress, []int{1}) {
		t.Fatalf("progress = %v", progress)
	}
}

func TestRebuildReplaysWritesMadeMeanwhile(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	err := a.Rebuild(context.Background(), func(emit func(search.Document) error) error {
		if err := a.Delete(context.Background(), "ds-002"); err != nil {
			return err
		}
		return emit(search.Document{ID: "ds-100"})
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range f.take() {
		if r.Method != "GET" {
			paths = append(paths, r.String())
		}
	}
	want := []string{
		"DELETE /indexes/catalog_rebuild", "POST /indexes", "PATCH /indexes/catalog_rebuild/settings",
		"POST /indexes/catalog/documents/delete-batch", // the write, on the live index
		"POST /indexes/catalog_rebuild/documents?primaryKey=id",
		"POST /swap-indexes",
		"POST /indexes/catalog/documents/delete-batch", // replayed onto the new index
		"DELETE /indexes/catalog_rebuild",
	}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("writes:\n%v\nwant:\n%v", paths, want)
	}
}

func TestHealthAndCount(t *testing.T) {
	f := newFakeMeili(t, "catalog")
	a := openFake(t, f)
	f.take()
	f.docs = 42
	if err := a.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Count(context.Background()); err != nil || n != 42 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	expectRequests(t, f.take(), []request{
		{Method: "GET", Path: "/health"},
		{Method: "GET", Path: "/indexes/catalog/stats"},
	})
}
