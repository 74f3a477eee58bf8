package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
)

var fixedNow = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

var registryItems = []Item{
	{Name: "uscc", Label: "统一社会信用代码", Type: "string", Domain: catalog.DomainCreditCode},
	{Name: "region", Label: "区划代码", Type: "string", Domain: catalog.DomainRegionCode},
	{Name: "phone", Label: "联系电话", Type: "string", Domain: catalog.DomainPhone},
	{Name: "email", Label: "电子邮箱", Type: "string", Domain: catalog.DomainEmail},
	{Name: "founded", Label: "成立日期", Type: "date"},
	{Name: "amount", Label: "金额", Type: "number"},
	{Name: "staff", Label: "人数", Type: "integer"},
	{Name: "note", Label: "备注", Type: "string"},
}

// registryCSV has a defect of every kind, at known rows. Record numbers
// are row numbers: the blank line is no record, the ",,,," record (5) is
// skipped, and the quoted cell spanning two lines is record 6.
const registryCSV = "\uFEFF统一社会信用代码,区划代码,联系电话,电子邮箱,成立日期,金额,人数,额外\n" +
	"91110000802100433B,230102,13800138000,a@b.cn,2020-01-02,1.5,10,x\n" + // 2
	"9144030071526726XG,230202,0451-82345678,info@example.com,1999/9/9,-2,20,y\n" + // 3
	"91110000802100433C,230199,12,bad@,1899-12-31,abc,3.5,z\n" + // 4: every column broken
	"\n" +
	",,,,,,,\n" + // 5: blank
	"91110108551385082Q,230100,400-810-8888,x@y.com.cn,2000-02-29,0,0,\"第一行\n第二行\"\n" + // 6
	"91110000802100433B,230102,13800138000,a@b.cn,2020-01-02,1.5,10,x\n" + // 7: row 2 again
	"91110000802100433b,230102001000,+86 138 0013 8000,A.B+tag@sub.example.org,2100-12-31,1e3,+5,x\n" + // 8
	"9111000080210043IB,2301,110,a@b,2101-01-01,,,\n" // 9

