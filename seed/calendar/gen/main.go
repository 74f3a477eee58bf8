// Command gen writes the holiday calendar files seed/calendar/YYYY.json from
// the State Council holiday data shipped in github.com/6tail/lunar-go
// (package HolidayUtil, the version pinned in go.mod).
//
// Run from the module root:
//
//	go run ./seed/calendar/gen               # writes 2025.json to 2027.json
//	go run ./seed/calendar/gen -out seed/calendar 2027
//
// A year lunar-go does not know yet (the notice for year Y is published in
// November of Y-1) is refused rather than written empty: an operator adds
// such a year by hand, as a file in the operator calendar directory.
// gen_test.go checks that the committed files agree with lunar-go.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// generatedBy is written into every file so a reader knows where it came from.
const generatedBy = "go run ./seed/calendar/gen (github.com/6tail/lunar-go v1.4.7, HolidayUtil)"

// officialName maps lunar-go's holiday names to the names the State Council
// notices use. Names not listed are already the official ones.
var officialName = map[string]string{
	"元旦节":  "元旦",
	"国庆中秋": "国庆节、中秋节", // 2025 notice item 六
}

// Day is one entry of a calendar file.
type Day struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// Year is the content of one calendar file.
type Year struct {
	Year        int    `json:"year"`
	Source      string `json:"source"`
	GeneratedBy string `json:"generated_by"`
	Off         []Day  `json:"off"`
	Workdays    []Day  `json:"workdays"`
}

// Name returns the official name for a lunar-go holiday name.
func Name(lunarName string) string {
	if n, ok := officialName[lunarName]; ok {
		return n
	}
	return lunarName
}

// Build reads lunar-go's entries for year: days off (including weekend days
// inside a holiday block) and make-up working days (调休上班).
func Build(year int) (Year, error) {
	y := Year{
		Year:        year,
		Source:      fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知", year),
		GeneratedBy: generatedBy,
		Off:         []Day{},
		Workdays:    []Day{},
	}
	l := HolidayUtil.GetHolidaysByYear(year)
	for e := l.Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		d := Day{Date: h.GetDay(), Name: Name(h.GetName())}
		if h.IsWork() {
			y.Workdays = append(y.Workdays, d)
		} else {
			y.Off = append(y.Off, d)
		}
	}
	if len(y.Off) == 0 {
		return Year{}, fmt.Errorf("lunar-go has no holidays for %d (notice not published yet, or library too old)", year)
	}
	byDate := func(s []Day) { sort.Slice(s, func(i, j int) bool { return s[i].Date < s[j].Date }) }
	byDate(y.Off)
	byDate(y.Workdays)
	return y, nil
}

// Marshal renders a file: one day per line, so diffs stay readable.
func Marshal(y Year) ([]byte, error) {
	var b bytes.Buffer
	str := func(s string) string { j, _ := json.Marshal(s); return string(j) }
	fmt.Fprintf(&b, "{\n  \"year\": %d,\n  \"source\": %s,\n  \"generated_by\": %s,\n", y.Year, str(y.Source), str(y.GeneratedBy))
	list := func(key string, days []Day, last bool) {
		fmt.Fprintf(&b, "  %q: [", key)
		for i, d := range days {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    {\"date\": %s, \"name\": %s}", str(d.Date), str(d.Name))
		}
		if len(days) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	list("off", y.Off, false)
	list("workdays", y.Workdays, true)
	b.WriteString("}\n")
	// Self-check: the output must be valid JSON that decodes to y.
	var back Year
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		return nil, fmt.Errorf("generated invalid JSON: %w", err)
	}
	return b.Bytes(), nil
}

func main() {
	out := flag.String("out", filepath.Join("seed", "calendar"), "directory to write YYYY.json files into")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./seed/calendar/gen [-out DIR] [YEAR...]   (default years: 2025 2026 2027)")
		flag.PrintDefaults()
	}
	flag.Parse()
	years := []int{2025, 2026, 2027}
	if flag.NArg() > 0 {
		years = years[:0]
		for _, a := range flag.Args() {
			y, err := strconv.Atoi(a)
			if err != nil || y < 2002 || y > 9999 {
				fmt.Fprintf(os.Stderr, "gen: bad year %q\n", a)
				os.Exit(2)
			}
			years = append(years, y)
		}
	}
	for _, year := range years {
		y, err := Build(year)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(1)
		}
		b, err := Marshal(y)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %d: %v\n", year, err)
			os.Exit(1)
		}
		path := filepath.Join(*out, fmt.Sprintf("%d.json", year))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s: %d days off, %d make-up working days\n", path, len(y.Off), len(y.Workdays))
	}
}
