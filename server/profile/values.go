package profile

import (
	"math"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/hlj-opendata/portal/server/upload"
)

// The value types a cell can fit, as bits, narrowest first: a column's
// inferred type is the lowest bit every non-empty cell kept.
type typeMask uint8

const (
	fitInteger typeMask = 1 << iota
	fitNumber
	fitBoolean
	fitDate
	fitDatetime
	fitAll = fitInteger | fitNumber | fitBoolean | fitDate | fitDatetime
)

var maskTypes = []struct {
	bit typeMask
	typ string
}{{fitInteger, "integer"}, {fitNumber, "number"}, {fitBoolean, "boolean"}, {fitDate, "date"}, {fitDatetime, "datetime"}}

// inferred names the narrowest type in m, "string" when none.
func (m typeMask) inferred() string {
	for _, t := range maskTypes {
		if m&t.bit != 0 {
			return t.typ
		}
	}
	return "string"
}

// implied are the wider types a valid value of a type also fits.
func implied(bit typeMask) typeMask {
	// Not integer → number: the uploader takes "++1" as an integer
	// (ParseInt after one "+" is cut) but not as a number.
	if bit == fitDate {
		return fitDatetime
	}
	return 0
}

func typeBit(typ string) typeMask {
	for _, t := range maskTypes {
		if t.typ == typ {
			return t.bit
		}
	}
	return 0
}

// value is a parsed cell: ok when it is a valid value of the type asked
// for; n orders integers, dates and datetimes (Unix seconds), f numbers.
type value struct {
	ok   bool
	n    int64
	f    float64
	year int // dates and datetimes
}

// The parsers below are byte-level fast paths for the usual shapes of
// cells; anything unusual goes to upload's own check, so the profile and
// the upload validator agree on every value (TestValuesAgreeWithUpload).

// parseInteger: strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64), as
// the uploader does.
func parseInteger(v string) value {
	s := strings.TrimPrefix(v, "+")
	d := s
	if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		if len(d) > 18 {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return value{ok: true, n: n, f: float64(n)}
			}
		}
		return value{}
	}
	var n int64
	for i := 0; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			return value{}
		}
		n = n*10 + int64(c)
	}
	if s[0] == '-' {
		n = -n
	}
	return value{ok: true, n: n, f: float64(n)}
}

// parseNumber: strconv.ParseFloat, finite, as the uploader does. Cells
// that cannot start a decimal number are refused without calling it
// (ParseFloat allocates its error).
func parseNumber(v string) value {
	s := v
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if len(s) == 0 || !(s[0] >= '0' && s[0] <= '9' || s[0] == '.') {
		return value{}
	}
	if len(s) <= 16 {
		// Up to 15 digits with an optional decimal point: the digits are
		// exact in a float64 and so is the power of ten, so one division
		// rounds exactly as ParseFloat does.
		var n int64
		frac, digits := -1, 0
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c >= '0' && c <= '9' {
				n = n*10 + int64(c-'0')
				digits++
				if frac >= 0 {
					frac++
				}
			} else if c == '.' && frac < 0 {
				frac = 0
			} else {
				break
			}
		}
		if i == len(s) && digits > 0 && digits <= 15 {
			f := float64(n)
			if frac > 0 {
				f /= pow10[frac]
			}
			if v[0] == '-' {
				f = -f
			}
			return value{ok: true, f: f}
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return value{}
	}
	return value{ok: true, f: f}
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

// parseBoolean: true, false, 1, 0, yes, no, y, n in any case, 是, 否.
// No non-ASCII letter lower-cases to these words, so ASCII folding
// matches the uploader's strings.ToLower.
func parseBoolean(v string) value {
	if len(v) > 5 {
		return value{}
	}
	var buf [5]byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(v)]) {
	case "true", "false", "1", "0", "yes", "no", "y", "n", "是", "否":
		return value{ok: true}
	}
	return value{}
}

