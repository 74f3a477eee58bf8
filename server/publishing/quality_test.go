package publishing_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/publishing"
)

// Valid 统一社会信用代码 (GB 32100 check character) and one whose check
// character is wrong.
const (
	creditA   = "91230100MA1BW4X8AR"
	creditB   = "91230200MA1CQ7N5BG"
	creditBad = "91230100MA1BW4X8A0"
)

// enterprisesCSV has Chinese headers, a credit code column with one bad
// code (row 4), dates, an amount with an empty cell and phone numbers.
const enterprisesCSV = "统一社会信用代码,企业名称,成立日期,注册资本,联系电话\n" +
	creditA + ",哈尔滨冰城科技有限公司,2020-01-02,100.5,0451-86661234\n" +
	creditB + ",齐齐哈尔鹤城商贸有限公司,2019-07-30,2000,13804511234\n" +
	creditBad + ",大庆油田服务有限公司,2021-03-04,,\n"

// draftWithoutItems is a complete entry that declares no data items yet.
func draftWithoutItems(title string) map[string]any {
	d := draft(title)
	d["data_items"] = []any{}
	return d
}

// TestItemDomains: a data item's value domain is validated (a bad one is
// refused and changes nothing), kept in the draft, published into the
// catalog, copied into the next version and read by the bulk import (old
// templates keep their meaning).
func TestItemDomains(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			d := draft("值域测试企业名录")
			d["data_items"].([]map[string]any)[0]["domain"] = "credit_code"
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", d), 201, "create"))

			for _, bad := range []any{"id_card", "CREDIT_CODE", 7} {
				items := draft("")["data_items"].([]map[string]any)
				items[0]["domain"] = bad
				r := e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": items})
				if r.Status != 400 {
					t.Fatalf("domain %v: %d %s", bad, r.Status, r.Body)
				}
				if f := fields(t, r); f["data_items[0].domain"] == "" && f["data_items"] == "" && f["data_items.domain"] == "" {
					t.Fatalf("domain %v: no field error: %v", bad, f)
				}
			}
			got := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
			item0 := got["working"].(map[string]any)["draft"].(map[string]any)["data_items"].([]any)[0].(map[string]any)
			if item0["domain"] != "credit_code" {
				t.Fatalf("a refused patch changed the domain: %v", item0)
			}

			// Published with its domain; the next version starts from it.
			e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业.csv", []byte(goodCSV)), 201, "upload")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve")
			var items []catalog.DataItem
			if err := e.p.DB.Where("dataset_id = ?", dsID).Order("position").Find(&items).Error; err != nil {
				t.Fatal(err)
			}
			if len(items) != 5 || items[0].Domain != catalog.DomainCreditCode || items[1].Domain != "" {
				t.Fatalf("catalog data items: %+v", items)
			}
			pub := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")
			if dom := pub["data_items"].([]any)[0].(map[string]any)["domain"]; dom != "credit_code" {
				t.Fatalf("public domain %v", dom)
			}
			got = e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"title": "值域测试企业名录（二）"}), 200, "new version")
			item0 = got["working"].(map[string]any)["draft"].(map[string]any)["data_items"].([]any)[0].(map[string]any)
			if item0["domain"] != "credit_code" {
				t.Fatalf("the new version lost the domain: %v", item0)
			}

			// Bulk import: a sixth part names the domain (code or Chinese);
			// a description holding "|" stays whole when the last part is
			// no domain.
			tpl := "目录名称,描述,领域,开放类型,共享类型,共享方式,更新频率,分类,分级,数据格式,数据项\n" +
				"导入值域测试,全省企业登记信息。,credit,无条件开放,无条件共享,文件,每月,基础数据,一级,CSV," +
				"\"reg_no|统一社会信用代码|字符串|是||统一社会信用代码\ntel|电话|字符串|否|办公|值班|phone\nnote|备注|字符串|否|甲|乙\"\n"
			res := e.must(e.upload("provider", "/api/v1/manage/import", "目录.csv", []byte(tpl)), 201, "import")
			newID := res["entries"].([]any)[0].(map[string]any)["id"].(string)
			got = e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+newID, nil), 200, "imported")
			var imported []publishing.DataItem
			remarshal(t, got["working"].(map[string]any)["draft"].(map[string]any)["data_items"], &imported)
			want := []publishing.DataItem{
				{Name: "reg_no", Label: "统一社会信用代码", Type: "string", Required: true, Domain: "credit_code"},
				{Name: "tel", Label: "电话", Type: "string", Description: "办公|值班", Domain: "phone"},
				{Name: "note", Label: "备注", Type: "string", Description: "甲|乙"},
			}
			if !reflect.DeepEqual(imported, want) {
				t.Fatalf("imported items:\n got %+v\nwant %+v", imported, want)
			}
		})
	}
}

