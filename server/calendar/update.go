package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// MaxFileBytes bounds a calendar file (an uploaded one): a real year has
// some 40 entries, about 2 KB (and it fits a TEXT column).
const MaxFileBytes = 32 << 10

// FileError is an invalid calendar file: what is wrong, in Chinese and in
// English, for the uploader.
type FileError struct {
	ZH, EN string
}

func (e *FileError) Error() string { return e.EN }

// CheckFile validates raw as the official calendar file of year y, as an
// upload must be: the layout of seed/calendar/YYYY.json (unknown keys
// refused), "year" equal to y, every date inside y, none listed twice,
// none both a day off and a make-up working day, make-up working days on
// weekends only, and the whole year covered.
//
// Covered means every one of the year's 365/366 days is then exactly one
// of: a listed day off, a listed make-up working day, an unlisted Monday
// to Friday (a working day) or an unlisted Saturday or Sunday (a day off);
// and, so that a truncated file is not taken for a whole year, every
// statutory holiday of the year (StatutoryDays; from 2025, the first year
// under the 2024 amendment) is listed as a day off.
func CheckFile(raw []byte, y int) error {
	if len(raw) > MaxFileBytes {
		return &FileError{fmt.Sprintf("日历文件超过 %d KB", MaxFileBytes>>10), fmt.Sprintf("the calendar file is larger than %d KB", MaxFileBytes>>10)}
	}
	yd, err := parseYear(raw, y)
	if err != nil {
		if pe := (*parseError)(nil); errors.As(err, &pe) {
			return &FileError{"日历文件无效：" + pe.zh, "invalid calendar file: " + pe.en}
		}
		return &FileError{"日历文件无效", "invalid calendar file: " + err.Error()}
	}
	if y >= 2025 {
		var missing []string
		for _, d := range StatutoryDays(y) {
			if !yd.offSet[mustDate(d.Date)] {
				missing = append(missing, d.Date+" "+d.Name)
			}
		}
		if len(missing) > 0 {
			var missingEN []string
			for _, d := range StatutoryDays(y) {
				if !yd.offSet[mustDate(d.Date)] {
					missingEN = append(missingEN, d.Date+" "+holidayEN.Replace(d.Name))
				}
			}
			return &FileError{"日历文件未覆盖全年：以下法定节假日未列为放假日：" + strings.Join(missing, ", "),
				"the calendar file does not cover the whole year: these statutory holidays are not listed as days off: " + strings.Join(missingEN, ", ")}
		}
	}
	return nil
}

// holidayEN names the statutory holidays in English messages.
var holidayEN = strings.NewReplacer(nameNewYear, "New Year's Day", nameSpring, "Spring Festival", nameQingming, "Qingming Festival",
	nameLabour, "Labour Day", nameDragonBoat, "Dragon Boat Festival", nameMidAutumn, "Mid-Autumn Festival", nameNational, "National Day",
	"、", " and ", makeUpSuffix, " (day in lieu)")

// SetYear installs raw (checked with CheckFile) as year y's official
// calendar, replacing the file or provisional calendar in use, at once for
// every holder of c. origin says where it came from ("uploaded 2026-12-04").
// It reports whether the year's days changed (by Fingerprint).
func (c *Calendar) SetYear(y int, raw []byte, origin string) (changed bool, err error) {
	if err := CheckFile(raw, y); err != nil {
		return false, err
	}
	yd, err := parseYear(raw, y)
	if err != nil {
		return false, err
	}
	yd.origin = origin
	before := c.Fingerprint(y)
	c.mu.Lock()
	years := make(map[int]*year, len(c.years)+1)
	for k, v := range c.years {
		years[k] = v
	}
	years[y] = yd
	c.years = years
	delete(c.prov, y)
	c.mu.Unlock()
	return c.Fingerprint(y) != before, nil
}

// Fingerprint identifies the days of year y as in use now: a SHA-256 of its
// days off and make-up working days (dates and names), prefixed "official:"
// or "provisional:". Two replicas with the same fingerprint count the year
// alike; a changed fingerprint means its deadlines need recomputing.
func (c *Calendar) Fingerprint(y int) string {
	yd := c.lookup(y)
	h := sha256.New()
	for _, d := range yd.off {
		fmt.Fprintf(h, "off %s %s\n", d.Date, d.Name)
	}
	for _, d := range yd.workdays {
		fmt.Fprintf(h, "work %s %s\n", d.Date, d.Name)
	}
	kind := "official:"
	if yd.provisional {
		kind = "provisional:"
	}
	return kind + hex.EncodeToString(h.Sum(nil))
}

// The years the API and CLI answer for.
const (
	MinYear = 2000
	MaxYear = 2100
)
