package calendar_test

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	lunarcal "github.com/6tail/lunar-go/calendar"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/calendar"
)

// load returns the shipped calendar (plus extra sources) and the log buffer.
func load(t *testing.T, extra ...calendar.Source) (*calendar.Calendar, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	srcs := append([]calendar.Source{{Name: "embedded", FS: seed.CalendarFS}}, extra...)
	cal, err := calendar.LoadSources(logger, srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return cal, &logs
}

// day is midnight China time of a YYYY-MM-DD date.
func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(calendar.DateLayout, s, calendar.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func endOf(t *testing.T, s string) time.Time {
	return day(t, s).Add(23*time.Hour + 59*time.Minute + 59*time.Second)
}

func TestEmbeddedYears(t *testing.T) {
	cal, _ := load(t)
	if got := cal.Years(); !reflect.DeepEqual(got, []int{2025, 2026, 2027}) {
		t.Fatalf("Years() = %v", got)
	}
	for _, c := range []struct{ year, off, work int }{{2025, 28, 5}, {2026, 33, 6}, {2027, 29, 5}} {
		off, work := cal.Show(c.year)
		if len(off) != c.off || len(work) != c.work {
			t.Errorf("%d: %d off, %d workdays; want %d, %d", c.year, len(off), len(work), c.off, c.work)
		}
	}
	off, work := cal.Show(2025)
	if off[0] != (calendar.Day{Date: "2025-01-01", Name: "元旦"}) || work[0] != (calendar.Day{Date: "2025-01-26", Name: "春节"}) {
		t.Errorf("2025 first entries: %v %v", off[0], work[0])
	}
	if off, work := cal.Show(2030); len(off) == 0 || len(work) != 0 {
		t.Error("Show(2030) should be the provisional year: statutory days off, no make-up working days")
	}
	file, notice, ok := cal.YearSource(2026)
	if !ok || file != "embedded: 2026.json" || notice != "国务院办公厅关于2026年部分节假日安排的通知" {
		t.Errorf("YearSource(2026) = %q %q %v", file, notice, ok)
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal, _ := load(t)
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-03-06", true, "Friday"},
		{"2026-03-07", false, "Saturday"},
		{"2026-03-08", false, "Sunday"},
		{"2026-03-09", true, "Monday"},
		{"2025-01-26", true, "make-up Sunday 春节"},
		{"2025-01-27", true, "Monday before 春节"},
		{"2025-01-28", false, "春节 first day (Tuesday)"},
		{"2025-02-04", false, "春节 last day (Tuesday)"},
		{"2025-02-05", true, "after 春节"},
		{"2025-02-08", true, "make-up Saturday 春节"},
		{"2025-02-09", false, "Sunday"},
		{"2025-09-28", true, "make-up Sunday 国庆节、中秋节"},
		{"2025-10-06", false, "中秋 inside 国庆 block"},
		{"2025-10-08", false, "国庆节、中秋节 last day (Wednesday)"},
		{"2025-10-09", true, "after 国庆"},
		{"2025-10-11", true, "make-up Saturday"},
		{"2026-01-02", false, "元旦 Friday"},
		{"2026-01-04", true, "make-up Sunday 元旦"},
		{"2026-02-14", true, "make-up Saturday 春节"},
		{"2026-02-23", false, "春节 last day (Monday)"},
		{"2026-02-28", true, "make-up Saturday 春节"},
		{"2026-09-20", true, "make-up Sunday 国庆节"},
		{"2026-09-25", false, "中秋节 Friday"},
		{"2026-10-07", false, "国庆节 last day (Wednesday)"},
		{"2026-10-08", true, "after 国庆节"},
		{"2026-10-10", true, "make-up Saturday 国庆节"},
	}
	for _, c := range cases {
		if got := cal.IsWorkingDay(day(t, c.date)); got != c.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", c.date, got, c.want, c.why)
		}
	}
	if w := cal.Warnings(); len(w) != 0 {
		t.Errorf("unexpected warnings %v", w)
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal, _ := load(t)
	cases := []struct {
		name string
		from string
		n    int
		want string
	}{
		// weekends
		{"Fri+1 skips weekend", "2026-03-06", 1, "2026-03-09"},
		{"Mon+5 is next Mon", "2026-03-09", 5, "2026-03-16"},
		{"Thu+2 skips weekend", "2026-03-12", 2, "2026-03-16"},
		{"Sat+1 is Mon", "2026-03-07", 1, "2026-03-09"},
		// Spring Festival 2025: off 01-28..02-04, make-up Sun 01-26 and Sat 02-08
		{"2025 Fri+1 is make-up Sunday", "2025-01-24", 1, "2025-01-26"},
		{"2025 Fri+2", "2025-01-24", 2, "2025-01-27"},
		{"2025 Fri+3 jumps the block", "2025-01-24", 3, "2025-02-05"},
		{"2025 application review 5 (000 Art 34)", "2025-01-24", 5, "2025-02-07"},
		{"2025 Mon before block +1", "2025-01-27", 1, "2025-02-05"},
		{"2025 after block +3 is make-up Saturday", "2025-02-05", 3, "2025-02-08"},
		{"2025 after block +4", "2025-02-05", 4, "2025-02-10"},
		// Spring Festival 2026: off 02-15..02-23, make-up Sat 02-14 and Sat 02-28
		{"2026 Fri+1 is make-up Saturday", "2026-02-13", 1, "2026-02-14"},
		{"2026 Fri+2 jumps the block", "2026-02-13", 2, "2026-02-24"},
		{"2026 Thu+5", "2026-02-12", 5, "2026-02-26"},
		{"2026 after block +4 is make-up Saturday", "2026-02-24", 4, "2026-02-28"},
		{"2026 after block +5", "2026-02-24", 5, "2026-03-02"},
		// National Day + Mid-Autumn 2025: off 10-01..10-08, make-up Sun 09-28 and Sat 10-11
		{"2025 Fri+1 is make-up Sunday", "2025-09-26", 1, "2025-09-28"},
		{"2025 Fri+3", "2025-09-26", 3, "2025-09-30"},
		{"2025 Fri+4 jumps the block", "2025-09-26", 4, "2025-10-09"},
		{"2025 Fri+6 is make-up Saturday", "2025-09-26", 6, "2025-10-11"},
		{"2025 Fri+7", "2025-09-26", 7, "2025-10-13"},
		{"2025 09-30+1", "2025-09-30", 1, "2025-10-09"},
		// National Day 2026: off 10-01..10-07, make-up Sun 09-20 and Sat 10-10; 中秋 09-25..27
		{"2026 Fri+1 is make-up Sunday", "2026-09-18", 1, "2026-09-20"},
		{"2026 Fri+2", "2026-09-18", 2, "2026-09-21"},
		{"2026 Thu+1 skips 中秋 Friday and weekend", "2026-09-24", 1, "2026-09-28"},
		{"2026 09-30+1", "2026-09-30", 1, "2026-10-08"},
		{"2026 09-30+3 is make-up Saturday", "2026-09-30", 3, "2026-10-10"},
		{"2026 09-30+4", "2026-09-30", 4, "2026-10-12"},
		// submitted on a holiday or make-up day: counting starts at the next working day
		{"submitted inside 国庆 2026", "2026-10-03", 1, "2026-10-08"},
		{"submitted on 春节 2025", "2025-01-29", 5, "2025-02-10"},
		{"submitted on make-up Sunday", "2025-01-26", 1, "2025-01-27"},
		// year boundary 2025 -> 2026: 元旦 01-01..03 off, Sun 01-04 make-up
		{"2025-12-26+3", "2025-12-26", 3, "2025-12-31"},
		{"2025-12-31+1 is make-up Sunday 2026-01-04", "2025-12-31", 1, "2026-01-04"},
		{"2025-12-31+2", "2025-12-31", 2, "2026-01-05"},
		// N = 0: the submission day itself, even when it is a holiday
		{"N=0 working day", "2026-03-09", 0, "2026-03-09"},
		{"N=0 holiday", "2026-10-01", 0, "2026-10-01"},
		// N < 0: working days before (reminders)
		{"-1 from Monday after 春节", "2026-02-24", -1, "2026-02-14"},
		{"-1 from 10-08", "2026-10-08", -1, "2026-09-30"},
	}
	for _, c := range cases {
		got := cal.AddWorkingDays(day(t, c.from), c.n)
		if want := endOf(t, c.want); !got.Equal(want) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", c.name, c.from, c.n, got, want)
		}
		if got.Location() != calendar.Zone || got.Hour() != 23 || got.Minute() != 59 || got.Second() != 59 || got.Nanosecond() != 0 {
			t.Errorf("%s: result %v not 23:59:59 in Zone", c.name, got)
		}
	}
	if w := cal.Warnings(); len(w) != 0 {
		t.Errorf("unexpected warnings %v", w)
	}
}

func TestAddWorkingDaysConvertsToChinaTime(t *testing.T) {
	cal, _ := load(t)
	est := time.FixedZone("EST", -5*60*60)
	cases := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		{"late night China Thu stays Thu", time.Date(2026, 3, 5, 23, 59, 59, 999999999, calendar.Zone), 1, "2026-03-06"},
		{"UTC Thu 15:59:59 is China Thu 23:59:59", time.Date(2026, 3, 5, 15, 59, 59, 0, time.UTC), 1, "2026-03-06"},
		{"UTC Thu 16:30 is China Fri 00:30", time.Date(2026, 3, 5, 16, 30, 0, 0, time.UTC), 1, "2026-03-09"},
		{"EST Thu 11:30 is China Fri 00:30", time.Date(2026, 3, 5, 11, 30, 0, 0, est), 1, "2026-03-09"},
		{"UTC 09-30 16:00 is China 10-01 (holiday)", time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC), 1, "2026-10-08"},
		{"UTC New Year's Eve 2025 16:00 is China 2026-01-01", time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), 1, "2026-01-04"},
		{"UTC 2025-12-31 15:00 is still China 12-31", time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC), 2, "2026-01-05"},
	}
	for _, c := range cases {
		if got, want := cal.AddWorkingDays(c.from, c.n), endOf(t, c.want); !got.Equal(want) {
			t.Errorf("%s: got %s, want %s", c.name, got, want)
		}
	}
	if !cal.IsWorkingDay(time.Date(2026, 9, 30, 15, 59, 59, 0, time.UTC)) || cal.IsWorkingDay(time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)) {
		t.Error("IsWorkingDay must use the China date")
	}
}

