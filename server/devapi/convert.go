package devapi

import (
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formats a conversion can produce, with their media types and extensions.
var Formats = map[string]struct{ MediaType, Ext string }{
	"csv":    {"text/csv; charset=utf-8", ".csv"},
	"json":   {"application/json; charset=utf-8", ".json"},
	"ndjson": {"application/x-ndjson; charset=utf-8", ".ndjson"},
	"xlsx":   {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
	"xml":    {"application/xml; charset=utf-8", ".xml"},
}

// RowWriter writes a table in one format. Begin is called once, Row per
// row (values are only valid during the call), End once at the end.
type RowWriter interface {
	Begin(cols []Column) error
	Row(vals []string) error
	End() error
}

// NewRowWriter returns the writer of a format (a key of Formats). bom
// makes the "CSV for Excel" variant: a UTF-8 byte-order mark so Excel reads
// Chinese text correctly, and cells Excel would run as formulas defused
// (see unsafeForExcel). Every writer holds one row at a time.
func NewRowWriter(format string, w io.Writer, bom bool) (RowWriter, error) {
	switch format {
	case "csv":
		return &csvWriter{w: w, bom: bom}, nil
	case "json":
		return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case "ndjson":
		return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), lines: true}, nil
	case "xml":
		return &xmlWriter{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case "xlsx":
		return newXLSXWriter(w), nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// Convert streams the whole table through a writer and returns the rows written.
func Convert(t *Table, rw RowWriter) (int64, error) {
	if err := rw.Begin(t.Columns); err != nil {
		return 0, err
	}
	for {
		vals, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t.Rows, err
		}
		if err := rw.Row(vals); err != nil {
			return t.Rows, err
		}
	}
	return t.Rows, rw.End()
}

// ---- CSV

type csvWriter struct {
	w    io.Writer
	bom  bool // the Excel variant: BOM and defused formulas
	bw   *bufio.Writer
	cw   *csv.Writer
	safe []string // reused copy of a row with defused cells
}

func (c *csvWriter) Begin(cols []Column) error {
	c.bw = bufio.NewWriterSize(c.w, 64<<10)
	if c.bom {
		c.bw.Write(utf8BOM)
	}
	c.cw = csv.NewWriter(c.bw)
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return c.Row(names)
}

func (c *csvWriter) Row(vals []string) error {
	if !c.bom || !slices.ContainsFunc(vals, unsafeForExcel) {
		return c.cw.Write(vals)
	}
	c.safe = c.safe[:0]
	for _, v := range vals {
		if unsafeForExcel(v) {
			v = "'" + v
		}
		c.safe = append(c.safe, v)
	}
	return c.cw.Write(c.safe)
}

// unsafeForExcel reports whether a cell must be defused before it goes to
// a spreadsheet: Excel and LibreOffice run a cell that starts with =, +, -,
// @, tab or CR as a formula (CSV injection, OWASP), so the Excel variant
// prefixes it with ' and it is shown as text. A plain negative number
// ("-12.5", "-3e5") is left alone: Excel reads it as a number, it cannot
// hold a formula, and prefixing would turn every negative figure into
// text. The stored original and format=csv are never altered.
func unsafeForExcel(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !(s[0] == '-' && IsJSONNumber(s))
	}
	return false
}

func (c *csvWriter) End() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// ---- JSON array and NDJSON: one object per row, values typed by the
// data item types (numbers as numbers, booleans as booleans, empty as null).

type jsonWriter struct {
	w     *bufio.Writer
	lines bool
	keys  [][]byte
	types []string
	buf   []byte
	n     int64
}

func (j *jsonWriter) Begin(cols []Column) error {
	j.keys = make([][]byte, len(cols))
	j.types = make([]string, len(cols))
	for i, c := range cols {
		k := appendJSONString(nil, c.Name)
		j.keys[i] = append(k, ':')
		j.types[i] = c.Type
	}
	if !j.lines {
		_, err := j.w.WriteString("[")
		return err
	}
	return nil
}

func (j *jsonWriter) Row(vals []string) error {
	b := j.buf[:0]
	if !j.lines && j.n > 0 {
		b = append(b, ',')
	}
	if !j.lines {
		b = append(b, '\n')
	}
	b = append(b, '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		b = AppendJSONValue(b, j.types[i], v)
	}
	b = append(b, '}')
	if j.lines {
		b = append(b, '\n')
	}
	j.buf = b
	j.n++
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) End() error {
	if !j.lines {
		if j.n > 0 {
			j.w.WriteString("\n")
		}
		j.w.WriteString("]\n")
	}
	return j.w.Flush()
}

// TypedValue is a cell as JSON sees it: nil, json-ready number text
// (jsonNumber), bool or string.
func TypedValue(typ, s string) any {
	if s == "" {
		if typ == "string" {
			return ""
		}
		return nil
	}
	switch typ {
	case "integer", "number":
		if IsJSONNumber(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f
			}
		}
	case "boolean":
		if b, ok := ParseBool(s); ok {
			return b
		}
	}
	return s
}

// ParseBool reads the boolean spellings found in government tables.
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "是", "yes", "y", "t":
		return true, true
	case "false", "0", "否", "no", "n", "f":
		return false, true
	}
	return false, false
}

// AppendJSONValue appends s typed by the column type.
func AppendJSONValue(b []byte, typ, s string) []byte {
	if s == "" {
		if typ == "string" {
			return append(b, '"', '"')
		}
		return append(b, "null"...)
	}
	switch typ {
	case "integer", "number":
		if IsJSONNumber(s) {
			return append(b, s...)
		}
	case "boolean":
		if v, ok := ParseBool(s); ok {
			return strconv.AppendBool(b, v)
		}
	}
	return appendJSONString(b, s)
}

// IsJSONNumber reports whether s is a number in JSON's grammar.
func IsJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ---- XML: <table><row><name>value</name>…</row></table>

type xmlWriter struct {
	w     *bufio.Writer
	open  []string
	close []string
}

var xmlName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func (x *xmlWriter) Begin(cols []Column) error {
	x.open = make([]string, len(cols))
	x.close = make([]string, len(cols))
	for i, c := range cols {
		if xmlName.MatchString(c.Name) && !strings.HasPrefix(strings.ToLower(c.Name), "xml") {
			x.open[i], x.close[i] = "<"+c.Name+">", "</"+c.Name+">"
		} else {
			var b strings.Builder
			xml.EscapeText(&b, []byte(c.Name))
			x.open[i], x.close[i] = `<field name="`+strings.ReplaceAll(b.String(), `"`, "&quot;")+`">`, "</field>"
		}
	}
	_, err := x.w.WriteString(xml.Header + "<table>\n")
	return err
}

func (x *xmlWriter) Row(vals []string) error {
	x.w.WriteString("<row>")
	for i, v := range vals {
		x.w.WriteString(x.open[i])
		xml.EscapeText(x.w, []byte(v))
		x.w.WriteString(x.close[i])
	}
	_, err := x.w.WriteString("</row>\n")
	return err
}

func (x *xmlWriter) End() error {
	x.w.WriteString("</table>\n")
	return x.w.Flush()
}

// ---- XLSX: see xlsx.go (SpreadsheetML streamed into a zip).
