package applications_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
)

// TestReviewDeadlines: the due date of an application over the 2025–2027
// official calendars (000 Art 34: 5 working days, the day of submission not
// counted, due at 23:59:59 China time), including make-up working days, a
// submission on a holiday, the year boundary and a year without an
// official file (2028: provisional, said so as a plain fact).
func TestReviewDeadlines(t *testing.T) {
	cases := []struct {
		name, submitted, due string
	}{
		{"ordinary week", "2025-03-04 10:00", "2025-03-11"},
		{"Friday: the weekend is skipped", "2025-03-07 16:00", "2025-03-14"},
		{"submitted on a Saturday", "2025-03-08 11:00", "2025-03-14"},
		{"just before midnight China time", "2025-03-04 23:59", "2025-03-11"},
		{"just after midnight China time (still the 4th in UTC)", "2025-03-05 00:30", "2025-03-12"},
		{"Spring Festival 2025 with make-up Sunday 01-26", "2025-01-24 09:00", "2025-02-07"},
		{"submitted during Spring Festival, make-up Saturday 02-08 counts", "2025-01-30 09:00", "2025-02-10"},
		{"National Day 2025 with make-up Sunday 09-28", "2025-09-26 09:00", "2025-10-10"},
		{"submitted on a holiday (2025-10-03), make-up Saturday 10-11 counts", "2025-10-03 12:00", "2025-10-14"},
		{"Qingming 2025", "2025-04-03 09:00", "2025-04-11"},
		{"year boundary: New Year 2026 off, make-up Sunday 2026-01-04", "2025-12-29 09:00", "2026-01-06"},
		{"Spring Festival 2026 with make-up Saturday 02-14", "2026-02-12 09:00", "2026-02-26"},
		{"Mid-Autumn and National Day 2026", "2026-09-24 09:00", "2026-10-09"},
		{"into 2027 (official file): New Year 01-01..03 off", "2026-12-30 09:00", "2027-01-07"},
		{"into 2028 (provisional): New Year on Saturday made up on Monday 01-03", "2027-12-29 09:00", "2028-01-06"},
	}
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST(cases[0].submitted))
			for _, tc := range cases {
				e.clk.Set(apptest.CST(tc.submitted))
				a := e.apply(t, "citizen", nil)
				if got := dueDate(t, a.DueAt); got != tc.due+" 23:59:59" {
					t.Errorf("%s: submitted %s, due %s, want %s 23:59:59", tc.name, tc.submitted, got, tc.due)
				}
				if a.Status != "submitted" || a.WorkingDaysLeft == nil || *a.WorkingDaysLeft != 5 || a.Overdue {
					t.Errorf("%s: status %s, working days left %v, overdue %v", tc.name, a.Status, a.WorkingDaysLeft, a.Overdue)
				}
				if want := strings.HasPrefix(tc.due, "2028"); a.DueProvisional != want {
					t.Errorf("%s: due_provisional %v, want %v", tc.name, a.DueProvisional, want)
				}
				// Stored as shown: read it back.
				if got := dueDate(t, e.app(t, a.ID).DueAt); got != tc.due+" 23:59:59" {
					t.Errorf("%s: stored due %s", tc.name, got)
				}
				if r := e.PostJSON(t, "citizen", "/api/v1/applications/"+a.ID+"/withdraw", nil); r.Status != 200 {
					t.Fatalf("withdraw: %d %s", r.Status, r.Body)
				}
			}
			// The provisional 2028 is a plain fact on the citizen's form; the
			// operator warning is on the staff board only.
			var form struct {
				Due         time.Time `json:"expected_due_at"`
				Provisional bool      `json:"expected_due_provisional"`
			}
			r := e.Get(t, "citizen", "/api/v1/applications/form?dataset_id="+dataset)
			r.JSON(t, &form)
			if !form.Provisional || !form.Due.Equal(apptest.DueOn("2028-01-06")) || strings.Contains(string(r.Body), "calendar_warnings") {
				t.Errorf("form on 2027-12-29: due %s provisional %v; body %s", form.Due, form.Provisional, short(r.Body))
			}
			// What the staff board shows (asked of the service: the demo staff
			// passwords have expired by this clock, 000 Art 38).
			if w := e.p.Applications.CalendarWarnings(e.clk.Now()); !strings.Contains(strings.Join(w, ";"), "no official holiday calendar for 2028") {
				t.Errorf("board warnings %v lack the provisional 2028 calendar", w)
			}
		})
	}
}