// TestOfficial2027 pins exact due dates on the shipped 2027 file.
func TestOfficial2027(t *testing.T) {
	cal, logs := load(t)
	cases := []struct {
		name, from string
		n          int
		want       string
	}{
		{"元旦 2027-01-01..03, Monday works", "2026-12-31", 1, "2027-01-04"},
		{"Sunday 2027-01-31 is a make-up working day", "2027-01-29", 1, "2027-01-31"},
		{"春节 2027-02-05..13, Sunday 02-14 works", "2027-02-04", 1, "2027-02-14"},
		{"国庆节 2027-10-01..07", "2027-09-30", 1, "2027-10-08"},
		{"Saturday 2027-10-09 works", "2027-10-08", 1, "2027-10-09"},
	}
	for _, c := range cases {
		if got, want := cal.AddWorkingDays(day(t, c.from), c.n), endOf(t, c.want); !got.Equal(want) {
			t.Errorf("%s: got %s, want %s", c.name, got, want)
		}
	}
	if cal.Provisional(2027) || cal.ProvisionalSpan(day(t, "2026-12-01"), day(t, "2027-12-31")) {
		t.Error("2026 and 2027 are official")
	}
	if len(cal.Warnings()) != 0 || logs.Len() != 0 {
		t.Errorf("warnings %q, log %q", cal.Warnings(), logs)
	}
}

