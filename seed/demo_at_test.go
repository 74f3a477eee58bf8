package seed_test

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
)

// demoLoadTimes are load times the demo must look alive at: the reference
// day, a working morning, just after midnight, a holiday, New Year's Eve.
var demoLoadTimes = []string{"2026-11-20 08:00", "2026-03-02 10:00", "2026-06-17 00:05", "2026-10-03 15:00", "2027-12-31 23:50"}

func demoCST(t *testing.T, s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// demoPublic lists the entries a visitor sees after the demo activity:
// not the not_open ones, not the ones it revokes.
func demoPublic(cat seed.Catalog) []seed.Dataset {
	revoked := map[string]bool{}
	for _, r := range seed.DemoActivityPlan().Revocations {
		revoked[r.DatasetID] = true
	}
	var out []seed.Dataset
	for _, d := range cat.Datasets {
		if d.OpenType != "not_open" && !revoked[d.ID] {
			out = append(out, d)
		}
	}
	return out
}

func demoOnSchedule(d seed.Dataset, now time.Time) bool {
	return catalog.FreshnessAt(&catalog.Dataset{UpdatedAt: d.UpdatedAt, UpdateFrequency: d.UpdateFrequency}, now).OnSchedule
}

// TestDemoAtOnSchedule: whenever the demo is loaded, its dates are in the
// past and follow each entry's frequency, 2–5 % of the public entries are
// late, and none of those the home page shows (the flagship, the most
// downloaded, the newest).
func TestDemoAtOnSchedule(t *testing.T) {
	for _, when := range demoLoadTimes {
		now := demoCST(t, when)
		cat := seed.DemoAt(now)
		public := demoPublic(cat)
		late := map[string]bool{}
		for _, d := range cat.Datasets {
			if d.UpdatedAt.After(now) || d.UpdatedAt.Before(d.PublishedAt) || d.PublishedAt.Before(now.AddDate(-3, 0, 0)) {
				t.Errorf("%s: %s published %s, updated %s", when, d.ID, d.PublishedAt, d.UpdatedAt)
			}
			if wd := d.PublishedAt.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%s: %s published on a %s", when, d.ID, wd)
			}
		}
		for _, d := range public {
			if !demoOnSchedule(d, now) {
				late[d.ID] = true
			}
		}
		share := float64(len(late)) / float64(len(public))
		if share < 0.02 || share > 0.05 {
			t.Errorf("%s: %d of %d public entries late (%.1f %%), want 2–5 %%", when, len(late), len(public), 100*share)
		}
		home := []string{"ds-hlj-scjgj-001"}
		for _, by := range []func(a, b seed.Dataset) int{
			func(a, b seed.Dataset) int { return cmp.Compare(b.Downloads, a.Downloads) },
			func(a, b seed.Dataset) int { return b.PublishedAt.Compare(a.PublishedAt) },
		} {
			list := slices.Clone(public)
			slices.SortStableFunc(list, by)
			for _, d := range list[:12] {
				home = append(home, d.ID)
			}
		}
		for _, id := range home {
			if late[id] {
				t.Errorf("%s: %s is on the home page and late", when, id)
			}
		}
	}
}

// TestDemoAtDeterministic: the same load time gives the same catalog;
// another one the same entries, late ones and downloads, with the dates
// moved.
func TestDemoAtDeterministic(t *testing.T) {
	t1, t2 := demoCST(t, "2026-06-17 10:30"), demoCST(t, "2026-09-01 10:30")
	a, b, c := seed.DemoAt(t1), seed.DemoAt(t1), seed.DemoAt(t2)
	if len(a.Datasets) != len(b.Datasets) || len(a.Datasets) != len(c.Datasets) {
		t.Fatal("dataset counts differ")
	}
	shift := t2.Sub(t1)
	for i := range a.Datasets {
		x, y, z := a.Datasets[i], b.Datasets[i], c.Datasets[i]
		if x.ID != y.ID || !x.PublishedAt.Equal(y.PublishedAt) || !x.UpdatedAt.Equal(y.UpdatedAt) || x.Downloads != y.Downloads {
			t.Fatalf("two loads at one time differ: %+v / %+v", x, y)
		}
		if x.ID != z.ID || x.Downloads != z.Downloads || demoOnSchedule(x, t1) != demoOnSchedule(z, t2) {
			t.Errorf("%s: loads at two times differ beyond their dates", x.ID)
		}
		// Publication moves with the load (give or take a weekend).
		if d := z.PublishedAt.Sub(x.PublishedAt) - shift; d > 72*time.Hour || d < -72*time.Hour {
			t.Errorf("%s: published %s then %s", x.ID, x.PublishedAt, z.PublishedAt)
		}
	}
}

