package upload

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

// checkXLSX opens the archive's directory (never its content) and refuses
// anything that is not a workbook or that declares more than the limits.
// Declared sizes may lie: reading counts the bytes really inflated
// (xlsx.go); this only refuses the honest bombs early.
func (f *File) checkXLSX() error {
	zr, err := zip.OpenReader(f.path)
	if err != nil {
		return fileError(apperr.Invalid, "the file looks like a zip archive but cannot be read")
	}
	defer zr.Close()
	if len(zr.File) > f.lim.MaxZipEntries {
		return fileError(apperr.Invalid, "the workbook holds %d parts, more than %d", len(zr.File), f.lim.MaxZipEntries)
	}
	limit := uint64(min(f.lim.MaxUnzipBytes, int64(f.lim.MaxUnzipRatio)*f.Size+ratioSlack))
	var total uint64
	hasTypes, hasBook := false, false
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > limit || e.UncompressedSize64 > limit {
			// Zip bomb, or a workbook far too large to check.
			return fileError(apperr.Invalid, "the workbook unzips to more than %s", humanBytes(int64(limit)))
		}
		switch strings.ToLower(strings.ReplaceAll(e.Name, "\\", "/")) {
		case "[content_types].xml":
			hasTypes = true
		case "xl/workbook.xml":
			hasBook = true
		}
	}
	if !hasTypes || !hasBook {
		return fileError(apperr.Invalid, "the file is a zip archive but not an XLSX workbook; accepted are CSV, XLSX and JSON")
	}
	return nil
}

// checkJSON reads the whole document with a streaming decoder: one valid
// JSON value and nothing after it.
func (f *File) checkJSON() error {
	fh, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	defer fh.Close()
	g := &tokenGuard{r: bufio.NewReader(fh), max: f.lim.MaxTokenBytes}
	dec := json.NewDecoder(g)
	depth := 0
	for {
		g.n = 0
		tok, err := dec.Token()
		if err == io.EOF && depth != 0 {
			return fileError(apperr.Invalid, "the file is not valid JSON: it ends before its last bracket")
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTokenTooLong) {
			return fileError(apperr.Invalid, "the JSON holds a value longer than %s", humanBytes(int64(f.lim.MaxTokenBytes)))
		}
		if err != nil {
			return fileError(apperr.Invalid, "the file is not valid JSON: %s", jsonMessage(err))
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			if depth > 64 {
				return fileError(apperr.Invalid, "the JSON is nested deeper than 64 levels")
			}
		case json.Delim(']'), json.Delim('}'):
			depth--
			if depth == 0 && dec.More() {
				return fileError(apperr.Invalid, "the file holds more than one JSON value")
			}
		}
	}
	return nil
}

func jsonMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	return err.Error()
}

// Rows calls fn for each row of a CSV file or of an XLSX workbook's first
// worksheet, with its line number (the header is line 1; a row number a
// worksheet skips is not reported). Trailing empty cells may be missing.
// Rows stop at the first error fn returns, and after MaxParseTime.
func (f *File) Rows(ctx context.Context, fn func(line int, cells []string) error) error {
	ctx, cancel := f.deadline(ctx)
	defer cancel()
	var err error
	switch f.Format {
	case CSV:
		err = f.csvRows(ctx, fn)
	case XLSX:
		err = f.xlsxRows(ctx, fn)
	default:
		return fileError(apperr.Invalid, "%s is not a table: use CSV or XLSX", f.Format)
	}
	return f.timedOut(ctx, err)
}

// deadline bounds one pass over the file.
func (f *File) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.lim.MaxParseTime <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, f.lim.MaxParseTime, errParseTime)
}

var errParseTime = errors.New("parse time limit")

// timedOut words our own deadline for the user; the caller's cancellation
// stays what it is.
func (f *File) timedOut(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errParseTime) {
		return fileError(apperr.TooLarge, "the file could not be read within %d seconds: split it into smaller files", int(f.lim.MaxParseTime.Seconds()))
	}
	return err
}

