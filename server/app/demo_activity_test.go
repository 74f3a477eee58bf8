package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/revocations"
)

type demoList struct {
	Total int `json:"total"`
	Items []struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		PublishedAt string `json:"published_at"`
	} `json:"items"`
}

// TestDemoLooksAlive loads the demo at a fixed time on each engine and
// checks what a visitor sees: a few percent of the entries late and none
// of those the home page shows, past revocation announcements, answered
// corrections and data requests, and a long tail of downloads. Loading
// again adds nothing.
func TestDemoLooksAlive(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-06-17 10:30"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "demo", Now: clk.Now, NoWorkers: true})
			now := clk.Now()
			onSchedule := func(id string) bool {
				t.Helper()
				var d struct {
					Freshness catalog.Freshness `json:"freshness"`
				}
				r := p.Get(t, "/api/v1/datasets/"+id)
				if r.Status != 200 {
					t.Fatalf("dataset %s: %d %s", id, r.Status, r.Body)
				}
				r.JSON(t, &d)
				return d.Freshness.OnSchedule
			}

			// A few percent of the public entries are late.
			var public []catalog.Dataset
			p.DB.Where("status = ? AND open_type <> ?", catalog.StatusPublished, catalog.NotOpen).Find(&public)
			late := 0
			for i := range public {
				if !catalog.FreshnessAt(&public[i], now).OnSchedule {
					late++
				}
				if public[i].UpdatedAt.After(now) || public[i].PublishedAt == nil || public[i].PublishedAt.After(public[i].UpdatedAt) {
					t.Errorf("%s: published %v, updated %v, loaded %v", public[i].ID, public[i].PublishedAt, public[i].UpdatedAt, now)
				}
			}
			share := float64(late) / float64(len(public))
			t.Logf("%d of %d public entries late (%.1f %%)", late, len(public), 100*share)
			if share < 0.01 || share > 0.06 {
				t.Errorf("%d of %d public entries late (%.1f %%), want 1–6 %%", late, len(public), 100*share)
			}
			var all demoList
			p.Get(t, "/api/v1/datasets?page_size=1").JSON(t, &all)
			if all.Total != len(public) {
				t.Errorf("the catalog lists %d entries, %d are public", all.Total, len(public))
			}

			// The flagship and the home page's lists are on schedule.
			if !onSchedule("ds-hlj-scjgj-001") {
				t.Error("ds-hlj-scjgj-001 is late")
			}
			for _, sort := range []string{"downloads", "published"} {
				var l demoList
				p.Get(t, "/api/v1/datasets?page_size=6&sort="+sort).JSON(t, &l)
				if len(l.Items) != 6 {
					t.Fatalf("sort=%s: %d items", sort, len(l.Items))
				}
				for _, it := range l.Items {
					if !onSchedule(it.ID) {
						t.Errorf("sort=%s: %s (%s) is late", sort, it.ID, it.Title)
					}
				}
			}

			// Past revocations: announced, filed, withdrawn (410).
			var anns struct {
				Total int                            `json:"total"`
				Items []revocations.AnnouncementJSON `json:"items"`
			}
			r := p.Get(t, "/api/v1/announcements")
			if r.Status != 200 {
				t.Fatalf("announcements: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &anns)
			if anns.Total < 2 || len(anns.Items) != anns.Total {
				t.Fatalf("%d announcements (%d listed), want ≥ 2", anns.Total, len(anns.Items))
			}
			for _, a := range anns.Items {
				if !a.PublishedAt.Before(now) || !a.EffectiveAt.Before(now) || !a.InEffect || !strings.Contains(a.Number, "黑数开公告") {
					t.Errorf("announcement %s: published %v, effective %v, in effect %v", a.Number, a.PublishedAt, a.EffectiveAt, a.InEffect)
				}
				if strings.Contains(a.Body, "000") || strings.Contains(a.LegalBasis, "000") || !strings.Contains(a.LegalBasis, "《") {
					t.Errorf("announcement %s cites %q", a.Number, a.LegalBasis)
				}
				var ds catalog.Dataset
				p.DB.Where("id = ?", a.Dataset.ID).Take(&ds)
				if ds.Status != catalog.StatusRevoked {
					t.Errorf("announced %s is %s", a.Dataset.ID, ds.Status)
				}
				if r := p.Get(t, "/api/v1/datasets/"+a.Dataset.ID); r.Status != 410 {
					t.Errorf("revoked %s answers %d", a.Dataset.ID, r.Status)
				}
			}
			var filings int64
			p.DB.Model(&revocations.Filing{}).Count(&filings)
			if filings != int64(anns.Total) {
				t.Errorf("%d filings for %d announcements", filings, anns.Total)
			}

			// Answered corrections, in the public summary.
			var sum corrections.SummaryJSON
			p.Get(t, "/api/v1/corrections/summary").JSON(t, &sum)
			if sum.Answered < 3 || sum.Open != 0 || sum.AnsweredOnTime != sum.Answered {
				t.Errorf("corrections summary %+v, want ≥ 3 answered on time, none open", sum)
			}

			// Answered data requests, in the public list.
			var reqs struct {
				Total int                    `json:"total"`
				Items []requests.RequestJSON `json:"items"`
			}
			p.Get(t, "/api/v1/requests?page_size=100").JSON(t, &reqs)
			answered := 0
			for _, q := range reqs.Items {
				switch q.Status {
				case requests.StatusRefused, requests.StatusFulfilled:
					answered++
					if q.AnsweredAt == nil || !q.AnsweredAt.Before(now) || q.AnswerLate || q.CatalogLate {
						t.Errorf("request %q: answered %v, late %v/%v", q.Title, q.AnsweredAt, q.AnswerLate, q.CatalogLate)
					}
				case requests.StatusAccepted:
					answered++
				}
			}
			if answered < 3 {
				t.Errorf("%d answered requests of %d, want ≥ 3", answered, reqs.Total)
			}

			// Downloads: a long tail.
			var dl []int64
			for _, d := range public {
				dl = append(dl, d.Downloads)
			}
			slices.Sort(dl)
			median := dl[len(dl)/2]
			zero := slices.IndexFunc(dl, func(n int64) bool { return n > 0 })
			t.Logf("downloads: max %d, median %d, %d zero", dl[len(dl)-1], median, zero)
			if dl[len(dl)-1] < 10000 || median < 20 || median > 2000 || dl[0] != 0 {
				t.Errorf("downloads: max %d, median %d, min %d", dl[len(dl)-1], median, dl[0])
			}

			// Once: neither the replay nor the seeding runs again.
			counts := func() [4]int64 {
				var c [4]int64
				p.DB.Model(&revocations.Announcement{}).Count(&c[0])
				p.DB.Model(&corrections.Correction{}).Count(&c[1])
				p.DB.Model(&requests.Request{}).Count(&c[2])
				p.DB.Model(&catalog.Dataset{}).Count(&c[3])
				return c
			}
			before := counts()
			ctx := context.Background()
			clk.Advance(24 * time.Hour)
			if err := p.SeedDemoActivity(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if loaded, err := p.SeedIfEmpty(ctx, nil); err != nil || loaded {
				t.Fatalf("seeded again: %v %v", loaded, err)
			}
			if after := counts(); after != before {
				t.Errorf("loading again changed the counts from %v to %v", before, after)
			}
		})
	}
}

