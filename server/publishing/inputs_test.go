package publishing_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestBadDraftsLeaveNothing: every invalid entry gets field-level errors
// and no row is written.
func TestBadDraftsLeaveNothing(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			cases := []struct {
				name  string
				edit  func(d map[string]any)
				field string
			}{
				{"conditional without conditions", func(d map[string]any) { delete(d, "open_conditions") }, "open_conditions"},
				{"conditional without usage scope", func(d map[string]any) { d["usage_scope"] = "  " }, "usage_scope"},
				{"not open without reason", func(d map[string]any) { d["open_type"] = "not_open" }, "not_open_reason"},
				{"unknown open type", func(d map[string]any) { d["open_type"] = "open" }, "open_type"},
				{"no title", func(d map[string]any) { d["title"] = "" }, "title"},
				{"unknown topic", func(d map[string]any) { d["topic"] = map[string]any{"id": "nope"} }, "topic"},
				{"bad frequency", func(d map[string]any) { d["update_frequency"] = "hourly" }, "update_frequency"},
				{"bad grade", func(d map[string]any) { d["grade"] = "L9" }, "grade"},
				{"unknown item domain", func(d map[string]any) { d["data_items"].([]map[string]any)[0]["domain"] = "id_card" }, "data_items[0].domain"},
				{"bad item type", func(d map[string]any) { d["data_items"].([]map[string]any)[1]["type"] = "text" }, "data_items[1].type"},
				{"bad item name", func(d map[string]any) { d["data_items"].([]map[string]any)[0]["name"] = "注册 号" }, "data_items[0].name"},
				{"duplicate item", func(d map[string]any) { d["data_items"].([]map[string]any)[1]["name"] = "REG_NO" }, "data_items[1].name"},
				{"wrong JSON type", func(d map[string]any) { d["title"] = 42 }, "title"},
			}
			for _, c := range cases {
				d := draft("坏目录")
				c.edit(d)
				r := e.do("provider", "POST", "/api/v1/manage/datasets", d)
				if r.Status != 400 || r.ErrorCode(t) != "invalid" {
					t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
					continue
				}
				if f := fields(t, r); f[c.field] == "" {
					t.Errorf("%s: no error on %s: %v", c.name, c.field, f)
				}
			}
			if n := e.count("dataset_versions", ""); n != 0 {
				t.Fatalf("%d versions written by bad drafts", n)
			}
			// The same rules on a change of a valid draft: nothing changes.
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("好目录")), 201, "create"))
			r := e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"open_type": "not_open"})
			if r.Status != 400 || fields(t, r)["not_open_reason"] == "" {
				t.Fatalf("patch to not_open without reason: %d %s", r.Status, r.Body)
			}
			got := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
			if got["working"].(map[string]any)["draft"].(map[string]any)["open_type"] != "conditional" {
				t.Fatal("a refused patch changed the draft")
			}
			// not_open with its reason is accepted; conditions are dropped.
			d := e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"open_type": "not_open", "not_open_reason": "涉及商业秘密（000 第三十三条）"}), 200, "not_open")
			if dr := d["working"].(map[string]any)["draft"].(map[string]any); dr["open_conditions"] != nil || dr["not_open_reason"] == "" {
				t.Fatalf("not_open draft: %v", dr)
			}
		})
	}
}

