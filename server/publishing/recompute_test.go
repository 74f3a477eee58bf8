package publishing_test

import (
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/publishing"
)

// official2028 adds a day off on Monday 2028-01-24, before the Spring
// Festival, to the statutory days.
func official2028() []byte {
	return apptest.Official2028(calendar.Day{Date: "2028-01-24", Name: "春节"})
}

// TestRecomputeReviewAndFixDeadlines: on Friday 2028-01-21 one entry is
// submitted (the authority reviews within 2 working days, 001 Art 17) and
// another returned (the provider fixes within 5, 000 Art 12). On the
// provisional 2028 calendar they are due 01-31 and 02-03; the official file
// makes Monday 01-24 a day off too: 02-01 and 02-04. Each moved due date is
// written once, recorded (catalog_due_changes, audit), told to the party
// who waits and the one who acts, and reminded again in a new round; a
// second recomputation changes nothing.
func TestRecomputeReviewAndFixDeadlines(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2028-01-21 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			if !p.Calendar.Provisional(2028) {
				t.Fatal("2028 has an official calendar file: move this test to the next provisional year")
			}
			roles := apptest.NewRoles(p, clk.Now)
			must := func(r *apptest.Response, status int, what string) map[string]any {
				t.Helper()
				if r.Status != status {
					t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
				}
				return r.Map(t)
			}
			var ids []string
			p.DB.Table("datasets").Where("department_id = ? AND status = ?", seed.DemoProviderDepartment, "published").Order("id").Limit(2).Pluck("id", &ids)
			if len(ids) < 2 {
				t.Fatalf("entries: %v", ids)
			}
			for _, id := range ids {
				must(roles.Do(t, "provider", "PATCH", "/api/v1/manage/datasets/"+id, map[string]any{"description": "更新后的说明。"}), 200, "change")
				must(roles.Do(t, "provider", "POST", "/api/v1/manage/datasets/"+id+"/submit", nil), 200, "submit")
			}
			must(roles.Do(t, "authority", "POST", "/api/v1/manage/datasets/"+ids[1]+"/review", map[string]any{"decision": "return", "comment": "请补充数据项说明"}), 200, "return")
			dueOf := func(id, column string) time.Time {
				t.Helper()
				var v publishing.Version
				if err := p.DB.Where("dataset_id = ?", id).Order("number DESC").Take(&v).Error; err != nil {
					t.Fatal(err)
				}
				if column == "review_due" {
					return *v.ReviewDue
				}
				return *v.FixDue
			}
			if !dueOf(ids[0], "review_due").Equal(apptest.DueOn("2028-01-31")) || !dueOf(ids[1], "fix_due").Equal(apptest.DueOn("2028-02-03")) {
				t.Fatalf("provisional due dates: %s %s", dueOf(ids[0], "review_due"), dueOf(ids[1], "fix_due"))
			}
			d := must(roles.Get(t, "provider", "/api/v1/manage/datasets/"+ids[0]), 200, "console entry")
			if d["working"].(map[string]any)["due_provisional"] != true {
				t.Fatalf("due_provisional: %v", d["working"])
			}

			clk.Set(apptest.CST("2028-01-24 10:00")) // provisionally a working day: the review is due in 1
			if res, err := p.Publishing.RunDeadlines(t.Context()); err != nil || res.Reminded != 1 {
				t.Fatalf("reminder on the provisional calendar: %+v %v", res, err)
			}
			if changed, err := p.Calendar.SetYear(2028, official2028(), "test"); err != nil || !changed {
				t.Fatalf("SetYear: %v %v", changed, err)
			}
			n, err := p.Publishing.RecomputeDeadlines(t.Context(), []int{2028})
			if err != nil || n != 2 {
				t.Fatalf("recomputed %d, %v; want 2", n, err)
			}
			if !dueOf(ids[0], "review_due").Equal(apptest.DueOn("2028-02-01")) || !dueOf(ids[1], "fix_due").Equal(apptest.DueOn("2028-02-04")) {
				t.Fatalf("official due dates: %s %s", dueOf(ids[0], "review_due"), dueOf(ids[1], "fix_due"))
			}
			if got := p.Count(t, "catalog_due_changes", ""); got != 2 {
				t.Fatalf("history rows: %d", got)
			}
			if got := p.Count(t, "audit_entries", "action = ?", publishing.ActionDueRecomputed); got != 2 {
				t.Fatalf("audit entries: %d", got)
			}
			inbox := func(role string) int64 {
				var uid []uint64
				p.DB.Table("users").Where("email = ?", apptest.DemoEmail(role)).Pluck("id", &uid)
				return p.Count(t, "notices", "user_id = ? AND kind = ?", uid[0], publishing.NoticeDueChanged)
			}
			// The provider who submitted waits on the review and acts on the fix;
			// the authority acts on the review and waits on the fix.
			if inbox("provider") != 2 || inbox("authority") != 2 || inbox("provider2") != 0 {
				t.Fatalf("notices: provider %d, authority %d", inbox("provider"), inbox("authority"))
			}
			d = must(roles.Get(t, "provider", "/api/v1/manage/datasets/"+ids[0]), 200, "console entry")
			if d["working"].(map[string]any)["due_provisional"] != false {
				t.Fatalf("due_provisional after the official file: %v", d["working"])
			}
			if n, err := p.Publishing.RecomputeDeadlines(t.Context(), []int{2028}); err != nil || n != 0 {
				t.Fatalf("second recomputation: %d %v", n, err)
			}
			// The review's new due date (02-01) is reminded again on 01-31.
			clk.Set(apptest.CST("2028-01-31 10:00"))
			if res, err := p.Publishing.RunDeadlines(t.Context()); err != nil || res.Reminded != 1 || res.Escalated != 0 {
				t.Fatalf("reminder of the new due date: %+v %v", res, err)
			}
		})
	}
}
