// Package calendar counts working days (工作日) on the official Chinese
// calendar: weekends are off, public holidays are off, and the make-up
// working days (调休上班) announced each year by the State Council are
// working days.
//
// The calendar is data: one YYYY.json file per year (seed.CalendarFS ships
// the known years; an operator adds or overrides a year by dropping a file
// into the operator directory, or the portal installs an uploaded one at
// run time with SetYear). A year without a file is provisional: it uses
// the statutory holidays alone (see provisional.go), and the Calendar says
// so: Provisional and ProvisionalSpan answer it, Warnings() records it and
// the injected logger logs it once per year.
//
// Time zone: every instant is converted to China Standard Time before its
// date is taken. Zone is a fixed UTC+8 zone named "CST". China has had no
// daylight saving time since 1991, so for every date this package deals
// with it is identical to Asia/Shanghai, and it needs no tzdata on the host.
//
// The package never reads the wall clock: callers pass the times.
package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Zone is China Standard Time, a fixed UTC+8 (= Asia/Shanghai since 1991).
var Zone = time.FixedZone("CST", 8*60*60)

// DateLayout is the layout of dates in calendar files and on the CLI.
const DateLayout = "2006-01-02"

// Day is one entry of a calendar file: a date (YYYY-MM-DD) and the holiday
// it belongs to, e.g. {"2026-10-01", "国庆节"}.
type Day struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// Source is one place calendar files are read from. Name appears in error
// messages and in Show output, e.g. "embedded" or the operator directory.
type Source struct {
	Name string
	FS   fs.FS
}

// DirSource is the operator directory dir as a Source. The directory must
// exist when the calendar is loaded.
func DirSource(dir string) Source { return Source{Name: dir, FS: os.DirFS(dir)} }

// Calendar answers working-day questions. It is safe for concurrent use,
// and it is updated in place (SetYear) while every service holds it.
type Calendar struct {
	logger *slog.Logger

	mu    sync.RWMutex
	years map[int]*year // official years
	prov  map[int]*year // provisional years derived so far

	wmu      sync.Mutex
	warned   map[int]bool
	warnings []string
}

type year struct {
	origin      string // "embedded: 2026.json"
	notice      string // the file's "source" field
	provisional bool
	off         []Day // sorted by date
	workdays    []Day // sorted by date
	offSet      map[date]bool
	workSet     map[date]bool
}

// fileData is the JSON layout of a YYYY.json file. Unknown fields are
// rejected so that a misspelt key ("work_days") cannot silently drop days.
type fileData struct {
	Year        int    `json:"year"`
	Source      string `json:"source"`
	GeneratedBy string `json:"generated_by,omitempty"`
	Note        string `json:"note,omitempty"`
	Off         []Day  `json:"off"`
	Workdays    []Day  `json:"workdays"`
}

// Load reads YYYY.json files from each fs.FS in order; a year in a later FS
// replaces the same year from an earlier one. Sources are named "source 1",
// "source 2", ... in errors; warnings go to slog.Default(). Use LoadSources
// to name the sources and inject a logger.
func Load(fsys ...fs.FS) (*Calendar, error) {
	srcs := make([]Source, len(fsys))
	for i, f := range fsys {
		srcs[i] = Source{Name: "source " + strconv.Itoa(i+1), FS: f}
	}
	return LoadSources(nil, srcs...)
}

var fileNameRE = regexp.MustCompile(`^([0-9]{4})\.json$`)