// TestExpectedDueOnForm: the apply form shows the dataset's conditions, its
// data items and the due date an application submitted now would get.
func TestExpectedDueOnForm(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2025-09-26 09:00"))
	r := e.Get(t, "citizen", "/api/v1/applications/form?dataset_id="+dataset)
	var f struct {
		Dataset struct {
			ID             string `json:"id"`
			OpenConditions string `json:"open_conditions"`
			DataItems      []struct {
				Name, Label string
			} `json:"data_items"`
		} `json:"dataset"`
		ReviewDays int       `json:"review_days"`
		Due        time.Time `json:"expected_due_at"`
		Accepting  bool      `json:"accepting"`
	}
	r.JSON(t, &f)
	if r.Status != 200 || f.Dataset.ID != dataset || f.Dataset.OpenConditions == "" || len(f.Dataset.DataItems) != len(e.items) || f.ReviewDays != 5 || !f.Accepting {
		t.Fatalf("form: %d %s", r.Status, short(r.Body))
	}
	if got := dueDate(t, &f.Due); got != "2025-10-10 23:59:59" {
		t.Errorf("expected due %s", got)
	}
	for _, tc := range []struct {
		query  string
		status int
	}{{"", 400}, {"?dataset_id=" + openDataset, 400}, {"?dataset_id=no-such", 404}} {
		if r := e.Get(t, "citizen", "/api/v1/applications/form"+tc.query); r.Status != tc.status {
			t.Errorf("form%s: %d, want %d", tc.query, r.Status, tc.status)
		}
	}
}

// TestApplyValidation: bad input is a 400 naming the fields, and nothing is
// stored.
func TestApplyValidation(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 09:00"))
	cases := []struct {
		name   string
		mod    func(map[string]any)
		status int
		field  string
	}{
		{"no dataset", func(f map[string]any) { delete(f, "dataset_id") }, 400, "dataset_id"},
		{"unknown dataset", func(f map[string]any) { f["dataset_id"] = "ds-nope" }, 400, "dataset_id"},
		{"unconditional dataset", func(f map[string]any) { f["dataset_id"] = openDataset }, 400, "dataset_id"},
		{"no purpose", func(f map[string]any) { f["purpose"] = "  " }, 400, "purpose"},
		{"no scenario", func(f map[string]any) { delete(f, "scenario") }, 400, "scenario"},
		{"no basis", func(f map[string]any) { f["basis"] = "" }, 400, "basis"},
		{"no security measures", func(f map[string]any) { f["security_measures"] = "" }, 400, "security_measures"},
		{"no contact", func(f map[string]any) { f["contact"] = "" }, 400, "contact"},
		{"purpose too long", func(f map[string]any) { f["purpose"] = strings.Repeat("长", applications.MaxText+1) }, 400, "purpose"},
		{"no data items", func(f map[string]any) { f["data_items"] = []string{} }, 400, "data_items"},
		{"unknown data item", func(f map[string]any) { f["data_items"] = []string{e.items[0], "password_hash"} }, 400, "data_items"},
		{"duplicate data item", func(f map[string]any) { f["data_items"] = []string{e.items[0], e.items[0]} }, 400, "data_items"},
		{"bad start date", func(f map[string]any) { f["period_start"] = "2026/03/02" }, 400, "period_start"},
		{"end before start", func(f map[string]any) { f["period_end"] = "2026-03-01"; f["period_start"] = "2026-03-05" }, 400, "period_end"},
		{"end in the past", func(f map[string]any) { f["period_start"] = "2026-01-01"; f["period_end"] = "2026-02-01" }, 400, "period_end"},
		{"period too long", func(f map[string]any) { f["period_end"] = "2030-01-01" }, 400, "period_end"},
		{"wrong type", func(f map[string]any) { f["data_items"] = "all" }, 400, "data_items"},
	}
	for _, tc := range cases {
		r := e.PostJSON(t, "citizen", "/api/v1/applications", e.form(tc.mod))
		var body struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &body)
		if r.Status != tc.status || body.Error.Code != "invalid" || body.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %s, want %d with field %s", tc.name, r.Status, short(r.Body), tc.status, tc.field)
		}
	}
	if r := e.p.Do(t, "POST", "/api/v1/applications", strings.NewReader("{"), e.As(t, "citizen").Header("Content-Type", "application/json")); r.Status != 400 {
		t.Errorf("malformed JSON: %d", r.Status)
	}
	if n := e.p.Count(t, "applications", "1 = 1"); n != 0 {
		t.Errorf("%d applications stored from bad input", n)
	}
	// One open application per applicant and dataset.
	e.apply(t, "citizen", nil)
	if r := e.PostJSON(t, "citizen", "/api/v1/applications", e.form(nil)); r.Status != 409 {
		t.Errorf("second open application: %d %s", r.Status, r.Body)
	}
	// Staff do not apply (guard), anonymous callers must sign in.
	if r := e.PostJSON(t, "provider", "/api/v1/applications", e.form(nil)); r.Status != 403 {
		t.Errorf("provider applies: %d", r.Status)
	}
	if r := e.PostJSON(t, "", "/api/v1/applications", e.form(nil)); r.Status != 401 {
		t.Errorf("anonymous applies: %d", r.Status)
	}
	if n := e.p.Count(t, "applications", "1 = 1"); n != 1 {
		t.Errorf("%d applications stored, want 1", n)
	}
}

