package devapi

import (
	"archive/zip"
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func writeXLSX(t *testing.T, x *xlsxWriter, cols []Column, rows [][]string) *bytes.Buffer {
	t.Helper()
	if err := x.Begin(cols); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := x.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.End(); err != nil {
		t.Fatal(err)
	}
	return x.out.(*bytes.Buffer)
}

// The streamed workbook opens in excelize with every cell typed by its data
// item, and text reads back exactly as written.
func TestXLSXCellsReadBack(t *testing.T) {
	cols := []Column{
		{Name: "code", Type: "string"}, {Name: "amount", Type: "number"}, {Name: "count", Type: "integer"},
		{Name: "open", Type: "boolean"}, {Name: "day", Type: "date"}, {Name: "at", Type: "datetime"}, {Name: "备注", Type: "string"},
	}
	rows := [][]string{
		{"007", "12.5", "42", "是", "2024-03-15", "2024-03-15 08:30:00", "含<尖括号>&与号"},
		{"x", "-0.25", "123456789012345678", "false", "1900-01-01", "2024-03-15T08:30:00+08:00", " 前后空格 "},
		{"", "1e3", "abc", "也许", "2024-02-30", "not a time", "换行\r\n第二行\t制表"},
		{"ctl\x01\x1f", "", "", "", "1899-12-31", "", "_x0041_ literal"},
	}
	body := writeXLSX(t, newXLSXWriter(&bytes.Buffer{}), cols, rows)
	f, err := excelize.OpenReader(bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Sheet1" {
		t.Fatalf("sheets %v", got)
	}
	for _, tc := range []struct {
		cell  string
		typ   excelize.CellType
		value string // formatted as Excel shows it
		raw   string // stored value ("" = same as value)
	}{
		{"A1", excelize.CellTypeInlineString, "code", ""},
		{"G1", excelize.CellTypeInlineString, "备注", ""},
		{"A2", excelize.CellTypeInlineString, "007", ""}, // leading zeros kept
		{"B2", excelize.CellTypeNumber, "12.5", ""},
		{"C2", excelize.CellTypeNumber, "42", ""},
		{"D2", excelize.CellTypeBool, "TRUE", "1"},
		{"E2", excelize.CellTypeNumber, "2024-03-15", "45366"},
		{"F2", excelize.CellTypeNumber, "2024-03-15 08:30:00", "45366.3541666667"},
		{"G2", excelize.CellTypeInlineString, "含<尖括号>&与号", ""},
		{"B3", excelize.CellTypeNumber, "-0.25", ""},
		{"C3", excelize.CellTypeInlineString, "123456789012345678", ""}, // beyond 15 digits: text
		{"D3", excelize.CellTypeBool, "FALSE", "0"},
		{"E3", excelize.CellTypeNumber, "1900-01-01", "1"},
		{"F3", excelize.CellTypeNumber, "2024-03-15 08:30:00", "45366.3541666667"}, // wall clock as written
		{"G3", excelize.CellTypeInlineString, " 前后空格 ", ""},
		{"A4", excelize.CellTypeUnset, "", ""}, // empty: no cell
		{"B4", excelize.CellTypeNumber, "1000", ""},
		{"C4", excelize.CellTypeInlineString, "abc", ""},        // not a number: text as written
		{"D4", excelize.CellTypeInlineString, "也许", ""},         // not a boolean
		{"E4", excelize.CellTypeInlineString, "2024-02-30", ""}, // not a date
		{"F4", excelize.CellTypeInlineString, "not a time", ""},
		{"G4", excelize.CellTypeInlineString, "换行\r\n第二行\t制表", ""},
		{"A5", excelize.CellTypeInlineString, "ctl\x01\x1f", ""},
		{"E5", excelize.CellTypeInlineString, "1899-12-31", ""}, // before Excel's calendar
		{"G5", excelize.CellTypeInlineString, "_x0041_ literal", ""},
	} {
		typ, err := f.GetCellType("Sheet1", tc.cell)
		if err != nil || typ != tc.typ {
			t.Errorf("%s: type %v (%v), want %v", tc.cell, typ, err, tc.typ)
		}
		if v, _ := f.GetCellValue("Sheet1", tc.cell); v != tc.value {
			t.Errorf("%s: value %q, want %q", tc.cell, v, tc.value)
		}
		want := tc.raw
		if want == "" {
			want = tc.value
		}
		if v, _ := f.GetCellValue("Sheet1", tc.cell, excelize.Options{RawCellValue: true}); v != want {
			t.Errorf("%s: raw %q, want %q", tc.cell, v, want)
		}
	}
	// The package: content types first, then the parts a reader needs.
	zr, err := zip.NewReader(bytes.NewReader(body.Bytes()), int64(body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	if want := "[Content_Types].xml _rels/.rels xl/styles.xml xl/worksheets/sheet1.xml xl/workbook.xml xl/_rels/workbook.xml.rels"; strings.Join(names, " ") != want {
		t.Errorf("parts %v, want %s", names, want)
	}
}

// A table longer than a sheet continues on the next sheet, header repeated.
func TestXLSXContinuesOnNextSheet(t *testing.T) {
	x := newXLSXWriter(&bytes.Buffer{})
	x.maxRows = 4 // header + 3 rows a sheet
	var rows [][]string
	for i := 1; i <= 10; i++ {
		rows = append(rows, []string{strconv.Itoa(i)})
	}
	body := writeXLSX(t, x, []Column{{Name: "n", Type: "integer"}}, rows)
	f, err := excelize.OpenReader(bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{"Sheet1": "n 1 2 3", "Sheet2": "n 4 5 6", "Sheet3": "n 7 8 9", "Sheet4": "n 10"}
	if got := f.GetSheetList(); len(got) != len(want) {
		t.Fatalf("sheets %v", got)
	}
	for sheet, w := range want {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r...)
		}
		if strings.Join(got, " ") != w {
			t.Errorf("%s: %v, want %s", sheet, got, w)
		}
	}
}

func TestXLSXLimits(t *testing.T) {
	if err := newXLSXWriter(io.Discard).Begin(make([]Column, maxSheetColumns+1)); err == nil {
		t.Error("more columns than a sheet holds: no error")
	}
	long := strings.Repeat("长", maxCellChars+10)
	if got := appendXLSXText(nil, long); len([]rune(string(got))) != maxCellChars {
		t.Errorf("long text cut at %d characters", len([]rune(string(got))))
	}
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := string(columnLetters(i)); got != want {
			t.Errorf("column %d: %s, want %s", i, got, want)
		}
	}
	for s, want := range map[string]bool{"1": true, "123456789012345": true, "1234567890123456": false,
		"1000000000000000000": true, "0.000000000000001": true, "1e400": false, "01": false, "1.5e10": true} {
		if excelNumber(s) != want {
			t.Errorf("excelNumber(%s) = %v", s, !want)
		}
	}
}

// Rows cost no allocation once the writer runs: memory does not grow with
// the table.
func TestXLSXRowsDoNotAllocate(t *testing.T) {
	x := newXLSXWriter(io.Discard)
	cols := []Column{{Name: "id", Type: "integer"}, {Name: "name", Type: "string"}, {Name: "amount", Type: "number"},
		{Name: "day", Type: "date"}, {Name: "note", Type: "string"}}
	if err := x.Begin(cols); err != nil {
		t.Fatal(err)
	}
	row := []string{"12345", "哈尔滨市某某有限公司", "1234.56", "2024-05-15", `备注, 含逗号与"引号"`}
	for range 1000 {
		x.Row(row)
	}
	if n := testing.AllocsPerRun(10000, func() { x.Row(row) }); n > 0.01 {
		t.Errorf("%.2f allocations a row", n)
	}
	if err := x.End(); err != nil {
		t.Fatal(err)
	}
}