// TestBadFilesLeaveNothing: every hostile or wrong file is refused with a
// field-level error; no row, no stored object and no temporary file stays.
func TestBadFilesLeaveNothing(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, map[string]string{"PORTAL_MAX_UPLOAD_MB": "1"})
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("文件测试")), 201, "create"))
			path := "/api/v1/manage/datasets/" + dsID + "/resources"
			storedBefore, _ := e.files()

			big := []byte("reg_no,name,capital,staff,reg_date\n")
			for len(big) < 1536<<10 {
				big = append(big, "91230100MA1,哈尔滨冰城科技有限公司,100.5,12,2020-01-02\n"...)
			}
			cases := []struct {
				name, file string
				content    []byte
				status     int
				field      string // a key of error.fields that must be present
				says       string // text in that message
			}{
				{"wrong header", "a.csv", []byte("reg_no,nam,capital\nx,y,1\n"), 400, "header[2]", "not a declared data item"},
				{"missing required column", "a.csv", []byte("reg_no,capital\nx,1\n"), 400, "header.name", "required"},
				{"header by label is fine but type wrong", "a.csv", []byte("注册号,企业名称,从业人数\nx,y,twelve\n"), 400, "rows[2].staff", "integer"},
				{"wrong type", "a.csv", []byte(goodCSV + "91230100MA3,牡丹江木业,abc,3,2021-03-04\n"), 400, "rows[4].capital", "number"},
				{"bad date", "a.csv", []byte(goodCSV + "91230100MA3,牡丹江木业,1,3,2021-13-40\n"), 400, "rows[4].reg_date", "date"},
				{"required cell empty", "a.csv", []byte(goodCSV + "91230100MA3,,1,3,2021-03-04\n"), 400, "rows[4].name", "required"},
				{"extra cell", "a.csv", []byte(goodCSV + "91230100MA3,x,1,3,2021-03-04,surprise\n"), 400, "rows[4]", "cells"},
				{"no data rows", "a.csv", []byte("reg_no,name\n"), 400, "file", "no data rows"},
				{"empty", "a.csv", []byte{}, 400, "file", "empty"},
				{"oversize", "big.csv", big, 413, "file", "larger than"},
				{"PNG named .csv", "photo.csv", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...), 400, "file", "PNG"},
				{"CSV named .xlsx", "table.xlsx", []byte(goodCSV), 400, "file", "ends in .xlsx"},
				{"CSV named .exe", "setup.exe", []byte(goodCSV), 400, "file", "ends in .exe"},
				{"binary named .csv", "a.csv", []byte("reg_no,name\x00\x01\x02\n"), 400, "file", "binary"},
				{"neither UTF-8 nor GB18030", "a.csv", []byte("reg_no,name\n\x80\x80,\xff\xff\n"), 400, "file", "neither UTF-8 nor GB18030"},
				{"zip that is no workbook", "a.xlsx", zipOf(t, map[string][]byte{"readme.txt": []byte("hi")}), 400, "file", "not an XLSX"},
				{"zip bomb", "bomb.xlsx", zipBomb(t, 64<<20), 400, "file", "unzips to more than"},
				{"JSON not an array", "a.json", []byte(`{"reg_no":"x"}`), 400, "file", "array of objects"},
				{"broken JSON", "a.json", []byte(`[{"reg_no":"x"`), 400, "file", "not valid JSON"},
				{"JSON wrong type", "a.json", []byte(`[{"reg_no":"x","name":"y","staff":"12"}]`), 400, "rows[1].staff", "integer"},
				{"legacy xls", "a.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest of an OLE file"), 400, "file", ".xls"},
			}
			for _, c := range cases {
				r := e.upload("provider", path, c.file, c.content)
				if r.Status != c.status {
					t.Errorf("%s: %d, want %d: %.300s", c.name, r.Status, c.status, r.Body)
					continue
				}
				f := fields(t, r)
				if !strings.Contains(f[c.field], c.says) {
					t.Errorf("%s: fields[%q] = %q, want it to say %q (all: %v)", c.name, c.field, f[c.field], c.says, f)
				}
			}
			if n := e.count("version_resources", ""); n != 0 {
				t.Errorf("%d resource rows written by bad files", n)
			}
			stored, temp := e.files()
			if stored != storedBefore || temp != 0 {
				t.Errorf("files left: %d stored (before %d), %d temporary", stored, storedBefore, temp)
			}
			// Not multipart at all.
			r := e.do("provider", "POST", path, map[string]string{"file": "x"})
			if r.Status != 400 || fields(t, r)["file"] == "" {
				t.Errorf("JSON body instead of multipart: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestGoodFiles: GB18030 CSV is accepted and stored as UTF-8; XLSX and JSON
// are accepted; rows and SHA-256 are recorded and match what is served.
func TestGoodFiles(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("编码测试")), 201, "create"))
	path := "/api/v1/manage/datasets/" + dsID + "/resources"

	utf8CSV := "注册号,企业名称,注册资本,从业人数,成立日期\r\n91230100MA1,哈尔滨冰城科技有限公司,100.5,12,2020-01-02\r\n91230100MA2,齐齐哈尔鹤城𠀀商贸,7,1,2022/3/4\r\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(utf8CSV)
	if err != nil {
		t.Fatal(err)
	}
	if gb == utf8CSV || bytes.Equal([]byte(gb), []byte(utf8CSV)) {
		t.Fatal("the test file is not GB18030")
	}
	res := e.must(e.upload("provider", path, "企业名录.csv", []byte(gb)), 201, "GB18030 CSV")
	if res["encoding"] != "GB18030" || res["rows"].(float64) != 2 || res["media_type"] != "text/csv; charset=utf-8" {
		t.Fatalf("GB18030 upload: %v", res)
	}
	r := e.do("provider", "GET", res["download_url"].(string), nil)
	if r.Status != 200 || string(r.Body) != utf8CSV {
		t.Fatalf("stored content is not the UTF-8 text: %d %q", r.Status, r.Body)
	}
	sum := sha256.Sum256(r.Body)
	if res["sha256"] != hex.EncodeToString(sum[:]) || res["size"].(float64) != float64(len(utf8CSV)) {
		t.Fatalf("sha256/size do not describe the stored file: %v", res)
	}

	// UTF-8 with a BOM: stored without it.
	res = e.must(e.upload("provider", path, "bom.csv", append([]byte("\xEF\xBB\xBF"), goodCSV...)), 201, "BOM CSV")
	if r := e.do("provider", "GET", res["download_url"].(string), nil); string(r.Body) != goodCSV {
		t.Fatalf("BOM kept: %q", r.Body[:10])
	}

	// XLSX with dates stored as dates.
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"reg_no", "name", "capital", "staff", "reg_date"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"91230100MA1", "哈尔滨冰城科技有限公司", 100.5, 12, "2020-01-02"})
	x.SetSheetRow("Sheet1", "A3", &[]any{"91230100MA2", "大庆油田服务有限公司", 2000, 340, nil})
	x.SetCellValue("Sheet1", "E3", monday10)
	var xb bytes.Buffer
	if err := x.Write(&xb); err != nil {
		t.Fatal(err)
	}
	res = e.must(e.upload("provider", path, "名录.xlsx", xb.Bytes()), 201, "XLSX")
	if res["format"] != "XLSX" || res["rows"].(float64) != 2 {
		t.Fatalf("XLSX: %v", res)
	}
	// No name: the format's extension is added.
	res = e.must(e.upload("provider", path, "", []byte(`[{"reg_no":"x","name":"y","capital":1.5,"staff":3,"reg_date":"2024-01-02"},{"reg_no":"z","name":"w"}]`)), 201, "JSON")
	if res["format"] != "JSON" || res["rows"].(float64) != 2 || res["name"] != "data.json" {
		t.Fatalf("JSON: %v", res)
	}
	// A path in the name is only a name.
	res = e.must(e.upload("provider", path, "../../etc/passwd.csv", []byte(goodCSV)), 201, "path name")
	if res["name"] != "passwd.csv" {
		t.Fatalf("name %q", res["name"])
	}
	if _, temp := e.files(); temp != 0 {
		t.Fatalf("%d temporary files left", temp)
	}

	// Data items changed after the upload: submit says which file to redo.
	items := draft("")["data_items"].([]map[string]any)
	e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": items[1:]}), 200, "drop reg_no")
	r = e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil)
	if r.Status != 400 || !strings.Contains(fields(t, r)["resources[0]"], "reg_no") {
		t.Fatalf("submit with stale file: %d %s", r.Status, r.Body)
	}
	// Removing the stale files makes it submittable.
	d := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
	for _, rs := range d["working"].(map[string]any)["resources"].([]any) {
		e.must(e.do("provider", "DELETE", "/api/v1/manage/resources/"+rs.(map[string]any)["id"].(string), nil), 204, "remove")
	}
	e.must(e.upload("provider", path, "ok.csv", []byte("name,capital\n某公司,1\n")), 201, "fresh file")
	e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
	// Under review: no uploads.
	e.must(e.upload("provider", path, "late.csv", []byte("name,capital\n某公司,1\n")), 409, "upload under review")
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, content := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(content)
	}
	w.Close()
	return b.Bytes()
}

// zipBomb is a workbook whose worksheet inflates to n bytes.
func zipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`},
	} {
		f, _ := w.Create(part.name)
		f.Write([]byte(part.body))
	}
	f, err := w.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i < n>>20; i++ {
		f.Write(chunk)
	}
	w.Close()
	if b.Len() > 1<<20 {
		t.Fatalf("bomb is %d bytes: over the 1 MB upload limit", b.Len())
	}
	return b.Bytes()
}
