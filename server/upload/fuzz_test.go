package upload

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/apperr"
)

// fuzzLimits are small so that an input reaches them.
func fuzzLimits() Limits {
	l := DefaultLimits(1 << 20)
	l.MaxColumns = 20
	l.MaxRows = 1000
	l.MaxSharedStrings = 100
	l.MaxSharedStringBytes = 4 << 10
	l.MaxLineBytes = 1 << 10
	l.MaxTokenBytes = 8 << 10
	l.MaxRecordBytes = 8 << 10
	l.MaxParseTime = 5 * time.Second
	return l
}

// tinyBook is a small valid workbook: shared and inline strings, numbers,
// a boolean, a sparse cell and a skipped row.
func tinyBook(sheet, sst string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	parts := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheet + `</sheetData></worksheet>`},
	}
	if sst != "" {
		parts = append(parts, [2]string{"xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sst + `</sst>`})
	}
	for _, p := range parts {
		f, _ := w.Create(p[0])
		f.Write([]byte(p[1]))
	}
	w.Close()
	return b.Bytes()
}

func xlsxSeeds() [][]byte {
	return [][]byte{
		tinyBook(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>数量</t></is></c></row><row r="3"><c r="A3" t="s"><v>1</v></c><c r="C3"><v>1.5</v></c><c r="D3" t="b"><v>1</v></c></row>`,
			`<si><t>名称</t></si><si><r><t>黑龙</t></r><r><t>江</t></r></si>`),
		tinyBook(`<row><c><v>1</v></c><c t="e"><v>#N/A</v></c></row><row><c r="B2" t="str"><f>A1</f><v>x_x000D_</v></c></row>`, ""),
		tinyBook(`<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`, ""),
	}
}

// FuzzXLSXRows: the workbook reader on arbitrary bytes never panics, stays
// within its limits, answers a 4xx (or nothing) and finishes quickly.
func FuzzXLSXRows(f *testing.F) {
	for _, s := range xlsxSeeds() {
		f.Add(s)
	}
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		last := 0
		err := readXLSX(context.Background(), bytes.NewReader(data), int64(len(data)), lim, func(line int, cells []string) error {
			if line <= last || line > excelRows {
				t.Fatalf("row %d after %d", line, last)
			}
			last = line
			if len(cells) > lim.MaxColumns {
				t.Fatalf("row %d: %d cells", line, len(cells))
			}
			for _, c := range cells {
				if len(c) > maxCellBytes {
					t.Fatalf("row %d: a cell of %d bytes", line, len(c))
				}
			}
			return nil
		})
		checkFileError(t, err)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// FuzzSniffCSV: receiving arbitrary bytes named .csv (format and encoding
// sniffing, normalisation) and reading them as a table never panics; what
// is accepted as CSV is stored as UTF-8 and read within the limits.
func FuzzSniffCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "名称,数量\n黑龙江,1\n", "\xEF\xBB\xBFa\n1\n", "\xc3\xfb\xb3\xc6,x\n", "\"a\"\"b\",c\r\n", "[1,2]", "{\"a\":1}", "PK\x03\x04", "\x00\x01", "a\n\"unterminated"} {
		f.Add([]byte(s))
	}
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		rc := &Receiver{TempDir: t.TempDir(), Limits: lim}
		start := time.Now()
		file, err := rc.Receive(context.Background(), bytes.NewReader(data), "f.csv")
		checkFileError(t, err)
		if err != nil {
			return
		}
		defer file.Close()
		if file.Format == CSV {
			r, _ := file.Open()
			var b bytes.Buffer
			b.ReadFrom(r)
			r.Close()
			if !utf8.Valid(b.Bytes()) || bytes.HasPrefix(b.Bytes(), []byte("\xEF\xBB\xBF")) {
				t.Fatalf("stored CSV is not clean UTF-8: %q", b.Bytes())
			}
		}
		switch file.Format {
		case CSV, XLSX:
			err = file.Rows(context.Background(), func(line int, cells []string) error {
				if len(cells) > lim.MaxColumns {
					t.Fatalf("line %d: %d cells", line, len(cells))
				}
				return nil
			})
		case JSON:
			err = file.Records(context.Background(), func(int, map[string]any) error { return nil })
		}
		checkFileError(t, err)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// checkFileError fails on an error that is not the file's fault (4xx).
func checkFileError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge) {
		t.Fatalf("not a 4xx file error: %v", err)
	}
	if strings.TrimSpace(ae.Message) == "" {
		t.Fatal("empty message")
	}
}