// LoadSources reads YYYY.json files from each source in order; a year in a
// later source replaces (wholly, not merged) the same year from an earlier
// one, which is how an operator directory given last adds or overrides
// years. Files not ending in .json and subdirectories are ignored; a .json
// file not named YYYY.json is an error. Any invalid file is an error that
// names the source and the file. logger receives the missing-year warnings
// and override notices; nil means slog.Default().
func LoadSources(logger *slog.Logger, sources ...Source) (*Calendar, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if len(sources) == 0 {
		return nil, errors.New("calendar: no calendar sources given")
	}
	c := &Calendar{years: map[int]*year{}, prov: map[int]*year{}, logger: logger, warned: map[int]bool{}}
	for _, src := range sources {
		if src.FS == nil {
			return nil, fmt.Errorf("calendar: %s: nil fs.FS", src.Name)
		}
		entries, err := fs.ReadDir(src.FS, ".")
		if err != nil {
			return nil, fmt.Errorf("calendar: %s: %w", src.Name, err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || path.Ext(name) != ".json" {
				continue
			}
			where := src.Name + ": " + name
			m := fileNameRE.FindStringSubmatch(name)
			if m == nil {
				return nil, fmt.Errorf("calendar: %s: file name must be YYYY.json", where)
			}
			fileYear, _ := strconv.Atoi(m[1])
			raw, err := fs.ReadFile(src.FS, name)
			if err != nil {
				return nil, fmt.Errorf("calendar: %s: %w", where, err)
			}
			y, err := parseYear(raw, fileYear)
			if err != nil {
				return nil, fmt.Errorf("calendar: %s: %w", where, err)
			}
			y.origin = where
			if old, ok := c.years[fileYear]; ok {
				logger.Info("holiday calendar year overridden", "year", fileYear, "by", where, "replaces", old.origin)
			}
			c.years[fileYear] = y
		}
	}
	return c, nil
}

func parseYear(raw []byte, fileYear int) (*year, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f fileData
	if err := dec.Decode(&f); err != nil {
		return nil, &parseError{"不是有效的 JSON，或含有未知的字段", "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &parseError{"JSON 对象之后还有多余的内容", "invalid JSON: trailing data after the object"}
	}
	if f.Year != fileYear {
		return nil, &parseError{fmt.Sprintf("文件中的年份 %d 与文件名中的年份 %d 不一致", f.Year, fileYear),
			fmt.Sprintf("\"year\" is %d, want %d (from the file name)", f.Year, fileYear)}
	}
	y := &year{notice: f.Source, offSet: map[date]bool{}, workSet: map[date]bool{}}
	check := func(list string, days []Day, set map[date]bool, other map[date]bool) ([]Day, error) {
		out := make([]Day, 0, len(days))
		for i, d := range days {
			at := fmt.Sprintf("%s[%d] %q", list, i, d.Date)
			atZH := fmt.Sprintf("%s第 %d 项“%s”", listZH[list], i+1, d.Date)
			t, err := time.ParseInLocation(DateLayout, d.Date, time.UTC)
			if err != nil {
				return nil, &parseError{atZH + "：日期格式应为 YYYY-MM-DD", at + ": bad date, want YYYY-MM-DD"}
			}
			if t.Year() != fileYear {
				return nil, &parseError{fmt.Sprintf("%s：日期不在 %d 年内", atZH, fileYear), fmt.Sprintf("%s: date outside %d", at, fileYear)}
			}
			if d.Name == "" {
				return nil, &parseError{atZH + "：缺少节假日名称", at + ": empty holiday name"}
			}
			k := dateOfCivil(t)
			if set[k] {
				return nil, &parseError{atZH + "：日期重复", fmt.Sprintf("%s: duplicate date in %q", at, list)}
			}
			if other[k] {
				return nil, &parseError{atZH + "：同一天既是放假日又是调休上班日", at + ": date is both a day off and a make-up working day"}
			}
			set[k] = true
			out = append(out, d)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
		return out, nil
	}
	var err error
	if y.off, err = check("off", f.Off, y.offSet, nil); err != nil {
		return nil, err
	}
	if y.workdays, err = check("workdays", f.Workdays, y.workSet, y.offSet); err != nil {
		return nil, err
	}
	for _, d := range y.workdays {
		t, _ := time.ParseInLocation(DateLayout, d.Date, time.UTC)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return nil, &parseError{fmt.Sprintf("调休上班日“%s”是%s，本来就是工作日；调休上班日只能在周末", d.Date, weekdayZH[wd]),
				fmt.Sprintf("workdays %q: is a %s, already a working day; make-up working days fall on weekends", d.Date, wd)}
		}
	}
	return y, nil
}

// parseError is what is wrong with a calendar file, in Chinese and in
// English: administrators upload files in either language (the upload
// answer shows the reader's, see FileError). Error is the English.
type parseError struct{ zh, en string }

func (e *parseError) Error() string { return e.en }

// The lists of a calendar file, as the Chinese names them (weekdays:
// weekdayZH).
var listZH = map[string]string{"off": "放假日", "workdays": "调休上班日"}

// date is a civil date: days since 1970-01-01.
type date int64

func dateOfCivil(t time.Time) date { // t: midnight UTC of the civil date
	return date(t.Unix() / 86400)
}

// dateOf is the China date of instant t.
func dateOf(t time.Time) date {
	s := t.In(Zone)
	return dateOfCivil(time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC))
}

func (d date) civil() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d date) year() int { return d.civil().Year() }

func (d date) weekend() bool {
	wd := d.civil().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// endOfDay is 23:59:59 China time on d.
func (d date) endOfDay() time.Time {
	c := d.civil()
	return time.Date(c.Year(), c.Month(), c.Day(), 23, 59, 59, 0, Zone)
}

// yearOf is year y as in use now: the official file, else the provisional
// calendar (derived once, and warned about once).
func (c *Calendar) yearOf(y int) *year {
	yd := c.lookup(y)
	if yd.provisional {
		c.warnMissing(y)
	}
	return yd
}

// lookup is yearOf without the warning (for showing a year).
func (c *Calendar) lookup(y int) *year {
	c.mu.RLock()
	yd, ok := c.years[y]
	if !ok {
		yd, ok = c.prov[y]
	}
	c.mu.RUnlock()
	if ok {
		return yd
	}
	yd = provisionalYear(y)
	c.mu.Lock()
	if off, ok := c.years[y]; ok { // installed meanwhile
		yd = off
	} else {
		c.prov[y] = yd
	}
	c.mu.Unlock()
	return yd
}

func (c *Calendar) isWorking(d date) bool {
	y := c.yearOf(d.year())
	if y.offSet[d] {
		return false
	}
	if y.workSet[d] {
		return true
	}
	return !d.weekend()
}

func (c *Calendar) warnMissing(y int) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.warned[y] {
		return
	}
	c.warned[y] = true
	msg := ProvisionalWarning(y)
	c.warnings = append(c.warnings, msg)
	c.logger.Warn(msg, "year", y)
}

