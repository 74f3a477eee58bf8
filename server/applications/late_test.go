package applications_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/deadlines"
)

// TestNeedMaterialAfterDueStaysLate: a provider past the 5-working-day
// deadline may still send the one missing-material notice (001 Art 21),
// but the application stays late: the escalation is not repeated nor
// forgotten, the decision after the resubmission is recorded late although
// it falls within the new round, and both statistics count it late. An
// application whose notice came in time is not late.
func TestNeedMaterialAfterDueStaysLate(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00")) // Monday
			run := func(want deadlines.Result) {
				t.Helper()
				res, err := e.p.Applications.RunDeadlines(ctx)
				if err != nil || res != want {
					t.Errorf("%s: run deadlines: %+v %v, want %+v", e.clk.Now().In(calendar.Zone).Format("01-02 15:04"), res, err, want)
				}
			}
			decide := func(id string, body map[string]any) appJSON {
				t.Helper()
				r := e.PostJSON(t, "provider", "/api/v1/applications/"+id+"/decision", body)
				if r.Status != 200 {
					t.Fatalf("decide %s %v: %d %s", id, body, r.Status, short(r.Body))
				}
				var a appJSON
				r.JSON(t, &a)
				return a
			}
			resubmit := func(role, id string) appJSON {
				t.Helper()
				r := e.PostJSON(t, role, "/api/v1/applications/"+id+"/resubmit", map[string]any{"note": "已补充"})
				if r.Status != 200 {
					t.Fatalf("resubmit %s: %d %s", id, r.Status, short(r.Body))
				}
				var a appJSON
				r.JSON(t, &a)
				return a
			}
			need := map[string]any{"decision": "need_material", "missing": []string{"加盖公章的承诺书", "数据安全管理制度"}}

			late := e.apply(t, "citizen", nil)        // due Mon 03-09
			onTime := e.apply(t, "organisation", nil) // due Mon 03-09
			if dueDate(t, late.DueAt) != "2026-03-09 23:59:59" || late.Late || late.LateAt != nil {
				t.Fatalf("submitted: due %s late %v %v", dueDate(t, late.DueAt), late.Late, late.LateAt)
			}

			// In time: notice on 03-03, resubmission 03-04 (new round, due
			// 03-11), approval 03-05: not late.
			e.clk.Set(apptest.CST("2026-03-03 10:00"))
			decide(onTime.ID, need)
			e.clk.Set(apptest.CST("2026-03-04 10:00"))
			resubmit("organisation", onTime.ID)
			e.clk.Set(apptest.CST("2026-03-05 10:00"))
			if a := decide(onTime.ID, map[string]any{"decision": "approve"}); a.Decision == nil || a.Decision.Late || a.Late || a.LateAt != nil {
				t.Errorf("decided in time: decision %+v late %v late_at %v", a.Decision, a.Late, a.LateAt)
			}

			// Late: escalated on 03-10, the notice on 03-11 is still accepted.
			e.clk.Set(apptest.CST("2026-03-10 09:00"))
			run(deadlines.Result{Escalated: 1})
			e.clk.Set(apptest.CST("2026-03-11 10:00"))
			a := decide(late.ID, need)
			if a.Status != "needs_more_material" || a.DueAt != nil || !a.Late || a.LateAt == nil || !a.LateAt.Equal(apptest.DueOn("2026-03-09")) {
				t.Errorf("late notice: status %s due %v late %v late_at %v", a.Status, a.DueAt, a.Late, a.LateAt)
			}
			if got := e.app(t, late.ID); got.LateAt == nil || !got.LateAt.Equal(apptest.DueOn("2026-03-09")) {
				t.Errorf("stored late_at %v", got.LateAt)
			}
			if r := e.PostJSON(t, "provider", "/api/v1/applications/"+late.ID+"/decision", need); r.Status != 409 {
				t.Errorf("second notice: %d, want 409 (001 Art 21: once)", r.Status)
			}

			// Resubmitted 03-12: a new round of 5 working days (due 03-19),
			// our interpretation; still late.
			e.clk.Set(apptest.CST("2026-03-12 10:00"))
			a = resubmit("citizen", late.ID)
			if a.Round != 2 || dueDate(t, a.DueAt) != "2026-03-19 23:59:59" || a.Overdue || !a.Late {
				t.Errorf("resubmitted: round %d due %v overdue %v late %v", a.Round, a.DueAt, a.Overdue, a.Late)
			}
			e.clk.Set(apptest.CST("2026-03-13 10:00"))
			run(deadlines.Result{})

			// Decided 03-16, within the new round: recorded late all the same.
			e.clk.Set(apptest.CST("2026-03-16 10:00"))
			a = decide(late.ID, map[string]any{"decision": "approve"})
			if a.Decision == nil || !a.Decision.Late || !a.Late || !a.LateAt.Equal(apptest.DueOn("2026-03-09")) {
				t.Errorf("decided after a late notice: decision %+v late %v late_at %v", a.Decision, a.Late, a.LateAt)
			}
			var actions []string
			for _, h := range a.History {
				actions = append(actions, h.Action)
			}
			if fmt.Sprint(actions) != "[submitted escalated needs_more_material resubmitted approved]" {
				t.Errorf("history %v", actions)
			}

			// A third one whose due date passes with no job run: the late
			// notice alone marks it.
			e.clk.Set(apptest.CST("2026-03-17 10:00"))
			quiet := e.apply(t, "organisation", nil) // due Tue 03-24
			e.clk.Set(apptest.CST("2026-03-25 10:00"))
			if a := decide(quiet.ID, need); !a.Late || a.LateAt == nil || !a.LateAt.Equal(apptest.DueOn("2026-03-24")) {
				t.Errorf("late notice without escalation: late %v late_at %v", a.Late, a.LateAt)
			}
			e.clk.Set(apptest.CST("2026-03-26 10:00"))
			run(deadlines.Result{})

			// Escalated exactly once, and told once.
			if got := e.app(t, late.ID); got.Escalations != 1 || !got.DecidedLate {
				t.Errorf("escalations %d decided_late %v", got.Escalations, got.DecidedLate)
			}
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ? AND step = ?", "application", late.ID, "escalation"); n != 1 {
				t.Errorf("%d escalation claims", n)
			}
			if got := e.inbox(t, "authority"); countOf(got, "application.escalated") != 1 {
				t.Errorf("authority inbox %v", got)
			}

			// Public counts: one decided late, two late (one still open).
			var st struct {
				Items []applications.DepartmentStats `json:"items"`
			}
			e.Get(t, "", "/api/v1/applications/stats?department=hlj-scjgj").JSON(t, &st)
			want := applications.DepartmentStats{DepartmentID: "hlj-scjgj", Received: 3, Approved: 2, DecidedLate: 1, Escalated: 1, Late: 2}
			if len(st.Items) != 1 {
				t.Fatalf("stats %+v", st.Items)
			}
			if got := st.Items[0]; got.DepartmentName == "" {
				t.Errorf("application stats without the department's name: %+v", got)
			} else if got.DepartmentName = ""; got != want {
				t.Errorf("application stats %+v, want %+v", got, want)
			}
			var month struct {
				Departments []struct {
					Totals map[string]json.RawMessage `json:"totals"`
				} `json:"departments"`
			}
			e.Get(t, "", "/api/v1/stats/departments?from=2026-03&to=2026-03&department=hlj-scjgj").JSON(t, &month)
			if len(month.Departments) != 1 {
				t.Fatalf("department statistics %+v", month)
			}
			tot := month.Departments[0].Totals
			for k, v := range map[string]string{"applications_received": "3", "applications_decided": "2", "applications_decided_on_time": "1", "applications_late": "2"} {
				if string(tot[k]) != v {
					t.Errorf("department statistics %s = %s, want %s", k, tot[k], v)
				}
			}
		})
	}
}