// TestApplicationLifecycle: apply → needs more material (everything missing
// at once, only once) → resubmit restarts the clock → approve a subset →
// grant; then suspension, reinstatement and expiry of the grant.
func TestApplicationLifecycle(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00")) // a Monday
			a := e.apply(t, "citizen", nil)
			if a.Status != "submitted" || dueDate(t, a.DueAt) != "2026-03-09 23:59:59" || a.Round != 1 {
				t.Fatalf("submitted: %+v", a)
			}
			if !has(a.Actions, "withdraw") || has(a.Actions, "approve") {
				t.Errorf("applicant actions %v", a.Actions)
			}
			if got := e.inbox(t, "provider"); countOf(got, "application.submitted") != 1 {
				t.Errorf("provider inbox %v", got)
			}
			// The provider's queue shows it with its due date and working days left.
			var q pageJSON[appJSON]
			e.Get(t, "provider", "/api/v1/applications").JSON(t, &q)
			if q.Total != 1 || q.Items[0].ID != a.ID || *q.Items[0].WorkingDaysLeft != 5 || !has(q.Items[0].Actions, "need_material") {
				t.Fatalf("provider queue: %+v", q)
			}

			// Two days later: needs more material.
			e.clk.Set(apptest.CST("2026-03-04 10:00"))
			path := "/api/v1/applications/" + a.ID
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "need_material", "missing": []string{" ", ""}}); r.Status != 400 {
				t.Errorf("need_material without a list: %d", r.Status)
			}
			missing := []string{"加盖公章的数据安全承诺书", "数据使用场景的详细说明"}
			r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "need_material", "missing": missing, "reason": "材料不全"})
			var got appJSON
			r.JSON(t, &got)
			if r.Status != 200 || got.Status != "needs_more_material" || got.DueAt != nil || strings.Join(got.Missing, "|") != strings.Join(missing, "|") {
				t.Fatalf("need material: %d %s", r.Status, short(r.Body))
			}
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "approve"}); r.Status != 409 {
				t.Errorf("decide while waiting for material: %d", r.Status)
			}
			if got := e.inbox(t, "citizen"); !has(got, "application.needs_more_material") {
				t.Errorf("applicant inbox %v", got)
			}
			e.Get(t, "citizen", path).JSON(t, &got)
			if !has(got.Actions, "resubmit") || strings.Join(got.Missing, "|") != strings.Join(missing, "|") {
				t.Errorf("applicant sees %+v", got)
			}

			// Resubmitted on Friday: a new clock of 5 working days from Friday.
			e.clk.Set(apptest.CST("2026-03-06 15:00"))
			if r := e.PostJSON(t, "citizen", path+"/resubmit", map[string]any{"security_measures": ""}); r.Status != 400 {
				t.Errorf("resubmit with an emptied field: %d", r.Status)
			}
			r = e.PostJSON(t, "citizen", path+"/resubmit", map[string]any{"note": "已补充承诺书和场景说明", "scenario": "全省市场主体活跃度季度分析"})
			r.JSON(t, &got)
			if r.Status != 200 || got.Status != "resubmitted" || got.Round != 2 || dueDate(t, got.DueAt) != "2026-03-13 23:59:59" {
				t.Fatalf("resubmit: %d %s", r.Status, short(r.Body))
			}
			if r := e.PostJSON(t, "citizen", path+"/resubmit", nil); r.Status != 409 {
				t.Errorf("resubmit twice: %d", r.Status)
			}
			// 001 Art 21: material is requested once.
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "need_material", "missing": []string{"再要一份"}}); r.Status != 409 {
				t.Errorf("second need_material: %d %s", r.Status, r.Body)
			}
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "approve", "data_items": []string{e.items[0], e.items[5]}}); r.Status != 400 {
				t.Errorf("approve an item not requested: %d", r.Status)
			}
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "maybe"}); r.Status != 400 {
				t.Errorf("unknown decision: %d", r.Status)
			}
			if r := e.PostJSON(t, "provider2", path+"/decision", map[string]any{"decision": "approve"}); r.Status != 404 {
				t.Errorf("other department decides: %d", r.Status)
			}
			if r := e.PostJSON(t, "citizen", path+"/decision", map[string]any{"decision": "approve"}); r.Status != 403 {
				t.Errorf("applicant decides: %d", r.Status)
			}

			// Approved for two of the four items requested.
			e.clk.Set(apptest.CST("2026-03-09 11:00"))
			approved := []string{e.items[0], e.items[2]}
			r = e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "approve", "data_items": approved, "reason": "仅批准必要字段"})
			r.JSON(t, &got)
			if r.Status != 200 || got.Status != "approved" || got.GrantID == "" || got.Decision == nil || strings.Join(got.Decision.DataItems, ",") != strings.Join(approved, ",") || got.Decision.Late {
				t.Fatalf("approve: %d %s", r.Status, short(r.Body))
			}
			if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "reject", "reason": "x"}); r.Status != 409 {
				t.Errorf("decide twice: %d", r.Status)
			}
			if r := e.PostJSON(t, "citizen", path+"/withdraw", nil); r.Status != 409 {
				t.Errorf("withdraw after approval: %d", r.Status)
			}
			wantHistory := []string{"submitted", "needs_more_material", "resubmitted", "approved"}
			var actions []string
			for _, h := range got.History {
				actions = append(actions, h.Action)
			}
			if strings.Join(actions, ",") != strings.Join(wantHistory, ",") {
				t.Errorf("history %v, want %v", actions, wantHistory)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "application.decided", a.ID); n != 2 {
				t.Errorf("%d audit entries for the decisions, want 2", n)
			}

			// The grant: listed for the holder, limited to the approved items.
			var grants pageJSON[grantJSON]
			e.Get(t, "citizen", "/api/v1/grants").JSON(t, &grants)
			if grants.Total != 1 || grants.Items[0].ID != got.GrantID || grants.Items[0].DatasetID != dataset ||
				strings.Join(grants.Items[0].DataItems, ",") != strings.Join(approved, ",") || grants.Items[0].Status != "active" {
				t.Fatalf("citizen grants: %+v", grants)
			}
			holder := e.principal(t, "citizen")
			acc, err := e.p.Applications.GrantAccess(ctx, holder, dataset)
			if err != nil || acc.GrantID != got.GrantID || strings.Join(acc.DataItems, ",") != strings.Join(approved, ",") {
				t.Fatalf("grant access: %+v %v", acc, err)
			}
			if _, err := e.p.Applications.GrantAccess(ctx, holder, otherDataset); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("access to another dataset: %v", err)
			}
			if _, err := e.p.Applications.GrantAccess(ctx, e.principal(t, "organisation"), dataset); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("access by someone else: %v", err)
			}
			other := "gr_0000000000000001"
			scoped := *holder
			scoped.TokenGrantID = &other
			if _, err := e.p.Applications.GrantAccess(ctx, &scoped, dataset); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("token scoped to another grant: %v", err)
			}
			scoped.TokenGrantID = &got.GrantID
			if _, err := e.p.Applications.GrantAccess(ctx, &scoped, dataset); err != nil {
				t.Errorf("token scoped to this grant: %v", err)
			}

			// The holder downloads with the ordinary download URL (the
			// developer API removes the columns not approved).
			var res []string
			e.p.DB.Table("resources").Where("dataset_id = ?", dataset).Order("position").Pluck("id", &res)
			download := "/api/v1/resources/" + res[0] + "/download"
			if r := e.Get(t, "citizen", download); r.Status != 200 {
				t.Fatalf("holder downloads: %d %s", r.Status, short(r.Body))
			}
			for role, want := range map[string]int{"organisation": 403, "": 403, "provider2": 403} {
				if r := e.Get(t, role, download); r.Status != want {
					t.Errorf("download as %q: %d, want %d", role, r.Status, want)
				}
			}

			// Suspension (000 Art 43) stops access at once; reinstatement restores it.
			gpath := "/api/v1/grants/" + got.GrantID
			for _, tc := range []struct {
				role   string
				body   map[string]any
				status int
			}{
				{"citizen", map[string]any{"reason": "x"}, 403},
				{"provider2", map[string]any{"reason": "x"}, 404},
				{"provider", map[string]any{"reason": " "}, 400},
			} {
				if r := e.PostJSON(t, tc.role, gpath+"/suspend", tc.body); r.Status != tc.status {
					t.Errorf("suspend as %s: %d, want %d", tc.role, r.Status, tc.status)
				}
			}
			var g grantJSON
			r = e.PostJSON(t, "provider", gpath+"/suspend", map[string]any{"reason": "发现数据被转售给第三方"})
			r.JSON(t, &g)
			if r.Status != 200 || g.Status != "suspended" || g.SuspendReason == "" || !has(g.Actions, "reinstate") {
				t.Fatalf("suspend: %d %s", r.Status, short(r.Body))
			}
			_, err = e.p.Applications.GrantAccess(ctx, holder, dataset)
			if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(err.Error(), "发现数据被转售给第三方") {
				t.Errorf("access while suspended: %v", err)
			}
			if r := e.Get(t, "citizen", download); r.Status != 403 {
				t.Errorf("download while suspended: %d", r.Status)
			}
			if r := e.PostJSON(t, "provider", gpath+"/suspend", map[string]any{"reason": "again"}); r.Status != 409 {
				t.Errorf("suspend twice: %d", r.Status)
			}
			e.Get(t, "citizen", "/api/v1/grants").JSON(t, &grants)
			if grants.Items[0].Status != "suspended" {
				t.Errorf("holder sees %+v", grants.Items[0])
			}
			if got := e.inbox(t, "citizen"); !has(got, "grant.suspended") {
				t.Errorf("holder inbox %v", got)
			}
			// The same-level authority may reinstate (and suspend).
			r = e.PostJSON(t, "authority", gpath+"/reinstate", map[string]any{"reason": "已整改"})
			r.JSON(t, &g)
			if r.Status != 200 || g.Status != "active" {
				t.Fatalf("reinstate: %d %s", r.Status, short(r.Body))
			}
			if r := e.PostJSON(t, "authority", gpath+"/reinstate", nil); r.Status != 409 {
				t.Errorf("reinstate twice: %d", r.Status)
			}
			if _, err := e.p.Applications.GrantAccess(ctx, holder, dataset); err != nil {
				t.Errorf("access after reinstatement: %v", err)
			}
			var detail struct {
				History []struct{ Action, Reason string } `json:"history"`
			}
			e.Get(t, "provider", gpath).JSON(t, &detail)
			if len(detail.History) != 2 || detail.History[0].Action != "suspended" || detail.History[1].Action != "reinstated" {
				t.Errorf("grant history %+v", detail.History)
			}
			if n := e.p.Count(t, "audit_entries", "object_id = ? AND action IN ?", got.GrantID, []string{"grant.suspended", "grant.reinstated"}); n != 2 {
				t.Errorf("%d audit entries for suspension/reinstatement", n)
			}

			// The period ends at 23:59:59 China time of period_end: then 403.
			stored := e.app(t, a.ID)
			e.clk.Set(stored.PeriodEnd)
			if _, err := e.p.Applications.GrantAccess(ctx, holder, dataset); err != nil {
				t.Errorf("access at the last second of the period: %v", err)
			}
			e.clk.Set(stored.PeriodEnd.Add(time.Second))
			if _, err := e.p.Applications.GrantAccess(ctx, holder, dataset); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("access after the period: %v", err)
			}
			if r := e.Get(t, "citizen", download); r.Status != 403 {
				t.Errorf("download after the period: %d", r.Status)
			}
			e.Get(t, "citizen", "/api/v1/grants").JSON(t, &grants)
			if grants.Items[0].Status != "expired" {
				t.Errorf("expired grant shows %s", grants.Items[0].Status)
			}
		})
	}
}

