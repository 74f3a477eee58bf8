package devapi

import (
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilters feeds the row API's parameters (filters, q, fields,
// sort, limit, offset) through ParseRowQuery: no panic, and what it accepts
// is exactly what was asked, within the documented limits.
func FuzzParseFilters(f *testing.F) {
	for _, s := range [][6]string{
		{`{"district":"道里区","beds":{"gte":100}}`, "医院", "name,beds", "-beds,name", "10", "0"},
		{`{"a":[1,2,3],"b":null,"c":true}`, "", "", "a asc, b DESC", "", ""},
		{`{"a":1} x`, "", "", "", "", ""},
		{`{"a":1}}`, "", "", "", "", ""},
		{`[1]`, "", "", "", "", ""},
		{`null`, "", "", "", "", ""},
		{`{"a":{"gt":1e400}}`, strings.Repeat("字", 101), " _id , x ", "a\ndesc", "1001", "-1"},
		{`{"a":1,"a":2}`, "", "", "--a", "1000", "10000"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, filters, q, fields, sort, limit, offset string) {
		// Filters alone: an object of at most MaxFilters entries, exactly
		// the JSON that was sent and nothing after it.
		m, err := ParseFilters(filters)
		switch {
		case err != nil:
			if m != nil {
				t.Fatalf("%q: error %v with filters %v", filters, err, m)
			}
		case strings.TrimSpace(filters) == "":
			if m != nil {
				t.Fatalf("blank filters gave %v", m)
			}
		default:
			if m == nil || len(m) > MaxFilters {
				t.Fatalf("%q: %d filters", filters, len(m))
			}
			var whole map[string]any
			dec := json.NewDecoder(strings.NewReader(filters))
			dec.UseNumber()
			if !json.Valid([]byte(filters)) || dec.Decode(&whole) != nil || whole == nil {
				t.Fatalf("%q accepted but it is not one JSON object", filters)
			}
			if len(whole) != len(m) {
				t.Fatalf("%q: %d filters read, the object has %d", filters, len(m), len(whole))
			}
		}

		vals := url.Values{}
		for k, v := range map[string]string{"filters": filters, "q": q, "fields": fields, "sort": sort, "limit": limit, "offset": offset} {
			if v != "" {
				vals.Set(k, v)
			}
		}
		rq, err := ParseRowQuery(vals.Get, vals.Has)
		if err != nil {
			return
		}
		if rq.Limit < 0 || rq.Limit > MaxRowLimit || rq.Offset < 0 || rq.Offset > MaxRowOffset {
			t.Fatalf("limit %d offset %d accepted", rq.Limit, rq.Offset)
		}
		if limit == "" && rq.Limit != DefaultRowLimit {
			t.Fatalf("default limit %d", rq.Limit)
		}
		if limit != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(limit)); err != nil || n != rq.Limit {
				t.Fatalf("limit %q read as %d", limit, rq.Limit)
			}
		}
		if utf8.RuneCountInString(rq.Q) > 100 || rq.Q != strings.TrimSpace(q) {
			t.Fatalf("q %q read as %q", q, rq.Q)
		}
		if len(rq.Filters) > MaxFilters || (filters != "" && !reflect.DeepEqual(rq.Filters, m)) {
			t.Fatalf("filters %q read as %v", filters, rq.Filters)
		}
		for _, name := range rq.Fields {
			if name == "" || name == "_id" || name != strings.TrimSpace(name) || strings.Contains(name, ",") || !strings.Contains(fields, name) {
				t.Fatalf("fields %q gave field %q", fields, name)
			}
		}
		checkSort(t, sort, rq.Sort)
	})
}

var (
	sortSpace = regexp.MustCompile(`[\t\n\f\r ,]`)
	descEnd   = regexp.MustCompile(`(?i)[\t\n\f\r ]desc$`)
)

// checkSort: at most 5 keys, one per comma-separated part, each a field
// of its part without spaces or commas, descending when the part starts
// with - (not the field's own) or ends in " desc".
func checkSort(t *testing.T, sort string, keys []SortKey) {
	t.Helper()
	if strings.TrimSpace(sort) == "" {
		if keys != nil {
			t.Fatalf("blank sort gave %v", keys)
		}
		return
	}
	parts := strings.Split(sort, ",")
	if len(keys) != len(parts) || len(keys) > 5 {
		t.Fatalf("sort %q: %d keys for %d parts", sort, len(keys), len(parts))
	}
	for i, k := range keys {
		part := strings.Trim(parts[i], " \t\n\f\r")
		if k.Field == "" || sortSpace.MatchString(k.Field) || !strings.Contains(part, k.Field) {
			t.Fatalf("sort %q: key %d is %q", sort, i, k.Field)
		}
		minus := strings.HasPrefix(part, "-") && !strings.HasPrefix(part, k.Field)
		if want := minus || descEnd.MatchString(part); k.Desc != want {
			t.Fatalf("sort %q: key %q desc=%v", sort, k.Field, k.Desc)
		}
	}
}