// TestApplicantStepsAudited: submitting, resubmitting and withdrawing each
// append an entry to the hash-chained audit trail, with the applicant as
// actor; a refused step appends nothing. A withdrawal after the provider's
// due date leaves the application marked late.
func TestApplicantStepsAudited(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00"))
			citizen := e.principal(t, "citizen")
			a := e.apply(t, "citizen", nil)
			if r := e.PostJSON(t, "provider", "/api/v1/applications/"+a.ID+"/decision", map[string]any{"decision": "need_material", "missing": []string{"承诺书"}}); r.Status != 200 {
				t.Fatalf("need material: %d", r.Status)
			}
			e.clk.Set(apptest.CST("2026-03-03 09:00"))
			if r := e.PostJSON(t, "citizen", "/api/v1/applications/"+a.ID+"/resubmit", map[string]any{"note": "附后"}); r.Status != 200 {
				t.Fatalf("resubmit: %d", r.Status)
			}
			if r := e.PostJSON(t, "citizen", "/api/v1/applications/"+a.ID+"/withdraw", nil); r.Status != 200 {
				t.Fatalf("withdraw: %d", r.Status)
			}
			if r := e.PostJSON(t, "citizen", "/api/v1/applications/"+a.ID+"/withdraw", nil); r.Status != 409 {
				t.Errorf("withdraw twice: %d", r.Status)
			}
			if r := e.PostJSON(t, "organisation", "/api/v1/applications", e.form(func(f map[string]any) { f["data_items"] = []string{"no-such-item"} })); r.Status != 400 {
				t.Errorf("bad application: %d", r.Status)
			}
			var rows []audit.Entry
			if err := e.p.DB.Where("object_type = ? AND object_id = ? AND action IN ?", "application", a.ID,
				[]string{applications.AuditSubmitted, applications.AuditResubmitted, applications.AuditWithdrawn}).Order("seq").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				if r.ActorID == nil || *r.ActorID != citizen.UserID || r.ObjectID != a.ID {
					t.Errorf("%s: actor %v object %s, want %d %s", r.Action, r.ActorID, r.ObjectID, citizen.UserID, a.ID)
				}
				got = append(got, r.Action)
			}
			if fmt.Sprint(got) != "[application.submitted application.resubmitted application.withdrawn]" {
				t.Errorf("audit actions %v", got)
			}
			if got := e.app(t, a.ID); got.LateAt != nil {
				t.Errorf("withdrawn in time, late_at %v", got.LateAt)
			}
			// Withdrawn after the provider's due date passed: it was late.
			late := e.apply(t, "organisation", nil) // 03-03: due Tue 03-10
			e.clk.Set(apptest.CST("2026-03-11 09:00"))
			if r := e.PostJSON(t, "organisation", "/api/v1/applications/"+late.ID+"/withdraw", nil); r.Status != 200 {
				t.Fatalf("withdraw late: %d", r.Status)
			}
			if got := e.app(t, late.ID); got.LateAt == nil || !got.LateAt.Equal(apptest.DueOn("2026-03-10")) {
				t.Errorf("withdrawn after the due date, late_at %v", got.LateAt)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", applications.AuditWithdrawn, late.ID); n != 1 {
				t.Errorf("%d audit entries of the late withdrawal", n)
			}
			if broken, err := audit.Verify(ctx, e.p.DB); err != nil || broken != nil {
				t.Errorf("audit chain: broken at %v, %v", broken, err)
			}
		})
	}
}