// TestDemoActivityTimes: the replay places each act in the past, on the
// days the plan gives, and the requests' entries are published when the
// requests are fulfilled.
func TestDemoActivityTimes(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-10-09 09:00")) // the day after the National Day holiday
	p := apptest.New(t, apptest.Options{Seed: "demo", Now: clk.Now, NoWorkers: true})
	now := clk.Now()
	plan := seed.DemoActivityPlan()
	var revs []revocations.Revocation
	p.DB.Order("requested_at").Find(&revs)
	if len(revs) != len(plan.Revocations) {
		t.Fatalf("%d revocations, plan has %d", len(revs), len(plan.Revocations))
	}
	for _, r := range revs {
		if r.Status != revocations.Approved || r.AppliedAt == nil || r.DecidedAt == nil || !r.RequestedAt.Before(*r.DecidedAt) ||
			r.DecidedAt.After(*r.EffectiveAt) || r.AppliedAt.Before(*r.EffectiveAt) || !r.AppliedAt.Before(now) || !p.Calendar.IsWorkingDay(r.RequestedAt) {
			t.Errorf("revocation of %s: %+v", r.DatasetID, r)
		}
	}
	var anns []revocations.Announcement
	p.DB.Order("published_at").Find(&anns)
	for i, a := range anns {
		if a.Seq != i+1 && (i == 0 || a.Year == anns[i-1].Year) {
			t.Errorf("announcement %s is number %d of its year, published %d-th", a.Number, a.Seq, i+1)
		}
	}
	var cs []corrections.Correction
	p.DB.Find(&cs)
	if len(cs) != len(plan.Corrections) {
		t.Fatalf("%d corrections, plan has %d", len(cs), len(plan.Corrections))
	}
	for _, c := range cs {
		if c.Status != corrections.StatusAnswered || c.AnsweredAt == nil || c.AnsweredAt.After(c.DueAt) || !c.AnsweredAt.Before(now) || c.ReporterUserID == nil {
			t.Errorf("correction %d of %s: %+v", c.ID, c.DatasetID, c)
		}
	}
	var rs []requests.Request
	p.DB.Find(&rs)
	if len(rs) != len(plan.Requests) {
		t.Fatalf("%d requests, plan has %d", len(rs), len(plan.Requests))
	}
	for _, r := range rs {
		if r.AnsweredAt == nil || r.AnswerLate(now) || r.CatalogLate(now) || !r.AnsweredAt.Before(now) {
			t.Errorf("request %q: %+v", r.Title, r)
		}
		if r.Status == requests.StatusFulfilled {
			var ds catalog.Dataset
			p.DB.Where("id = ?", r.DatasetID).Take(&ds)
			if ds.PublishedAt == nil || r.FulfilledAt.Before(*ds.PublishedAt) || r.FulfilledAt.Sub(*ds.PublishedAt) > time.Hour || !r.CreatedAt.Before(*ds.PublishedAt) {
				t.Errorf("request %q asked %v, fulfilled %v by %s published %v", r.Title, r.CreatedAt, r.FulfilledAt, ds.ID, ds.PublishedAt)
			}
		}
	}
}
