package devapi

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// XLSX is written by hand as SpreadsheetML (ECMA-376) into a zip that
// streams to the client: every row is encoded and compressed as it is
// read, so memory stays flat whatever the table size (a library that
// builds the workbook, even in "stream" mode, holds a sheet before its zip
// write). Cells are typed by the data items: numbers and booleans as
// values, dates as serial numbers with a date format, text as inline
// strings (no shared-strings table, which would grow with the file).

// MaxSheetRows is Excel's row limit per sheet, header included. A longer
// table continues on Sheet2, Sheet3… with the header repeated.
const MaxSheetRows = 1048576

// Excel's other hard limits (Excel specifications and limits).
const (
	maxSheetColumns = 16384
	maxCellChars    = 32767 // UTF-16 units; longer text is cut there
)

const (
	styleDate     = 1 // cellXfs index: yyyy-mm-dd
	styleDateTime = 2 // yyyy-mm-dd hh:mm:ss
	styleHeader   = 3 // bold
)

type xlsxWriter struct {
	out     io.Writer
	maxRows int // rows per sheet, header included (MaxSheetRows)
	zw      *zip.Writer
	bw      *bufio.Writer
	cols    []Column
	refs    [][]byte // column letters
	sheets  int
	row     int // rows written on the current sheet, header included
	buf     []byte
}

func newXLSXWriter(w io.Writer) *xlsxWriter {
	return &xlsxWriter{out: w, maxRows: MaxSheetRows}
}

func (x *xlsxWriter) Begin(cols []Column) error {
	if len(cols) > maxSheetColumns {
		return fmt.Errorf("an XLSX sheet holds at most %d columns, the table has %d", maxSheetColumns, len(cols))
	}
	x.cols = cols
	x.refs = make([][]byte, len(cols))
	for i := range cols {
		x.refs[i] = columnLetters(i)
	}
	x.zw = zip.NewWriter(x.out)
	// Fast deflate: XML rows compress well at any level, and the level
	// decides the conversion's throughput.
	x.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, p := range [][2]string{
		{"[Content_Types].xml", xlsxContentTypes},
		{"_rels/.rels", xlsxRootRels},
		{"xl/styles.xml", xlsxStyles},
	} {
		f, err := x.zw.Create(p[0])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p[1]); err != nil {
			return err
		}
	}
	return x.startSheet()
}

// startSheet opens the next worksheet part and writes the header row.
func (x *xlsxWriter) startSheet() error {
	x.sheets++
	f, err := x.zw.Create("xl/worksheets/sheet" + strconv.Itoa(x.sheets) + ".xml")
	if err != nil {
		return err
	}
	if x.bw == nil {
		x.bw = bufio.NewWriterSize(f, 64<<10)
	} else {
		x.bw.Reset(f)
	}
	// The header row stays in view while scrolling.
	x.bw.WriteString(xmlDecl + `<worksheet xmlns="` + nsMain + `"><sheetViews><sheetView workbookViewId="0">` +
		`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`)
	x.row = 1
	b := append(x.buf[:0], `<row r="1">`...)
	for i, c := range x.cols {
		b = x.appendString(b, i, styleHeader, c.Name)
	}
	b = append(b, "</row>"...)
	x.buf = b
	_, err = x.bw.Write(b)
	return err
}

func (x *xlsxWriter) endSheet() error {
	x.bw.WriteString("</sheetData></worksheet>")
	return x.bw.Flush()
}

func (x *xlsxWriter) Row(vals []string) error {
	if x.row >= x.maxRows {
		if err := x.endSheet(); err != nil {
			return err
		}
		if err := x.startSheet(); err != nil {
			return err
		}
	}
	x.row++
	b := append(x.buf[:0], `<row r="`...)
	b = strconv.AppendInt(b, int64(x.row), 10)
	b = append(b, `">`...)
	for i, v := range vals {
		b = x.appendCell(b, i, x.cols[i].Type, v)
	}
	b = append(b, "</row>"...)
	x.buf = b
	_, err := x.bw.Write(b)
	return err
}