func (f *File) csvRows(ctx context.Context, fn func(int, []string) error) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	defer fh.Close()
	lr := &lineLimitReader{r: bufio.NewReaderSize(fh, 64<<10), max: f.lim.MaxLineBytes}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = false
	for n := 1; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, errLineTooLong) {
			return fileError(apperr.Invalid, "line %d is longer than %s", n, humanBytes(int64(f.lim.MaxLineBytes)))
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			e := apperr.New(apperr.Invalid, "the CSV cannot be read at line %d", pe.Line)
			e.Fields = map[string]string{fmt.Sprintf("rows[%d]", pe.Line): pe.Err.Error()}
			return e
		}
		if err != nil {
			return apperr.Internalf(err, "read CSV")
		}
		if len(rec) > f.lim.MaxColumns {
			return fileError(apperr.Invalid, "line %d has %d columns, more than %d", n, len(rec), f.lim.MaxColumns)
		}
		if n > f.lim.MaxRows {
			return fileError(apperr.TooLarge, "the file has more than %d rows", f.lim.MaxRows)
		}
		if err := fn(n, rec); err != nil {
			return err
		}
	}
}

var errLineTooLong = errors.New("line too long")

// lineLimitReader fails when a line grows past max bytes: encoding/csv
// holds a whole record in memory.
type lineLimitReader struct {
	r   *bufio.Reader
	max int
	cur int
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.cur = 0
		} else if l.cur++; l.cur > l.max {
			return 0, errLineTooLong
		}
	}
	return n, err
}

func (f *File) xlsxRows(ctx context.Context, fn func(int, []string) error) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	return readXLSX(ctx, fh, st.Size(), f.lim, fn)
}

var errTokenTooLong = errors.New("token too long")

// tokenGuard fails when more than max bytes are read without the decoder
// returning (n is reset by the caller before each token): encoding/json
// holds a whole token, or a whole element with Decode, in memory.
type tokenGuard struct {
	r      io.Reader
	n, max int
}

func (g *tokenGuard) Read(p []byte) (int, error) {
	// Small reads: a decoder whose buffer grew for one long value must not
	// charge a big read-ahead to the next, short one.
	if len(p) > 16<<10 {
		p = p[:16<<10]
	}
	n, err := g.r.Read(p)
	if g.n += n; g.n > g.max {
		return 0, errTokenTooLong
	}
	return n, err
}

// Records calls fn for each element of a JSON file that is an array of
// objects, with its 1-based position. An element is at most MaxRecordBytes,
// there are at most MaxRows, the pass at most MaxParseTime.
func (f *File) Records(ctx context.Context, fn func(n int, rec map[string]any) error) error {
	if f.Format != JSON {
		return fileError(apperr.Invalid, "the file is not JSON")
	}
	ctx, cancel := f.deadline(ctx)
	defer cancel()
	return f.timedOut(ctx, f.records(ctx, fn))
}

func (f *File) records(ctx context.Context, fn func(n int, rec map[string]any) error) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	defer fh.Close()
	g := &tokenGuard{r: bufio.NewReader(fh), max: f.lim.MaxRecordBytes}
	dec := json.NewDecoder(g)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fileError(apperr.Invalid, "the JSON must be an array of objects, one per row")
	}
	for n := 1; ; n++ {
		g.n = 0
		if !dec.More() {
			break
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if n > f.lim.MaxRows {
			return fileError(apperr.TooLarge, "the JSON holds more than %d records", f.lim.MaxRows)
		}
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil || rec == nil {
			if errors.Is(err, errTokenTooLong) {
				return fileError(apperr.Invalid, "record %d of the JSON is larger than %s", n, humanBytes(int64(f.lim.MaxRecordBytes)))
			}
			e := apperr.New(apperr.Invalid, "the JSON must be an array of objects, one per row")
			e.Fields = map[string]string{fmt.Sprintf("rows[%d]", n): "not an object"}
			return e
		}
		if err := fn(n, rec); err != nil {
			return err
		}
	}
	return nil
}