func profileString(t *testing.T, csv string, items []Item, opt Options) *Result {
	t.Helper()
	if opt.Now == nil {
		opt.Now = fixedNow
	}
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	r, err := Run(context.Background(), strings.NewReader(csv), items, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func col(t *testing.T, r *Result, id string) Column {
	t.Helper()
	for _, c := range r.Columns {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no column %q in %+v", id, r.Columns)
	return Column{}
}

func ptr(s string) *string { return &s }

func TestRunFindsEveryDefect(t *testing.T) {
	r := profileString(t, registryCSV, registryItems, Options{})
	if r.Rows != 7 || r.DuplicateRows != 1 {
		t.Errorf("rows %d, duplicates %d; want 7 and 1", r.Rows, r.DuplicateRows)
	}
	if !reflect.DeepEqual(r.Undeclared, []string{"额外"}) || !reflect.DeepEqual(r.Missing, []string{"note"}) {
		t.Errorf("undeclared %q, missing %q", r.Undeclared, r.Missing)
	}
	if !r.ProfiledAt.Equal(fixedNow()) {
		t.Errorf("profiled at %v", r.ProfiledAt)
	}
	for _, tc := range []struct {
		id       string
		invalid  int64
		rule     string
		rows     []int64
		values   []string
		empty    int64
		inferred string
	}{
		{"uscc", 3, RuleCreditCode, []int64{4, 8, 9}, []string{"91110000802100433C", "91110000802100433b", "9111000080210043IB"}, 0, "string"},
		{"region", 2, RuleRegionCode, []int64{4, 9}, []string{"230199", "2301"}, 0, "integer"},
		{"phone", 1, RulePhone, []int64{4}, []string{"12"}, 0, "string"},
		{"email", 2, RuleEmail, []int64{4, 9}, []string{"bad@", "a@b"}, 0, "string"},
		{"founded", 2, RuleDate, []int64{4, 9}, []string{"1899-12-31", "2101-01-01"}, 0, "date"},
		{"amount", 1, RuleType, []int64{4}, []string{"abc"}, 1, "string"},
		{"staff", 1, RuleType, []int64{4}, []string{"3.5"}, 1, "number"},
		{"额外", 0, "", []int64{}, []string{}, 1, "string"},
	} {
		c := col(t, r, tc.id)
		if c.Invalid != tc.invalid || c.InvalidRule != tc.rule || !reflect.DeepEqual(c.InvalidExamples, tc.rows) ||
			!reflect.DeepEqual(c.InvalidValues, tc.values) || c.Empty != tc.empty || c.InferredType != tc.inferred {
			t.Errorf("%s: invalid %d %q rows %v values %q empty %d inferred %s; want %d %q %v %q %d %s", tc.id,
				c.Invalid, c.InvalidRule, c.InvalidExamples, c.InvalidValues, c.Empty, c.InferredType,
				tc.invalid, tc.rule, tc.rows, tc.values, tc.empty, tc.inferred)
		}
	}
	uscc := col(t, r, "uscc")
	if uscc.Label != "统一社会信用代码" || uscc.DeclaredType != "string" || uscc.Domain != catalog.DomainCreditCode {
		t.Errorf("uscc matched as %+v (the BOM must not hide the first header)", uscc)
	}
	if uscc.Distinct != 6 || uscc.DistinctApprox || uscc.TopApprox || uscc.Top[0] != (TopValue{"91110000802100433B", 2}) {
		t.Errorf("uscc distinct %d (approx %v), top %v", uscc.Distinct, uscc.DistinctApprox, uscc.Top)
	}
	extra := col(t, r, "额外")
	if extra.Label != "" || extra.DeclaredType != "string" || !reflect.DeepEqual(extra.Top[0], TopValue{"x", 3}) {
		t.Errorf("undeclared column: %+v", extra)
	}
	if extra.Top[1].Value != "y" && extra.Top[1].Value != "第一行\n第二行" {
		t.Errorf("the multi-line cell is one value: %v", extra.Top)
	}
	region := col(t, r, "region")
	wantRegions := []RegionCount{{"230100", "哈尔滨市", 4}, {"230200", "齐齐哈尔市", 1}}
	if !reflect.DeepEqual(region.Regions, wantRegions) {
		t.Errorf("regions %+v, want %+v", region.Regions, wantRegions)
	}
	if col(t, r, "uscc").Regions != nil {
		t.Error("only region_code columns count regions")
	}
	// Min and max compare by the declared type: numbers numerically, dates
	// as dates whatever their layout; type breaks are left out, and the
	// out-of-range dates are still dates.
	for id, want := range map[string][2]*string{
		"founded": {ptr("1899-12-31"), ptr("2101-01-01")},
		"amount":  {ptr("-2"), ptr("1e3")},
		"staff":   {ptr("0"), ptr("20")},
		"phone":   {ptr("+86 138 0013 8000"), ptr("400-810-8888")},
	} {
		c := col(t, r, id)
		if c.Min == nil || c.Max == nil || *c.Min != *want[0] || *c.Max != *want[1] {
			t.Errorf("%s: min %v max %v, want %s %s", id, deref(c.Min), deref(c.Max), *want[0], *want[1])
		}
	}
	// The JSON is the public contract.
	b, _ := json.Marshal(r)
	for _, key := range []string{`"rows":7`, `"duplicate_rows":1`, `"undeclared_columns":["额外"]`, `"missing_columns":["note"]`,
		`"profiled_at":"2026-03-04T05:06:07Z"`, `"invalid_rule":"credit_code"`, `"invalid_examples":[4,8,9]`, `"distinct_approx":false`,
		`"regions":[{"code":"230100","name":"哈尔滨市","count":4}`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestMinMaxByDeclaredType(t *testing.T) {
	long := strings.Repeat("长", 150)
	csv := "i,n,d,dt,s,b\n" +
		"9,999.5,2020/1/9,2020-01-02 10:00:00,a,是\n" +
		"10,1e3,2020-01-10,2020-01-02T09:59:59+08:00,B," + long + "\n" +
		"-3,-0.5,2019-12-31,2020/1/2 10:00,,false\n"
	items := []Item{{Name: "i", Type: "integer"}, {Name: "n", Type: "number"}, {Name: "d", Type: "date"},
		{Name: "dt", Type: "datetime"}, {Name: "s", Type: "string"}, {Name: "b", Type: "boolean"}}
	r := profileString(t, csv, items, Options{})
	for _, tc := range []struct{ id, min, max string }{
		{"i", "-3", "10"},    // bytes would say "10" < "9"
		{"n", "-0.5", "1e3"}, // and "1e3" < "999.5"
		{"d", "2019-12-31", "2020-01-10"},
		{"dt", "2020-01-02T09:59:59+08:00", "2020-01-02 10:00:00"}, // 01:59:59 UTC is earliest
		{"s", "B", "a"}, // strings by bytes
	} {
		c := col(t, r, tc.id)
		if deref(c.Min) != tc.min || deref(c.Max) != tc.max {
			t.Errorf("%s: min %s max %s, want %s %s", tc.id, deref(c.Min), deref(c.Max), tc.min, tc.max)
		}
	}
	// Long values are clipped to 100 runes where they are shown.
	b := col(t, r, "b")
	if b.Invalid != 1 || b.InvalidRule != RuleType || len([]rune(b.InvalidValues[0])) != 51 || !strings.HasSuffix(b.InvalidValues[0], "…") {
		t.Errorf("boolean column: %d %q %q", b.Invalid, b.InvalidRule, b.InvalidValues)
	}
	for _, tv := range b.Top {
		if len([]rune(tv.Value)) > 101 {
			t.Errorf("top value not clipped: %d runes", len([]rune(tv.Value)))
		}
	}
	if s := col(t, r, "s"); s.Empty != 1 || s.Distinct != 2 {
		t.Errorf("string column: empty %d distinct %d", s.Empty, s.Distinct)
	}
}

func TestExamplesAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("n\n")
	for i := range 100 {
		if i%2 == 0 {
			fmt.Fprintf(&b, "bad%d\n", i)
		} else {
			fmt.Fprintf(&b, "%d\n", i)
		}
	}
	r := profileString(t, b.String(), []Item{{Name: "n", Type: "integer"}}, Options{MaxExamples: 5})
	c := col(t, r, "n")
	if c.Invalid != 50 || !reflect.DeepEqual(c.InvalidExamples, []int64{2, 4, 6, 8, 10}) || c.InvalidValues[4] != "bad8" {
		t.Errorf("invalid %d, rows %v, values %q", c.Invalid, c.InvalidExamples, c.InvalidValues)
	}
}

func TestDistinctAndTopExactThenApproximate(t *testing.T) {
	var b strings.Builder
	b.WriteString("v\n")
	// 30,000 values seen once, "hot" 3,000 times and "warm" 1,000 times,
	// interleaved.
	for i := range 30000 {
		fmt.Fprintf(&b, "value-%d\n", i)
		if i%10 == 0 {
			b.WriteString("hot\n")
		}
		if i%30 == 0 {
			b.WriteString("warm\n")
		}
	}
	csv := b.String()

	exact := col(t, profileString(t, csv, nil, Options{ExactLimit: 100000}), "v")
	if exact.Distinct != 30002 || exact.DistinctApprox || exact.TopApprox ||
		!reflect.DeepEqual(exact.Top[:3], []TopValue{{"hot", 3000}, {"warm", 1000}, {"value-0", 1}}) || len(exact.Top) != 10 {
		t.Errorf("exact: distinct %d (approx %v), top %v", exact.Distinct, exact.DistinctApprox, exact.Top)
	}

	approx := col(t, profileString(t, csv, nil, Options{ExactLimit: 1000}), "v")
	if !approx.DistinctApprox || !approx.TopApprox {
		t.Fatalf("past the exact limit the figures are estimates: %+v", approx)
	}
	if d := float64(approx.Distinct-30002) / 30002; d > 0.03 || d < -0.03 {
		t.Errorf("distinct estimate %d for 30,002", approx.Distinct)
	}
	// Misra–Gries counts are lower bounds; with 34,000 cells and 256
	// counters they are short by at most 2·34000/256 = 266.
	if len(approx.Top) < 2 || approx.Top[0].Value != "hot" || approx.Top[1].Value != "warm" ||
		approx.Top[0].Count > 3000 || approx.Top[0].Count < 3000-266 || approx.Top[1].Count > 1000 || approx.Top[1].Count < 1000-266 {
		t.Errorf("approximate top %v", approx.Top)
	}
}

func TestDuplicateRowsAcrossSpilledRuns(t *testing.T) {
	dir := t.TempDir()
	header := []string{"a", "b", "c"}
	p := NewProfiler(header, nil, Options{TempDir: dir, Now: fixedNow, spillHashes: 100})
	var want int64
	for i := range 10000 {
		row := []string{fmt.Sprint(i), "x", fmt.Sprint(i % 7)}
		if i%10 == 9 { // an earlier row again, with spaces and a dropped trailing cell
			row = []string{fmt.Sprintf(" %d ", i-5), "x", fmt.Sprint((i - 5) % 7), ""}
			want++
		}
		if err := p.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	// 100 hashes a run, merged into one run file each time 64 are written.
	if files := runFiles(t, dir); len(files) == 0 {
		t.Fatal("no run file was written past the spill threshold")
	}
	r, err := p.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 10000 || r.DuplicateRows != want {
		t.Errorf("rows %d duplicates %d, want 10000 and %d", r.Rows, r.DuplicateRows, want)
	}
	if files := runFiles(t, dir); len(files) != 0 {
		t.Errorf("run files left after Finish: %v", files)
	}
	// The same rows in one run of memory give the same count.
	q := NewProfiler(header, nil, Options{TempDir: dir, Now: fixedNow})
	for i := range 10000 {
		row := []string{fmt.Sprint(i), "x", fmt.Sprint(i % 7)}
		if i%10 == 9 {
			row = []string{fmt.Sprint(i - 5), "x", fmt.Sprint((i - 5) % 7)}
		}
		q.Add(row)
	}
	if files := runFiles(t, dir); len(files) != 0 {
		t.Errorf("below the threshold no file is written: %v", files)
	}
	if r2, _ := q.Finish(); r2.DuplicateRows != want {
		t.Errorf("in memory: %d duplicates, want %d", r2.DuplicateRows, want)
	}

	// A profiler given up deletes its files too.
	g := NewProfiler(header, nil, Options{TempDir: dir, spillHashes: 10})
	for i := range 100 {
		g.Add([]string{fmt.Sprint(i)})
	}
	if len(runFiles(t, dir)) == 0 {
		t.Fatal("expected run files")
	}
	g.Close()
	if files := runFiles(t, dir); len(files) != 0 {
		t.Errorf("run files left after Close: %v", files)
	}
}

func TestRowsDifferingOnlyInColumnOrderAreNotDuplicates(t *testing.T) {
	r := profileString(t, "a,b\nx,y\ny,x\nx,\n,x\nx,y\n", nil, Options{})
	if r.Rows != 5 || r.DuplicateRows != 1 {
		t.Errorf("rows %d duplicates %d", r.Rows, r.DuplicateRows)
	}
}

func runFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		opt       Options
		want      string
	}{
		{"empty", "", Options{}, "the file is empty"},
		{"only blank lines", "\n\n", Options{}, "the file is empty"},
		{"line too long", "a\n" + strings.Repeat("x", 200) + "\n", Options{MaxRecordBytes: 100}, "line 2 is longer than 100 bytes"},
		{"line too long far down", "a\n" + strings.Repeat("12345\n", 100000) + strings.Repeat("x", 200) + "\n", Options{MaxRecordBytes: 100}, "line 100002 is longer than 100 bytes"},
		{"too many columns", "a,b,c\n1,2,3\n", Options{MaxColumns: 2}, "row 1 has 3 columns, more than 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.TempDir = t.TempDir()
			_, err := Run(context.Background(), strings.NewReader(tc.csv), nil, tc.opt)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want invalid %q", err, tc.want)
			}
		})
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var b strings.Builder
	b.WriteString("a\n")
	for i := range 200000 {
		fmt.Fprintf(&b, "%d\n", i)
	}
	r := &cancelAfter{r: strings.NewReader(b.String()), n: 300 << 10, cancel: cancel}
	_, err := Run(ctx, r, nil, Options{TempDir: dir, spillHashes: 1000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if files := runFiles(t, dir); len(files) != 0 {
		t.Errorf("run files left after cancellation: %v", files)
	}
}

// cancelAfter cancels a context once n bytes were read.
type cancelAfter struct {
	r      *strings.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// Run spreads the columns over several goroutines; its result must be
// that of a Profiler fed row by row.
func TestRunEqualsProfilerRowByRow(t *testing.T) {
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	var b strings.Builder
	header := "uscc,region,phone,founded,amount,staff,name,extra"
	b.WriteString(header + "\n")
	var rows [][]string
	for i := range 20000 {
		j := i % 6000 // rows repeat every 6,000
		row := []string{
			[]string{"91110000802100433B", "9144030071526726XG", "bad"}[j%3],
			[]string{"230102", "230202", "230199", ""}[j%4],
			fmt.Sprintf("138%08d", j%5000),
			fmt.Sprintf("20%02d-%02d-%02d", j%30, 1+j%12, 1+j%28),
			fmt.Sprintf("%d.%d", j, j%7),
			fmt.Sprint(j % 977),
			fmt.Sprintf("企业%d", j%1500),
			"",
		}
		if i%1000 == 0 {
			row = []string{"", "", "", "", "", "", "", ""} // blank
		}
		if i%777 == 0 {
			row[7] = "extra"
			row = append(row, "beyond the header")
		}
		rows = append(rows, row)
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	items := registryItems[:2]
	opt := Options{Now: fixedNow, TempDir: t.TempDir(), ExactLimit: 2000, spillHashes: 3000}
	got, err := Run(context.Background(), strings.NewReader(b.String()), items, opt)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProfiler(strings.Split(header, ","), items, opt)
	for _, row := range rows {
		if err := p.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	want, err := p.Finish()
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("Run and Profiler differ:\n%s\n%s", gj, wj)
	}
	if got.Rows != 19981 || got.DuplicateRows < 13000 {
		t.Errorf("rows %d duplicates %d", got.Rows, got.DuplicateRows)
	}
}

// Rows from a workbook (upload.File.Rows) come with dates as serial
// numbers and trailing empty cells cut.
func TestProfilerWorkbookRows(t *testing.T) {
	items := []Item{{Name: "d", Label: "日期", Type: "date"}, {Name: "n", Type: "integer"}, {Name: "s"}}
	for _, workbook := range []bool{true, false} {
		p := NewProfiler([]string{"日期", "N", " s "}, items, Options{Workbook: workbook, Now: fixedNow, TempDir: t.TempDir()})
		for _, row := range [][]string{{"43831", "1"}, {"2020-01-02", "2", "x"}, {"1", "3"}, {"43831", "1", ""}} {
			if err := p.Add(row); err != nil {
				t.Fatal(err)
			}
		}
		r, err := p.Finish()
		if err != nil {
			t.Fatal(err)
		}
		d := col(t, r, "d")
		if workbook {
			// 43831 is 2020-01-01; serial 1 is 1900-01-01, a valid date
			// but nothing a dataset means: the date range rule says so.
			if d.Invalid != 0 || deref(d.Min) != "1" || deref(d.Max) != "2020-01-02" {
				t.Errorf("workbook: invalid %d %v min %s max %s", d.Invalid, d.InvalidExamples, deref(d.Min), deref(d.Max))
			}
		} else if d.Invalid != 3 || d.InvalidRule != RuleType || !reflect.DeepEqual(d.InvalidExamples, []int64{2, 4, 5}) {
			t.Errorf("CSV: invalid %d %q %v", d.Invalid, d.InvalidRule, d.InvalidExamples)
		}
		if r.Rows != 4 || r.DuplicateRows != 1 || len(r.Missing) != 0 || col(t, r, "s").Empty != 3 {
			t.Errorf("rows %d duplicates %d missing %v", r.Rows, r.DuplicateRows, r.Missing)
		}
	}
}
