package profile

import (
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Options tune a profile; zero values take the defaults.
type Options struct {
	TempDir     string // duplicate-row run files (default os.TempDir())
	MaxExamples int    // invalid row numbers and values kept per column (default 20)
	TopN        int    // most frequent values reported per column (default 10)
	// ExactLimit is how many distinct values a column tracks exactly
	// before switching to estimates (default 10000). Wide tables get less
	// (exactBudget over all columns) so memory stays bounded.
	ExactLimit int
	Now        func() time.Time // for ProfiledAt (default time.Now)
	// Workbook: the rows come from an XLSX worksheet, where dates may be
	// serial numbers (as upload.File.Rows gives them).
	Workbook bool
	// Run only: a longer CSV record is refused (default 4 MiB), as are
	// records with more than MaxColumns cells (default 500).
	MaxRecordBytes int
	MaxColumns     int

	spillHashes int // tests: row hashes held before a run file is written
}

// exactBudget bounds the exactly tracked values over all columns (about
// 100 bytes each).
const exactBudget = 1 << 20

func (o *Options) defaults() {
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = 20
	}
	if o.TopN <= 0 {
		o.TopN = 10
	}
	if o.ExactLimit <= 0 {
		o.ExactLimit = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = 4 << 20
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = 500
	}
	if o.spillHashes <= 0 {
		o.spillHashes = spillHashes
	}
}

// Profiler profiles a table fed row by row, in memory that does not grow
// with the number of rows. Add the data rows in order, then Finish; Close
// a profiler given up before Finish to delete its temporary files.
type Profiler struct {
	opt        Options
	cols       []*column
	undeclared []string
	missing    []string
	line       int64 // data rows added, blank ones included: row number - 1
	rows       int64
	dups       *dupCounter
	done       bool
}

// NewProfiler matches header against the declared items like the upload
// validator: a header cell names an item by its Name (case-insensitive)
// or its Label, both trimmed. Unmatched header cells are profiled as
// undeclared string columns; items no header cell names are Missing.
func NewProfiler(header []string, items []Item, opt Options) *Profiler {
	opt.defaults()
	p := &Profiler{opt: opt, dups: newDupCounter(opt.TempDir, opt.spillHashes)}
	limit := min(opt.ExactLimit, max(1000, exactBudget/max(len(header), 1)))
	used := make([]bool, len(items))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		match := -1
		for j, it := range items {
			if !used[j] && (strings.EqualFold(h, strings.TrimSpace(it.Name)) || it.Label != "" && h == strings.TrimSpace(it.Label)) {
				match = j
				break
			}
		}
		if h == "" {
			h = fmt.Sprintf("column_%d", i+1)
		}
		if match < 0 {
			p.undeclared = append(p.undeclared, h)
			p.cols = append(p.cols, newColumn(Column{ID: h, DeclaredType: "string"}, nil, &p.opt, limit))
			continue
		}
		used[match] = true
		it := items[match]
		typ := it.Type
		if typ == "" {
			typ = "string"
		}
		p.cols = append(p.cols, newColumn(Column{ID: it.Name, Label: it.Label, DeclaredType: typ, Domain: it.Domain}, &it, &p.opt, limit))
	}
	for j, it := range items {
		if !used[j] {
			p.missing = append(p.missing, it.Name)
		}
	}
	return p
}

// Add profiles one data row. Rows whose cells are all blank are skipped
// but keep their row number; missing trailing cells are empty. Cells
// beyond the header only count for duplicate rows.
func (p *Profiler) Add(cells []string) error {
	if p.done {
		return fmt.Errorf("profile: Add after Finish")
	}
	p.line++
	sum, filled := p.addCells(cells, nil, p.line+1, true)
	if !filled {
		return nil
	}
	p.rows++
	return p.dups.add(sum)
}

