package calendar

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// MaxCLIDays bounds --days of `calendar due`.
const MaxCLIDays = 10000

const cliUsage = `usage: calendar <command> [arguments]

Working days on the official calendar (weekends and public holidays off,
make-up working days 调休 on).

commands:
  due --from YYYY-MM-DD --days N   deadline of N working days after a submission day
  show YEAR                        days off and make-up working days of YEAR

Run 'calendar <command> --help' for details.
`

const dueUsage = `usage: calendar due --from YYYY-MM-DD --days N

Prints the due date (YYYY-MM-DD) of something submitted on --from and due
within N working days: the submission day is not counted
(期间开始之日不计算在内); the deadline is 23:59:59 China time (UTC+8) of the
N-th working day after it. N=0 prints the submission day itself.
When a year without an official holiday calendar file was counted, the
date is followed by " (provisional)" on the same line (e.g.
"2028-01-31 (provisional)"): that year uses the statutory holidays of
《全国年节及纪念日放假办法》 only, and the date may change once the
State Council notice for it is out. A note says so on stderr.

flags:
  --from YYYY-MM-DD   submission day (China date)
  --days N            working days, 0..10000
`

const showUsage = `usage: calendar show YEAR

Lists YEAR's days off (holidays, including the weekend days inside a holiday
block) and make-up working days (调休上班), with the holiday names, and says
where the file came from. A year without an official file is shown as
PROVISIONAL with the days it uses (statutory holidays, 补假), and the
exit status is 1.
`

// RunCLI runs `calendar ...` with args being the words after "calendar".
// It returns the exit status: 0 success, 1 a provisional year (no
// official calendar file) for `show`, 2 a usage error (reported as one
// line on stderr).
func RunCLI(args []string, cal *Calendar, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageErr(stderr, "calendar", "missing command (due, show)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, cliUsage)
		return 0
	case "due":
		return runDue(args[1:], cal, stdout, stderr)
	case "show":
		return runShow(args[1:], cal, stdout, stderr)
	default:
		return usageErr(stderr, "calendar", fmt.Sprintf("unknown command %q (want due or show)", args[0]))
	}
}

func usageErr(stderr io.Writer, cmd, msg string) int {
	fmt.Fprintf(stderr, "%s: %s; see '%s --help'\n", cmd, msg, cmd)
	return 2
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

func runDue(args []string, cal *Calendar, stdout, stderr io.Writer) int {
	const cmd = "calendar due"
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	from := fs.String("from", "", "")
	days := fs.String("days", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, dueUsage)
			return 0
		}
		return usageErr(stderr, cmd, err.Error())
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, cmd, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *from == "" {
		return usageErr(stderr, cmd, "--from YYYY-MM-DD is required")
	}
	if *days == "" {
		return usageErr(stderr, cmd, "--days N is required")
	}
	start, err := time.ParseInLocation(DateLayout, *from, Zone)
	if err != nil {
		return usageErr(stderr, cmd, fmt.Sprintf("--from %q is not a date YYYY-MM-DD", *from))
	}
	n, err := strconv.Atoi(*days)
	if err != nil || n < 0 || n > MaxCLIDays {
		return usageErr(stderr, cmd, fmt.Sprintf("--days %q is not a whole number from 0 to %d", *days, MaxCLIDays))
	}
	due := cal.AddWorkingDays(start, n)
	line := due.Format(DateLayout)
	if n > 0 {
		missing := cal.MissingYears(start.AddDate(0, 0, 1), due)
		if len(missing) > 0 {
			line += " (provisional)"
		}
		for _, y := range missing {
			fmt.Fprintf(stderr, "note: %d has no official holiday calendar: provisional (statutory holidays only, no make-up working days)\n", y)
		}
	}
	fmt.Fprintln(stdout, line)
	return 0
}

var weekdayZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func runShow(args []string, cal *Calendar, stdout, stderr io.Writer) int {
	const cmd = "calendar show"
	for _, a := range args {
		if isHelp(a) {
			fmt.Fprint(stdout, showUsage)
			return 0
		}
	}
	if len(args) != 1 {
		return usageErr(stderr, cmd, "want exactly one argument, the year")
	}
	y, err := strconv.Atoi(args[0])
	if err != nil || y < 1000 || y > 9999 || strings.HasPrefix(args[0], "+") {
		return usageErr(stderr, cmd, fmt.Sprintf("%q is not a year (YYYY)", args[0]))
	}
	off, work := cal.Show(y)
	provisional := cal.Provisional(y)
	if provisional {
		fmt.Fprintf(stdout, "%d holiday calendar: PROVISIONAL (no official file)\n", y)
		fmt.Fprintf(stdout, "Deadlines in %d count the statutory holidays of 《全国年节及纪念日放假办法》 (2024) only,\n", y)
		fmt.Fprintf(stdout, "with 补假 for a holiday on a weekend and no make-up working days; they may change.\n")
		fmt.Fprintf(stdout, "Add %d.json to the operator calendar directory (or upload it) once the State Council notice is out.\n", y)
		fmt.Fprintf(stdout, "Years with a file: %s\n", joinInts(cal.Years()))
	} else {
		file, notice, _ := cal.YearSource(y)
		fmt.Fprintf(stdout, "%d holiday calendar\n", y)
		fmt.Fprintf(stdout, "file:   %s\n", file)
		if notice != "" {
			fmt.Fprintf(stdout, "notice: %s\n", notice)
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nDays off (放假), %d:\n", len(off))
	for _, d := range off {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", d.Date, weekdayOf(d.Date), d.Name)
	}
	fmt.Fprintf(tw, "\nMake-up working days (调休上班), %d:\n", len(work))
	if len(work) == 0 {
		fmt.Fprintln(tw, "  (none)")
	}
	for _, d := range work {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", d.Date, weekdayOf(d.Date), d.Name)
	}
	tw.Flush()
	if provisional {
		return 1
	}
	return 0
}

func weekdayOf(s string) string {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return "?"
	}
	return weekdayZH[t.Weekday()]
}

func joinInts(v []int) string {
	if len(v) == 0 {
		return "(none)"
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
