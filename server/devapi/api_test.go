package devapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

const (
	uncondRes = "res-hlj-scjgj-001-1" // 全省企业登记信息 (unconditional)
	condDS    = "ds-hlj-scjgj-002"    // conditional, provider@'s department
)

// columnsOf returns the column names of a download in any format.
func columnsOf(t *testing.T, format string, body []byte) ([]string, int) {
	t.Helper()
	switch format {
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))).ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("csv: %v", err)
		}
		return recs[0], len(recs) - 1
	case "json", "ndjson":
		var rows []map[string]any
		if format == "json" {
			if err := json.Unmarshal(body, &rows); err != nil {
				t.Fatalf("json: %v %.200s", err, body)
			}
		} else {
			for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("ndjson line %q: %v", line, err)
				}
				rows = append(rows, m)
			}
		}
		seen := map[string]bool{}
		var cols []string
		for _, r := range rows {
			for k := range r {
				if !seen[k] {
					seen[k] = true
					cols = append(cols, k)
				}
			}
		}
		slices.Sort(cols)
		return cols, len(rows)
	case "xml":
		var doc struct {
			Rows []struct {
				Cells []struct{ XMLName xml.Name } `xml:",any"`
			} `xml:"row"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("xml: %v", err)
		}
		seen := map[string]bool{}
		var cols []string
		for _, r := range doc.Rows {
			for _, c := range r.Cells {
				if !seen[c.XMLName.Local] {
					seen[c.XMLName.Local] = true
					cols = append(cols, c.XMLName.Local)
				}
			}
		}
		slices.Sort(cols)
		return cols, len(doc.Rows)
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("xlsx: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("Sheet1")
		if err != nil || len(rows) == 0 {
			t.Fatalf("xlsx rows: %v", err)
		}
		// Every cell of every row must sit under a header.
		for i, r := range rows {
			if len(r) > len(rows[0]) {
				t.Errorf("xlsx row %d has %d cells, header %d", i, len(r), len(rows[0]))
			}
		}
		return rows[0], len(rows) - 1
	}
	t.Fatalf("format %s", format)
	return nil, 0
}

// plainText is a download's text: for XLSX, the text and attribute values
// of every XML part of the zip (markup names like <sheet name=…> aside).
func plainText(t *testing.T, format string, body []byte) []byte {
	t.Helper()
	if format != "xlsx" {
		return body
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("xlsx zip: %v", err)
	}
	var all []byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("xlsx part %s: %v", f.Name, err)
			}
			switch tok := tok.(type) {
			case xml.CharData:
				all = append(append(all, tok...), '\n')
			case xml.StartElement:
				for _, a := range tok.Attr {
					all = append(append(all, a.Value...), '\n')
				}
			}
		}
		rc.Close()
	}
	return all
}

func TestDownloadFormats(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var res catalog.Resource
	p.DB.First(&res, "id = ?", uncondRes)
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", res.DatasetID).Order("position").Pluck("name", &items)
	base := "/api/v1/resources/" + uncondRes + "/download"
	for _, tc := range []struct{ query, format, ctype, ext string }{
		{"?format=csv&bom=true", "csv", "text/csv", ".csv"},
		{"?format=json", "json", "application/json", ".json"},
		{"?format=json&json=ndjson", "ndjson", "application/x-ndjson", ".ndjson"},
		{"?format=xml", "xml", "application/xml", ".xml"},
		{"?format=xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r := p.Get(t, base+tc.query)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), tc.ctype) {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") || !strings.Contains(cd, url.PathEscape(tc.ext)) {
				t.Errorf("Content-Disposition %q", cd)
			}
			cols, n := columnsOf(t, tc.format, r.Body)
			want := slices.Clone(items)
			if tc.format != "csv" && tc.format != "xlsx" {
				slices.Sort(want)
			}
			if !slices.Equal(cols, want) || int64(n) != res.Rows {
				t.Errorf("columns %v rows %d, want %v rows %d", cols, n, want, res.Rows)
			}
			if tc.format == "csv" && !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")) {
				t.Error("bom=true without BOM")
			}
			// Conversions are cacheable by their weak validator.
			if again := p.Do(t, "GET", base+tc.query, nil, map[string]string{"If-None-Match": r.Header.Get("ETag")}); again.Status != 304 {
				t.Errorf("revalidation: %d", again.Status)
			}
		})
	}
	// Typed JSON: numbers are numbers, dates stay text.
	var rows []map[string]any
	p.Get(t, base+"?format=json").JSON(t, &rows)
	if _, ok := rows[0]["reg_capital"].(float64); !ok {
		t.Errorf("reg_capital is %T", rows[0]["reg_capital"])
	}
	for _, bad := range []string{"?format=pdf", "?json=ndjson", "?format=json&bom=true", "?foo=1", "?format=csv&format=json"} {
		if r := p.Get(t, base+bad); r.Status != 400 || r.ErrorCode(t) != "invalid" {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	// HEAD of the original: headers, no body.
	if r := p.Do(t, "HEAD", base, nil, nil); r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d %d %v", r.Status, len(r.Body), r.Header)
	}
	// A Range on the real route: multipart with Content-Range per part.
	r := p.Do(t, "GET", base, nil, map[string]string{"Range": "bytes=0-9,20-29"})
	if r.Status != 206 || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/byteranges") {
		t.Errorf("multi-range: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := p.Do(t, "GET", base, nil, map[string]string{"Range": "bytes=-0"}); r.Status != 416 || r.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", res.Size) {
		t.Errorf("bytes=-0: %d %q", r.Status, r.Header.Get("Content-Range"))
	}
}

// A grant holder gets only the approved columns, in every format and from
// the row API, through the real applications service; the stored
// original is never sent to them.
func TestGrantRestrictedDownloads(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
			var items []string
			p.DB.Table("data_items").Where("dataset_id = ?", condDS).Order("position").Pluck("name", &items)
			var res catalog.Resource
			if err := p.DB.Where("dataset_id = ?", condDS).Order("position").First(&res).Error; err != nil {
				t.Fatal(err)
			}
			citizen, provider := p.SignInAs(t, "citizen"), p.SignInAs(t, "provider")
			dl := "/api/v1/resources/" + res.ID + "/download"
			rows := "/api/v1/resources/" + res.ID + "/rows"
			// Before any grant: refused, for the anonymous and the signed-in.
			for _, h := range []map[string]string{nil, citizen.Header()} {
				if r := p.Do(t, "GET", dl+"?format=csv", nil, h); r.Status != 403 {
					t.Fatalf("download without grant: %d %s", r.Status, r.Body)
				}
				if r := p.Do(t, "GET", rows, nil, h); r.Status != 403 {
					t.Fatalf("rows without grant: %d %s", r.Status, r.Body)
				}
			}
			app := p.PostJSON(t, "/api/v1/applications", map[string]any{
				"dataset_id": condDS, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
				"data_items": []string{items[0], items[1], items[2], items[4]}, "period_start": "2026-03-02", "period_end": "2026-06-30",
				"security_measures": "加密存储，专人专机访问", "contact": "张三 0451-12345678",
			}, citizen.Header())
			if app.Status != 201 {
				t.Fatalf("apply: %d %s", app.Status, app.Body)
			}
			id := app.Map(t)["id"].(string)
			approved := []string{items[0], items[2]} // a subset of what was asked
			if r := p.PostJSON(t, "/api/v1/applications/"+id+"/decision", map[string]any{"decision": "approve", "data_items": approved}, provider.Header()); r.Status != 200 {
				t.Fatalf("approve: %d %s", r.Status, r.Body)
			}
			sortedApproved := slices.Clone(approved)
			slices.Sort(sortedApproved)
			for _, tc := range []struct{ query, format string }{
				{"", "csv"}, {"?format=csv", "csv"}, {"?format=json", "json"}, {"?format=json&json=ndjson", "ndjson"},
				{"?format=xml", "xml"}, {"?format=xlsx", "xlsx"},
			} {
				r := p.Do(t, "GET", dl+tc.query, nil, citizen.Header())
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", tc.query, r.Status, r.Body)
				}
				cols, n := columnsOf(t, tc.format, r.Body)
				want := approved
				if tc.format != "csv" && tc.format != "xlsx" {
					want = sortedApproved
				}
				if !slices.Equal(cols, want) || int64(n) != res.Rows {
					t.Errorf("%s: columns %v (%d rows), want only %v (%d rows)", tc.query, cols, n, want, res.Rows)
				}
				text := plainText(t, tc.format, r.Body)
				for _, unapproved := range items {
					if !slices.Contains(approved, unapproved) && bytes.Contains(text, []byte(unapproved)) {
						t.Errorf("%s: body mentions unapproved column %s", tc.query, unapproved)
					}
				}
				if r.Header.Get("Cache-Control") != "private, no-store" {
					t.Errorf("%s: Cache-Control %q", tc.query, r.Header.Get("Cache-Control"))
				}
			}
			// A range request does not reach the stored original either.
			if r := p.Do(t, "GET", dl, nil, citizen.Header("Range", "bytes=0-99")); r.Status != 200 || r.Header.Get("Accept-Ranges") != "none" {
				t.Errorf("range for a grant holder: %d %q", r.Status, r.Header.Get("Accept-Ranges"))
			}
			// Row API: approved fields only; filters, sort, q and fields on
			// other columns are refused.
			var page struct {
				Fields  []struct{ ID string } `json:"fields"`
				Records []map[string]any      `json:"records"`
				Total   int64                 `json:"total"`
			}
			r := p.Do(t, "GET", rows+"?limit=5", nil, citizen.Header())
			if r.Status != 200 {
				t.Fatalf("rows: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &page)
			var fields []string
			for _, f := range page.Fields {
				fields = append(fields, f.ID)
			}
			if !slices.Equal(fields, append([]string{"_id"}, approved...)) || page.Total != res.Rows || len(page.Records) != 5 {
				t.Errorf("rows fields %v total %d", fields, page.Total)
			}
			for _, rec := range page.Records {
				for k := range rec {
					if k != "_id" && !slices.Contains(approved, k) {
						t.Errorf("row has unapproved field %s", k)
					}
				}
			}
			hidden := items[1]
			for _, q := range []string{"?fields=" + hidden, "?sort=" + hidden, "?filters=" + url.QueryEscape(`{"`+hidden+`":"x"}`)} {
				if r := p.Do(t, "GET", rows+q, nil, citizen.Header()); r.Status != 400 {
					t.Errorf("rows%s: %d %s", q, r.Status, r.Body)
				}
			}
			// q looks only into approved columns: a value only found in an
			// unapproved column finds nothing.
			var sample string
			var first []string
			p.DB.Table("resource_rows").Where("resource_id = ? AND row_no = 1", res.ID).Pluck("data", &first)
			var vals []any
			if len(first) == 1 {
				_ = json.Unmarshal([]byte(first[0]), &vals)
			}
			if len(vals) > 1 {
				if s, ok := vals[1].(string); ok {
					sample = s
				}
			}
			if sample != "" {
				var got struct{ Records []map[string]any }
				p.Do(t, "GET", rows+"?q="+url.QueryEscape(sample), nil, citizen.Header()).JSON(t, &got)
				for _, rec := range got.Records {
					found := false
					for _, v := range rec {
						if s, ok := v.(string); ok && strings.Contains(s, sample) {
							found = true
						}
					}
					if !found {
						t.Errorf("q=%s matched a row through an unapproved column: %v", sample, rec)
					}
				}
			}
			// Every use is recorded (000 Art 28).
			var uses int64
			p.DB.Table("grant_uses").Count(&uses)
			if uses < 7 {
				t.Errorf("%d use records, want one per download and rows call", uses)
			}
			// Someone else (provider2's citizen? the organisation) has no grant.
			org := p.SignInAs(t, "organisation")
			if r := p.Do(t, "GET", dl+"?format=json", nil, org.Header()); r.Status != 403 {
				t.Errorf("organisation without grant: %d", r.Status)
			}
		})
	}
}

func TestRowsAPI(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small"})
			base := "/api/v1/resources/" + uncondRes + "/rows"
			type page struct {
				Fields     []struct{ ID, Type string } `json:"fields"`
				Records    []map[string]any            `json:"records"`
				Total      int64                       `json:"total"`
				NextCursor string                      `json:"next_cursor"`
			}
			get := func(q string) page {
				t.Helper()
				r := p.Get(t, base+q)
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", q, r.Status, r.Body)
				}
				var pg page
				r.JSON(t, &pg)
				return pg
			}
			all := get("?limit=1000")
			if all.Total == 0 || int64(len(all.Records)) != min(all.Total, 1000) {
				t.Fatalf("total %d records %d", all.Total, len(all.Records))
			}
			// Cursor paging walks every row exactly once.
			seen := map[float64]bool{}
			var every []map[string]any
			cur := ""
			for i := 0; i < 1000; i++ {
				pg := get("?limit=97" + cur)
				for _, r := range pg.Records {
					id := r["_id"].(float64)
					if seen[id] {
						t.Fatalf("row %v twice", id)
					}
					seen[id] = true
					every = append(every, r)
				}
				if pg.NextCursor == "" {
					break
				}
				cur = "&cursor=" + pg.NextCursor
			}
			if int64(len(seen)) != all.Total {
				t.Errorf("cursor walked %d rows of %d", len(seen), all.Total)
			}
			// Typed filters agree with a count in Go.
			var want int64
			for _, r := range every {
				if c, ok := r["reg_capital"].(float64); ok && c >= 1000 {
					if d, _ := r["reg_date"].(string); d >= "2010-01-01" {
						want++
					}
				}
			}
			f := url.QueryEscape(`{"reg_capital":{"gte":1000},"reg_date":{"gte":"2010-01-01"}}`)
			pg := get("?limit=1000&filters=" + f + "&sort=-reg_capital")
			if pg.Total != want || int64(len(pg.Records)) != min(want, 1000) {
				t.Errorf("filtered %d (%d records), want %d", pg.Total, len(pg.Records), want)
			}
			for i := 1; i < len(pg.Records); i++ {
				if pg.Records[i-1]["reg_capital"].(float64) < pg.Records[i]["reg_capital"].(float64) {
					t.Fatalf("not sorted by -reg_capital at %d", i)
				}
			}
			status := all.Records[0]["status"].(string)
			eq := get("?fields=name,status&filters=" + url.QueryEscape(`{"status":"`+status+`"}`))
			for _, r := range eq.Records {
				if r["status"] != status || len(r) != 3 {
					t.Errorf("fields/filter: %v", r)
				}
			}
			for q, code := range map[string]int{
				"?limit=1001": 400, "?offset=10001": 400, "?filters=[1]": 400, "?filters=" + url.QueryEscape(`{"nope":1}`): 400,
				"?filters=" + url.QueryEscape(`{"reg_capital":"abc"}`): 400, "?filters=" + url.QueryEscape(`{"reg_date":{"gte":"yesterday"}}`): 400,
				"?sort=nope": 400, "?cursor=zzz": 400, "?sort=name&cursor=" + all.NextCursor: 400, "?x=1": 400,
			} {
				if r := p.Get(t, base+q); r.Status != code {
					t.Errorf("%s: %d, want %d: %s", q, r.Status, code, r.Body)
				}
			}
			if r := p.Get(t, "/api/v1/resources/nope/rows"); r.Status != 404 {
				t.Errorf("unknown resource: %d", r.Status)
			}
			// Query-cost limit: a scan on a table above the limit is refused.
			p.Dev.Tables.MaxScanRows = 10
			if r := p.Get(t, base+"?q=哈尔滨"); r.Status != 400 {
				t.Errorf("over the scan limit: %d %s", r.Status, r.Body)
			}
			if r := p.Get(t, base+"?limit=5"); r.Status != 200 {
				t.Errorf("plain paging over the scan limit: %d", r.Status)
			}
			p.Dev.Tables.MaxScanRows = 0
			// API calls are counted per dataset, nothing else is kept.
			var before catalog.Dataset
			p.DB.First(&before, "id = ?", "ds-hlj-scjgj-001")
			if err := p.Dev.Counts.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			var after catalog.Dataset
			p.DB.First(&after, "id = ?", "ds-hlj-scjgj-001")
			if after.APICalls <= before.APICalls {
				t.Errorf("api_calls %d → %d", before.APICalls, after.APICalls)
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", Env: map[string]string{"PORTAL_RATE_ANON": "3", "PORTAL_RATE_TOKEN": "5"}})
	path := "/api/v1/resources/" + uncondRes + "/rows?limit=1"
	for i := 0; i < 3; i++ {
		if r := p.Get(t, path); r.Status != 200 {
			t.Fatalf("call %d: %d", i, r.Status)
		}
	}
	r := p.Get(t, path)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || r.ErrorCode(t) != "rate_limited" {
		t.Fatalf("4th anonymous call: %d %v %s", r.Status, r.Header, r.Body)
	}
	// CKAN answers in its own envelope.
	if r := p.Get(t, "/api/3/action/package_list"); r.Status != 429 || !strings.Contains(string(r.Body), `"success":false`) {
		t.Errorf("ckan 429: %d %s", r.Status, r.Body)
	}
	// A token has its own, larger bucket.
	s := p.SignInAs(t, "citizen")
	tok := p.PostJSON(t, "/api/v1/me/tokens", map[string]string{"name": "script"}, s.Header())
	secret := tok.Map(t)["token"].(string)
	for i := 0; i < 5; i++ {
		if r := p.Do(t, "GET", path, nil, apptest.Bearer(secret)); r.Status != 200 {
			t.Fatalf("token call %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := p.Do(t, "GET", path, nil, apptest.Bearer(secret)); r.Status != 429 {
		t.Errorf("6th token call: %d", r.Status)
	}
}