// TestProvisional2028 derives 2028 by hand from the lunar calendar
// (正月初一 = 2028-01-26; 腊月 of lunar 2027 has 29 days, so 除夕 is
// 廿九 = 2028-01-25; 清明 2028-04-04; 端午 2028-05-28, a Sunday; 中秋
// 2028-10-03, inside 国庆节) and the 补假 rule: 元旦 (Saturday) → Monday
// 01-03, 端午 (Sunday) → Monday 05-29, 国庆 10-01 (Sunday) → Wednesday
// 10-04 (the first weekday that is not itself a holiday).
func TestProvisional2028(t *testing.T) {
	cal, logs := load(t)
	if !cal.Provisional(2028) || cal.Provisional(2026) {
		t.Fatal("2028 is provisional, 2026 is not")
	}
	off, work := cal.Show(2028)
	want := []calendar.Day{
		{Date: "2028-01-01", Name: "元旦"}, {Date: "2028-01-03", Name: "元旦（补假）"},
		{Date: "2028-01-25", Name: "春节"}, {Date: "2028-01-26", Name: "春节"}, {Date: "2028-01-27", Name: "春节"}, {Date: "2028-01-28", Name: "春节"},
		{Date: "2028-04-04", Name: "清明节"},
		{Date: "2028-05-01", Name: "劳动节"}, {Date: "2028-05-02", Name: "劳动节"},
		{Date: "2028-05-28", Name: "端午节"}, {Date: "2028-05-29", Name: "端午节（补假）"},
		{Date: "2028-10-01", Name: "国庆节"}, {Date: "2028-10-02", Name: "国庆节"}, {Date: "2028-10-03", Name: "国庆节、中秋节"},
		{Date: "2028-10-04", Name: "国庆节（补假）"},
	}
	if !reflect.DeepEqual(off, want) || len(work) != 0 {
		t.Errorf("2028 provisional days off:\n got %v\nwant %v\nworkdays %v", off, want, work)
	}
	cases := []struct {
		name, from string
		n          int
		want       string
	}{
		{"元旦 Saturday, 补假 Monday 01-03", "2027-12-31", 1, "2028-01-04"},
		{"春节: 除夕 01-25 (Tue) to 初三 01-28 (Fri), no 补假", "2028-01-24", 1, "2028-01-31"},
		{"春节, counted through: 01-24 is the 1st working day, 01-31 the 2nd", "2028-01-21", 2, "2028-01-31"},
		{"劳动节 05-01 (Mon) and 05-02 (Tue), no 补假", "2028-04-28", 1, "2028-05-03"},
		{"端午 Sunday, 补假 Monday 05-29", "2028-05-26", 1, "2028-05-30"},
		{"国庆节 10-01 (Sun) to 10-03, 补假 10-04", "2028-09-29", 1, "2028-10-05"},
		{"国庆节, 5 working days: 09-29, 10-05, 10-06, 10-09, 10-10", "2028-09-28", 5, "2028-10-10"},
		{"no 调休: Saturday 2028-10-07 is off", "2028-10-06", 1, "2028-10-09"},
	}
	for _, c := range cases {
		if got, want := cal.AddWorkingDays(day(t, c.from), c.n), endOf(t, c.want); !got.Equal(want) {
			t.Errorf("%s: got %s, want %s", c.name, got, want)
		}
	}
	if cal.IsWorkingDay(day(t, "2028-01-25")) || !cal.IsWorkingDay(day(t, "2028-01-24")) || !cal.IsWorkingDay(day(t, "2028-01-31")) {
		t.Error("除夕 2028-01-25 is off, 01-24 and 01-31 are working days")
	}
	if cal.WorkingDaysLeft(day(t, "2028-01-24"), endOf(t, "2028-01-31")) != 1 {
		t.Error("WorkingDaysLeft must count the provisional year too")
	}
	// ProvisionalSpan: inclusive, either order, China dates.
	for _, c := range []struct {
		from, to time.Time
		want     bool
	}{
		{day(t, "2027-12-01"), endOf(t, "2028-01-04"), true},
		{endOf(t, "2028-01-04"), day(t, "2027-12-01"), true},
		{day(t, "2027-01-01"), endOf(t, "2027-12-31"), false},
		{time.Date(2027, 12, 31, 15, 59, 59, 0, time.UTC), time.Date(2027, 12, 31, 15, 59, 59, 0, time.UTC), false},
		{time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC), true},
	} {
		if got := cal.ProvisionalSpan(c.from, c.to); got != c.want {
			t.Errorf("ProvisionalSpan(%s, %s) = %v", c.from, c.to, got)
		}
	}
	if got := cal.MissingYears(day(t, "2026-06-01"), day(t, "2029-01-01")); !reflect.DeepEqual(got, []int{2028, 2029}) {
		t.Errorf("MissingYears = %v", got)
	}
	if got := cal.Warnings(); !reflect.DeepEqual(got, []string{calendar.ProvisionalWarning(2028)}) {
		t.Errorf("Warnings() = %q", got)
	}
	if n := strings.Count(logs.String(), "no official holiday calendar for 2028"); n != 1 || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("logged %d times, want one WARN; log:\n%s", n, logs)
	}
}

