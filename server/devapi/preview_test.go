package devapi_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

type previewPage struct {
	ResourceID string                             `json:"resource_id"`
	Fields     []struct{ ID, Label, Type string } `json:"fields"`
	Records    [][]any                            `json:"records"`
	Total      int64                              `json:"total"`
	Limit      int                                `json:"limit"`
	Offset     int                                `json:"offset"`
}

// The preview is the rows API's data in the dataset page's shape: arrays
// in field order, 50 rows by default and 100 at most.
func TestPreview(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) { testPreview(t, engine) })
	}
}

func testPreview(t *testing.T, engine string) {
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small"})
	base := "/api/v1/resources/" + uncondRes
	get := func(q string) previewPage {
		t.Helper()
		r := p.Get(t, base+"/preview"+q)
		if r.Status != 200 {
			t.Fatalf("preview%s: %d %s", q, r.Status, r.Body)
		}
		var pg previewPage
		r.JSON(t, &pg)
		return pg
	}
	var rows struct {
		Fields  []struct{ ID, Label, Type string } `json:"fields"`
		Records []map[string]any                   `json:"records"`
		Total   int64                              `json:"total"`
	}
	p.Get(t, base+"/rows?limit=120").JSON(t, &rows)

	pg := get("")
	if pg.ResourceID != uncondRes || pg.Limit != 50 || pg.Offset != 0 || len(pg.Records) != 50 || pg.Total != rows.Total {
		t.Fatalf("default page: id %s limit %d offset %d records %d total %d (rows total %d)", pg.ResourceID, pg.Limit, pg.Offset, len(pg.Records), pg.Total, rows.Total)
	}
	// Fields are the rows API's without _id, with labels and types.
	if !slices.Equal(pg.Fields, rows.Fields[1:]) {
		t.Fatalf("fields %v, want %v", pg.Fields, rows.Fields[1:])
	}
	if pg.Fields[0].Label == "" {
		t.Errorf("declared fields carry their label: %+v", pg.Fields[0])
	}
	same := func(got []any, want map[string]any) bool {
		for i, f := range pg.Fields {
			if got[i] != want[f.ID] {
				return false
			}
		}
		return len(got) == len(pg.Fields)
	}
	for i, rec := range pg.Records {
		if !same(rec, rows.Records[i]) {
			t.Fatalf("record %d: %v, rows API has %v", i, rec, rows.Records[i])
		}
	}
	// Paging and the 100-row ceiling.
	if pg := get("?limit=100&offset=10"); len(pg.Records) != 100 || !same(pg.Records[0], rows.Records[10]) {
		t.Errorf("limit=100 offset=10: %d records, first %v", len(pg.Records), pg.Records[0])
	}
	// Sorting by a column, descending.
	sorted := get("?sort=-reg_capital&limit=100")
	col := slices.IndexFunc(sorted.Fields, func(f struct{ ID, Label, Type string }) bool { return f.ID == "reg_capital" })
	for i := 1; i < len(sorted.Records); i++ {
		a, _ := sorted.Records[i-1][col].(float64)
		b, _ := sorted.Records[i][col].(float64)
		if a < b {
			t.Fatalf("sort=-reg_capital: row %d %v before %v", i, a, b)
		}
	}
	// Filtering by a value of the first row: every record has it, and
	// the total is the rows API's total for the same filter.
	district := slices.IndexFunc(pg.Fields, func(f struct{ ID, Label, Type string }) bool { return f.Type == "string" && f.ID != "name" })
	val := pg.Records[0][district].(string)
	filter := url.QueryEscape(`{"` + pg.Fields[district].ID + `":` + mustJSON(val) + `}`)
	fp := get("?filters=" + filter)
	var want struct{ Total int64 }
	p.Get(t, base+"/rows?filters="+filter).JSON(t, &want)
	if fp.Total == 0 || fp.Total != want.Total || fp.Total > pg.Total {
		t.Fatalf("filter %s=%s: total %d, rows API %d", pg.Fields[district].ID, val, fp.Total, want.Total)
	}
	for _, rec := range fp.Records {
		if rec[district] != val {
			t.Fatalf("filtered record %v lacks %s", rec, val)
		}
	}
	// Bad input: a clear 400.
	for _, q := range []string{"?limit=0", "?limit=101", "?offset=-1", "?offset=10001", "?q=x", "?cursor=abc", "?filters=%5B1%5D",
		"?sort=nope", "?filters=" + url.QueryEscape(`{"nope":1}`), "?limit=5&limit=6"} {
		if r := p.Get(t, base+"/preview"+q); r.Status != 400 {
			t.Errorf("preview%s: %d %s", q, r.Status, r.Body)
		}
	}
	if r := p.Get(t, "/api/v1/resources/res-nope/preview"); r.Status != 404 {
		t.Errorf("unknown resource: %d", r.Status)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Conditionally open data previews only for a grant holder, only the
// approved columns, and each preview is a recorded use.
func TestPreviewObeysGrants(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", condDS).Order("position").Pluck("name", &items)
	var res catalog.Resource
	if err := p.DB.Where("dataset_id = ?", condDS).Order("position").First(&res).Error; err != nil {
		t.Fatal(err)
	}
	citizen, provider := p.SignInAs(t, "citizen"), p.SignInAs(t, "provider")
	url := "/api/v1/resources/" + res.ID + "/preview"
	for _, h := range []map[string]string{nil, citizen.Header()} {
		if r := p.Do(t, "GET", url, nil, h); r.Status != 403 {
			t.Fatalf("preview without grant: %d %s", r.Status, r.Body)
		}
	}
	app := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": condDS, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
		"data_items": []string{items[0], items[1], items[2]}, "period_start": "2026-03-02", "period_end": "2026-06-30",
		"security_measures": "加密存储，专人专机访问", "contact": "张三 0451-12345678",
	}, citizen.Header())
	if app.Status != 201 {
		t.Fatalf("apply: %d %s", app.Status, app.Body)
	}
	approved := []string{items[0], items[2]}
	if r := p.PostJSON(t, "/api/v1/applications/"+app.Map(t)["id"].(string)+"/decision", map[string]any{"decision": "approve", "data_items": approved}, provider.Header()); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	r := p.Do(t, "GET", url+"?limit=3", nil, citizen.Header())
	if r.Status != 200 {
		t.Fatalf("holder preview: %d %s", r.Status, r.Body)
	}
	var pg previewPage
	r.JSON(t, &pg)
	var fields []string
	for _, f := range pg.Fields {
		fields = append(fields, f.ID)
	}
	if !slices.Equal(fields, approved) || len(pg.Records) != 3 || len(pg.Records[0]) != 2 || pg.Total != res.Rows {
		t.Fatalf("holder preview: fields %v, %d records of %d values, total %d", fields, len(pg.Records), len(pg.Records[0]), pg.Total)
	}
	if r := p.Do(t, "GET", url+"?sort="+items[1], nil, citizen.Header()); r.Status != 400 {
		t.Errorf("sort on an unapproved column: %d", r.Status)
	}
	var uses []struct {
		Format string
		Rows   int64
	}
	p.DB.Table("grant_uses").Where("resource_id = ?", res.ID).Select("format, rows").Find(&uses)
	if len(uses) != 1 || uses[0].Format != "preview" || uses[0].Rows != 3 {
		t.Errorf("use records %+v, want one preview of 3 rows", uses)
	}
}
