package upload_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/upload"
)

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

// zpart is one entry of a hand-built archive. declared (when not 0) is the
// uncompressed size written in the directory, true or not; raw is already
// deflated when method is Deflate and raw is set.
type zpart struct {
	name     string
	body     []byte
	method   uint16
	raw      []byte
	declared uint64
	crc      uint32
}

func buildZip(t testing.TB, parts []zpart) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range parts {
		if p.raw == nil && p.declared == 0 && (p.method == zip.Deflate || p.method == zip.Store) {
			f, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: p.method})
			if err != nil {
				t.Fatal(err)
			}
			f.Write(p.body)
			continue
		}
		raw, crc, size := p.raw, p.crc, p.declared
		if raw == nil {
			raw = p.body
			if p.method == zip.Deflate {
				raw = deflate(p.body)
			}
			crc = crc32.ChecksumIEEE(p.body)
			if size == 0 {
				size = uint64(len(p.body))
			}
		}
		f, err := w.CreateRaw(&zip.FileHeader{Name: p.name, Method: p.method, CRC32: crc,
			CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(raw)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return out.Bytes()
}

// book is a minimal workbook: the first sheet through the relationships,
// shared strings when sst is not nil.
func book(t testing.TB, sheet zpart, sst *zpart, extra ...zpart) []byte {
	sheet.name = "xl/worksheets/sheet1.xml"
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	parts := []zpart{
		{name: "[Content_Types].xml", body: []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`), method: zip.Deflate},
		{name: "xl/workbook.xml", body: []byte(`<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`), method: zip.Deflate},
		{name: "xl/_rels/workbook.xml.rels", body: []byte(rels), method: zip.Deflate},
		sheet,
	}
	if sst != nil {
		sst.name = "xl/sharedStrings.xml"
		parts = append(parts, *sst)
	}
	return buildZip(t, append(parts, extra...))
}

func sheetXML(rows string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="` + nsMain + `"><sheetData>` + rows + `</sheetData></worksheet>`)
}

type row struct {
	line  int
	cells []string
}

func readRows(f *upload.File) ([]row, error) {
	var out []row
	err := f.Rows(context.Background(), func(line int, cells []string) error {
		out = append(out, row{line, append([]string(nil), cells...)})
		return nil
	})
	return out, err
}

// TestXLSXValues: values as stored, as excelize read them with
// RawCellValue: shared and inline strings (rich text joined, phonetic runs
// left out, _xHHHH_ escapes decoded), numbers as written, booleans 1/0,
// errors, formula cells, sparse cells filled with "", skipped rows not
// reported but numbered.
func TestXLSXValues(t *testing.T) {
	rc := receiver(t, 1<<20)
	sst := zpart{method: zip.Deflate, body: []byte(`<sst xmlns="` + nsMain + `" count="3" uniqueCount="3">` +
		`<si><t>名称</t></si>` +
		`<si><r><rPr><b/></rPr><t xml:space="preserve">黑龙江 </t></r><r><t>省</t></r><rPh sb="0" eb="1"><t>ヘイ</t></rPh></si>` +
		`<si><t>a_x000D_b_x005F_x0041_</t></si></sst>`)}
	sheet := zpart{method: zip.Deflate, body: sheetXML(
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>数量</t></is></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>1.50</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#DIV/0!</v></c></row>` +
			`<row r="5" spans="1:3"><c t="s"><v>2</v></c><c s="3"/><c><f>A1</f></c><c t="str"><f>1+1</f><v>2</v></c></row>` +
			`<row r="7"/>` +
			`<x:row xmlns:x="` + nsMain + `"><x:c r="B8" t="inlineStr"><x:is><x:r><x:t>前</x:t></x:r><x:r><x:t>后</x:t></x:r></x:is></x:c></x:row>`)}
	f, err := receive(t, rc, "v.xlsx", book(t, sheet, &sst))
	if err != nil {
		t.Fatal(err)
	}
	got, err := readRows(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, []string{"名称", "", "数量"}},
		{2, []string{"黑龙江 省", "1.50", "1", "#DIV/0!"}},
		{5, []string{"a\rb_x0041_", "", "", "2"}},
		{7, nil},
		{8, []string{"", "前后"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n got %v\nwant %v", got, want)
	}
}

// TestXLSXAsExcelize: a workbook written by excelize reads the same as
// excelize's own reader (RawCellValue), row for row.
func TestXLSXAsExcelize(t *testing.T) {
	x := excelize.NewFile()
	vals := map[string]any{
		"A1": "编号", "B1": "名称", "C1": "金额", "D1": "是否", "E1": "日期",
		"A2": 7, "B2": "哈尔滨", "C2": 12.25, "D2": true, "E2": time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC),
		"A3": int64(123456789012), "B3": " 前后空格 ", "C3": -0.5, "D3": false,
		"B6": "隔行", "G6": "远列", "A7": "ctl\x01", "B7": "换行\r\n第二行", "C7": "_x0041_ literal",
	}
	for c, v := range vals {
		if err := x.SetCellValue("Sheet1", c, v); err != nil {
			t.Fatal(err)
		}
	}
	x.SetCellFormula("Sheet1", "F2", "C2*2")
	x.SetCellRichText("Sheet1", "F3", []excelize.RichTextRun{{Text: "粗"}, {Text: "体", Font: &excelize.Font{Bold: true}}})
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	// The reference is excelize reading the file back (not its memory).
	ref, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	want := map[int][]string{}
	rows, err := ref.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) > 0 {
			want[line] = cells
		}
	}
	f, err := receive(t, receiver(t, 1<<20), "e.xlsx", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]string{}
	rs, err := readRows(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if len(r.cells) > 0 {
			got[r.line] = r.cells
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n got %v\nwant %v", got, want)
	}
}

// bombStream is a deflate stream of prefix followed by unit repeated to
// about n bytes, built from one compressed megabyte repeated (a flushed
// deflate block refers only to itself, so copies concatenate).
func bombStream(prefix, unit []byte, n int64) (raw []byte, size uint64, crc uint32) {
	chunk := bytes.Repeat(unit, (1<<20)/len(unit))
	flush := func(b []byte) []byte {
		var out bytes.Buffer
		fw, _ := flate.NewWriter(&out, flate.BestCompression)
		fw.Write(b)
		fw.Flush()
		return out.Bytes()
	}
	var out bytes.Buffer
	out.Write(flush(prefix))
	c := flush(chunk)
	crc = crc32.ChecksumIEEE(prefix)
	size = uint64(len(prefix))
	for size < uint64(n) {
		out.Write(c)
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
		size += uint64(len(chunk))
	}
	var end bytes.Buffer
	fw, _ := flate.NewWriter(&end, flate.BestCompression)
	fw.Close()
	out.Write(end.Bytes())
	return out.Bytes(), size, crc
}

// measure runs fn, returning how long it took and the peak growth of the
// Go heap in use while it ran (sampled every millisecond).
func measure(fn func() error) (err error, took time.Duration, peak uint64, alloc uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, allocBase := ms.HeapInuse, ms.TotalAlloc
	var max atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > max.Load() {
					max.Store(m.HeapInuse)
				}
			}
		}
	}()
	start := time.Now()
	err = fn()
	took = time.Since(start)
	close(done)
	<-stopped
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > max.Load() {
		max.Store(ms.HeapInuse)
	}
	if m := max.Load(); m > base {
		peak = m - base
	}
	return err, took, peak, ms.TotalAlloc - allocBase
}