func (x *xlsxWriter) End() error {
	if err := x.endSheet(); err != nil {
		return err
	}
	wb, err := x.zw.Create("xl/workbook.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(wb)
	bw.WriteString(xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	for i := 1; i <= x.sheets; i++ {
		fmt.Fprintf(bw, `<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>`, i, i, i)
	}
	bw.WriteString(`</sheets></workbook>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	rels, err := x.zw.Create("xl/_rels/workbook.xml.rels")
	if err != nil {
		return err
	}
	bw.Reset(rels)
	bw.WriteString(xmlDecl + `<Relationships xmlns="` + nsPkgRel + `">`)
	for i := 1; i <= x.sheets; i++ {
		fmt.Fprintf(bw, `<Relationship Id="rId%d" Type="`+nsRel+`/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	fmt.Fprintf(bw, `<Relationship Id="rId%d" Type="`+nsRel+`/styles" Target="styles.xml"/>`, x.sheets+1)
	bw.WriteString(`</Relationships>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return x.zw.Close()
}

// appendCell appends one typed cell; an empty value is no cell at all.
func (x *xlsxWriter) appendCell(b []byte, i int, typ, s string) []byte {
	if s == "" {
		return b
	}
	switch typ {
	case "integer", "number":
		if excelNumber(s) {
			return x.appendValue(b, i, "n", 0, s)
		}
	case "boolean":
		if v, ok := ParseBool(s); ok {
			if v {
				return x.appendValue(b, i, "b", 0, "1")
			}
			return x.appendValue(b, i, "b", 0, "0")
		}
	case "date":
		if t, err := time.Parse("2006-01-02", s); err == nil {
			if serial, ok := excelSerial(t); ok {
				return x.appendValue(b, i, "n", styleDate, strconv.FormatFloat(serial, 'f', -1, 64))
			}
		}
	case "datetime":
		for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil {
				if serial, ok := excelSerial(t); ok {
					return x.appendValue(b, i, "n", styleDateTime, strconv.FormatFloat(serial, 'f', -1, 64))
				}
				break
			}
		}
	}
	// Text, and values that do not parse as their type, stay as written
	// (leading zeros and long codes are kept).
	return x.appendString(b, i, 0, s)
}

func (x *xlsxWriter) appendValue(b []byte, i int, t string, style int, v string) []byte {
	b = append(b, `<c r="`...)
	b = x.appendRef(b, i)
	if t != "" {
		b = append(b, `" t="`...)
		b = append(b, t...)
	}
	if style != 0 {
		b = append(b, `" s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
	}
	b = append(b, `"><v>`...)
	b = append(b, v...)
	return append(b, "</v></c>"...)
}

func (x *xlsxWriter) appendString(b []byte, i, style int, s string) []byte {
	b = append(b, `<c r="`...)
	b = x.appendRef(b, i)
	b = append(b, `" t="inlineStr`...)
	if style != 0 {
		b = append(b, `" s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
	}
	b = append(b, `"><is><t xml:space="preserve">`...)
	b = appendXLSXText(b, s)
	return append(b, "</t></is></c>"...)
}

func (x *xlsxWriter) appendRef(b []byte, i int) []byte {
	b = append(b, x.refs[i]...)
	return strconv.AppendInt(b, int64(x.row), 10)
}

// columnLetters returns the column name of a 0-based index: A … Z, AA …
func columnLetters(i int) []byte {
	var rev []byte
	for i++; i > 0; i = (i - 1) / 26 {
		rev = append(rev, byte('A'+(i-1)%26))
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	return rev
}

// excelNumber reports whether s can be a numeric cell without losing
// anything: a JSON-grammar number, finite, with at most 15 significant
// digits (Excel keeps 15; an 18-digit code would come back changed, so it
// stays text).
func excelNumber(s string) bool {
	if !IsJSONNumber(s) {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.Abs(f) > 9.99999999999999e307 {
		return false
	}
	digits, seen := 0, false
	trailingZeros := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'e' || c == 'E' {
			break
		}
		if c < '0' || c > '9' {
			continue
		}
		if c == '0' && !seen {
			continue // leading zeros
		}
		seen = true
		digits++
		if c == '0' {
			trailingZeros++
		} else {
			trailingZeros = 0
		}
	}
	return digits-trailingZeros <= 15
}

// excelSerial converts a wall-clock time to Excel's 1900 date system: days
// since 1899-12-30, the 1900 leap-year quirk included. Times before 1900
// have no serial and stay text.
func excelSerial(t time.Time) (float64, bool) {
	y, m, d := t.Date()
	if y < 1900 || y > 9999 {
		return 0, false
	}
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := float64(day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
	if day.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		days-- // Excel counts a 29 February 1900 that never was
	}
	secs := t.Hour()*3600 + t.Minute()*60 + t.Second()
	frac := (float64(secs) + float64(t.Nanosecond())/1e9) / 86400
	return days + frac, true
}

// appendXLSXText escapes cell text for a <t> element: XML's specials,
// carriage returns kept as character references, characters XML 1.0
// cannot carry as OOXML's _xHHHH_ escapes (and a literal "_xHHHH_" guarded
// by _x005F_ so it reads back as written), invalid UTF-8 as U+FFFD, and
// the text cut at Excel's 32,767 characters.
func appendXLSXText(b []byte, s string) []byte {
	units := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		if units += 1 + boolInt(r > 0xFFFF); units > maxCellChars {
			break
		}
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\r':
			b = append(b, "&#13;"...)
		case r == '\t' || r == '\n':
			b = append(b, byte(r))
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
			b = fmt.Appendf(b, "_x%04X_", r)
		case r == '_' && isOOXMLEscape(s[i:]):
			b = append(b, "_x005F_"...)
		default:
			b = utf8.AppendRune(b, r)
		}
		i += size
	}
	return b
}

// isOOXMLEscape reports whether s starts with _xHHHH_.
func isOOXMLEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const (
	xmlDecl  = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain   = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// The content types are written first, before the number of sheets is
// known: every .xml part not named otherwise is a worksheet.
const xlsxContentTypes = xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
	`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
	`</Types>`

const xlsxRootRels = xmlDecl + `<Relationships xmlns="` + nsPkgRel + `">` +
	`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`

// Styles: 0 default, 1 date, 2 date and time, 3 bold header.
const xlsxStyles = xmlDecl + `<styleSheet xmlns="` + nsMain + `">` +
	`<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`