// TestStatutoryDaysAgainstLunarGo checks the lunar holidays of many years
// against lunar-go's own festival dates, 除夕 included (the last day of
// the 12th month, the 29th or the 30th).
func TestStatutoryDaysAgainstLunarGo(t *testing.T) {
	for y := 2025; y <= 2060; y++ {
		got := map[string][]string{}
		for _, d := range calendar.StatutoryDays(y) {
			got[d.Name] = append(got[d.Name], d.Date)
		}
		ymd := func(s *lunarcal.Solar) string { return s.ToYmd() }
		last := lunarcal.NewLunarYear(y - 1).GetMonth(12).GetDayCount()
		eve := ymd(lunarcal.NewLunarFromYmd(y-1, 12, last).GetSolar())
		spring := []string{eve, ymd(lunarcal.NewLunarFromYmd(y, 1, 1).GetSolar()), ymd(lunarcal.NewLunarFromYmd(y, 1, 2).GetSolar()), ymd(lunarcal.NewLunarFromYmd(y, 1, 3).GetSolar())}
		if !reflect.DeepEqual(got["春节"], spring) {
			t.Errorf("%d 春节 = %v, want %v", y, got["春节"], spring)
		}
		has := func(date string, name string) bool {
			for _, d := range calendar.StatutoryDays(y) {
				if d.Date == date && strings.Contains(d.Name, name) {
					return true
				}
			}
			return false
		}
		if d := ymd(lunarcal.NewLunarFromYmd(y, 5, 5).GetSolar()); !has(d, "端午节") {
			t.Errorf("%d 端午 %s missing", y, d)
		}
		if d := ymd(lunarcal.NewLunarFromYmd(y, 8, 15).GetSolar()); !has(d, "中秋节") {
			t.Errorf("%d 中秋 %s missing", y, d)
		}
		if d := ymd(lunarcal.NewSolarFromYmd(y, 5, 1).GetLunar().GetJieQiTable()["清明"]); !has(d, "清明节") {
			t.Errorf("%d 清明 %s missing", y, d)
		}
	}
}

