package upload

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/xml"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Excel's own bounds (ECMA-376 / Excel specifications): a worksheet has at
// most 1,048,576 rows and 16,384 columns, a cell at most 32,767 characters.
const (
	excelRows      = 1 << 20
	excelColumns   = 1 << 14
	excelCellChars = 32767
	// A cell's text in UTF-8 is at most 4 bytes per character.
	maxCellBytes = 4 * excelCellChars
	// Workbook parts nest about 7 levels (worksheet/sheetData/row/c/is/r/t).
	maxXMLDepth = 32
	// Compressed bytes counted past what flate really consumed (its read
	// buffer) and small parts that barely compress: the ratio check only
	// starts to bite after this much output.
	ratioSlack = 1 << 20
)

// readXLSX streams the first worksheet of the workbook in r, calling fn for
// each row present in the sheet with its row number. Nothing is held but
// one row and the shared-strings table (bounded); every byte inflated is
// counted against the limits, whatever the archive declares.
func readXLSX(ctx context.Context, r io.ReaderAt, size int64, lim Limits, fn func(int, []string) error) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fileError(apperr.Invalid, "the file looks like a zip archive but cannot be read")
	}
	if len(zr.File) > lim.MaxZipEntries {
		return fileError(apperr.Invalid, "the workbook holds %d parts, more than %d", len(zr.File), lim.MaxZipEntries)
	}
	x := &xlsxReader{ctx: ctx, lim: lim, size: size, parts: map[string]*zip.File{}}
	for _, e := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(e.Name, "\\", "/"), "/"))
		if _, dup := x.parts[name]; !dup {
			x.parts[name] = e
		}
	}
	sheet, sst, err := x.locate()
	if err != nil {
		return err
	}
	var strs *stringTable
	if sst != nil {
		if strs, err = x.sharedStrings(sst); err != nil {
			return err
		}
	}
	return x.sheet(sheet, strs, fn)
}

type xlsxReader struct {
	ctx      context.Context
	lim      Limits
	size     int64
	parts    map[string]*zip.File
	inflated int64 // across every part read
}

// locate finds the first sheet of xl/workbook.xml through the workbook's
// relationships (excelize's GetSheetList order), and the shared strings.
func (x *xlsxReader) locate() (sheet, sst *zip.File, err error) {
	book := x.parts["xl/workbook.xml"]
	if book == nil {
		return nil, nil, fileError(apperr.Invalid, "the file is a zip archive but not an XLSX workbook; accepted are CSV, XLSX and JSON")
	}
	rid := ""
	found := false
	err = x.scan(book, x.lim.MaxXMLBytes, func(d *xml.Decoder, t xml.Token) (bool, error) {
		if se, ok := t.(xml.StartElement); ok && se.Name.Local == "sheet" {
			found = true
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return nil, nil, fileError(apperr.Invalid, "the workbook has no worksheet")
	}
	target, sstTarget := "", ""
	if rels := x.parts["xl/_rels/workbook.xml.rels"]; rels != nil {
		err = x.scan(rels, x.lim.MaxXMLBytes, func(d *xml.Decoder, t xml.Token) (bool, error) {
			se, ok := t.(xml.StartElement)
			if !ok || se.Name.Local != "Relationship" {
				return false, nil
			}
			var id, typ, tgt string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "Id":
					id = a.Value
				case "Type":
					typ = a.Value
				case "Target":
					tgt = a.Value
				}
			}
			if rid != "" && id == rid {
				target = tgt
			}
			if strings.HasSuffix(typ, "/sharedStrings") && sstTarget == "" {
				sstTarget = tgt
			}
			return false, nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	if target == "" {
		target = "worksheets/sheet1.xml"
	}
	if sheet = x.parts[partName(target)]; sheet == nil {
		return nil, nil, fileError(apperr.Invalid, "the workbook has no worksheet")
	}
	if sstTarget == "" {
		sstTarget = "sharedStrings.xml"
	}
	return sheet, x.parts[partName(sstTarget)], nil
}

// partName resolves a relationship target of xl/workbook.xml to a part name.
func partName(target string) string {
	target = strings.ToLower(strings.ReplaceAll(target, "\\", "/"))
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join("xl", target)
}

// scan feeds every raw token of a part to fn until fn says stop.
func (x *xlsxReader) scan(zf *zip.File, max int64, fn func(*xml.Decoder, xml.Token) (bool, error)) error {
	p, err := x.open(zf, max)
	if err != nil {
		return err
	}
	defer p.Close()
	d := xml.NewDecoder(p)
	depth := 0
	for {
		p.budget = 0
		t, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return x.xmlError(err, "the workbook cannot be read: %v")
		}
		switch t.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth {
				return fileError(apperr.Invalid, "the workbook is nested deeper than %d levels", maxXMLDepth)
			}
		case xml.EndElement:
			depth--
		}
		stop, err := fn(d, t)
		if err != nil {
			return err
		}
		if stop {
			// Read the rest so that the checksum and the declared size
			// are verified: a damaged part is refused, not half-read.
			p.drain = true
			if _, err := io.Copy(io.Discard, p); err != nil {
				return x.xmlError(err, "the workbook cannot be read: %v")
			}
			return nil
		}
	}
}

// xmlError passes our own limit errors through and words a syntax error.
func (x *xlsxReader) xmlError(err error, format string) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fileError(apperr.Invalid, format, err)
}