// TestDraftWithoutItems: a draft may be saved without data items (they
// can be proposed from a file later), but not submitted; an upload is
// refused until they are declared.
func TestDraftWithoutItems(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draftWithoutItems("无数据项草稿")), 201, "create"))
	r := e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil)
	if r.Status != 400 || !strings.Contains(fields(t, r)["data_items"], "at least one data item") {
		t.Fatalf("submit without items: %d %s", r.Status, r.Body)
	}
	r = e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业.csv", []byte(enterprisesCSV))
	if r.Status != 400 || !strings.Contains(fields(t, r)["file"], "declare the data items") {
		t.Fatalf("upload without items: %d %s", r.Status, r.Body)
	}
	if n := e.count("version_resources", ""); n != 0 {
		t.Fatalf("%d resources", n)
	}
}

// TestProfileQueued: an upload queues the profile of its CSV file in the
// same transaction (not of other formats); changing what a profile checks
// against (the data items) queues the version's CSV files again, a
// description alone does not.
func TestProfileQueued(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			d := draft("画像排队测试")
			d["formats"] = []string{"CSV", "JSON"}
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", d), 201, "create"))
			path := "/api/v1/manage/datasets/" + dsID + "/resources"
			csv := e.must(e.upload("provider", path, "企业.csv", []byte(goodCSV)), 201, "CSV")
			rid := csv["id"].(string)
			profiles := func() int64 {
				return e.count("outbox_events", "kind = ? AND entity_id = ?", publishing.OutboxProfile, rid)
			}
			if n := profiles(); n != 1 {
				t.Fatalf("profile events after the upload: %d", n)
			}
			js := e.must(e.upload("provider", path, "企业.json", []byte(`[{"reg_no":"x","name":"y"}]`)), 201, "JSON")
			if n := e.count("outbox_events", "kind = ? AND entity_id = ?", publishing.OutboxProfile, js["id"]); n != 0 {
				t.Fatalf("a JSON file was queued for profiling: %d", n)
			}
			// A refused upload queues nothing.
			e.must(e.upload("provider", path, "坏.csv", []byte("nope\n1\n")), 400, "bad file")
			if n := e.count("outbox_events", "kind = ?", publishing.OutboxProfile); n != 1 {
				t.Fatalf("profile events after a refused upload: %d", n)
			}

			items := draft("")["data_items"].([]map[string]any)
			items[0]["description"] = "只改说明"
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": items}), 200, "describe")
			if n := profiles(); n != 1 {
				t.Fatalf("a description queued a profile: %d", n)
			}
			items[0]["domain"] = "credit_code"
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": items}), 200, "domain")
			if n := profiles(); n != 2 {
				t.Fatalf("profile events after the domain changed: %d", n)
			}
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"title": "画像排队测试（改名）"}), 200, "title")
			if n := e.count("outbox_events", "kind = ?", publishing.OutboxProfile); n != 2 {
				t.Fatalf("a title change queued a profile: %d", n)
			}
		})
	}
}