// TestShippedFilesPassUploadCheck: the official files cover their years
// in the sense of CheckFile (every statutory holiday listed as off).
func TestShippedFilesPassUploadCheck(t *testing.T) {
	for _, y := range []int{2025, 2026, 2027} {
		raw, err := fs.ReadFile(seed.CalendarFS, strconv.Itoa(y)+".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := calendar.CheckFile(raw, y); err != nil {
			t.Errorf("%d: %v", y, err)
		}
	}
}

// file2028 is a stand-in official 2028 file (test data, not a notice):
// the statutory days plus an extra day off on Monday 2028-01-24.
func file2028(extra ...string) string {
	days := []string{`{"date": "2028-01-01", "name": "元旦"}`}
	for _, d := range []string{"01-24", "01-25", "01-26", "01-27", "01-28"} {
		days = append(days, `{"date": "2028-`+d+`", "name": "春节"}`)
	}
	days = append(days, `{"date": "2028-04-04", "name": "清明节"}`, `{"date": "2028-05-01", "name": "劳动节"}`, `{"date": "2028-05-02", "name": "劳动节"}`,
		`{"date": "2028-05-28", "name": "端午节"}`, `{"date": "2028-10-01", "name": "国庆节"}`, `{"date": "2028-10-02", "name": "国庆节"}`, `{"date": "2028-10-03", "name": "国庆节、中秋节"}`)
	days = append(days, extra...)
	return `{"year": 2028, "source": "test", "off": [` + strings.Join(days, ", ") + `], "workdays": []}`
}