// TestHostileWorkbooks: each hostile workbook is refused with a clear 4xx
// error, within seconds and with little memory, whatever its parts declare.
// The figures are logged (go test -v -run TestHostileWorkbooks).
func TestHostileWorkbooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds files of tens of MB")
	}
	header := `<row r="1"><c t="inlineStr"><is><t>id</t></is></c></row>`
	bomb, bombSize, bombCRC := bombStream(sheetXML(header)[:len(sheetXML(header))-len(`</sheetData></worksheet>`)],
		[]byte(`<row><c><v>1</v></c></row>`), 2<<30)
	many := make([]zpart, 0, 3000)
	for i := range 3000 {
		many = append(many, zpart{name: fmt.Sprintf("xl/media/p%d.xml", i), body: []byte("<a/>"), method: zip.Store})
	}
	big := func(open, fill, close string, n int) []byte {
		var b bytes.Buffer
		b.WriteString(open)
		for b.Len() < n {
			b.WriteString(fill)
		}
		b.WriteString(close)
		return b.Bytes()
	}
	text := func(n int) string { // incompressible-ish text of n bytes
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "%x", crc32.ChecksumIEEE([]byte{byte(i), byte(i >> 8), byte(i >> 16)}))
		}
		return b.String()
	}
	ssts := func(n int, s string) *zpart {
		return &zpart{method: zip.Store, body: big(`<sst xmlns="`+nsMain+`">`, `<si><t>`+s+`</t></si>`, `</sst>`, n)}
	}
	longText := text(30000)
	cases := []struct {
		name    string
		file    func() []byte
		limits  func(*upload.Limits)
		atRecv  bool // refused when received (declared sizes)
		code    apperr.Code
		says    string
		rowsMin int // rows the callback saw before the refusal (at least)
	}{
		{name: "zip bomb (5 MB to 2 GB), honest sizes", atRecv: true, code: apperr.Invalid, says: "unzips to more than",
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, raw: bomb, declared: bombSize, crc: bombCRC}, nil)
			}},
		{name: "zip bomb (5 MB to 2 GB), sizes lie", code: apperr.TooLarge, says: "expands more than 100 times",
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, raw: bomb, declared: 150 << 20, crc: bombCRC}, nil)
			}},
		{name: "bomb under the ratio, absolute cap", atRecv: true, code: apperr.Invalid, says: "unzips to more than 8 MB",
			limits: func(l *upload.Limits) { l.MaxUnzipBytes = 8 << 20; l.MaxUnzipRatio = 1 << 20 },
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, raw: bomb, declared: 150 << 20, crc: bombCRC}, nil)
			}},
		{name: "a million shared strings and more", code: apperr.TooLarge, says: "more than 1048576 distinct texts",
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header)}, ssts(21<<20, "x"))
			}},
		{name: "shared strings over 32 MB", code: apperr.TooLarge, says: "texts take more than 32 MB",
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header)}, ssts(40<<20, longText))
			}},
		{name: "row beyond Excel's last", code: apperr.TooLarge, says: "more than 1048576 rows", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header + `<row r="2000000000"><c><v>1</v></c></row>`)}, nil)
			}},
		{name: "more rows than Excel has", code: apperr.TooLarge, says: "more than 1048576 rows", rowsMin: 1 << 20,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header, `<row/>`, "", 7<<20)))}, nil)
			}},
		{name: "one giant cell text", code: apperr.Invalid, says: "cell longer than 32767 characters", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header+`<row><c t="inlineStr"><is><t>`, "abcdefgh", `</t></is></c></row>`, 8<<20)))}, nil)
			}},
		{name: "a cell of many runs", code: apperr.Invalid, says: "longer than 32767 characters", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(string(big(header+`<row><c t="inlineStr"><is>`, `<r><t>`+longText[:2000]+`</t></r>`, `</is></c></row>`, 200<<10)))}, nil)
			}},
		{name: "one giant tag", code: apperr.Invalid, says: "cell or tag longer than", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header+`<row><c r="A2" x="`, "zzzzzzzz", `"/></row>`, 8<<20)))}, nil)
			}},
		{name: "giant CDATA full of <", code: apperr.Invalid, says: "cell or tag longer than", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header+`<![CDATA[`, "<<<<<<<<", `]]>`, 8<<20)))}, nil)
			}},
		{name: "deep nesting", code: apperr.Invalid, says: "nested deeper than 32 levels", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header, `<x>`, "", 1<<20)))}, nil)
			}},
		{name: "many zip entries", atRecv: true, code: apperr.Invalid, says: "holds 3004 parts, more than 2000",
			file: func() []byte { return book(t, zpart{method: zip.Deflate, body: sheetXML(header)}, nil, many...) }},
		{name: "a row of 20,000 cells", code: apperr.Invalid, says: "holds more than 16384 cells", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Store, body: sheetXML(string(big(header+`<row>`, `<c/>`, `</row>`, 80000)))}, nil)
			}},
		{name: "a value beyond the column limit", code: apperr.Invalid, says: "row 2 has 702 columns, more than 500", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header + `<row><c r="ZZ2"><v>1</v></c></row>`)}, nil)
			}},
		{name: "a reference beyond XFD", code: apperr.Invalid, says: "an invalid reference", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header + `<row><c r="XFE2"><v>1</v></c></row>`)}, nil)
			}},
		{name: "missing shared string", code: apperr.Invalid, says: "text the workbook does not hold", rowsMin: 1,
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header + `<row><c t="s"><v>99</v></c></row>`)}, nil)
			}},
		{name: "unsupported compression", code: apperr.Invalid, says: "method that is not supported",
			file: func() []byte {
				return book(t, zpart{method: 12, raw: []byte("BZh9"), declared: 100, crc: 1}, nil)
			}},
		{name: "damaged part (checksum)", code: apperr.Invalid, says: "damaged",
			file: func() []byte {
				return book(t, zpart{method: zip.Store, raw: sheetXML(header), declared: uint64(len(sheetXML(header))), crc: 42}, nil)
			}},
		{name: "parse deadline", code: apperr.TooLarge, says: "could not be read within 0 seconds",
			limits: func(l *upload.Limits) { l.MaxParseTime = time.Nanosecond },
			file: func() []byte {
				return book(t, zpart{method: zip.Deflate, body: sheetXML(header)}, nil)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := receiver(t, 64<<20)
			if c.limits != nil {
				c.limits(&rc.Limits)
			}
			content := c.file()
			var f *upload.File
			var rows int
			err, took, peak, alloc := measure(func() error {
				var err error
				if f, err = rc.Receive(context.Background(), bytes.NewReader(content), "h.xlsx"); err != nil {
					return err
				}
				defer f.Close()
				return f.Rows(context.Background(), func(int, []string) error { rows++; return nil })
			})
			t.Logf("%-40s %6.1f MB file: %v after %v, heap peak +%.1f MB, allocated %.1f MB, %d rows",
				c.name, float64(len(content))/(1<<20), err, took.Round(time.Millisecond), float64(peak)/(1<<20), float64(alloc)/(1<<20), rows)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != c.code || !strings.Contains(ae.Message, c.says) || ae.Fields["file"] == "" {
				t.Fatalf("err %v, want %s saying %q on field file", err, c.code, c.says)
			}
			if rows < c.rowsMin {
				t.Errorf("%d rows seen before the refusal, want at least %d", rows, c.rowsMin)
			}
			if c.atRecv != (f == nil) {
				t.Errorf("refused at receive: %v, want %v", f == nil, c.atRecv)
			}
			if took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if peak > 64<<20 {
				t.Errorf("heap grew by %d MB", peak>>20)
			}
			if n := leftovers(t, rc); n != 0 {
				t.Errorf("%d temporary files left", n)
			}
		})
	}
}

