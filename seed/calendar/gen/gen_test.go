package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// TestFilesMatchGenerator: the committed files are exactly what the
// generator writes today. Regenerate with `go run ./seed/calendar/gen`.
func TestFilesMatchGenerator(t *testing.T) {
	for _, year := range []int{2025, 2026, 2027} {
		y, err := Build(year)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Marshal(y)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", fmt.Sprintf("%d.json", year)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seed/calendar/%d.json differs from the generator output; run go run ./seed/calendar/gen", year)
		}
	}
}

// TestFilesAgreeWithLunarGo checks every date of each year against
// HolidayUtil.GetHolidayByYmd, independently of Build.
func TestFilesAgreeWithLunarGo(t *testing.T) {
	for _, year := range []int{2025, 2026, 2027} {
		raw, err := os.ReadFile(filepath.Join("..", fmt.Sprintf("%d.json", year)))
		if err != nil {
			t.Fatal(err)
		}
		var f Year
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%d.json: %v", year, err)
		}
		if f.Year != year {
			t.Fatalf("%d.json: year field %d", year, f.Year)
		}
		off := map[string]string{}
		work := map[string]string{}
		for _, d := range f.Off {
			off[d.Date] = d.Name
		}
		for _, d := range f.Workdays {
			work[d.Date] = d.Name
		}
		if len(off) != len(f.Off) || len(work) != len(f.Workdays) {
			t.Fatalf("%d.json: duplicate dates", year)
		}
		seen := 0
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			key := d.Format("2006-01-02")
			h := HolidayUtil.GetHolidayByYmd(d.Year(), int(d.Month()), d.Day())
			offName, isOff := off[key]
			workName, isWork := work[key]
			switch {
			case h == nil:
				if isOff || isWork {
					t.Errorf("%s: in file but not a holiday in lunar-go", key)
				}
			case h.IsWork():
				seen++
				if !isWork || isOff || workName != Name(h.GetName()) {
					t.Errorf("%s: lunar-go says make-up working day %s; file off=%v(%q) work=%v(%q)", key, h.GetName(), isOff, offName, isWork, workName)
				}
			default:
				seen++
				if !isOff || isWork || offName != Name(h.GetName()) {
					t.Errorf("%s: lunar-go says day off %s; file off=%v(%q) work=%v(%q)", key, h.GetName(), isOff, offName, isWork, workName)
				}
			}
		}
		if seen != len(off)+len(work) {
			t.Errorf("%d: lunar-go has %d entries, file has %d", year, seen, len(off)+len(work))
		}
	}
}

// TestSanity pins the facts given in the brief and the notices.
func TestSanity(t *testing.T) {
	y25, _ := Build(2025)
	y26, _ := Build(2026)
	y27, _ := Build(2027)
	has := func(days []Day, date, name string) bool {
		for _, d := range days {
			if d.Date == date && d.Name == name {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		days       []Day
		date, name string
	}{
		{y25.Off, "2025-01-28", "春节"}, {y25.Off, "2025-02-04", "春节"},
		{y25.Workdays, "2025-01-26", "春节"}, {y25.Workdays, "2025-02-08", "春节"},
		{y25.Off, "2025-10-08", "国庆节、中秋节"}, {y25.Off, "2025-01-01", "元旦"},
		{y26.Off, "2026-10-01", "国庆节"}, {y26.Off, "2026-10-07", "国庆节"},
		{y26.Workdays, "2026-10-10", "国庆节"}, {y26.Workdays, "2026-01-04", "元旦"},
		{y27.Off, "2027-02-05", "春节"}, {y27.Off, "2027-02-13", "春节"},
		{y27.Workdays, "2027-01-31", "春节"}, {y27.Workdays, "2027-02-14", "春节"},
		{y27.Off, "2027-09-15", "中秋节"}, {y27.Off, "2027-10-07", "国庆节"}, {y27.Workdays, "2027-10-09", "国庆节"},
	} {
		if !has(c.days, c.date, c.name) {
			t.Errorf("missing %s %s", c.date, c.name)
		}
	}
	if has(y26.Off, "2026-10-08", "国庆节") {
		t.Error("2026-10-08 should be a working day")
	}
	if len(y25.Off) != 28 || len(y25.Workdays) != 5 || len(y26.Off) != 33 || len(y26.Workdays) != 6 || len(y27.Off) != 29 || len(y27.Workdays) != 5 {
		t.Errorf("counts: 2025 %d/%d, 2026 %d/%d, 2027 %d/%d", len(y25.Off), len(y25.Workdays), len(y26.Off), len(y26.Workdays), len(y27.Off), len(y27.Workdays))
	}
	if _, err := Build(2028); err == nil {
		t.Error("Build(2028) should fail: lunar-go v1.4.7 has no 2028 data")
	}
}