// Column is a declared data item a tabular file must match.
type Column struct {
	Name     string // machine name, e.g. "reg_no"
	Label    string // display name, e.g. "注册号"; a header may use either
	Type     string // string | integer | number | date | datetime | boolean
	Required bool
}

// Summary is what validation found.
type Summary struct {
	Rows    int64
	Columns []string // the declared names present, in file order
}

// problems collects per-cell errors up to a limit.
type problems struct {
	max    int
	fields map[string]string
	more   bool
}

func (p *problems) add(field, format string, args ...any) {
	if p.fields == nil {
		p.fields = map[string]string{}
	}
	if _, ok := p.fields[field]; ok {
		return
	}
	if len(p.fields) >= p.max {
		p.more = true
		return
	}
	p.fields[field] = fmt.Sprintf(format, args...)
}

// full reports that no more problems are collected; the file was not
// read to its end, so there may be more.
func (p *problems) full() bool {
	if len(p.fields) >= p.max {
		p.more = true
	}
	return p.more
}

func (p *problems) err(msg string) error {
	if len(p.fields) == 0 {
		return nil
	}
	if p.more {
		p.fields["file"] = fmt.Sprintf("more than %d problems; only the first are listed", p.max)
	}
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: p.fields}
}

var errStop = errors.New("stop")