// parseTime checks a date (typ "date") or a date and time ("datetime").
// The fast path reads YYYY-M-D or YYYY/M/D (one or two digit month and
// day) and, for datetimes, YYYY-MM-DD hh:mm:ss with a space or a T.
func parseTime(typ, v string, workbook bool) value {
	if y, m, d, rest, ok := readDate(v); ok {
		switch {
		case rest == "":
			return timeValue(y, m, d, 0, 0, 0)
		case typ == "datetime" && len(v) == 19 && v[4] == '-' && len(rest) == 9 && (rest[0] == ' ' || rest[0] == 'T'):
			if h, mi, s, ok := readClock(rest[1:]); ok {
				return timeValue(y, m, d, h, mi, s)
			}
		}
	}
	t, ok := upload.ParseTimeValue(typ, v, workbook)
	if !ok {
		return value{}
	}
	return value{ok: true, n: t.Unix(), year: t.Year()}
}

// readDate reads a valid calendar date at the start of v: four digits of
// year (1–9999), then month and day of one or two digits each, separated by
// the same '-' or '/'.
func readDate(v string) (y, m, d int, rest string, ok bool) {
	if len(v) < 8 {
		return
	}
	for i := 0; i < 4; i++ {
		c := v[i] - '0'
		if c > 9 {
			return
		}
		y = y*10 + int(c)
	}
	sep := v[4]
	if (sep != '-' && sep != '/') || y == 0 {
		return
	}
	i := 5
	num := func() (n int, ok bool) {
		start := i
		for i < len(v) && i-start < 2 && v[i] >= '0' && v[i] <= '9' {
			n = n*10 + int(v[i]-'0')
			i++
		}
		return n, i > start
	}
	if m, ok = num(); !ok || i >= len(v) || v[i] != sep {
		return 0, 0, 0, "", false
	}
	i++
	if d, ok = num(); !ok {
		return 0, 0, 0, "", false
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, 0, 0, "", false
	}
	// The two-digit layouts demand both digits; the one-digit layouts take
	// one or two, so every such shape is a date the uploader accepts.
	return y, m, d, v[i:], true
}

// readClock reads hh:mm:ss.
func readClock(s string) (h, mi, sec int, ok bool) {
	if len(s) != 8 || s[2] != ':' || s[5] != ':' {
		return
	}
	two := func(p string) int {
		a, b := p[0]-'0', p[1]-'0'
		if a > 9 || b > 9 {
			return -1
		}
		return int(a)*10 + int(b)
	}
	h, mi, sec = two(s[0:2]), two(s[3:5]), two(s[6:8])
	if h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return 0, 0, 0, false
	}
	return h, mi, sec, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// timeValue is the Unix time of a UTC date and time, computed without
// time.Date (days from the civil calendar, Howard Hinnant's algorithm).
func timeValue(y, m, d, h, mi, s int) value {
	yy := y
	if m <= 2 {
		yy--
	}
	era := yy / 400
	yoe := yy - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	return value{ok: true, n: days*86400 + int64(h*3600+mi*60+s), year: y}
}

// parseAs checks v against a declared type ("" and "string" accept all).
func parseAs(typ, v string, workbook bool) value {
	switch typ {
	case "integer":
		return parseInteger(v)
	case "number":
		return parseNumber(v)
	case "boolean":
		return parseBoolean(v)
	case "date", "datetime":
		return parseTime(typ, v, workbook)
	}
	return value{ok: true}
}

// fits returns the types among want that v is a valid value of.
func fits(v string, want typeMask, workbook bool) typeMask {
	var got typeMask
	if want&fitInteger != 0 && parseInteger(v).ok {
		got |= fitInteger
	}
	if want&fitNumber != 0 {
		if parseNumber(v).ok {
			got |= fitNumber
		}
	}
	if want&fitBoolean != 0 && parseBoolean(v).ok {
		got |= fitBoolean
	}
	if want&(fitDate|fitDatetime) != 0 {
		// A bare number is no date (except a workbook serial, which the
		// number types already claim): skip the layouts.
		if got&fitNumber == 0 || workbook {
			if want&fitDate != 0 && parseTime("date", v, workbook).ok {
				got |= fitDate | fitDatetime&want // every date is a datetime
			} else if want&fitDatetime != 0 && parseTime("datetime", v, workbook).ok {
				got |= fitDatetime
			}
		}
	}
	return got
}

// hashString is the value hash every structure here is keyed by. xxhash
// rather than hash/maphash (3 ns faster a cell): its fixed seed makes the
// estimates the same each time a file is profiled.
func hashString(v string) uint64 { return xxhash.Sum64String(v) }