// official2028 is a 2028 calendar file as the State Council might publish
// it: the statutory holidays, New Year's made-up Monday, and one more day
// of Spring Festival (Monday 01-31) than the provisional calendar has.
func official2028(t *testing.T) []byte {
	return apptest.Official2028(calendar.Day{Date: "2028-01-03", Name: "元旦"}, calendar.Day{Date: "2028-01-31", Name: "春节"})
}

// TestRecomputeDeadlines: an application due in provisional 2028 gets a
// new due date when the official 2028 calendar adds a holiday inside its
// clock: stored once even with two replicas recomputing at once, a new
// deadline round (the reminder is sent again for the new date), a history
// event, an audit entry and a notice to the applicant; a second run
// changes nothing.
func TestRecomputeDeadlines(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2028-01-20 10:00")) // Thursday, provisional year
			a := e.apply(t, "citizen", nil)
			// 01-21, 01-24, (Spring Festival 01-25..28), 01-31, 02-01, 02-02.
			if dueDate(t, a.DueAt) != "2028-02-02 23:59:59" || !a.DueProvisional {
				t.Fatalf("provisional due %s provisional %v", dueDate(t, a.DueAt), a.DueProvisional)
			}
			e.clk.Set(apptest.CST("2028-02-01 10:00"))
			if res, err := e.p.Applications.RunDeadlines(ctx); err != nil || res != (deadlines.Result{Reminded: 1}) {
				t.Fatalf("reminder on the provisional date: %+v %v", res, err)
			}

			replica := e.p.Replica(t)
			raw := official2028(t)
			for _, p := range []*apptest.Portal{e.p, replica} {
				if changed, err := p.Calendar.SetYear(2028, raw, "test"); err != nil || !changed {
					t.Fatalf("set 2028: %v %v", changed, err)
				}
			}
			var mu sync.Mutex
			total := 0
			apptest.OnEach([]*apptest.Portal{e.p, replica}, func(p *apptest.Portal) {
				n, err := p.Applications.RecomputeDeadlines(ctx, []int{2028})
				if err != nil {
					t.Errorf("recompute: %v", err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
			if total != 1 {
				t.Errorf("two replicas changed %d applications, want 1", total)
			}
			// 01-21, 01-24, (01-25..28, 01-31), 02-01, 02-02, 02-03.
			var got appJSON
			e.Get(t, "citizen", "/api/v1/applications/"+a.ID).JSON(t, &got)
			if dueDate(t, got.DueAt) != "2028-02-03 23:59:59" || got.DueProvisional || got.Round != 1 {
				t.Errorf("recomputed: due %s provisional %v round %d", dueDate(t, got.DueAt), got.DueProvisional, got.Round)
			}
			if n := len(got.History); n == 0 || got.History[n-1].Action != "due_changed" || got.History[n-1].Note != "2028-02-02 → 2028-02-03" {
				t.Errorf("history %+v", got.History)
			}
			if box := e.inbox(t, "citizen"); countOf(box, "application.due_changed") != 1 {
				t.Errorf("citizen inbox %v", box)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", applications.AuditDueRecomputed, a.ID); n != 1 {
				t.Errorf("%d audit entries", n)
			}
			if n, err := e.p.Applications.RecomputeDeadlines(ctx, []int{2028}); n != 0 || err != nil {
				t.Errorf("second recompute: %d %v", n, err)
			}
			if n, err := e.p.Applications.RecomputeDeadlines(ctx, []int{2029}); n != 0 || err != nil {
				t.Errorf("recompute of another year: %d %v", n, err)
			}
			if box := e.inbox(t, "citizen"); countOf(box, "application.due_changed") != 1 {
				t.Errorf("citizen inbox after the second run %v", box)
			}
			// The new round is chased again: one working day left on 02-02.
			e.clk.Set(apptest.CST("2028-02-02 10:00"))
			if res, err := e.p.Applications.RunDeadlines(ctx); err != nil || res != (deadlines.Result{Reminded: 1}) {
				t.Errorf("reminder for the new date: %+v %v", res, err)
			}
			e.clk.Set(apptest.CST("2028-02-03 20:00"))
			if res, err := e.p.Applications.RunDeadlines(ctx); err != nil || res != (deadlines.Result{}) {
				t.Errorf("on the new due day: %+v %v (not overdue yet)", res, err)
			}
		})
	}
}
