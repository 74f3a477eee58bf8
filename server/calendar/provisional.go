package calendar

import (
	"fmt"
	"sort"
	"strings"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// A provisional year is one without an official file (shipped, operator
// directory or uploaded). Its days off are the statutory holidays of
// 《全国年节及纪念日放假办法》 as amended in 2024 (Art 2), with the make-up
// rule of its Art 6, and nothing else:
//
//   - 元旦 1 day (1 January);
//   - 春节 4 days, 除夕 to 正月初三 (除夕 is the day before 正月初一, so it
//     is the 29th of the 12th lunar month when that month is short);
//   - 清明节 1 day (the day of the 清明 solar term);
//   - 劳动节 2 days (1–2 May);
//   - 端午节 1 day (5th of the 5th lunar month);
//   - 中秋节 1 day (15th of the 8th lunar month);
//   - 国庆节 3 days (1–3 October).
//
// Weekends stay off. There are no make-up working days (调休上班): only
// the State Council's yearly notice sets those.
//
// 补假 (Art 6: 适逢星期六、星期日，应当在工作日补假), our reading: each
// statutory day that falls on a Saturday or Sunday gives one extra day off,
// the first day after it that is a Monday to Friday, not itself a
// statutory day and not already given as another day's 补假. Two statutory
// days on the same date (中秋节 on 1–3 October, as in 2028) are one day
// off: Art 6 speaks of weekends only, and anything more is for the yearly
// notice to decide.
//
// The lunar and solar-term dates come from github.com/6tail/lunar-go, so
// the result is deterministic. Outside provisionalMin–provisionalMax the
// library is not relied on and only weekends are off.
const (
	provisionalMin = 1901
	provisionalMax = 2099
)

// Statutory holiday names, as the State Council notices write them.
const (
	nameNewYear    = "元旦"
	nameSpring     = "春节"
	nameQingming   = "清明节"
	nameLabour     = "劳动节"
	nameDragonBoat = "端午节"
	nameMidAutumn  = "中秋节"
	nameNational   = "国庆节"
	makeUpSuffix   = "（补假）"
)

// StatutoryDays lists year y's statutory holidays (before any 补假), by
// date; two holidays on one date share it, their names joined by "、".
// It is nil outside the years the lunar library is relied on.
func StatutoryDays(y int) []Day {
	if y < provisionalMin || y > provisionalMax {
		return nil
	}
	names := map[date][]string{}
	add := func(t time.Time, name string) {
		d := dateOfCivil(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
		names[d] = append(names[d], name)
	}
	civil := func(m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	solar := func(s *lunar.Solar) time.Time {
		return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC)
	}

	add(civil(time.January, 1), nameNewYear)
	// 正月初一 of lunar year y falls in solar year y (21 January – 20 February).
	newYear := lunar.NewLunarFromYmd(y, 1, 1)
	first := solar(newYear.GetSolar())
	for i := -1; i <= 2; i++ { // 除夕, 初一, 初二, 初三
		add(first.AddDate(0, 0, i), nameSpring)
	}
	add(solar(newYear.GetJieQiTable()["清明"]), nameQingming)
	add(civil(time.May, 1), nameLabour)
	add(civil(time.May, 2), nameLabour)
	add(solar(lunar.NewLunarFromYmd(y, 5, 5).GetSolar()), nameDragonBoat)
	// 国庆节 before 中秋节, so a shared date reads "国庆节、中秋节" as in the notices.
	for day := 1; day <= 3; day++ {
		add(civil(time.October, day), nameNational)
	}
	add(solar(lunar.NewLunarFromYmd(y, 8, 15).GetSolar()), nameMidAutumn)
	out := make([]Day, 0, len(names))
	for d, n := range names {
		out = append(out, Day{Date: d.civil().Format(DateLayout), Name: strings.Join(n, "、")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// provisionalYear derives year y's provisional calendar (see above).
func provisionalYear(y int) *year {
	yd := &year{
		origin:      "provisional",
		notice:      "《全国年节及纪念日放假办法》（2024年修订）",
		provisional: true,
		off:         []Day{},
		workdays:    []Day{},
		offSet:      map[date]bool{},
		workSet:     map[date]bool{},
	}
	stat := StatutoryDays(y)
	for _, d := range stat {
		k := mustDate(d.Date)
		yd.off = append(yd.off, d)
		yd.offSet[k] = true
	}
	for _, d := range stat {
		k := mustDate(d.Date)
		if !k.weekend() {
			continue
		}
		m := k + 1
		for m.weekend() || yd.offSet[m] {
			m++
		}
		name := d.Name
		if i := strings.Index(name, "、"); i >= 0 {
			name = name[:i]
		}
		yd.off = append(yd.off, Day{Date: m.civil().Format(DateLayout), Name: name + makeUpSuffix})
		yd.offSet[m] = true
	}
	sort.Slice(yd.off, func(i, j int) bool { return yd.off[i].Date < yd.off[j].Date })
	return yd
}

func mustDate(s string) date {
	t, err := time.ParseInLocation(DateLayout, s, time.UTC)
	if err != nil {
		panic("calendar: bad internal date " + s)
	}
	return dateOfCivil(t)
}

// ProvisionalWarning is the operator warning for a provisional year y, the
// same text wherever it is shown (/readyz, the authority's deadline board).
func ProvisionalWarning(y int) string {
	return fmt.Sprintf("no official holiday calendar for %d: deadlines there use a provisional calendar (statutory holidays only, no make-up working days); add %d.json to PORTAL_CALENDAR_DIR or upload it (POST /api/v1/admin/calendars/%d) once the State Council notice is out", y, y, y)
}
