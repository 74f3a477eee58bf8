package mcp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	portalmcp "github.com/hlj-opendata/portal/server/mcp"
)

const (
	uncondDS  = "ds-hlj-scjgj-001"    // 全省企业登记信息 (unconditional)
	uncondRes = "res-hlj-scjgj-001-1" // its CSV
	condDS    = "ds-hlj-scjgj-002"    // conditional, provider@'s department
)

// headers adds fixed headers to every request of the SDK's client.
type headers struct {
	h    map[string]string
	next http.RoundTripper
}

func (t headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.h {
		r.Header.Set(k, v)
	}
	return t.next.RoundTrip(r)
}

// connect opens an MCP session with the SDK's client over real HTTP.
func connect(t *testing.T, p *apptest.Portal, h map[string]string) *sdk.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: headers{h: h, next: p.Client.Transport}, Timeout: 30 * time.Second}
	c := sdk.NewClient(&sdk.Implementation{Name: "portal-test", Version: "1"}, nil)
	s, err := c.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: p.URL + "/mcp", HTTPClient: hc, MaxRetries: -1, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// call calls a tool; the answer is decoded from its JSON text content.
func call(t *testing.T, s *sdk.ClientSession, name string, args any, out any) *sdk.CallToolResult {
	t.Helper()
	res, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	if len(res.Content) == 0 {
		t.Fatalf("%s: no content", name)
	}
	if out != nil {
		if res.IsError {
			t.Fatalf("%s %v: tool error %s", name, args, text(res))
		}
		if err := json.Unmarshal([]byte(text(res)), out); err != nil {
			t.Fatalf("%s: content %s: %v", name, text(res), err)
		}
	}
	return res
}

func text(r *sdk.CallToolResult) string {
	if tc, ok := r.Content[0].(*sdk.TextContent); ok {
		return tc.Text
	}
	return ""
}

func wantToolError(t *testing.T, s *sdk.ClientSession, name string, args any, contains string) {
	t.Helper()
	r := call(t, s, name, args, nil)
	if !r.IsError || !strings.Contains(text(r), contains) {
		t.Errorf("%s %v: error %v, text %q (want an error mentioning %q)", name, args, r.IsError, text(r), contains)
	}
}

// The SDK's client initializes, lists the six tools and calls each one;
// every answer cites the dataset, resource and checksum it comes from.
func TestMCPTools(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) { testMCPTools(t, engine) })
	}
}