// stringTable holds the shared strings in 1 MB pages (no copy when it
// grows), each string addressed by page, offset and length.
type stringTable struct {
	pages [][]byte
	refs  []uint64 // page<<40 | offset<<20 | length
	bytes int64
}

const stringPage = 1 << 20

func (s *stringTable) add(v string) {
	if len(s.pages) == 0 || len(s.pages[len(s.pages)-1])+len(v) > stringPage {
		s.pages = append(s.pages, make([]byte, 0, stringPage))
	}
	i := len(s.pages) - 1
	off := len(s.pages[i])
	s.pages[i] = append(s.pages[i], v...)
	s.refs = append(s.refs, uint64(i)<<40|uint64(off)<<20|uint64(len(v)))
	s.bytes += int64(len(v))
}

func (s *stringTable) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= len(s.refs) {
		return "", false
	}
	r := s.refs[i]
	page, off, n := r>>40, (r>>20)&(stringPage-1), r&(stringPage-1)
	return string(s.pages[page][off : off+n]), true
}

// sharedStrings reads xl/sharedStrings.xml: the text of each <si>, rich
// text runs joined and phonetic runs left out (as excelize reads it).
func (x *xlsxReader) sharedStrings(zf *zip.File) (*stringTable, error) {
	s := &stringTable{}
	var cur []byte
	inSI, inT, rph := false, false, 0
	err := x.scan(zf, x.lim.MaxUnzipBytes, func(d *xml.Decoder, t xml.Token) (bool, error) {
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "si":
				inSI, cur, rph = true, cur[:0], 0
			case "rPh":
				rph++
			case "t":
				inT = inSI && rph == 0
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "si":
				if !inSI {
					break
				}
				inSI = false
				if len(s.refs) >= x.lim.MaxSharedStrings {
					return true, fileError(apperr.TooLarge, "the workbook holds more than %d distinct texts", x.lim.MaxSharedStrings)
				}
				v := bstrUnmarshal(string(cur))
				if s.bytes+int64(len(v)) > x.lim.MaxSharedStringBytes {
					return true, fileError(apperr.TooLarge, "the workbook's texts take more than %s", humanBytes(x.lim.MaxSharedStringBytes))
				}
				if utf8.RuneCountInString(v) > excelCellChars {
					return true, fileError(apperr.Invalid, "a text of the workbook is longer than %d characters", excelCellChars)
				}
				s.add(v)
			case "rPh":
				rph--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				if len(cur)+len(e) > maxCellBytes {
					return true, fileError(apperr.Invalid, "a text of the workbook is longer than %d characters", excelCellChars)
				}
				cur = append(cur, e...)
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sheet streams <sheetData>: rows as present (a row number the sheet skips
// is not reported), cells placed by their reference with "" filling the
// gaps, trailing empty cells left out (excelize's Rows/Columns semantics
// with RawCellValue: values as stored).
func (x *xlsxReader) sheet(zf *zip.File, strs *stringTable, fn func(int, []string) error) error {
	maxRows := min(x.lim.MaxRows, excelRows)
	var (
		inData, inRow, inCell, inV, inIS, inT bool
		rph, rowNum, rows, col, cellCount     int
		cells                                 []string
		typ, ref                              string
		hasF                                  bool
		v, is                                 []byte
	)
	return x.scan(zf, x.lim.MaxUnzipBytes, func(d *xml.Decoder, t xml.Token) (bool, error) {
		switch e := t.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "sheetData":
				inData = true
			case "row":
				if !inData {
					break
				}
				n := rowNum + 1
				if r := attr(e, "r"); r != "" {
					k, err := strconv.Atoi(r)
					if err != nil || k < 1 {
						return true, fileError(apperr.Invalid, "the worksheet has a row with an invalid number after row %d", rowNum)
					}
					n = k
				}
				if n > maxRows {
					return true, fileError(apperr.TooLarge, "the worksheet has more than %d rows", maxRows)
				}
				if n <= rowNum {
					return true, fileError(apperr.Invalid, "the worksheet's rows are out of order at row %d", n)
				}
				if rows++; rows > maxRows {
					return true, fileError(apperr.TooLarge, "the worksheet has more than %d rows", maxRows)
				}
				if rows%1024 == 0 && x.ctx.Err() != nil {
					return true, x.ctx.Err()
				}
				rowNum, inRow, col, cellCount, cells = n, true, 0, 0, cells[:0]
			case "c":
				if !inRow {
					break
				}
				if cellCount++; cellCount > excelColumns {
					return true, fileError(apperr.Invalid, "row %d holds more than %d cells", rowNum, excelColumns)
				}
				col++
				ref = attr(e, "r")
				if ref != "" {
					c, ok := columnOf(ref)
					if !ok {
						return true, fileError(apperr.Invalid, "row %d has a cell with an invalid reference", rowNum)
					}
					col = c
				}
				if col > excelColumns {
					return true, fileError(apperr.Invalid, "row %d holds more than %d cells", rowNum, excelColumns)
				}
				inCell, typ, hasF, v, is, rph = true, attr(e, "t"), false, v[:0], is[:0], 0
			case "v":
				inV = inCell
			case "f":
				hasF = hasF || inCell
			case "is":
				inIS = inCell
			case "rPh":
				rph++
			case "t":
				inT = inIS && rph == 0
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "sheetData":
				return true, nil
			case "row":
				if !inRow {
					break
				}
				inRow = false
				// The caller's error (or its stop) ends the pass as is: no
				// drain, nothing more is inflated.
				if err := fn(rowNum, cells); err != nil {
					return true, err
				}
				// fn may keep the slice (it is the caller's now).
				cells = nil
			case "c":
				if !inCell {
					break
				}
				inCell = false
				val, err := cellValue(typ, v, is, strs)
				if err != nil {
					return true, fileError(apperr.Invalid, "row %d: a cell refers to a text the workbook does not hold", rowNum)
				}
				if val == "" && !hasF {
					break
				}
				if col > x.lim.MaxColumns {
					return true, fileError(apperr.Invalid, "row %d has %d columns, more than %d", rowNum, col, x.lim.MaxColumns)
				}
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				// A later cell referring to an earlier column overwrites it.
				if col <= len(cells) {
					cells[col-1] = val
				} else {
					cells = append(cells, val)
				}
			case "v":
				inV = false
			case "is":
				inIS = false
			case "rPh":
				rph--
			case "t":
				inT = false
			}
		case xml.CharData:
			switch {
			case inV:
				if len(v)+len(e) > maxCellBytes {
					return true, fileError(apperr.Invalid, "row %d has a cell longer than %d characters", rowNum, excelCellChars)
				}
				v = append(v, e...)
			case inT:
				if len(is)+len(e) > maxCellBytes {
					return true, fileError(apperr.Invalid, "row %d has a cell longer than %d characters", rowNum, excelCellChars)
				}
				is = append(is, e...)
			}
		}
		return false, nil
	})
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// columnOf reads the column of a cell reference such as "C5" (1-based).
func columnOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		b := ref[i] | 0x20 // lower case
		if b < 'a' || b > 'z' {
			break
		}
		if col = col*26 + int(b-'a'+1); col > excelColumns {
			return 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	for _, b := range ref[i:] {
		if b < '0' || b > '9' {
			return 0, false
		}
	}
	return col, true
}

var errSharedString = errors.New("shared string index out of range")

// cellValue is the value as stored (excelize RawCellValue): the shared or
// inline text for strings, <v> as written for numbers, booleans (1/0),
// errors, dates and formula results.
func cellValue(typ string, v, is []byte, strs *stringTable) (string, error) {
	switch typ {
	case "s":
		if len(v) == 0 {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(v)))
		if err != nil {
			return "", errSharedString
		}
		s, ok := strs.get(i)
		if !ok {
			return "", errSharedString
		}
		return s, nil
	case "inlineStr":
		if len(is) > 0 {
			return bstrUnmarshal(string(is)), nil
		}
	}
	return string(v), nil
}

// bstrUnmarshal decodes the _xHHHH_ escapes OOXML uses for characters XML
// cannot hold (as excelize does: _x005F_ is "_", an invalid code point
// vanishes).
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			if s[i+2:i+6] == "005F" || s[i+2:i+6] == "005f" {
				b.WriteByte('_')
			} else if r, _ := strconv.ParseUint(s[i+2:i+6], 16, 32); r < 0xD800 || r > 0xDFFF {
				b.WriteRune(rune(r))
			}
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// part is one zip entry being inflated, with every limit checked on the
// bytes actually produced: its declared size, the compression ratio so
// far, the archive's total, the part's own cap, the bytes of one XML token
// and the caller's context.
type part struct {
	x        *xlsxReader
	zf       *zip.File
	raw      *countReader
	src      io.Reader
	closer   io.Closer
	crc      hash.Hash32
	n, max   int64
	budget   int  // bytes read since the decoder last returned a token
	drain    bool // reading past the XML we need: no token to bound
	finished bool
}

func (x *xlsxReader) open(zf *zip.File, max int64) (*part, error) {
	rr, err := zf.OpenRaw()
	if err != nil {
		return nil, fileError(apperr.Invalid, "the workbook is damaged: save it again as .xlsx")
	}
	p := &part{x: x, zf: zf, raw: &countReader{r: rr}, crc: crc32.NewIEEE(), max: max}
	switch zf.Method {
	case zip.Store:
		p.src = p.raw
	case zip.Deflate:
		fr := flate.NewReader(bufio.NewReaderSize(p.raw, 32<<10))
		p.src, p.closer = fr, fr
	default:
		return nil, fileError(apperr.Invalid, "the workbook is compressed with a method that is not supported: save it again as .xlsx")
	}
	return p, nil
}

func (p *part) Close() error {
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}

func (p *part) Read(b []byte) (int, error) {
	if err := p.x.ctx.Err(); err != nil {
		return 0, err
	}
	if p.finished {
		return 0, io.EOF
	}
	n, err := p.src.Read(b)
	p.n += int64(n)
	p.x.inflated += int64(n)
	p.budget += n
	p.crc.Write(b[:n])
	lim := p.x.lim
	switch {
	case p.n > int64(p.zf.UncompressedSize64):
		return 0, fileError(apperr.Invalid, "the workbook is damaged: save it again as .xlsx")
	case p.n > int64(lim.MaxUnzipRatio)*p.raw.n+ratioSlack:
		return 0, fileError(apperr.TooLarge, "the workbook expands more than %d times when unzipped, far beyond real workbooks", lim.MaxUnzipRatio)
	case p.x.inflated > lim.MaxUnzipBytes || p.n > p.max:
		return 0, fileError(apperr.TooLarge, "the workbook unzips to more than %s", humanBytes(min(lim.MaxUnzipBytes, p.max)))
	case p.budget > lim.MaxTokenBytes && !p.drain:
		return 0, fileError(apperr.Invalid, "the workbook holds a cell or tag longer than %s", humanBytes(int64(lim.MaxTokenBytes)))
	}
	if err == io.EOF {
		p.finished = true
		if p.n != int64(p.zf.UncompressedSize64) || p.crc.Sum32() != p.zf.CRC32 {
			return 0, fileError(apperr.Invalid, "the workbook is damaged: save it again as .xlsx")
		}
	} else if err != nil {
		return 0, fileError(apperr.Invalid, "the workbook is damaged: save it again as .xlsx")
	}
	return n, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