// Warnings returns the warnings recorded so far, oldest first: one per
// provisional year that a computation has touched and that is still
// provisional (see ProvisionalWarning).
func (c *Calendar) Warnings() []string {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	out := make([]string, 0, len(c.warnings))
	for _, w := range c.warnings {
		var y int
		if _, err := fmt.Sscanf(w, "no official holiday calendar for %d", &y); err == nil && c.HasYear(y) {
			continue // an official file arrived since
		}
		out = append(out, w)
	}
	return out
}

// HasYear reports whether an official calendar file is in use for year y.
func (c *Calendar) HasYear(y int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.years[y]
	return ok
}

// Provisional reports whether year y has no official calendar file (shipped,
// operator directory or uploaded), so its dates are computed from the
// statutory holidays alone and may change when the yearly notice is out.
func (c *Calendar) Provisional(y int) bool { return !c.HasYear(y) }

// ProvisionalSpan reports whether any China date from from to to
// (inclusive, either order) lies in a provisional year.
func (c *Calendar) ProvisionalSpan(from, to time.Time) bool {
	a, b := dateOf(from).year(), dateOf(to).year()
	if a > b {
		a, b = b, a
	}
	for y := a; y <= b; y++ {
		if c.Provisional(y) {
			return true
		}
	}
	return false
}

// Years lists the years with a calendar file, ascending.
func (c *Calendar) Years() []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// YearSource tells where year y's file came from ("embedded: 2026.json")
// and the notice it records (its "source" field).
func (c *Calendar) YearSource(y int) (file, notice string, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	yd, ok := c.years[y]
	if !ok {
		return "", "", false
	}
	return yd.origin, yd.notice, true
}

// MissingYears lists, ascending, the years from the China date of from to
// the China date of to (inclusive, either order) that have no calendar
// file (provisional years). It records no warning; use it to check
// coverage up front.
func (c *Calendar) MissingYears(from, to time.Time) []int {
	a, b := dateOf(from).year(), dateOf(to).year()
	if a > b {
		a, b = b, a
	}
	var out []int
	for y := a; y <= b; y++ {
		if !c.HasYear(y) {
			out = append(out, y)
		}
	}
	return out
}

// IsWorkingDay reports whether the China date of t is a working day. A
// year without a file is provisional, and a warning is recorded.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.isWorking(dateOf(t)) }

// AddWorkingDays returns the deadline for something submitted at from that
// is due within n working days:
//
//   - from is converted to China time and its date is the submission day;
//     the submission day is not counted (期间开始之日不计算在内), whatever
//     the time of day and whether or not it is a working day;
//   - for n > 0 the deadline is 23:59:59 China time of the n-th working day
//     after the submission day;
//   - for n == 0 it is 23:59:59 China time of the submission day itself;
//   - for n < 0 it is 23:59:59 China time of the |n|-th working day before
//     the submission day (e.g. for reminders: AddWorkingDays(due, -1)).
//
// The result is in Zone and carries no sub-second part; an act at
// 23:59:59.5 is after it. Years without a file are provisional and record
// a warning (see ProvisionalSpan).
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	d := dateOf(from)
	for k := 0; k < n; {
		d++
		if c.isWorking(d) {
			k++
		}
	}
	for k := 0; k > n; {
		d--
		if c.isWorking(d) {
			k--
		}
	}
	return d.endOfDay()
}

// WorkingDaysLeft says how many working days remain before due, as of now:
//
//   - if now is not after due: the number of working days whose China date
//     is after now's China date and not after due's China date (so 0 means
//     "due today", and WorkingDaysLeft(t, AddWorkingDays(t, n)) == n for n >= 0);
//   - if now is after due (overdue): minus the number of working days after
//     due's China date up to and including now's China date, but at least
//     -1: a deadline that has passed always gives a negative number, even on
//     the weekend right after it.
func (c *Calendar) WorkingDaysLeft(now, due time.Time) int {
	if !now.After(due) {
		return c.countWorking(dateOf(now), dateOf(due))
	}
	k := c.countWorking(dateOf(due), dateOf(now))
	if k < 1 {
		k = 1
	}
	return -k
}

// countWorking counts working days in (a, b].
func (c *Calendar) countWorking(a, b date) int {
	n := 0
	for d := a + 1; d <= b; d++ {
		if c.isWorking(d) {
			n++
		}
	}
	return n
}

// Show returns year y's days off and make-up working days as in use,
// sorted by date: the official file's, or the provisional calendar's (see
// Provisional; its make-up days off are named "…（补假）").
func (c *Calendar) Show(y int) (off, workdays []Day) {
	yd := c.lookup(y)
	return append([]Day{}, yd.off...), append([]Day{}, yd.workdays...)
}
