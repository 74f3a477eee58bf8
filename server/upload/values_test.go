package upload_test

import (
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/upload"
)

func TestValidValueIsValidate(t *testing.T) {
	for _, tc := range []struct {
		typ, v  string
		csv, wb bool
	}{
		{"integer", "+12", true, true},
		{"integer", "1.5", false, false},
		{"number", "1e3", true, true},
		{"boolean", "是", true, true},
		{"date", "2020/1/2", true, true},
		{"date", "43831", false, true}, // a workbook serial
		{"datetime", "2020-01-02T03:04:05+08:00", true, true},
		{"datetime", "2020-01-02 24:00:00", false, false},
		{"string", "anything", true, true},
	} {
		if got := upload.ValidValue(tc.typ, tc.v); got != tc.csv {
			t.Errorf("ValidValue(%s, %q) = %v", tc.typ, tc.v, got)
		}
		if got := upload.ValidWorkbookValue(tc.typ, tc.v); got != tc.wb {
			t.Errorf("ValidWorkbookValue(%s, %q) = %v", tc.typ, tc.v, got)
		}
	}
}

func TestParseTimeValue(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		typ, v   string
		workbook bool
		want     time.Time
		ok       bool
	}{
		{"date", "2020/1/2", false, day(2020, 1, 2), true},
		{"datetime", "2020-01-02 03:04", false, time.Date(2020, 1, 2, 3, 4, 0, 0, time.UTC), true},
		{"datetime", "2020-01-02", false, day(2020, 1, 2), true},
		{"date", "2020-01-02 03:04", false, time.Time{}, false},
		{"date", "43831", false, time.Time{}, false},
		{"date", "43831", true, day(2020, 1, 1), true},
		{"datetime", "43831.5", true, time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC), true},
		{"date", "1", true, day(1900, 1, 1), true},
		{"date", "61", true, day(1900, 3, 1), true},
		{"integer", "1", false, time.Time{}, false},
	} {
		got, ok := upload.ParseTimeValue(tc.typ, tc.v, tc.workbook)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("ParseTimeValue(%s, %q, %v) = %v %v, want %v %v", tc.typ, tc.v, tc.workbook, got, ok, tc.want, tc.ok)
		}
	}
}
