package calendar_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

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
	if got := cal.Years(); !reflect.DeepEqual(got, []int{2025, 2026}) {
		t.Fatalf("Years() = %v", got)
	}
	for _, c := range []struct{ year, off, work int }{{2025, 28, 5}, {2026, 33, 6}} {
		off, work := cal.Show(c.year)
		if len(off) != c.off || len(work) != c.work {
			t.Errorf("%d: %d off, %d workdays; want %d, %d", c.year, len(off), len(work), c.off, c.work)
		}
	}
	off, work := cal.Show(2025)
	if off[0] != (calendar.Day{Date: "2025-01-01", Name: "元旦"}) || work[0] != (calendar.Day{Date: "2025-01-26", Name: "春节"}) {
		t.Errorf("2025 first entries: %v %v", off[0], work[0])
	}
	if off, work := cal.Show(2027); off != nil || work != nil {
		t.Error("Show(2027) should be empty")
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

func TestMissingYearFallsBackToWeekendsAndWarnsOnce(t *testing.T) {
	cal, logs := load(t)
	// 2026-12-31 is a Thursday; 2027 has no file, so 2027-01-01 (Friday) counts.
	if got, want := cal.AddWorkingDays(day(t, "2026-12-31"), 1), endOf(t, "2027-01-01"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := cal.AddWorkingDays(day(t, "2026-12-31"), 2), endOf(t, "2027-01-04"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if cal.IsWorkingDay(day(t, "2027-01-02")) || !cal.IsWorkingDay(day(t, "2027-10-01")) {
		t.Error("2027 should be weekends-only")
	}
	want := []string{"no holiday calendar for 2027: counting weekends only"}
	if got := cal.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Warnings() = %q, want %q", got, want)
	}
	if n := strings.Count(logs.String(), "no holiday calendar for 2027"); n != 1 {
		t.Errorf("logged %d times, want once; log:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("want a WARN record, log:\n%s", logs)
	}
	if got := cal.MissingYears(day(t, "2025-06-01"), day(t, "2028-01-01")); !reflect.DeepEqual(got, []int{2027, 2028}) {
		t.Errorf("MissingYears = %v", got)
	}
	if got := cal.MissingYears(day(t, "2027-01-01"), day(t, "2025-01-01")); !reflect.DeepEqual(got, []int{2027}) {
		t.Errorf("MissingYears reversed = %v", got)
	}
	if got := cal.MissingYears(day(t, "2025-01-01"), day(t, "2026-12-31")); got != nil {
		t.Errorf("MissingYears covered = %v", got)
	}
	// UTC instant that is already 2027 in China
	if got := cal.MissingYears(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, []int{2027}) {
		t.Errorf("MissingYears(UTC) = %v", got)
	}
	// MissingYears alone records nothing new.
	if got := cal.Warnings(); len(got) != 1 {
		t.Errorf("Warnings() = %q", got)
	}
}

func TestWarnOnceConcurrently(t *testing.T) {
	cal, logs := load(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cal.AddWorkingDays(time.Date(2027, 3, 1, 0, 0, 0, 0, calendar.Zone), 30)
		}()
	}
	wg.Wait()
	if n := strings.Count(logs.String(), "no holiday calendar for 2027"); n != 1 || len(cal.Warnings()) != 1 {
		t.Errorf("logged %d, warnings %q", n, cal.Warnings())
	}
}

const operator2027 = `{"year": 2027, "source": "test fixture, not the real 2027 notice",
 "off": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-01-02", "name": "元旦"}, {"date": "2027-01-03", "name": "元旦"}],
 "workdays": []}`

func TestOperatorDirAddsYear(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "2027.json"), []byte(operator2027), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	cal, logs := load(t, calendar.DirSource(dir))
	if !reflect.DeepEqual(cal.Years(), []int{2025, 2026, 2027}) {
		t.Fatalf("Years() = %v", cal.Years())
	}
	if got, want := cal.AddWorkingDays(day(t, "2026-12-31"), 1), endOf(t, "2027-01-04"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if w := cal.Warnings(); len(w) != 0 || logs.Len() != 0 {
		t.Errorf("warnings %q, log %q", w, logs)
	}
	if file, _, _ := cal.YearSource(2027); file != dir+": 2027.json" {
		t.Errorf("YearSource(2027) file = %q", file)
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