func testMCPTools(t *testing.T, engine string) {
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
	var res catalog.Resource
	if err := p.DB.Where("id = ?", uncondRes).First(&res).Error; err != nil || len(res.SHA256) != 64 {
		t.Fatalf("seed resource %s: %v %q", uncondRes, err, res.SHA256)
	}
	s := connect(t, p, map[string]string{"Accept-Language": "en"})
	if init := s.InitializeResult(); init == nil || init.ServerInfo.Name != "hlj-opendata-portal" || init.Capabilities.Tools == nil {
		t.Fatalf("initialize result %+v", init)
	}

	lt, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range lt.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" || tool.InputSchema == nil {
			t.Errorf("tool %s lacks a description or input schema", tool.Name)
		}
	}
	if slices.Sort(names); !slices.Equal(names, slices.Sorted(slices.Values(portalmcp.ToolNames))) {
		t.Fatalf("tools %v, want %v", names, portalmcp.ToolNames)
	}

	// search_datasets: the public list's results for the same query.
	var sr portalmcp.SearchResult
	call(t, s, "search_datasets", map[string]any{"query": "企业", "page_size": 50}, &sr)
	var rest struct{ Total int }
	p.Get(t, "/api/v1/datasets?q=%E4%BC%81%E4%B8%9A").JSON(t, &rest)
	if sr.Total == 0 || sr.Total != rest.Total || len(sr.Results) == 0 {
		t.Fatalf("search 企业: total %d (REST %d), %d results", sr.Total, rest.Total, len(sr.Results))
	}
	found := false
	for _, h := range sr.Results {
		if h.DatasetID == "" || h.Title == "" || h.Snippet == "" || strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("result %+v lacks id, title or a plain snippet", h)
		}
		for _, r := range h.Resources {
			if r.ID == uncondRes {
				found = r.SHA256 == res.SHA256 && strings.HasSuffix(r.DownloadURL, "/api/v1/resources/"+uncondRes+"/download")
			}
		}
	}
	if !found {
		t.Errorf("search 企业 does not cite %s with its SHA-256 and download URL", uncondRes)
	}
	// Filters narrow like the REST facets.
	var cond portalmcp.SearchResult
	call(t, s, "search_datasets", map[string]any{"filters": map[string]any{"open_type": "conditional", "department": "hlj-scjgj"}, "page_size": 50}, &cond)
	if cond.Total == 0 || !slices.ContainsFunc(cond.Results, func(h portalmcp.SearchHit) bool { return h.DatasetID == condDS }) {
		t.Errorf("conditional entries of hlj-scjgj: %+v", cond)
	}
	for _, h := range cond.Results {
		if h.OpenType != "conditional" {
			t.Errorf("filter open_type=conditional returned %s (%s)", h.DatasetID, h.OpenType)
		}
		for _, r := range h.Resources {
			if r.DownloadURL != "" {
				t.Errorf("conditional resource %s offers a public download URL", r.ID)
			}
		}
	}

	// get_dataset: metadata and resources with checksums.
	var ds portalmcp.DatasetResult
	call(t, s, "get_dataset", map[string]any{"id": uncondDS}, &ds)
	if ds.DatasetID != uncondDS || ds.Dataset.ID != uncondDS || ds.Dataset.Title == "" || len(ds.Dataset.DataItems) == 0 ||
		len(ds.Resources) == 0 || ds.Resources[0].ID != uncondRes || ds.Resources[0].SHA256 != res.SHA256 || ds.Resources[0].Size != res.Size {
		t.Fatalf("get_dataset: %+v", ds)
	}

	// preview_rows: the preview API's rows, cited.
	var pv portalmcp.RowsResult
	call(t, s, "preview_rows", map[string]any{"resource_id": uncondRes, "limit": 5}, &pv)
	var restPv struct {
		Records []json.RawMessage `json:"records"`
		Total   int64             `json:"total"`
	}
	p.Get(t, "/api/v1/resources/"+uncondRes+"/preview?limit=5").JSON(t, &restPv)
	if pv.DatasetID != uncondDS || pv.ResourceID != uncondRes || pv.SHA256 != res.SHA256 || len(pv.Records) != 5 || pv.Total != restPv.Total ||
		string(pv.Records[0]) != string(restPv.Records[0]) {
		t.Fatalf("preview_rows: %+v (REST total %d, first %s)", pv, restPv.Total, restPv.Records[0])
	}

	// query_rows: the rows API with its parameters.
	var qr portalmcp.RowsResult
	call(t, s, "query_rows", map[string]any{"resource_id": uncondRes, "limit": 3, "sort": "-reg_capital", "fields": []string{"name", "reg_capital"}}, &qr)
	if qr.SHA256 != res.SHA256 || qr.DatasetID != uncondDS || len(qr.Records) != 3 || qr.Total != restPv.Total {
		t.Fatalf("query_rows: %+v", qr)
	}
	var prev float64 = 1e300
	for _, rec := range qr.Records {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil || m["name"] == nil {
			t.Fatalf("query_rows record %s: %v", rec, err)
		}
		if _, extra := m["district"]; extra {
			t.Errorf("fields not applied: %s", rec)
		}
		v, _ := m["reg_capital"].(float64)
		if v > prev {
			t.Errorf("sort -reg_capital: %v after %v", v, prev)
		}
		prev = v
	}
	var paged portalmcp.RowsResult
	call(t, s, "query_rows", map[string]any{"resource_id": uncondRes, "limit": 2, "offset": 1}, &paged)
	if paged.Offset != 1 || len(paged.Records) != 2 {
		t.Errorf("query_rows offset 1: %+v", paged)
	}

	// list_departments and get_announcements: the REST lists.
	var deps portalmcp.DepartmentsResult
	call(t, s, "list_departments", map[string]any{}, &deps)
	if len(deps.Departments) == 0 || !slices.ContainsFunc(deps.Departments, func(d portalmcp.DepartmentItem) bool { return d.ID == "hlj-scjgj" && d.DatasetCount > 0 }) {
		t.Errorf("list_departments: %+v", deps)
	}
	var ann portalmcp.AnnouncementsResult
	call(t, s, "get_announcements", map[string]any{"page": 1}, &ann)
	var restAnn struct{ Total int64 }
	p.Get(t, "/api/v1/announcements").JSON(t, &restAnn)
	if ann.Total != restAnn.Total || ann.Items == nil || ann.Page != 1 {
		t.Errorf("get_announcements: %+v (REST total %d)", ann, restAnn.Total)
	}

	// Bad arguments are tool errors with a clear message, not crashes.
	wantToolError(t, s, "preview_rows", map[string]any{"resource_id": uncondRes, "limit": 500}, "limit")
	wantToolError(t, s, "query_rows", map[string]any{"resource_id": uncondRes, "limit": 5000}, "limit")
	wantToolError(t, s, "query_rows", map[string]any{"resource_id": uncondRes, "sort": "nope"}, "nope")
	wantToolError(t, s, "query_rows", map[string]any{"resource_id": "res-nope"}, "resource not found")
	wantToolError(t, s, "search_datasets", map[string]any{"page_size": 51}, "page_size")
	wantToolError(t, s, "search_datasets", map[string]any{"filters": map[string]any{"open_type": "secret"}}, "open_type")
	wantToolError(t, s, "search_datasets", map[string]any{"query": 42}, "query")
	wantToolError(t, s, "get_dataset", map[string]any{"id": "ds-nope"}, "dataset not found")
	wantToolError(t, s, "get_dataset", map[string]any{}, "id")
	wantToolError(t, s, "get_announcements", map[string]any{"page": 0, "extra": 1}, "extra")
	// The session still works after them.
	call(t, s, "list_departments", map[string]any{}, &deps)

	// Errors in the caller's language.
	zh := connect(t, p, map[string]string{"Accept-Language": "zh-CN"})
	wantToolError(t, zh, "get_dataset", map[string]any{"id": "ds-nope"}, "未找到该数据集")
}