func TestSetYearReplacesProvisional(t *testing.T) {
	cal, _ := load(t)
	before := cal.Fingerprint(2028)
	if got := cal.AddWorkingDays(day(t, "2028-01-21"), 1); !got.Equal(endOf(t, "2028-01-24")) {
		t.Fatalf("provisional: %s", got)
	}
	_ = cal.Warnings()
	changed, err := cal.SetYear(2028, []byte(file2028()), "uploaded")
	if err != nil || !changed {
		t.Fatalf("SetYear: %v %v", changed, err)
	}
	if cal.Provisional(2028) || cal.Fingerprint(2028) == before || !strings.HasPrefix(cal.Fingerprint(2028), "official:") {
		t.Error("2028 should be official now, with a new fingerprint")
	}
	// 01-24 is off now, 01-31 still the first working day; no 补假 in the file.
	if got := cal.AddWorkingDays(day(t, "2028-01-21"), 1); !got.Equal(endOf(t, "2028-01-31")) {
		t.Errorf("official: %s", got)
	}
	if got := cal.AddWorkingDays(day(t, "2027-12-31"), 1); !got.Equal(endOf(t, "2028-01-03")) {
		t.Errorf("official 元旦: %s", got)
	}
	if w := cal.Warnings(); len(w) != 0 {
		t.Errorf("warnings after the official file: %q", w)
	}
	if file, _, _ := cal.YearSource(2028); file != "uploaded" {
		t.Errorf("YearSource = %q", file)
	}
	if changed, err := cal.SetYear(2028, []byte(file2028()), "again"); err != nil || changed {
		t.Errorf("same file again: changed=%v err=%v", changed, err)
	}
}

func TestCheckFile(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"year mismatch", strings.Replace(file2028(), `"year": 2028`, `"year": 2029`, 1), `"year" is 2029, want 2028`},
		{"outside the year", file2028(`{"date": "2029-01-01", "name": "元旦"}`), "date outside 2028"},
		{"both off and working", strings.Replace(file2028(), `"workdays": []`, `"workdays": [{"date": "2028-10-01", "name": "国庆节"}]`, 1), "both a day off and a make-up working day"},
		{"statutory day missing", strings.Replace(file2028(), `{"date": "2028-05-02", "name": "劳动节"}, `, ``, 1), "2028-05-02 Labour Day"},
		{"unknown key", strings.Replace(file2028(), `"workdays"`, `"work_days"`, 1), `unknown field "work_days"`},
		{"too large", file2028() + strings.Repeat(" ", calendar.MaxFileBytes), "larger than 32 KB"},
	}
	for _, c := range cases {
		err := calendar.CheckFile([]byte(c.raw), 2028)
		var fe *calendar.FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.EN, c.want) || fe.ZH == "" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if err := calendar.CheckFile([]byte(file2028()), 2028); err != nil {
		t.Errorf("valid file: %v", err)
	}
	cal, _ := load(t)
	if _, err := cal.SetYear(2028, []byte(`{"year": 2028, "off": [], "workdays": []}`), "x"); err == nil || !cal.Provisional(2028) {
		t.Error("an invalid file must change nothing")
	}
}