// TestSparseRows: the last row Excel allows is read without reporting the
// million rows in between.
func TestSparseRows(t *testing.T) {
	rc := receiver(t, 1<<20)
	f, err := receive(t, rc, "s.xlsx", book(t, zpart{method: zip.Deflate, body: sheetXML(
		`<row r="1"><c t="inlineStr"><is><t>id</t></is></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>`)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := readRows(f)
	want := []row{{1, []string{"id"}}, {1048576, []string{"1"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v err %v", got, err)
	}
	sum, err := f.Validate(context.Background(), []upload.Column{{Name: "id", Type: "integer"}})
	if err != nil || sum.Rows != 1 {
		t.Fatalf("validate: %+v %v", sum, err)
	}
}

// TestRowsCancelled: the caller's cancellation stops a pass and is not
// reported as the file's fault.
func TestRowsCancelled(t *testing.T) {
	rc := receiver(t, 1<<20)
	f, err := receive(t, rc, "c.xlsx", book(t, zpart{method: zip.Deflate, body: sheetXML(`<row><c><v>1</v></c></row>`)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Rows(ctx, func(int, []string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestJSONBounds: one value, one record and the number of records are
// bounded; a long value does not make the next short ones fail.
func TestJSONBounds(t *testing.T) {
	rc := receiver(t, 16<<20)
	rc.Limits.MaxTokenBytes = 64 << 10
	rc.Limits.MaxRecordBytes = 128 << 10
	rc.Limits.MaxRows = 100
	long := strings.Repeat("长", 20<<10) // 60 KB
	var ok strings.Builder
	ok.WriteString(`[{"a":"` + long + `"}`)
	for range 99 {
		ok.WriteString(`,{"a":"x"}`)
	}
	ok.WriteString("]")
	f, err := receive(t, rc, "ok.json", []byte(ok.String()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := f.Records(context.Background(), func(int, map[string]any) error { n++; return nil }); err != nil || n != 100 {
		t.Fatalf("good JSON: %d records, %v", n, err)
	}
	for _, c := range []struct{ name, json, says string }{
		{"value", `[{"a":"` + strings.Repeat("x", 70<<10) + `"}]`, "a value longer than 64 KB"},
		{"record", `[{"a":"` + long + `","b":"` + long + `","c":"` + long + `"}]`, "record 1 of the JSON is larger than 128 KB"},
		{"records", "[" + strings.Repeat(`{"a":1},`, 100) + `{"a":1}]`, "more than 100 records"},
	} {
		f, err := receive(t, rc, c.name+".json", []byte(c.json))
		if err == nil {
			err = f.Records(context.Background(), func(int, map[string]any) error { return nil })
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || !strings.Contains(ae.Message, c.says) {
			t.Errorf("%s: %v, want %q", c.name, err, c.says)
		}
	}
}

// TestCSVRowLimit: a CSV with more rows than the limit is refused.
func TestCSVRowLimit(t *testing.T) {
	rc := receiver(t, 1<<20)
	rc.Limits.MaxRows = 10
	f, err := receive(t, rc, "r.csv", []byte("id\n"+strings.Repeat("1\n", 10)))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Rows(context.Background(), func(int, []string) error { return nil })
	if !apperr.Is(err, apperr.TooLarge) || !strings.Contains(err.Error(), "more than 10 rows") {
		t.Fatalf("rows: %v", err)
	}
}