// TestRejectNeedsReasons: a refusal states its reasons (000 Art 34); the
// applicant sees them; a rejection without one changes nothing.
func TestRejectNeedsReasons(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 09:00"))
	a := e.apply(t, "organisation", nil)
	path := "/api/v1/applications/" + a.ID
	if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "reject", "reason": "   "}); r.Status != 400 {
		t.Errorf("reject without reason: %d", r.Status)
	}
	if st := e.app(t, a.ID).Status; st != applications.Submitted {
		t.Errorf("status after a bad decision: %s", st)
	}
	reason := "申请用途超出该数据目录的开放使用范围"
	if r := e.PostJSON(t, "provider", path+"/decision", map[string]any{"decision": "reject", "reason": reason}); r.Status != 200 {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	var got appJSON
	e.Get(t, "organisation", path).JSON(t, &got)
	if got.Status != "rejected" || got.Reason != reason || got.Decision == nil || got.Decision.Reason != reason || got.GrantID != "" {
		t.Errorf("applicant sees %+v", got)
	}
	if n := e.p.Count(t, "grants", "1 = 1"); n != 0 {
		t.Errorf("%d grants after a rejection", n)
	}
	var box struct {
		Items []struct{ Kind, Body string } `json:"items"`
	}
	e.Get(t, "organisation", "/api/v1/me/notifications").JSON(t, &box)
	if len(box.Items) == 0 || box.Items[0].Kind != "application.rejected" || !strings.Contains(box.Items[0].Body, reason) {
		t.Errorf("inbox %+v", box.Items)
	}
	// A new application may follow a rejection.
	e.apply(t, "organisation", nil)
}