// Conditional data: refused anonymously, served to a grant holder (only
// the approved fields) and recorded as a use, as on the REST preview.
func TestMCPGrants(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", condDS).Order("position").Pluck("name", &items)
	var res catalog.Resource
	if err := p.DB.Where("dataset_id = ?", condDS).Order("position").First(&res).Error; err != nil {
		t.Fatal(err)
	}
	citizen, provider := p.SignInAs(t, "citizen"), p.SignInAs(t, "provider")
	anon := connect(t, p, nil)
	wantToolError(t, anon, "preview_rows", map[string]any{"resource_id": res.ID}, "")
	holder := connect(t, p, citizen.Header())
	wantToolError(t, holder, "query_rows", map[string]any{"resource_id": res.ID}, "")

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
	var pv portalmcp.RowsResult
	call(t, holder, "preview_rows", map[string]any{"resource_id": res.ID, "limit": 3}, &pv)
	var fields []string
	for _, f := range pv.Fields {
		fields = append(fields, f.ID)
	}
	if !slices.Equal(fields, approved) || len(pv.Records) != 3 || pv.SHA256 != res.SHA256 || pv.DatasetID != condDS {
		t.Fatalf("holder preview: fields %v, %d records, sha %s", fields, len(pv.Records), pv.SHA256)
	}
	wantToolError(t, anon, "preview_rows", map[string]any{"resource_id": res.ID}, "")
	// A bearer token of the holder reads the same approved fields.
	tok := p.PostJSON(t, "/api/v1/me/tokens", map[string]string{"name": "agent"}, citizen.Header())
	if tok.Status != 201 && tok.Status != 200 {
		t.Fatalf("token: %d %s", tok.Status, tok.Body)
	}
	bearer := connect(t, p, apptest.Bearer(tok.Map(t)["token"].(string)))
	var qr portalmcp.RowsResult
	call(t, bearer, "query_rows", map[string]any{"resource_id": res.ID, "limit": 2}, &qr)
	if len(qr.Records) != 2 || len(qr.Fields) != len(approved)+1 || qr.SHA256 != res.SHA256 { // + _id
		t.Fatalf("bearer query_rows: %+v", qr)
	}
	var uses []struct {
		Format string
		Rows   int64
	}
	p.DB.Table("grant_uses").Where("resource_id = ?", res.ID).Select("format, rows").Order("id").Find(&uses)
	if len(uses) != 2 || uses[0].Format != "preview" || uses[0].Rows != 3 || uses[1].Format != "rows" || uses[1].Rows != 2 {
		t.Errorf("use records %+v, want a preview of 3 rows and rows of 2", uses)
	}
}

// /mcp draws on the developer API's rate limit: past the anonymous
// bucket, 429 like REST.
func TestMCPRateLimit(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true, Env: map[string]string{"PORTAL_RATE_ANON": "3"}})
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	h := map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
	for i := 0; i < 3; i++ {
		if r := p.Do(t, "POST", "/mcp", strings.NewReader(body), h); r.Status != 200 {
			t.Fatalf("call %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := p.Do(t, "POST", "/mcp", strings.NewReader(body), h); r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("4th call: %d %v", r.Status, r.Header)
	}
}

// The public contract with plain JSON-RPC over net/http: initialize, then
// tools/list lists search_datasets, and tools/call search_datasets
// {"query":"企业"} returns results.
func TestMCPRawJSONRPC(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	post := func(body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", p.URL+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := p.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if resp.StatusCode == 200 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %s: %v", body, b, err)
			}
		}
		return resp.StatusCode, resp.Header, m
	}
	st, hdr, m := post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`)
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || m["result"] == nil {
		t.Fatalf("initialize: %d %v %v", st, hdr, m)
	}
	if hdr.Get("RateLimit-Limit") == "" {
		t.Errorf("/mcp is not behind the developer API's rate limiter: %v", hdr)
	}
	_, _, m = post(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), `"name":"search_datasets"`) {
		t.Fatalf("tools/list: %s", b)
	}
	_, _, m = post(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_datasets","arguments":{"query":"企业"}}}`)
	var out struct {
		Result struct {
			IsError           bool                   `json:"isError"`
			StructuredContent portalmcp.SearchResult `json:"structuredContent"`
		} `json:"result"`
	}
	b, _ = json.Marshal(m)
	if err := json.Unmarshal(b, &out); err != nil || out.Result.IsError || len(out.Result.StructuredContent.Results) == 0 {
		t.Fatalf("tools/call search_datasets: %s", b)
	}
	// Bounded: an oversized body is refused; GET is not served.
	if st, _, _ := post(`{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"x":"` + strings.Repeat("a", portalmcp.MaxBodyBytes) + `"}}`); st != 413 {
		t.Errorf("oversized body: %d", st)
	}
	if r := p.Do(t, "GET", "/mcp", nil, map[string]string{"Accept": "text/event-stream"}); r.Status == 200 {
		t.Errorf("GET /mcp: %d", r.Status)
	}
}
