package devapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
)

// Column is one column of a resource's canonical table.
type Column struct {
	Name  string // data item name (the CSV header)
	Label string // Chinese label, "" for undeclared columns
	Type  string // data item type; string for undeclared columns
	src   int    // position in the stored file
}

// Tabular reports whether a resource has a canonical table: a CSV file
// whose header row names the data items.
func Tabular(r *catalog.Resource) bool { return strings.EqualFold(r.Format, "CSV") }

// Table streams the canonical table of a stored CSV file, one row at a
// time, projected onto the columns the caller may read. It holds one row
// in memory whatever the file size.
type Table struct {
	Columns []Column
	r       *csv.Reader
	out     []string
	Rows    int64
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// OpenTable reads the header of a stored CSV and keeps the columns for
// which keep returns true (all when keep is nil), in file order.
func OpenTable(src io.Reader, items []catalog.DataItem, keep func(name string) bool) (*Table, error) {
	br := bufio.NewReaderSize(src, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	r.LazyQuotes = true
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &Table{r: r}, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "read CSV header")
	}
	byName := map[string]catalog.DataItem{}
	for _, it := range items {
		byName[it.Name] = it
	}
	t := &Table{r: r}
	seen := map[string]bool{}
	for i, name := range head {
		name = strings.TrimSpace(name)
		if seen[name] || name == "" || (keep != nil && !keep(name)) {
			continue
		}
		seen[name] = true
		col := Column{Name: name, Type: "string", src: i}
		if it, ok := byName[name]; ok {
			col.Label, col.Type = it.Label, it.Type
		}
		t.Columns = append(t.Columns, col)
	}
	t.out = make([]string, len(t.Columns))
	return t, nil
}

// Next returns the next row's values (reused between calls), or io.EOF.
func (t *Table) Next() ([]string, error) {
	if t.r == nil {
		return nil, io.EOF
	}
	for {
		rec, err := t.r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read CSV row %d: %w", t.Rows+1, err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		for i, c := range t.Columns {
			if c.src < len(rec) {
				t.out[i] = rec[c.src]
			} else {
				t.out[i] = ""
			}
		}
		t.Rows++
		return t.out, nil
	}
}

// Names lists the column names.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}