// addCells profiles the cells of one row at row number line: those of the
// columns listed in group (every column when group is nil) and, with
// extra, the cells beyond the header. It returns the group's share of
// the row hash and whether any of its cells is not blank.
//
// A row's hash is the sum of one mixed hash per non-blank cell and its
// position, so that column groups profiled by different goroutines add
// up to the same hash, and trailing empty cells (which workbooks and
// hand-written CSV drop) change nothing. Cells are compared trimmed, as
// the upload validator reads them.
func (p *Profiler) addCells(cells []string, group []int, line int64, extra bool) (sum uint64, filled bool) {
	if group == nil {
		for i, raw := range cells {
			v := trimSpace(raw)
			if v == "" {
				continue
			}
			h := hashString(v)
			sum += cellMix(h, i)
			filled = true
			if i < len(p.cols) {
				p.cols[i].add(v, h, line)
			}
		}
		return sum, filled
	}
	for _, i := range group {
		if i >= len(cells) {
			break // groups are in column order
		}
		v := trimSpace(cells[i])
		if v == "" {
			continue
		}
		h := hashString(v)
		sum += cellMix(h, i)
		filled = true
		p.cols[i].add(v, h, line)
	}
	if extra {
		for i := len(p.cols); i < len(cells); i++ {
			if v := trimSpace(cells[i]); v != "" {
				sum += cellMix(hashString(v), i)
				filled = true
			}
		}
	}
	return sum, filled
}

// cellMix scrambles a cell's hash with its position (the SplitMix64
// finaliser), so that equal values in different columns differ and sums
// of mixed hashes collide no more often than random numbers.
func cellMix(h uint64, col int) uint64 {
	x := h ^ uint64(col+1)*0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// Finish completes the profile and deletes the temporary files.
func (p *Profiler) Finish() (*Result, error) {
	if p.done {
		return nil, fmt.Errorf("profile: Finish called twice")
	}
	p.done = true
	defer p.dups.close()
	dups, err := p.dups.count()
	if err != nil {
		return nil, err
	}
	r := &Result{Rows: p.rows, DuplicateRows: dups, Columns: make([]Column, len(p.cols)),
		Undeclared: p.undeclared, Missing: p.missing, ProfiledAt: p.opt.Now().UTC()}
	for i, c := range p.cols {
		r.Columns[i] = c.finish(p.rows)
	}
	if r.Undeclared == nil {
		r.Undeclared = []string{}
	}
	if r.Missing == nil {
		r.Missing = []string{}
	}
	return r, nil
}

// Close deletes the temporary files of a profiler given up before
// Finish; it is harmless after Finish.
func (p *Profiler) Close() {
	p.done = true
	p.dups.close()
}

// trimSpace is strings.TrimSpace without its detour through unicode
// tables for cells that begin or end with a Chinese character.
func trimSpace(s string) string {
	if len(s) == 0 || edgeSpace[s[0]]&1 == 0 && edgeSpace[s[len(s)-1]]&2 == 0 {
		return s // the usual cell: no space can begin or end it
	}
	return trimSpaceSlow(s)
}

// edgeSpace marks the bytes a space can begin with (1) or end with (2):
// the ASCII spaces, and the first and last bytes of the UTF-8 encodings
// of the Unicode spaces (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000). Chinese characters begin with other
// bytes, so a Chinese cell skips the decoding.
var edgeSpace = func() (t [256]uint8) {
	for _, r := range []rune{'\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000} {
		b := []byte(string(r))
		t[b[0]] |= 1
		t[b[len(b)-1]] |= 2
	}
	return t
}()

func trimSpaceSlow(s string) string {
	start, end := 0, len(s)
	for start < end {
		c := s[start]
		if c < utf8.RuneSelf {
			if asciiSpace[c] == 0 {
				break
			}
			start++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[start:])
		if !unicodeSpace(r) {
			break
		}
		start += n
	}
	for end > start {
		c := s[end-1]
		if c < utf8.RuneSelf {
			if asciiSpace[c] == 0 {
				break
			}
			end--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[start:end])
		if !unicodeSpace(r) {
			break
		}
		end -= n
	}
	return s[start:end]
}

var asciiSpace = [256]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// unicodeSpace is unicode.IsSpace for runes past ASCII (the White_Space
// property): the ideographic space U+3000 is common in Chinese data.
func unicodeSpace(r rune) bool {
	switch {
	case r == 0x85, r == 0xA0, r == 0x1680, r >= 0x2000 && r <= 0x200A,
		r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}
