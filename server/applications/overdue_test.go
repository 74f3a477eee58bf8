package applications_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/deadlines"
)

// TestOverdueEscalation: the provider is reminded the working day before
// the due date; an overdue application is escalated to the same-level
// authority exactly once (000 Art 42), even with two replicas running the
// job at the same moment; the board, the queue and the public statistics
// show it; a resubmission's new clock is chased again.
func TestOverdueEscalation(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00")) // Monday
			run := func(p *apptest.Portal) deadlines.Result {
				t.Helper()
				res, err := p.Applications.RunDeadlines(ctx)
				if err != nil {
					t.Fatalf("run deadlines: %v", err)
				}
				return res
			}
			first := e.apply(t, "citizen", nil) // due Mon 03-09
			e.clk.Set(apptest.CST("2026-03-04 10:00"))
			second := e.apply(t, "organisation", nil) // due Wed 03-11

			e.clk.Set(apptest.CST("2026-03-05 18:00")) // 2 working days before the first is due
			if res := run(e.p); res != (deadlines.Result{}) {
				t.Errorf("Thursday: %+v, want nothing", res)
			}
			e.clk.Set(apptest.CST("2026-03-06 10:00")) // Friday: 1 working day left
			if res := run(e.p); res != (deadlines.Result{Reminded: 1}) {
				t.Errorf("Friday: %+v, want one reminder", res)
			}
			if res := run(e.p); res != (deadlines.Result{}) {
				t.Errorf("Friday again: %+v, want nothing", res)
			}
			if got := e.inbox(t, "provider"); countOf(got, "application.due_soon") != 1 {
				t.Errorf("provider inbox after reminders: %v", got)
			}
			e.clk.Set(apptest.CST("2026-03-09 23:59")) // due today, not yet overdue
			if res := run(e.p); res.Escalated != 0 {
				t.Errorf("on the due day: %+v", res)
			}

			// Tuesday: the first is overdue, the second due tomorrow. Two
			// replicas run the job at once, twice each.
			e.clk.Set(apptest.CST("2026-03-10 09:00"))
			replica := e.p.Replica(t)
			var mu sync.Mutex
			var total deadlines.Result
			apptest.OnEach([]*apptest.Portal{e.p, replica, e.p, replica}, func(p *apptest.Portal) {
				res, err := p.Applications.RunDeadlines(ctx)
				if err != nil {
					t.Errorf("concurrent run: %v", err)
				}
				mu.Lock()
				total.Reminded += res.Reminded
				total.Escalated += res.Escalated
				mu.Unlock()
			})
			if total != (deadlines.Result{Reminded: 1, Escalated: 1}) {
				t.Errorf("four concurrent runs did %+v, want one reminder and one escalation", total)
			}
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ? AND step = ?", "application", first.ID, "escalation"); n != 1 {
				t.Errorf("%d escalation rows, want 1", n)
			}
			if got := e.inbox(t, "authority"); countOf(got, "application.escalated") != 1 {
				t.Errorf("authority inbox: %v", got)
			}
			if got := e.inbox(t, "provider"); countOf(got, "application.overdue") != 1 || countOf(got, "application.due_soon") != 2 {
				t.Errorf("provider inbox: %v", got)
			}
			if got := e.inbox(t, "provider2"); len(got) != 0 {
				t.Errorf("another department's provider was told: %v", got)
			}
			if a := e.app(t, first.ID); a.EscalatedAt == nil || a.Escalations != 1 {
				t.Errorf("first after escalation: escalated_at %v, escalations %d", a.EscalatedAt, a.Escalations)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "application.escalated", first.ID); n != 1 {
				t.Errorf("%d audit entries of the escalation", n)
			}

			// The queue: the overdue one on top, with negative working days left.
			var q pageJSON[appJSON]
			e.Get(t, "provider", "/api/v1/applications").JSON(t, &q)
			if len(q.Items) != 2 || q.Items[0].ID != first.ID || !q.Items[0].Overdue || *q.Items[0].WorkingDaysLeft != -1 || q.Items[1].ID != second.ID || q.Items[1].Overdue {
				t.Errorf("queue order: %+v", q.Items)
			}
			var board struct {
				Items       []appJSON
				Departments []applications.DepartmentStats
			}
			e.Get(t, "authority", "/api/v1/applications/overdue").JSON(t, &board)
			if len(board.Items) != 1 || board.Items[0].ID != first.ID || board.Items[0].EscalatedAt == nil {
				t.Errorf("authority board items: %+v", board.Items)
			}
			if len(board.Departments) != 1 || board.Departments[0].DepartmentID != "hlj-scjgj" || board.Departments[0].Overdue != 1 || board.Departments[0].Escalated != 1 {
				t.Errorf("authority board departments: %+v", board.Departments)
			}
			e.Get(t, "provider2", "/api/v1/applications/overdue").JSON(t, &board)
			if len(board.Items) != 0 {
				t.Errorf("other department's board: %+v", board.Items)
			}
			var stats struct {
				Items []applications.DepartmentStats `json:"items"`
			}
			e.Get(t, "", "/api/v1/applications/stats?department=hlj-scjgj").JSON(t, &stats)
			if len(stats.Items) != 1 || stats.Items[0].Received != 2 || stats.Items[0].Overdue != 1 || stats.Items[0].Escalated != 1 || stats.Items[0].Pending != 2 {
				t.Errorf("public stats: %+v", stats.Items)
			}

			// Decided late: recorded as such; the second gets material asked for.
			var got appJSON
			e.PostJSON(t, "provider", "/api/v1/applications/"+first.ID+"/decision", map[string]any{"decision": "approve"}).JSON(t, &got)
			if got.Decision == nil || !got.Decision.Late {
				t.Errorf("late decision: %+v", got.Decision)
			}
			e.PostJSON(t, "provider", "/api/v1/applications/"+second.ID+"/decision", map[string]any{"decision": "need_material", "missing": []string{"承诺书"}})
			e.clk.Set(apptest.CST("2026-03-11 09:00"))
			if r := e.PostJSON(t, "citizen", "/api/v1/applications/"+second.ID+"/resubmit", map[string]any{"note": "附后"}); r.Status != 404 {
				t.Errorf("someone else resubmits: %d", r.Status)
			}
			r := e.PostJSON(t, "organisation", "/api/v1/applications/"+second.ID+"/resubmit", map[string]any{"note": "已补充"})
			r.JSON(t, &got)
			if r.Status != 200 || dueDate(t, got.DueAt) != "2026-03-18 23:59:59" {
				t.Fatalf("resubmit: %d %s", r.Status, short(r.Body))
			}
			e.clk.Set(apptest.CST("2026-03-19 08:00"))
			if res := run(e.p); res.Escalated != 1 {
				t.Errorf("round 2 overdue: %+v", res)
			}
			if res := run(replica); res != (deadlines.Result{}) {
				t.Errorf("round 2 again on the replica: %+v", res)
			}
			e.Get(t, "", "/api/v1/applications/stats?department=hlj-scjgj").JSON(t, &stats)
			if s := stats.Items[0]; s.DecidedLate != 1 || s.Approved != 1 || s.Overdue != 1 || s.Escalated != 2 {
				t.Errorf("stats after round 2: %+v", s)
			}
		})
	}
}