// TestWhoReadsAnApplication: the applicant, the provider department and
// its same-level authority read an application; everyone else gets 404,
// and lists show each caller only its own scope.
func TestWhoReadsAnApplication(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00"))
			a := e.apply(t, "citizen", nil)
			b := e.apply(t, "organisation", func(f map[string]any) { f["dataset_id"] = otherDataset })
			readers := map[string]int{"citizen": 200, "provider": 200, "authority": 200,
				"organisation": 404, "provider2": 404, "province": 404, "admin": 404, "": 401}
			for role, want := range readers {
				if r := e.Get(t, role, "/api/v1/applications/"+a.ID); r.Status != want {
					t.Errorf("GET application as %q: %d, want %d", role, r.Status, want)
				}
			}
			// b is of 哈尔滨市市场监督管理局: only its applicant reads it here.
			for role, want := range map[string]int{"organisation": 200, "citizen": 404, "provider": 404, "provider2": 404, "authority": 404} {
				if r := e.Get(t, role, "/api/v1/applications/"+b.ID); r.Status != want {
					t.Errorf("GET other-region application as %q: %d, want %d", role, r.Status, want)
				}
			}
			for _, bad := range []string{"ap_zz", "1", "ap_0000000000000000"} {
				if r := e.Get(t, "citizen", "/api/v1/applications/"+bad); r.Status != 404 {
					t.Errorf("GET %s: %d", bad, r.Status)
				}
			}
			lists := map[string][]string{"citizen": {a.ID}, "organisation": {b.ID}, "provider": {a.ID}, "authority": {a.ID},
				"provider2": {}, "province": {}, "admin": {}}
			for role, want := range lists {
				var pg pageJSON[appJSON]
				e.Get(t, role, "/api/v1/applications").JSON(t, &pg)
				var ids []string
				for _, it := range pg.Items {
					ids = append(ids, it.ID)
				}
				if strings.Join(ids, ",") != strings.Join(want, ",") {
					t.Errorf("list as %s: %v, want %v", role, ids, want)
				}
			}
			if r := e.Get(t, "citizen", "/api/v1/applications?scope=everything"); r.Status != 400 {
				t.Errorf("bad scope: %d", r.Status)
			}
			if r := e.Get(t, "citizen", "/api/v1/applications?status=nonsense"); r.Status != 400 {
				t.Errorf("bad status: %d", r.Status)
			}
		})
	}
}