func TestWarnOnceConcurrently(t *testing.T) {
	cal, logs := load(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cal.AddWorkingDays(time.Date(2028, 3, 1, 0, 0, 0, 0, calendar.Zone), 30)
		}()
	}
	wg.Wait()
	if n := strings.Count(logs.String(), "no official holiday calendar for 2028"); n != 1 || len(cal.Warnings()) != 1 {
		t.Errorf("logged %d, warnings %q", n, cal.Warnings())
	}
}

const operator2028 = `{"year": 2028, "source": "test fixture, not a real 2028 notice",
 "off": [{"date": "2028-01-01", "name": "元旦"}],
 "workdays": []}`

func TestOperatorDirAddsYear(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "2028.json"), []byte(operator2028), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	cal, logs := load(t, calendar.DirSource(dir))
	if !reflect.DeepEqual(cal.Years(), []int{2025, 2026, 2027, 2028}) {
		t.Fatalf("Years() = %v", cal.Years())
	}
	// The file makes 2028 official: no 补假 on Monday 2028-01-03.
	if got, want := cal.AddWorkingDays(day(t, "2027-12-31"), 1), endOf(t, "2028-01-03"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if w := cal.Warnings(); len(w) != 0 || logs.Len() != 0 {
		t.Errorf("warnings %q, log %q", w, logs)
	}
	if file, _, _ := cal.YearSource(2028); file != dir+": 2028.json" || cal.Provisional(2028) {
		t.Errorf("YearSource(2028) file = %q", file)
	}
}

func TestOperatorDirOverridesYear(t *testing.T) {
	op := fstest.MapFS{"2026.json": {Data: []byte(`{"year": 2026, "source": "operator correction",
		"off": [{"date": "2026-10-01", "name": "国庆节"}], "workdays": [{"date": "2026-10-10", "name": "国庆节"}]}`)}}
	cal, logs := load(t, calendar.Source{Name: "operator", FS: op})
	off, work := cal.Show(2026)
	if len(off) != 1 || len(work) != 1 {
		t.Fatalf("override not applied wholesale: %v %v", off, work)
	}
	if !cal.IsWorkingDay(day(t, "2026-10-02")) || !cal.IsWorkingDay(day(t, "2026-01-02")) {
		t.Error("days not in the overriding file should follow weekends only")
	}
	if !strings.Contains(logs.String(), "overridden") {
		t.Errorf("override not logged: %s", logs)
	}
	// Load (unnamed sources) works the same way.
	cal2, err := calendar.Load(seed.CalendarFS, op)
	if err != nil {
		t.Fatal(err)
	}
	if f, _, _ := cal2.YearSource(2026); f != "source 2: 2026.json" {
		t.Errorf("YearSource = %q", f)
	}
}

