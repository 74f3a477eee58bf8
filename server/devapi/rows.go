package devapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Row API limits.
const (
	DefaultRowLimit = 100
	MaxRowLimit     = 1000
	MaxRowOffset    = 10000 // deeper pages use the cursor
	MaxFilters      = 20
	MaxInValues     = 100
)

// RowQuery is a validated row-API request.
type RowQuery struct {
	Filters map[string]any // field → scalar (equals), list (any of) or {"gt","gte","lt","lte","ne"}
	Q       string
	Fields  []string // empty = every readable column
	Sort    []SortKey
	Limit   int
	Offset  int
	Cursor  string
	// Arrays makes each record an array of the fields' values in field
	// order, without the _id field (the preview's shape).
	Arrays bool
}

// SortKey orders by one field; Field "_id" is the row number.
type SortKey struct {
	Field string
	Desc  bool
}

// RowField describes one returned field.
type RowField struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
}

// RowPage is one page of rows.
type RowPage struct {
	ResourceID string            `json:"resource_id"`
	Fields     []RowField        `json:"fields"`
	Records    []json.RawMessage `json:"records"`
	Total      int64             `json:"total"`
	Limit      int               `json:"limit"`
	Offset     int               `json:"offset"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

var sortPart = regexp.MustCompile(`^\s*(-?)([^\s,]+)(?:\s+((?i:asc|desc)))?\s*$`)

// ParseSort reads "a,-b" or CKAN's "a asc, b desc".
func ParseSort(s string) ([]SortKey, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []SortKey
	for _, part := range strings.Split(s, ",") {
		// The field is the match itself, in its own case (a field cut
		// from the part separately kept "a\ndesc" whole).
		m := sortPart.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("bad sort %q: want field, -field or \"field desc\"", part)
		}
		out = append(out, SortKey{Field: m[2], Desc: m[1] == "-" || strings.EqualFold(m[3], "desc")})
	}
	if len(out) > 5 {
		return nil, errors.New("at most 5 sort fields")
	}
	return out, nil
}

// ParseFilters reads the filters JSON object.
func ParseFilters(raw string) (map[string]any, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	err := dec.Decode(&m)
	if _, after := dec.Token(); err == nil && after != io.EOF {
		m = nil // something after the object: {"a":1}x was read as {"a":1}
	}
	if err != nil || m == nil {
		return nil, errors.New(`filters must be a JSON object such as {"district":"道里区","beds":{"gte":100}}`)
	}
	if len(m) > MaxFilters {
		return nil, fmt.Errorf("at most %d filters", MaxFilters)
	}
	return m, nil
}

// encodeCursor makes an opaque keyset cursor bound to one file version.
func encodeCursor(sha string, after int64, desc bool) string {
	d := "a"
	if desc {
		d = "d"
	}
	return base64.RawURLEncoding.EncodeToString([]byte("1:" + sha[:16] + ":" + d + ":" + strconv.FormatInt(after, 10)))
}

func decodeCursor(c, sha string) (int64, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false, errors.New("bad cursor")
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 4 || parts[0] != "1" || (parts[2] != "a" && parts[2] != "d") {
		return 0, false, errors.New("bad cursor")
	}
	if parts[1] != sha[:16] {
		return 0, false, errors.New("the data changed since this cursor was issued: start again without cursor")
	}
	n, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || n < 0 {
		return 0, false, errors.New("bad cursor")
	}
	return n, parts[2] == "d", nil
}

// colExpr is the SQL of one column's value in a row's JSON array.
func (s *RowStore) colExpr(i int, typ string) string {
	if s.mysql() {
		v := fmt.Sprintf("JSON_VALUE(data, '$[%d]')", i)
		switch typ {
		case "integer", "number":
			return "CAST(" + v + " AS DOUBLE)"
		case "string":
			return v + " COLLATE utf8mb4_bin"
		}
		return v
	}
	return fmt.Sprintf("json_extract(data, '$[%d]')", i)
}

// filterValue converts a JSON filter value to the column's SQL type.
func (s *RowStore) filterValue(col StoredColumn, v any) (any, error) {
	bad := func() error { return fmt.Errorf("filter on %s: %v is not a valid %s", col.Name, v, col.Type) }
	switch col.Type {
	case "integer", "number":
		var str string
		switch x := v.(type) {
		case json.Number:
			str = x.String()
		case string:
			str = x
		default:
			return nil, bad()
		}
		f, err := strconv.ParseFloat(str, 64)
		if err != nil || !IsJSONNumber(str) {
			return nil, bad()
		}
		return f, nil
	case "boolean":
		var b, ok bool
		switch x := v.(type) {
		case bool:
			b, ok = x, true
		case string:
			b, ok = ParseBool(x)
		}
		if !ok {
			return nil, bad()
		}
		if s.mysql() {
			return strconv.FormatBool(b), nil
		}
		if b {
			return 1, nil
		}
		return 0, nil
	case "date":
		str, ok := v.(string)
		if _, err := time.Parse("2006-01-02", str); !ok || err != nil {
			return nil, fmt.Errorf("filter on %s: want a date YYYY-MM-DD", col.Name)
		}
		return str, nil
	case "datetime":
		str, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		if _, err := time.Parse("2006-01-02 15:04:05", str); err != nil {
			if _, err2 := time.Parse("2006-01-02", str); err2 != nil {
				return nil, fmt.Errorf("filter on %s: want YYYY-MM-DD HH:MM:SS", col.Name)
			}
		}
		return str, nil
	}
	switch x := v.(type) {
	case string:
		if utf8.RuneCountInString(x) > 200 {
			return nil, fmt.Errorf("filter on %s: value longer than 200 characters", col.Name)
		}
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return nil, bad()
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// Query runs a row query on a ready table. readable says which columns the
// caller may see; filters, q and sort may only touch those.
func (s *RowStore) Query(ctx context.Context, m *TableMeta, readable func(string) bool, q RowQuery) (*RowPage, error) {
	cols := m.StoredColumns()
	index := map[string]int{}
	for i, c := range cols {
		if readable == nil || readable(c.Name) {
			index[c.Name] = i
		}
	}
	known := map[string]bool{}
	for _, c := range cols {
		known[c.Name] = true
	}
	var v apperr.Validation
	lookup := func(param, name string) (int, bool) {
		if i, ok := index[name]; ok {
			return i, true
		}
		if known[name] {
			v.Add(param, "field %q is not among the fields you may read", name)
		} else {
			v.Add(param, "unknown field %q", name)
		}
		return 0, false
	}
	// Projection.
	var proj []int
	if len(q.Fields) == 0 {
		for i, c := range cols {
			if _, ok := index[c.Name]; ok {
				proj = append(proj, i)
			}
		}
	} else {
		for _, f := range q.Fields {
			if i, ok := lookup("fields", f); ok {
				proj = append(proj, i)
			}
		}
	}
	db := s.DB.WithContext(ctx).Table("resource_rows").Where("resource_id = ?", m.ResourceID)
	scans := false
	for name, val := range q.Filters {
		i, ok := lookup("filters", name)
		if !ok {
			continue
		}
		col := cols[i]
		expr := s.colExpr(i, col.Type)
		scans = true
		switch x := val.(type) {
		case nil:
			db = db.Where(expr + " IS NULL")
		case []any:
			if len(x) == 0 || len(x) > MaxInValues {
				v.Add("filters", "filter on %s: give 1 to %d values", name, MaxInValues)
				continue
			}
			vals := make([]any, 0, len(x))
			for _, e := range x {
				fv, err := s.filterValue(col, e)
				if err != nil {
					v.Add("filters", "%s", err.Error())
					break
				}
				vals = append(vals, fv)
			}
			db = db.Where(expr+" IN ?", vals)
		case map[string]any:
			if len(x) == 0 {
				v.Add("filters", "filter on %s: empty operator object", name)
			}
			for op, e := range x {
				sqlOp := map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "ne": "<>", "eq": "="}[op]
				if sqlOp == "" {
					v.Add("filters", "filter on %s: operator %q must be one of eq, ne, gt, gte, lt, lte", name, op)
					continue
				}
				fv, err := s.filterValue(col, e)
				if err != nil {
					v.Add("filters", "%s", err.Error())
					continue
				}
				db = db.Where(expr+" "+sqlOp+" ?", fv)
			}
		default:
			fv, err := s.filterValue(col, x)
			if err != nil {
				v.Add("filters", "%s", err.Error())
				continue
			}
			db = db.Where(expr+" = ?", fv)
		}
	}
	if q.Q != "" {
		scans = true
		if len(index) == len(cols) {
			// Values only: each row is a JSON array of its values.
			esc := appendJSONString(nil, q.Q)
			db = db.Where("data LIKE ? ESCAPE '!'", "%"+likeEscaper.Replace(string(esc[1:len(esc)-1]))+"%")
		} else {
			// A grant holder's search must not look into unapproved columns.
			var ors []string
			var args []any
			for i, c := range cols {
				if _, ok := index[c.Name]; ok {
					e := s.colExpr(i, "")
					if s.mysql() {
						e += " COLLATE utf8mb4_unicode_ci"
					}
					ors = append(ors, e+" LIKE ? ESCAPE '!'")
					args = append(args, "%"+likeEscaper.Replace(q.Q)+"%")
				}
			}
			if len(ors) == 0 {
				ors = []string{"1 = 0"}
			}
			db = db.Where("("+strings.Join(ors, " OR ")+")", args...)
		}
	}
	var order []string
	byID := len(q.Sort) == 0 || (len(q.Sort) == 1 && q.Sort[0].Field == "_id")
	idDesc := len(q.Sort) == 1 && q.Sort[0].Field == "_id" && q.Sort[0].Desc
	for _, k := range q.Sort {
		if k.Field == "_id" {
			order = append(order, map[bool]string{false: "row_no ASC", true: "row_no DESC"}[k.Desc])
			continue
		}
		i, ok := lookup("sort", k.Field)
		if !ok {
			continue
		}
		scans = true
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		order = append(order, s.colExpr(i, cols[i].Type)+dir)
	}
	if !byID || len(order) == 0 {
		order = append(order, map[bool]string{false: "row_no ASC", true: "row_no DESC"}[idDesc])
	}
	var after int64 = -1
	if q.Cursor != "" {
		if !byID {
			v.Add("cursor", "the cursor pages in row order: use it without sort (or sort=_id)")
		} else if q.Offset != 0 {
			v.Add("cursor", "give cursor or offset, not both")
		} else if n, desc, err := decodeCursor(q.Cursor, m.SHA256); err != nil {
			v.Add("cursor", "%s", err.Error())
		} else if desc != idDesc {
			v.Add("cursor", "the cursor was issued for the other direction")
		} else {
			after = n
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	max := s.MaxScanRows
	if max == 0 {
		max = 2_000_000
	}
	if scans && m.Rows > max {
		return nil, apperr.New(apperr.Invalid, "this table has %d rows: filters, q and sort are limited to tables of %d rows; page through it with the cursor or download the file", m.Rows, max)
	}
	timeout := s.QueryTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db = db.WithContext(ctx)

	page := &RowPage{ResourceID: m.ResourceID, Limit: q.Limit, Offset: q.Offset, Records: []json.RawMessage{}}
	if !q.Arrays {
		page.Fields = append(page.Fields, RowField{ID: "_id", Type: "integer"})
	}
	for _, i := range proj {
		page.Fields = append(page.Fields, RowField{ID: cols[i].Name, Type: cols[i].Type, Label: cols[i].Label})
	}
	if len(q.Filters) == 0 && q.Q == "" {
		page.Total = m.Rows
	} else if err := db.Session(&gorm.Session{}).Count(&page.Total).Error; err != nil {
		return nil, queryErr(ctx, err)
	}
	list := db.Session(&gorm.Session{})
	if after >= 0 {
		if idDesc {
			list = list.Where("row_no < ?", after)
		} else {
			list = list.Where("row_no > ?", after)
		}
	}
	var rows []rowRecord
	err := list.Select("row_no, data").Order(strings.Join(order, ", ")).Limit(q.Limit).Offset(q.Offset).Find(&rows).Error
	if err != nil {
		return nil, queryErr(ctx, err)
	}
	var vals []json.RawMessage
	for _, r := range rows {
		vals = vals[:0]
		if err := json.Unmarshal([]byte(r.Data), &vals); err != nil {
			return nil, apperr.Internalf(err, "decode row %d of %s", r.RowNo, m.ResourceID)
		}
		var b bytes.Buffer
		if q.Arrays {
			b.WriteByte('[')
		} else {
			b.WriteString(`{"_id":`)
			b.WriteString(strconv.FormatInt(r.RowNo, 10))
		}
		for n, i := range proj {
			if n > 0 || !q.Arrays {
				b.WriteByte(',')
			}
			if !q.Arrays {
				b.Write(appendJSONString(nil, cols[i].Name))
				b.WriteByte(':')
			}
			if i < len(vals) {
				b.Write(vals[i])
			} else {
				b.WriteString("null")
			}
		}
		if q.Arrays {
			b.WriteByte(']')
		} else {
			b.WriteByte('}')
		}
		page.Records = append(page.Records, json.RawMessage(b.Bytes()))
	}
	if byID && len(rows) == q.Limit && q.Limit > 0 {
		page.NextCursor = encodeCursor(m.SHA256, rows[len(rows)-1].RowNo, idDesc)
	}
	return page, nil
}

func queryErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the query took too long: narrow the filters or page with the cursor")
	}
	return apperr.Internalf(err, "row query")
}