// TestCommitmentLetter: a signed commitment letter is a PDF (checked by
// content), at most 10 MB, read by the application's readers only.
func TestCommitmentLetter(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 09:00"))
	a := e.apply(t, "citizen", nil)
	path := "/api/v1/applications/" + a.ID + "/commitment"
	put := func(role string, body []byte) *apptest.Response {
		return e.p.Do(t, http.MethodPut, path+"?name=承诺书.pdf", strings.NewReader(string(body)), e.As(t, role).Header("Content-Type", "application/pdf"))
	}
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 2<<20)...) // 2 MB: above the 1 MB JSON body limit
	for _, tc := range []struct {
		name   string
		role   string
		body   []byte
		status int
	}{
		{"not a PDF", "citizen", []byte("<html>not a pdf</html>"), 400},
		{"empty", "citizen", nil, 400},
		{"a PDF renamed from a ZIP", "citizen", []byte("PK\x03\x04%PDF-"), 400},
		{"too large", "citizen", append([]byte("%PDF-1.7\n"), make([]byte, applications.MaxCommitmentBytes)...), 413},
		{"someone else", "organisation", pdf, 404},
	} {
		if r := put(tc.role, tc.body); r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, short(r.Body))
		}
	}
	if e.app(t, a.ID).CommitmentKey != "" {
		t.Fatal("a rejected upload was kept")
	}
	r := put("citizen", pdf)
	var got struct {
		Commitment *struct {
			Name string `json:"name"`
			Size int64  `json:"size"`
			URL  string `json:"url"`
		} `json:"commitment"`
	}
	r.JSON(t, &got)
	if r.Status != 200 || got.Commitment == nil || got.Commitment.Size != int64(len(pdf)) || got.Commitment.Name != "承诺书.pdf" {
		t.Fatalf("upload: %d %s", r.Status, short(r.Body))
	}
	for role, want := range map[string]int{"citizen": 200, "provider": 200, "authority": 200, "provider2": 404, "organisation": 404} {
		r := e.Get(t, role, got.Commitment.URL)
		if r.Status != want {
			t.Errorf("download as %s: %d, want %d", role, r.Status, want)
		}
		if want == 200 && (len(r.Body) != len(pdf) || r.Header.Get("Content-Type") != "application/pdf") {
			t.Errorf("download as %s: %d bytes, %s", role, len(r.Body), r.Header.Get("Content-Type"))
		}
	}
	// Decided applications keep their material as it was.
	e.PostJSON(t, "provider", "/api/v1/applications/"+a.ID+"/decision", map[string]any{"decision": "reject", "reason": "不符合条件"})
	if r := put("citizen", pdf); r.Status != 409 {
		t.Errorf("upload after the decision: %d", r.Status)
	}
}

