package calendar_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/calendar"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cal, _ := load(t)
	var out, errb bytes.Buffer
	code = calendar.RunCLI(args, cal, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIDueExact(t *testing.T) {
	cases := []struct {
		args       []string
		out, err   string
		wantStatus int
	}{
		{[]string{"due", "--from", "2025-01-24", "--days", "5"}, "2025-02-07\n", "", 0},
		{[]string{"due", "--from=2026-09-30", "--days=1"}, "2026-10-08\n", "", 0},
		{[]string{"due", "--days", "1", "--from", "2025-12-31"}, "2026-01-04\n", "", 0},
		{[]string{"due", "-from", "2026-10-01", "-days", "0"}, "2026-10-01\n", "", 0},
		{[]string{"due", "--from", "2026-12-31", "--days", "1"}, "2027-01-04\n", "", 0},
		// 2028 has no official file: 春节 除夕 01-25 to 初三 01-28 (provisional).
		{[]string{"due", "--from", "2028-01-24", "--days", "1"}, "2028-01-31 (provisional)\n",
			"note: 2028 has no official holiday calendar: provisional (statutory holidays only, no make-up working days)\n", 0},
		{[]string{"due", "--from", "2027-12-30", "--days", "2"}, "2028-01-04 (provisional)\n",
			"note: 2028 has no official holiday calendar: provisional (statutory holidays only, no make-up working days)\n", 0},
		// N=0 on the last day of a covered year touches no other year: no warning.
		{[]string{"due", "--from", "2026-12-31", "--days", "0"}, "2026-12-31\n", "", 0},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.wantStatus || out != c.out || errs != c.err {
			t.Errorf("%q: got (%d, %q, %q), want (%d, %q, %q)", c.args, code, out, errs, c.wantStatus, c.out, c.err)
		}
	}
}

func TestCLIUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"due"}, "--from YYYY-MM-DD is required"},
		{[]string{"due", "--from", "2026-01-01"}, "--days N is required"},
		{[]string{"due", "--from", "2026/01/01", "--days", "1"}, "is not a date"},
		{[]string{"due", "--from", "2026-02-30", "--days", "1"}, "is not a date"},
		{[]string{"due", "--from", "2026-01-01", "--days", "-1"}, "is not a whole number"},
		{[]string{"due", "--from", "2026-01-01", "--days", "x"}, "is not a whole number"},
		{[]string{"due", "--from", "2026-01-01", "--days", "1", "extra"}, `unexpected argument "extra"`},
		{[]string{"due", "--nope"}, "flag provided but not defined"},
		{[]string{"show"}, "want exactly one argument"},
		{[]string{"show", "2026", "2027"}, "want exactly one argument"},
		{[]string{"show", "26"}, "is not a year"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
			t.Errorf("%q: got (%d, %q, %q), want status 2, one stderr line containing %q", c.args, code, out, errs, c.want)
		}
	}
}

func TestCLIHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"due", "--help"}, {"due", "-h"}, {"show", "--help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(out, "usage: calendar") || errs != "" {
			t.Errorf("%q: got (%d, %q, %q)", args, code, out, errs)
		}
	}
}

func TestCLIShow(t *testing.T) {
	code, out, errs := runCLI(t, "show", "2026")
	if code != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"2026 holiday calendar\n",
		"file:   embedded: 2026.json\n",
		"notice: 国务院办公厅关于2026年部分节假日安排的通知\n",
		"Days off (放假), 33:\n",
		"  2026-10-01  周四  国庆节\n",
		"  2026-09-25  周五  中秋节\n",
		"Make-up working days (调休上班), 6:\n",
		"  2026-01-04  周日  元旦\n",
		"  2026-10-10  周六  国庆节\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show 2026 lacks %q; output:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "show", "2025")
	if code != 0 || !strings.Contains(out, "  2025-10-06  周一  国庆节、中秋节\n") {
		t.Errorf("show 2025:\n%s", out)
	}
	code, out, errs = runCLI(t, "show", "2028")
	for _, want := range []string{
		"2028 holiday calendar: PROVISIONAL (no official file)\n",
		"Years with a file: 2025, 2026, 2027\n",
		"  2028-01-25  周二  春节\n",
		"  2028-10-04  周三  国庆节（补假）\n",
		"Make-up working days (调休上班), 0:\n",
	} {
		if code != 1 || errs != "" || !strings.Contains(out, want) {
			t.Errorf("show 2028 lacks %q: (%d, %q, %q)", want, code, out, errs)
		}
	}
}