// TestProposeItems: the data items proposed from a CSV with Chinese
// headers (a credit code column, dates, an amount with an empty cell,
// phone numbers) and from an XLSX; nothing is stored; the provider saves
// the proposal as it is and uploads the same file, whose profile then
// names the bad credit code.
func TestProposeItems(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draftWithoutItems("建议数据项测试")), 201, "create"))
			propose := "/api/v1/manage/datasets/" + dsID + "/propose-items"
			storedBefore, _ := e.files()

			res := e.must(e.upload("provider", propose, "企业名录.csv", []byte(enterprisesCSV)), 200, "propose")
			want := []publishing.DataItem{
				{Name: "tyshxydm", Label: "统一社会信用代码", Type: "string", Domain: "credit_code", Required: true},
				{Name: "qymc", Label: "企业名称", Type: "string", Required: true},
				{Name: "clrq", Label: "成立日期", Type: "date", Required: true},
				{Name: "zczb", Label: "注册资本", Type: "number"},
				{Name: "lxdh", Label: "联系电话", Type: "string", Domain: "phone"},
			}
			var got struct {
				Rows      int64                 `json:"rows"`
				DataItems []publishing.DataItem `json:"data_items"`
				Columns   []map[string]any      `json:"columns"`
			}
			remarshal(t, res, &got)
			if got.Rows != 3 || !reflect.DeepEqual(got.DataItems, want) {
				t.Fatalf("proposal: rows %d\n got %+v\nwant %+v", got.Rows, got.DataItems, want)
			}
			for _, it := range res["data_items"].([]any) {
				if d, ok := it.(map[string]any)["description"]; !ok || d != "" {
					t.Fatalf("a proposed item without an empty description: %v", it)
				}
			}
			if len(got.Columns) != 5 || got.Columns[0]["id"] != "统一社会信用代码" || got.Columns[3]["empty"].(float64) != 1 || got.Columns[2]["inferred_type"] != "date" {
				t.Fatalf("columns: %v", got.Columns)
			}
			// Nothing stored: no resource row, no stored object, no temporary file, no profile queued.
			stored, temp := e.files()
			if n := e.count("version_resources", ""); n != 0 || stored != storedBefore || temp != 0 {
				t.Fatalf("stored: %d rows, %d objects (before %d), %d temporary", n, stored, storedBefore, temp)
			}
			if n := e.count("outbox_events", "kind = ?", publishing.OutboxProfile); n != 0 {
				t.Fatalf("%d profile events for a proposal", n)
			}

			// XLSX: numbers as typed cells, dates as text. (A date typed as a
			// date cell reaches the profiler as its serial number, which it
			// takes for a number: the provider corrects the type.)
			x := excelize.NewFile()
			x.SetSheetRow("Sheet1", "A1", &[]any{"行政区划代码", "区县", "人口", "统计日期"})
			x.SetSheetRow("Sheet1", "A2", &[]any{"230102", "道里区", 700000, "2026-11-23"})
			x.SetSheetRow("Sheet1", "A3", &[]any{"230103", "南岗区", 1000000, "2026-11-23"})
			var xb bytes.Buffer
			if err := x.Write(&xb); err != nil {
				t.Fatal(err)
			}
			res = e.must(e.upload("provider", propose, "人口.xlsx", xb.Bytes()), 200, "propose XLSX")
			remarshal(t, res, &got)
			wantX := []publishing.DataItem{
				{Name: "xzqhdm", Label: "行政区划代码", Type: "string", Domain: "region_code", Required: true},
				{Name: "qx", Label: "区县", Type: "string", Required: true},
				{Name: "rk", Label: "人口", Type: "integer", Required: true},
				{Name: "tjrq", Label: "统计日期", Type: "date", Required: true},
			}
			if got.Rows != 2 || !reflect.DeepEqual(got.DataItems, wantX) {
				t.Fatalf("XLSX proposal: rows %d\n got %+v\nwant %+v", got.Rows, got.DataItems, wantX)
			}

			// The provider confirms: saves the items, uploads the same file.
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": want}), 200, "save the proposal")
			r := e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业名录.csv", []byte(enterprisesCSV)), 201, "upload")
			rid := r["id"].(string)
			if n := e.count("outbox_events", "kind = ? AND entity_id = ?", publishing.OutboxProfile, rid); n != 1 {
				t.Fatalf("profile events after the upload: %d", n)
			}
			// A second proposal is refused now that items exist.
			if r := e.upload("provider", propose, "企业名录.csv", []byte(enterprisesCSV)); r.Status != 409 || !strings.Contains(string(r.Body), "already declares its data items") {
				t.Fatalf("propose with items: %d %s", r.Status, r.Body)
			}
			e.drain()
			prof := e.must(e.do("provider", "GET", "/api/v1/manage/resources/"+rid+"/profile", nil), 200, "profile")
			col := prof["columns"].([]any)[0].(map[string]any)
			if col["id"] != "tyshxydm" || col["domain"] != "credit_code" || col["invalid"].(float64) != 1 || col["invalid_rule"] != "credit_code" ||
				!reflect.DeepEqual(col["invalid_examples"], []any{4.0}) {
				t.Fatalf("profile of the credit code column: %v", col)
			}
		})
	}
}

