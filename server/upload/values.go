package upload

import (
	"math"
	"strconv"
	"time"
)

// ValidValue reports whether v (already trimmed) is a valid value of the
// data item type typ, by the very rules Validate applies to CSV cells, so
// that the profiler and the upload validator never disagree.
func ValidValue(typ, v string) bool { return checkValue(typ, v, false) == "" }

// ValidWorkbookValue is ValidValue for a cell of an XLSX workbook, where a
// date may be stored as a serial number.
func ValidWorkbookValue(typ, v string) bool { return checkValue(typ, v, true) == "" }

// ParseTimeValue parses a valid date or datetime value (typ "date" or
// "datetime") with the layouts ValidValue accepts; workbook serial numbers
// are converted too when workbook is set. ok is false for anything
// ValidValue would refuse.
func ParseTimeValue(typ, v string, workbook bool) (t time.Time, ok bool) {
	layouts := dateLayouts
	if typ == "datetime" {
		layouts = append(append([]string{}, dateTimeLayouts...), dateLayouts...)
	} else if typ != "date" {
		return time.Time{}, false
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	if workbook {
		// Serial 1 is 1900-01-01; Excel counts a phantom 1900-02-29
		// (serial 60), so from serial 61 on day 0 is 1899-12-30.
		if x, err := strconv.ParseFloat(v, 64); err == nil && x > 0 && x < 2958466 {
			days := math.Floor(x)
			base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
			if days < 61 {
				base = base.AddDate(0, 0, 1)
			}
			t := base.AddDate(0, 0, int(days))
			return t.Add(time.Duration((x - days) * float64(24*time.Hour))), true
		}
	}
	return time.Time{}, false
}