// TestDatasetRevoked: an approved revocation (called inside its
// transaction) refuses new applications, closes pending ones, and cuts
// running grants to the grace period (000 Art 16, 35).
func TestDatasetRevoked(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00"))
			shortGrant := e.apply(t, "citizen", nil) // period ends 2026-05-31
			long := e.apply(t, "organisation", func(f map[string]any) { f["period_end"] = "2027-02-28" })
			for _, a := range []appJSON{shortGrant, long} {
				if r := e.PostJSON(t, "provider", "/api/v1/applications/"+a.ID+"/decision", map[string]any{"decision": "approve"}); r.Status != 200 {
					t.Fatalf("approve: %d %s", r.Status, r.Body)
				}
			}
			pending := e.apply(t, "organisation", nil)

			e.clk.Set(apptest.CST("2026-03-10 15:00"))
			approvedAt := e.clk.Now()
			graceEnd := approvedAt.AddDate(0, 6, 0)
			err := e.p.DB.Transaction(func(tx *gorm.DB) error {
				return e.p.Applications.OnDatasetRevoked(tx, dataset, approvedAt, graceEnd)
			})
			if err != nil {
				t.Fatal(err)
			}
			r := e.PostJSON(t, "citizen", "/api/v1/applications", e.form(nil))
			if r.Status != 409 || !strings.Contains(string(r.Body), "已撤销开放") {
				t.Errorf("apply after revocation: %d %s", r.Status, r.Body)
			}
			var form struct {
				Accepting bool `json:"accepting"`
			}
			e.Get(t, "citizen", "/api/v1/applications/form?dataset_id="+dataset).JSON(t, &form)
			if form.Accepting {
				t.Error("form still accepting after revocation")
			}
			if p := e.app(t, pending.ID); p.Status != applications.Rejected || p.Reason == "" || p.DueAt != nil {
				t.Errorf("pending application after revocation: %s %q", p.Status, p.Reason)
			}
			var grants pageJSON[grantJSON]
			e.Get(t, "organisation", "/api/v1/grants").JSON(t, &grants)
			if len(grants.Items) != 1 || !grants.Items[0].AccessUntil.Equal(graceEnd.Truncate(time.Second)) {
				t.Errorf("long grant after revocation: %+v, want access until %s", grants.Items, graceEnd)
			}
			e.Get(t, "citizen", "/api/v1/grants").JSON(t, &grants)
			if got := grants.Items[0].AccessUntil.In(graceEnd.Location()).Format(time.DateOnly); got != "2026-05-31" {
				t.Errorf("short grant keeps its own end: %s", got)
			}
			for _, role := range []string{"citizen", "organisation"} {
				if got := e.inbox(t, role); !has(got, "grant.revoked") {
					t.Errorf("%s not told of the revocation: %v", role, got)
				}
			}
			org := e.principal(t, "organisation")
			if _, err := e.p.Applications.GrantAccess(ctx, org, dataset); err != nil {
				t.Errorf("access within the grace period: %v", err)
			}
			e.clk.Set(graceEnd.Add(time.Second))
			if _, err := e.p.Applications.GrantAccess(ctx, org, dataset); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("access after the grace period: %v", err)
			}
		})
	}
}