// Validate checks a tabular file against declared columns: the header
// names (name or label, any order; no unknown columns, every required one
// present), each cell's type and required cells. Problems are reported per
// row and column: "header", "header[3]", "rows[12].reg_no" (row numbers are
// file lines, the header being line 1; JSON rows count from 1).
func (f *File) Validate(ctx context.Context, cols []Column) (Summary, error) {
	if len(cols) == 0 {
		return Summary{}, fileError(apperr.Invalid, "declare the data items before uploading data")
	}
	p := &problems{max: max(f.lim.MaxErrors, 1)}
	var sum Summary
	if f.Format == JSON {
		err := f.Records(ctx, func(n int, rec map[string]any) error {
			sum.Rows++
			checkRecord(p, n, rec, cols, &sum)
			if p.full() {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return sum, err
		}
	} else {
		var index []int // file column → declared column (-1: none)
		err := f.Rows(ctx, func(line int, cells []string) error {
			if index == nil {
				index = matchHeader(p, cells, cols, &sum)
				if len(p.fields) > 0 {
					return errStop // rows cannot be checked against a wrong header
				}
				return nil
			}
			if blank(cells) {
				return nil
			}
			sum.Rows++
			checkRow(p, line, cells, index, cols, f.Format == XLSX)
			if p.full() {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return sum, err
		}
		if index == nil && len(p.fields) == 0 {
			return sum, fileError(apperr.Invalid, "the file is empty: the first row must name the data items")
		}
	}
	if err := p.err("the file does not match the declared data items"); err != nil {
		return sum, err
	}
	if sum.Rows == 0 {
		return sum, fileError(apperr.Invalid, "the file has no data rows")
	}
	return sum, nil
}

func matchHeader(p *problems, header []string, cols []Column, sum *Summary) []int {
	index := make([]int, len(header))
	seen := map[int]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		index[i] = -1
		if h == "" {
			p.add(fmt.Sprintf("header[%d]", i+1), "column %d has no name", i+1)
			continue
		}
		for j, c := range cols {
			if strings.EqualFold(h, c.Name) || (c.Label != "" && h == c.Label) {
				index[i] = j
				break
			}
		}
		if index[i] < 0 {
			p.add(fmt.Sprintf("header[%d]", i+1), "%q is not a declared data item", h)
			continue
		}
		if prev, dup := seen[index[i]]; dup {
			p.add(fmt.Sprintf("header[%d]", i+1), "%q repeats column %d", h, prev+1)
			continue
		}
		seen[index[i]] = i
		sum.Columns = append(sum.Columns, cols[index[i]].Name)
	}
	for j, c := range cols {
		if _, ok := seen[j]; !ok && c.Required {
			p.add("header."+c.Name, "the required data item %q (%s) has no column", c.Name, c.Label)
		}
	}
	return index
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func checkRow(p *problems, line int, cells []string, index []int, cols []Column, excel bool) {
	if len(cells) > len(index) {
		for _, c := range cells[len(index):] {
			if strings.TrimSpace(c) != "" {
				p.add(fmt.Sprintf("rows[%d]", line), "the row has %d cells, the header %d", len(cells), len(index))
				return
			}
		}
	}
	present := map[int]bool{}
	for i, j := range index {
		if j < 0 {
			continue
		}
		present[j] = true
		v := ""
		if i < len(cells) {
			v = strings.TrimSpace(cells[i])
		}
		c := cols[j]
		field := fmt.Sprintf("rows[%d].%s", line, c.Name)
		if v == "" {
			if c.Required {
				p.add(field, "%s is required", c.Name)
			}
			continue
		}
		if msg := checkValue(c.Type, v, excel); msg != "" {
			p.add(field, "%s", msg)
		}
	}
}

func checkRecord(p *problems, n int, rec map[string]any, cols []Column, sum *Summary) {
	byName := map[string]Column{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	for k := range rec {
		if _, ok := byName[k]; !ok {
			p.add(fmt.Sprintf("rows[%d].%s", n, k), "%q is not a declared data item", k)
		}
	}
	if n == 1 {
		for _, c := range cols {
			if _, ok := rec[c.Name]; ok {
				sum.Columns = append(sum.Columns, c.Name)
			}
		}
	}
	for _, c := range cols {
		field := fmt.Sprintf("rows[%d].%s", n, c.Name)
		v, ok := rec[c.Name]
		if !ok || v == nil || v == "" {
			if c.Required {
				p.add(field, "%s is required", c.Name)
			}
			continue
		}
		var msg string
		switch x := v.(type) {
		case json.Number:
			switch c.Type {
			case "integer":
				if _, err := strconv.ParseInt(x.String(), 10, 64); err != nil {
					msg = fmt.Sprintf("%s is not an integer", x)
				}
			case "number", "string":
			default:
				msg = fmt.Sprintf("want %s, got a number", c.Type)
			}
		case string:
			if c.Type == "integer" || c.Type == "number" || c.Type == "boolean" {
				msg = fmt.Sprintf("want %s, got a string", c.Type)
			} else {
				msg = checkValue(c.Type, x, false)
			}
		case bool:
			if c.Type != "boolean" {
				msg = fmt.Sprintf("want %s, got a boolean", c.Type)
			}
		default:
			msg = fmt.Sprintf("want %s, got an object or array", c.Type)
		}
		if msg != "" {
			p.add(field, "%s", msg)
		}
	}
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2"}
var dateTimeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/1/2 15:04:05", "2006/1/2 15:04"}

// checkValue returns "" when v is a valid value of type typ. Workbooks
// store dates as serial numbers, accepted for date columns of XLSX files.
func checkValue(typ, v string, excel bool) string {
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err != nil {
			return fmt.Sprintf("%q is not an integer", clip(v))
		}
	case "number":
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Sprintf("%q is not a number", clip(v))
		}
	case "date", "datetime":
		layouts := dateLayouts
		if typ == "datetime" {
			layouts = append(append([]string{}, dateTimeLayouts...), dateLayouts...)
		}
		for _, l := range layouts {
			if _, err := time.Parse(l, v); err == nil {
				return ""
			}
		}
		if excel {
			if x, err := strconv.ParseFloat(v, 64); err == nil && x > 0 && x < 2958466 {
				return ""
			}
		}
		if typ == "date" {
			return fmt.Sprintf("%q is not a date (YYYY-MM-DD)", clip(v))
		}
		return fmt.Sprintf("%q is not a date and time (YYYY-MM-DD hh:mm:ss)", clip(v))
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "false", "1", "0", "是", "否", "yes", "no", "y", "n":
		default:
			return fmt.Sprintf("%q is not a yes/no value (true, false, 是, 否)", clip(v))
		}
	}
	return ""
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