// TestProposeRefusals: JSON is refused with 422; files the upload refuses
// and headers without distinct names with 400; oversize with 413; another
// department's entry is not found, a citizen is forbidden. Nothing is
// stored by any of them.
func TestProposeRefusals(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, map[string]string{"PORTAL_MAX_UPLOAD_MB": "1"})
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draftWithoutItems("建议拒绝测试")), 201, "create"))
			path := "/api/v1/manage/datasets/" + dsID + "/propose-items"
			storedBefore, _ := e.files()
			big := []byte("a,b\n")
			for len(big) < 1536<<10 {
				big = append(big, "哈尔滨冰城科技有限公司,100.5\n"...)
			}
			cases := []struct {
				name, role, file string
				content          []byte
				status           int
				says             string
			}{
				{"JSON", "provider", "a.json", []byte(`[{"a":1}]`), 422, "propose from a CSV or XLSX file"},
				{"nameless column", "provider", "a.csv", []byte("名称,,日期\nx,y,2020-01-01\n"), 400, "column 2 has no name"},
				{"repeated column", "provider", "a.csv", []byte("名称,日期,名称\nx,2020-01-01,y\n"), 400, `\"名称\" repeats column 1`},
				{"header only", "provider", "a.csv", []byte("名称,日期\n"), 400, "no data rows"},
				{"empty", "provider", "a.csv", []byte{}, 400, "empty"},
				{"PNG", "provider", "a.csv", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...), 400, "PNG"},
				{"oversize", "provider", "big.csv", big, 413, "larger than"},
				{"other department", "provider2", "a.csv", []byte(enterprisesCSV), 404, "not found"},
				{"citizen", "citizen", "a.csv", []byte(enterprisesCSV), 403, ""},
			}
			for _, c := range cases {
				r := e.upload(c.role, path, c.file, c.content)
				if r.Status != c.status || !strings.Contains(string(r.Body), c.says) {
					t.Errorf("%s: %d, want %d saying %q: %.300s", c.name, r.Status, c.status, c.says, r.Body)
				}
			}
			r := e.do("provider", "POST", path, map[string]string{"file": "x"})
			if r.Status != 400 || fields(t, r)["file"] == "" {
				t.Errorf("not multipart: %d %s", r.Status, r.Body)
			}
			stored, temp := e.files()
			if n := e.count("version_resources", ""); n != 0 || stored != storedBefore || temp != 0 {
				t.Errorf("left behind: %d rows, %d objects (before %d), %d temporary", n, stored, storedBefore, temp)
			}
			got := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
			if items := got["working"].(map[string]any)["draft"].(map[string]any)["data_items"].([]any); len(items) != 0 {
				t.Errorf("a proposal changed the draft: %v", items)
			}
		})
	}
}

// remarshal decodes v (a decoded JSON value) into out.
func remarshal(t *testing.T, v any, out any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