// TestUseRecords: every use under a grant is recorded (000 Art 28); the
// provider sees the records of its data, the holder its own, nobody else.
func TestUseRecords(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00"))
			a := e.apply(t, "citizen", nil)
			var got appJSON
			e.PostJSON(t, "provider", "/api/v1/applications/"+a.ID+"/decision", map[string]any{"decision": "approve"}).JSON(t, &got)
			holder := e.principal(t, "citizen")
			var res []string
			e.p.DB.Table("resources").Where("dataset_id = ?", dataset).Pluck("id", &res)
			for i, f := range []string{"CSV", "JSON", "XLSX"} {
				if err := e.p.Applications.RecordUse(ctx, applications.Use{GrantID: got.GrantID, UserID: holder.UserID, ResourceID: res[0],
					Format: f, Fields: got.DataItems, Rows: int64(100 * (i + 1)), Bytes: 4096, At: e.clk.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.p.Applications.RecordUse(ctx, applications.Use{GrantID: "gr_ffffffffffffffff", UserID: holder.UserID, ResourceID: res[0]}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("use of an unknown grant: %v", err)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "data.conditional_use", got.GrantID); n != 3 {
				t.Errorf("%d audit entries of use, want 3", n)
			}
			var uses pageJSON[struct {
				GrantID string   `json:"grant_id"`
				Format  string   `json:"format"`
				Fields  []string `json:"fields"`
				Rows    int64    `json:"rows"`
			}]
			for role, want := range map[string]int64{"citizen": 3, "provider": 3, "authority": 3, "provider2": 0, "organisation": 0, "admin": 0} {
				e.Get(t, role, "/api/v1/use-records").JSON(t, &uses)
				if uses.Total != want {
					t.Errorf("use records seen by %s: %d, want %d", role, uses.Total, want)
				}
			}
			e.Get(t, "provider", "/api/v1/use-records?grant_id="+got.GrantID).JSON(t, &uses)
			if len(uses.Items) != 3 || uses.Items[0].Format != "XLSX" || uses.Items[0].Rows != 300 || strings.Join(uses.Items[0].Fields, ",") != strings.Join(got.DataItems, ",") {
				t.Errorf("provider's records: %+v", uses.Items)
			}
		})
	}
}
