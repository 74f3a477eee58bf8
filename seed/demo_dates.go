package seed

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// demoSpanDays: the demo's entries were published within this many days
// before the load (2024-01-01 to demoEnd for Demo()).
var demoSpanDays = int(demoEnd.Sub(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)

// demoTiming is what an entry's dates are drawn against.
type demoTiming struct {
	now  time.Time // the load time: every date is before it
	late bool      // last updated longer ago than its frequency promises
	// stopDaysAgo > 0: the entry stopped changing this many days before
	// now (the demo activity revokes it then).
	stopDaysAgo int
	// publishDaysAgo > 0: the entry was published this many days before
	// now (it answers a data request of the demo activity).
	publishDaysAgo int
}

// demoOnTimeDays is the furthest back (in days) an entry of each frequency
// may have been updated and still be on schedule at the load time
// (catalog.NextUpdateDue: due at the end of the day one period later; a
// month is at least 28 days, a quarter 89, a year 365).
var demoOnTimeDays = map[string]int{"realtime": 0, "daily": 1, "weekly": 6, "monthly": 27, "quarterly": 85, "yearly": 350}

// demoLateDays is how far back a late entry was last updated, per
// frequency: from a few days to a few periods overdue.
var demoLateDays = map[string][2]int{"daily": {3, 12}, "weekly": {10, 40}, "monthly": {40, 100}, "quarterly": {100, 200}, "yearly": {380, 540}}

// demoLateShare of the public entries are late, as on a real portal.
const demoLateShare = 0.035

// demoDay is hh:mm China time, days calendar days before ref's China date,
// and never after ref (then one day earlier).
func demoDay(ref time.Time, days, hh, mm int) time.Time {
	c := ref.In(demoCST)
	t := time.Date(c.Year(), c.Month(), c.Day()-days, hh, mm, 0, 0, demoCST)
	if t.After(ref) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// demoDates draws PublishedAt and UpdatedAt (Beijing time) relative to the
// load time, consistent with the update frequency, and returns how many
// days before the load the entry was published. The draws do not depend on
// the load time, so another load time shifts the same dates.
func demoDates(r *rand.Rand, freq string, at demoTiming) (pub, upd time.Time, pubAgo int) {
	ref := at.now
	if at.stopDaysAgo > 0 {
		ref = demoDay(at.now, at.stopDaysAgo, 9, 0)
	}
	pubAgo = 30 + r.IntN(demoSpanDays-34)
	pubH, pubM := 9+r.IntN(8), r.IntN(60)
	updH, updM := 8+r.IntN(10), r.IntN(60)
	realtimeMin := 2 + r.IntN(48)
	spread, extra := r.Float64(), 30+r.IntN(60)
	var updAgo int
	if rg, ok := demoLateDays[freq]; ok && at.late {
		updAgo = rg[0] + int(spread*float64(rg[1]-rg[0]+1))
		pubAgo = max(pubAgo, updAgo+extra, 200) // published well before it went stale
	} else if lim, ok := demoOnTimeDays[freq]; ok {
		updAgo = int(spread * float64(lim+1))
	} else {
		updAgo = int(spread * float64(pubAgo+1)) // irregular: any time since publication
	}
	if at.publishDaysAgo > 0 {
		pubAgo = at.publishDaysAgo
	}
	pubAgo = min(pubAgo, demoSpanDays-4)
	pub = demoDay(ref, pubAgo, pubH, pubM)
	for pub.Weekday() == time.Saturday || pub.Weekday() == time.Sunday {
		pub = pub.AddDate(0, 0, -1) // published on a weekday
	}
	if freq == "realtime" {
		upd = ref.Add(-time.Duration(realtimeMin) * time.Minute).Truncate(time.Minute).In(demoCST)
	} else {
		upd = demoDay(ref, updAgo, updH, updM)
	}
	if upd.Before(pub) {
		upd = pub // not updated since it was published
	}
	return pub, upd, pubAgo + at.stopDaysAgo
}

// demoPopular are the entries everyone downloads (the home page's most
// downloaded list): their base download counts.
var demoPopular = map[string]float64{
	"全省企业登记信息":      38000,
	"哈尔滨市公交线路信息":    36000,
	"哈尔滨市公交站点信息":    24000,
	"全省普通高考录取控制分数线": 21000,
	"全省空气质量小时监测数据":  15000,
	"全省医疗机构名录":      12000,
}

// demoDownloads draws a long tail: a few entries with tens of thousands of
// downloads, most with tens to hundreds growing with age, conditional data
// far fewer (a third none: only grant holders download it), late entries
// few, and not_open none.
func demoDownloads(r *rand.Rand, openType, title string, pubAgo int, late bool) int64 {
	u, z, none := r.Float64(), r.NormFloat64(), r.Float64()
	if openType == "not_open" {
		return 0
	}
	if base, ok := demoPopular[title]; ok {
		return int64(base * (1 + 0.25*u))
	}
	age := 0.3 + 1.2*float64(min(pubAgo, 730))/730
	dl := 110 * math.Exp(1.7*z) * age
	if openType == "conditional" {
		if none < 0.35 {
			return 0
		}
		dl *= 0.12
	}
	if late {
		dl = min(dl, 600)
	}
	return int64(min(dl, 30000))
}

// demoLateSet picks the late entries: demoLateShare of the public ones,
// among those with a schedule that neither the home page shows (the most
// downloaded; the newest are published after any late one) nor the demo
// activity uses. The pick depends on the ids only.
func demoLateSet(slots []demoSlot) map[string]bool {
	used := demoActivityDatasets()
	public := 0
	var cand []demoSlot
	for _, s := range slots {
		if strings.HasPrefix(s.tmpl.open, "n:") || s.extra {
			continue
		}
		public++
		if _, ok := demoLateDays[s.tmpl.freq]; !ok || demoPopular[s.title] > 0 || used[s.id] {
			continue
		}
		cand = append(cand, s)
	}
	slices.SortFunc(cand, func(a, b demoSlot) int {
		return cmp.Compare(demoHash("late", a.id), demoHash("late", b.id))
	})
	k := min(int(math.Round(demoLateShare*float64(public))), len(cand))
	out := make(map[string]bool, k)
	for _, s := range cand[:k] {
		out[s.id] = true
	}
	return out
}