// TestDemoDownloads: a long tail.
func TestDemoDownloads(t *testing.T) {
	cat := seed.Demo()
	var dl []int64
	for _, d := range demoPublic(cat) {
		dl = append(dl, d.Downloads)
	}
	slices.Sort(dl)
	n := len(dl)
	big := n - slices.IndexFunc(dl, func(v int64) bool { return v >= 10000 })
	zero := slices.IndexFunc(dl, func(v int64) bool { return v > 0 })
	median := dl[n/2]
	hundreds := slices.IndexFunc(dl, func(v int64) bool { return v > 1000 }) - slices.IndexFunc(dl, func(v int64) bool { return v >= 10 })
	t.Logf("downloads of %d entries: max %d, median %d, %d ≥ 10,000, %d zero, %d between 10 and 1,000", n, dl[n-1], median, big, zero, hundreds)
	if big < 3 || big > 12 || median < 20 || median > 2000 || zero < 1 || zero > n/5 || hundreds < n/2 {
		t.Errorf("downloads: max %d, median %d, %d ≥ 10,000, %d zero, %d between 10 and 1,000", dl[n-1], median, big, zero, hundreds)
	}
}

// TestDemoActivityPlan: the plan names entries that exist and fit what is
// done to them, in departments that have demo provider accounts.
func TestDemoActivityPlan(t *testing.T) {
	now := demoCST(t, "2026-06-17 10:30")
	cat := seed.DemoAt(now)
	byID := map[string]seed.Dataset{}
	pos := map[string]int{}
	for i, d := range cat.Datasets {
		byID[d.ID] = d
		pos[d.ID] = i
	}
	providers := []string{seed.DemoProviderDepartment, seed.DemoProvider2Department}
	users := []string{seed.DemoActorCitizen, seed.DemoActorOrganisation}
	plan := seed.DemoActivityPlan()
	if len(plan.Revocations) < 2 || len(plan.Revocations) > 3 || len(plan.Corrections) < 3 || len(plan.Requests) < 3 {
		t.Fatalf("plan: %d revocations, %d corrections, %d requests", len(plan.Revocations), len(plan.Corrections), len(plan.Requests))
	}
	touched := map[string]bool{}
	for _, r := range plan.Revocations {
		d, ok := byID[r.DatasetID]
		if !ok || d.OpenType != "unconditional" || !slices.Contains(providers, d.DepartmentID) || pos[d.ID] < len(cat.Datasets)-len(plan.Revocations) {
			t.Errorf("revocation of %s (%s, %s, position %d): not one of the extra entries of a provider", r.DatasetID, d.OpenType, d.DepartmentID, pos[d.ID])
		}
		asked := now.AddDate(0, 0, -r.DaysAgo)
		if d.UpdatedAt.After(asked) || r.EffectiveIn < 7 || r.DaysAgo < r.EffectiveIn+2*r.DecideAfter+7 || r.Reason == "" || r.LegalBasis == "" {
			t.Errorf("revocation of %s: updated %s, asked %s: %+v", r.DatasetID, d.UpdatedAt, asked, r)
		}
		touched[r.DatasetID] = true
	}
	for _, c := range plan.Corrections {
		d, ok := byID[c.DatasetID]
		if !ok || d.OpenType == "not_open" || touched[c.DatasetID] || !slices.Contains(providers, d.DepartmentID) || !slices.ContainsFunc(d.DataItems, func(it seed.DataItem) bool { return it.Name == c.DataItem }) {
			t.Errorf("correction of %s item %s: no such public entry of a provider, or item", c.DatasetID, c.DataItem)
		}
		if !slices.Contains(users, c.Reporter) || (c.Outcome != "corrected" && c.Outcome != "not_an_error") || c.AnswerAfter < 1 || c.AnswerAfter > 4 ||
			c.DaysAgo < 2*c.AnswerAfter+5 || c.Description == "" || c.Explanation == "" {
			t.Errorf("correction of %s: %+v", c.DatasetID, c)
		}
	}
	titles := map[string]bool{}
	for _, r := range plan.Requests {
		if titles[r.Title] || !slices.Contains(providers, r.DepartmentID) || !slices.Contains(users, r.Requester) || r.Supporter == r.Requester ||
			r.Description == "" || r.IntendedUse == "" || r.AnswerAfter < 1 {
			t.Errorf("request %+v", r)
		}
		titles[r.Title] = true
		switch r.Decision {
		case "refuse":
			if r.Reason == "" || r.FulfilledBy != "" || r.AnswerAfter > 3 {
				t.Errorf("refused request %q: %+v", r.Title, r)
			}
		case "accept":
			d, ok := byID[r.FulfilledBy]
			if !ok || d.OpenType == "not_open" || d.DepartmentID != r.DepartmentID || r.AnswerAfter > 9 {
				t.Errorf("request %q fulfilled by %s of %s", r.Title, r.FulfilledBy, d.DepartmentID)
			}
			// The entry was published when the request was fulfilled.
			if ago := now.Sub(d.PublishedAt); ago < time.Duration(r.DaysAgo-1)*24*time.Hour || ago > time.Duration(r.DaysAgo+3)*24*time.Hour {
				t.Errorf("request %q: %s published %s, %d days before %s", r.Title, d.ID, d.PublishedAt, r.DaysAgo, now)
			}
		default:
			t.Errorf("request %q: decision %q", r.Title, r.Decision)
		}
	}
}