func TestLoadErrors(t *testing.T) {
	wrap := func(body string) string {
		return `{"year": 2027, "source": "t", ` + body + `}`
	}
	cases := []struct {
		name, file, data, want string
	}{
		{"bad date", "2027.json", wrap(`"off": [{"date": "2027-02-30", "name": "x"}], "workdays": []`), `off[0] "2027-02-30": bad date`},
		{"bad month", "2027.json", wrap(`"off": [{"date": "2027-13-01", "name": "x"}], "workdays": []`), "bad date"},
		{"unpadded date", "2027.json", wrap(`"off": [{"date": "2027-1-1", "name": "x"}], "workdays": []`), "bad date"},
		{"duplicate off", "2027.json", wrap(`"off": [{"date": "2027-01-01", "name": "x"}, {"date": "2027-01-01", "name": "x"}], "workdays": []`), "duplicate date"},
		{"duplicate workday", "2027.json", wrap(`"off": [], "workdays": [{"date": "2027-01-02", "name": "x"}, {"date": "2027-01-02", "name": "x"}]`), "duplicate date"},
		{"outside year", "2027.json", wrap(`"off": [{"date": "2026-12-31", "name": "x"}], "workdays": []`), "date outside 2027"},
		{"off and workday", "2027.json", wrap(`"off": [{"date": "2027-01-02", "name": "x"}], "workdays": [{"date": "2027-01-02", "name": "x"}]`), "both a day off and a make-up working day"},
		{"workday on a weekday", "2027.json", wrap(`"off": [], "workdays": [{"date": "2027-01-04", "name": "x"}]`), "already a working day"},
		{"empty name", "2027.json", wrap(`"off": [{"date": "2027-01-01", "name": ""}], "workdays": []`), "empty holiday name"},
		{"year mismatch", "2027.json", `{"year": 2026, "off": [], "workdays": []}`, `"year" is 2026, want 2027`},
		{"unknown field", "2027.json", wrap(`"off": [], "work_days": []`), `unknown field "work_days"`},
		{"malformed", "2027.json", `{"year": 2027,`, "invalid JSON"},
		{"trailing", "2027.json", wrap(`"off": []`) + `{}`, "trailing data"},
		{"bad file name", "2027-draft.json", wrap(`"off": []`), "file name must be YYYY.json"},
	}
	for _, c := range cases {
		_, err := calendar.LoadSources(slog.New(slog.DiscardHandler),
			calendar.Source{Name: "embedded", FS: seed.CalendarFS},
			calendar.Source{Name: "/etc/portal/calendar", FS: fstest.MapFS{c.file: {Data: []byte(c.data)}}})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "/etc/portal/calendar: "+c.file) || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q should name the file and say %q", c.name, msg, c.want)
		}
	}
	if _, err := calendar.Load(); err == nil {
		t.Error("Load() with no sources should fail")
	}
	if _, err := calendar.LoadSources(nil, calendar.DirSource(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Error("missing operator dir should fail")
	}
}

func TestWorkingDaysLeft(t *testing.T) {
	cal, _ := load(t)
	at := func(s string, h, m int) time.Time {
		return day(t, s).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	cases := []struct {
		name     string
		now, due time.Time
		want     int
	}{
		{"5 days before, over 国庆 2026", at("2026-09-30", 10, 0), endOf(t, "2026-10-12"), 4},
		{"due tomorrow", at("2026-03-05", 10, 0), endOf(t, "2026-03-06"), 1},
		{"due today", at("2026-03-06", 10, 0), endOf(t, "2026-03-06"), 0},
		{"due today, last second", endOf(t, "2026-03-06"), endOf(t, "2026-03-06"), 0},
		{"due Monday, now Friday", at("2026-03-06", 9, 0), endOf(t, "2026-03-09"), 1},
		{"due Monday, now Saturday", at("2026-03-07", 9, 0), endOf(t, "2026-03-09"), 1},
		{"one second late (Saturday 00:00)", day(t, "2026-03-07"), endOf(t, "2026-03-06"), -1},
		{"due Friday, now Sunday", at("2026-03-08", 12, 0), endOf(t, "2026-03-06"), -1},
		{"due Friday, now Monday", at("2026-03-09", 12, 0), endOf(t, "2026-03-06"), -1},
		{"due Friday, now Tuesday", at("2026-03-10", 12, 0), endOf(t, "2026-03-06"), -2},
		{"due 09-30, now 10-08 (holiday between)", at("2026-10-08", 12, 0), endOf(t, "2026-09-30"), -1},
		{"UTC now that is China next day", time.Date(2026, 3, 5, 16, 30, 0, 0, time.UTC), endOf(t, "2026-03-09"), 1},
	}
	for _, c := range cases {
		if got := cal.WorkingDaysLeft(c.now, c.due); got != c.want {
			t.Errorf("%s: WorkingDaysLeft = %d, want %d", c.name, got, c.want)
		}
	}
	// Round trip with AddWorkingDays for every start day of 2025-2026.
	for d := day(t, "2025-01-01"); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		for _, n := range []int{0, 1, 2, 3, 5, 10} {
			if got := cal.WorkingDaysLeft(d.Add(13*time.Hour), cal.AddWorkingDays(d, n)); got != n && d.AddDate(0, 0, 30).Year() < 2027 {
				t.Fatalf("round trip from %s n=%d: %d", d.Format(calendar.DateLayout), n, got)
			}
		}
	}
}
