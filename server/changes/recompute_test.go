package changes_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/changes"
)

// official2028 adds a day off on Monday 2028-01-24, before the Spring
// Festival, to the statutory days.
func official2028() []byte {
	return apptest.Official2028(calendar.Day{Date: "2028-01-24", Name: "春节"})
}

// TestRecomputeWhenOfficial2028Arrives: notices recorded on Friday
// 2028-01-21 are due on the provisional 2028 calendar (Spring Festival
// 01-25 to 01-28): 3 working days → 2028-02-01, with an approved 2-day
// extension → 02-03. The official file makes Monday 01-24 a day off too:
// 02-02 and 02-04. Each moved due date is written once, starts a new
// deadline round (reminded again), is in the history and the audit trail,
// and the authority and the department are told; a completed notice is
// left alone, and a second recomputation changes nothing.
func TestRecomputeWhenOfficial2028Arrives(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2028-01-21 10:00"))
			if !e.p.Calendar.Provisional(2028) {
				t.Fatal("2028 has an official calendar file: move this test to the next provisional year")
			}
			ids := e.entries(seed.DemoProviderDepartment, 2)
			body := func(reason string) map[string]any {
				return map[string]any{"department_id": seed.DemoProviderDepartment, "reason": reason, "changed_on": "2028-01-21", "dataset_ids": ids[:1]}
			}
			a := e.notice("authority", body("法规调整甲"))
			b := e.notice("authority", body("法规调整乙"))
			done := e.notice("authority", body("法规调整丙"))
			if !due(a).Equal(apptest.DueOn("2028-02-01")) || a["due_provisional"] != true {
				t.Fatalf("provisional due date: %v %v", a["due_at"], a["due_provisional"])
			}
			ext := fmt.Sprintf("/api/v1/catalog-changes/%v/extension", b["id"])
			e.must(e.do("provider", "POST", ext, map[string]any{"days": 2, "reason": "春节假期", "basis": "《某某办法》"}), 200, "extension")
			b = e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "approve"}), 200, "approve")
			if !due(b).Equal(apptest.DueOn("2028-02-03")) {
				t.Fatalf("extended provisional due date: %v", b["due_at"])
			}
			e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/entries/%s/confirm", done["id"], ids[0]), map[string]any{"reason": "不涉及"}), 200, "confirm")

			e.at("2028-01-31 10:00")
			if res, err := e.p.Changes.FollowUp(t.Context()); err != nil || res.Reminded != 1 {
				t.Fatalf("reminder on the provisional calendar: %+v %v", res, err)
			}
			if changed, err := e.p.Calendar.SetYear(2028, official2028(), "test"); err != nil || !changed {
				t.Fatalf("SetYear: %v %v", changed, err)
			}
			n, err := e.p.Changes.RecomputeDeadlines(t.Context(), []int{2028})
			if err != nil || n != 2 {
				t.Fatalf("recomputed %d, %v; want 2", n, err)
			}
			a, b = e.get("authority", a["id"]), e.get("authority", b["id"])
			if !due(a).Equal(apptest.DueOn("2028-02-02")) || !due(b).Equal(apptest.DueOn("2028-02-04")) || a["due_provisional"] != false {
				t.Fatalf("official due dates: %v %v (provisional %v)", a["due_at"], b["due_at"], a["due_provisional"])
			}
			if h := kinds(a); h[len(h)-1] != changes.EventDueRecomputed {
				t.Fatalf("history: %v", h)
			}
			if g := e.get("authority", done["id"]); !due(g).Equal(apptest.DueOn("2028-02-01")) {
				t.Fatalf("a completed notice moved: %v", g["due_at"])
			}
			if got := e.count("audit_entries", "action = ?", changes.ActionDueRecomputed); got != 2 {
				t.Fatalf("audit entries: %d", got)
			}
			if e.inbox("authority", changes.KindDueChanged) != 2 || e.inbox("provider", changes.KindDueChanged) != 2 {
				t.Fatal("the authority and the department should be told of both new due dates")
			}
			var body2 []string
			e.p.DB.Table("notices").Where("kind = ? AND user_id = ?", changes.KindDueChanged, e.userID("authority")).Order("id").Pluck("body", &body2)
			if !strings.Contains(body2[0], "2028-02-01") || !strings.Contains(body2[0], "2028-02-02") {
				t.Fatalf("notice text: %q", body2[0])
			}
			if n, err := e.p.Changes.RecomputeDeadlines(t.Context(), []int{2028}); err != nil || n != 0 {
				t.Fatalf("second recomputation: %d %v", n, err)
			}
			if got := e.count("audit_entries", "action = ?", changes.ActionDueRecomputed); got != 2 {
				t.Fatalf("audit entries after the second call: %d", got)
			}
			// A new round: the new due date is reminded again.
			e.at("2028-02-01 10:00")
			if res, err := e.p.Changes.FollowUp(t.Context()); err != nil || res.Reminded != 1 || res.Escalated != 0 {
				t.Fatalf("reminder of the new due date: %+v %v", res, err)
			}
		})
	}
}