// FuzzParseRange feeds ParseRange arbitrary headers and sizes. What it
// returns must be what RFC 9110 and its comment promise: satisfiable
// ranges inside [0, size), at most MaxRanges, none overlapping or touching,
// covering exactly the bytes asked for, in the asked order unless they had
// to be merged.
func FuzzParseRange(f *testing.F) {
	for _, s := range []struct {
		h    string
		size int64
	}{
		{"bytes=0-9", 100}, {"bytes=95-", 100}, {"bytes=-3", 100}, {"bytes=-500", 100}, {"bytes=98-1000", 100},
		{"bytes=-0", 100}, {"bytes=100-", 100}, {"bytes=200-300, 0-1", 100}, {"bytes=50-52, 0-1", 100},
		{"bytes=0-4, 2-6, 3-9", 100}, {"bytes=0-1,2-3,90-91", 100}, {"bytes=" + strings.Repeat("1-1,3-3,", 17) + "5-5", 100},
		{"items=0-1", 100}, {"bytes=a-b", 100}, {"bytes=9-1", 100}, {"bytes=,0-1,", 100}, {"bytes=0-", 0},
		{"bytes=-1", 0}, {"BYTES = 0-0", 1}, {"bytes=0-999999999999999999", 1 << 40}, {"bytes=10-20,0-5,21-30", 1000},
	} {
		f.Add(s.h, s.size)
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -(size + 1) // files have a size ≥ 0
		}
		ranges, outcome := ParseRange(header, size)
		if outcome != RangeSatisfiable {
			if ranges != nil {
				t.Fatalf("%q/%d: outcome %d with ranges %v", header, size, outcome, ranges)
			}
			return
		}
		if len(ranges) == 0 || len(ranges) > MaxRanges {
			t.Fatalf("%q/%d: %d ranges", header, size, len(ranges))
		}
		var total int64
		for i, r := range ranges {
			if r.Start < 0 || r.Length < 1 || r.Start > size-r.Length {
				t.Fatalf("%q/%d: range %d %+v outside the representation", header, size, i, r)
			}
			total += r.Length
			for _, o := range ranges[:i] {
				if r.Start <= o.Start+o.Length && o.Start <= r.Start+r.Length {
					t.Fatalf("%q/%d: %+v and %+v overlap or touch", header, size, o, r)
				}
			}
		}
		if total > size {
			t.Fatalf("%q/%d: %d bytes selected", header, size, total)
		}
		// The bytes asked for, read from the header by the grammar alone.
		asked, ok := askedRanges(header, size)
		if !ok {
			t.Fatalf("%q/%d: satisfiable, but the header is not a valid byte-ranges list", header, size)
		}
		if !sameBytes(asked, ranges) {
			t.Fatalf("%q/%d: ranges %v do not cover the bytes asked %v", header, size, ranges, asked)
		}
		sorted := slices.IsSortedFunc(ranges, func(a, b ByteRange) int { return cmpInt(a.Start, b.Start) })
		if !sorted && !slices.Equal(ranges, asked) {
			t.Fatalf("%q/%d: order %v is neither ascending nor the asked order %v", header, size, ranges, asked)
		}
	})
}

var rangeSpec = regexp.MustCompile(`^([0-9]*)-([0-9]*)$`)

// askedRanges reads bytes=first-last,-suffix,… by RFC 9110 §14.1.2 and
// returns the satisfiable ranges, clamped to size, in the asked order.
func askedRanges(header string, size int64) ([]ByteRange, bool) {
	unit, spec, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, false
	}
	var out []ByteRange
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		first, last, _ := strings.Cut(part, "-")
		m := rangeSpec.FindStringSubmatch(strings.TrimSpace(first) + "-" + strings.TrimSpace(last))
		if m == nil || (m[1] == "" && m[2] == "") {
			return nil, false
		}
		if m[1] == "" {
			n, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil {
				return nil, false
			}
			if n > 0 && size > 0 {
				n = min(n, size)
				out = append(out, ByteRange{size - n, n})
			}
			continue
		}
		a, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, false
		}
		b := size - 1
		if m[2] != "" {
			e, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil || e < a {
				return nil, false
			}
			b = min(e, size-1)
		}
		if a < size {
			out = append(out, ByteRange{a, b - a + 1})
		}
	}
	return out, true
}

// sameBytes reports whether two range lists select the same bytes.
func sameBytes(a, b []ByteRange) bool {
	return slices.Equal(union(a), union(b))
}

func union(rs []ByteRange) []ByteRange {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(x, y ByteRange) int { return cmpInt(x.Start, y.Start) })
	var out []ByteRange
	for _, r := range s {
		if n := len(out); n > 0 && r.Start <= out[n-1].Start+out[n-1].Length {
			end := max(out[n-1].Start+out[n-1].Length, r.Start+r.Length)
			out[n-1].Length = end - out[n-1].Start
			continue
		}
		out = append(out, r)
	}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
