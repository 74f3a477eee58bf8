package requests_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/requests"
)

const (
	dept         = "hlj-scjgj" // the demo provider's department
	deptDataset  = "ds-hlj-scjgj-001"
	otherDept    = "hrb-jtysj" // provider2's
	otherDataset = "ds-hrb-jtysj-001"
)

type env struct {
	*apptest.Roles
	p   *apptest.Portal
	clk *apptest.Clock
}

func newEnv(t *testing.T, engine string, start time.Time) *env {
	t.Helper()
	clk := apptest.NewClock(start)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
	return &env{Roles: apptest.NewRoles(p, clk.Now), p: p, clk: clk}
}

type reqJSON struct {
	ID             uint64     `json:"id"`
	Status         string     `json:"status"`
	RouteDueAt     *time.Time `json:"route_due_at"`
	RouteLate      bool       `json:"route_late"`
	Overdue        bool       `json:"overdue"`
	DueProvisional bool       `json:"due_provisional"`
	AnswerDueAt    *time.Time `json:"answer_due_at"`
	AnswerLate     bool       `json:"answer_late"`
	CatalogDueAt   *time.Time `json:"catalog_due_at"`
	CatalogLate    bool       `json:"catalog_late"`
	Reason         string     `json:"reason"`
	Supporters     int        `json:"supporters"`
	Supported      bool       `json:"supported"`
	Mine           bool       `json:"mine"`
	Escalated      bool       `json:"escalated"`
	IntendedUse    string     `json:"intended_use"`
	Department     *struct {
		ID string `json:"id"`
	} `json:"department"`
	Dataset *struct {
		ID string `json:"id"`
	} `json:"dataset"`
}

func decode(t *testing.T, r *apptest.Response, want int) reqJSON {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%d %s, want %d", r.Status, r.Body, want)
	}
	var j reqJSON
	r.JSON(t, &j)
	return j
}

func (e *env) notices(t *testing.T, role, kind string) int64 {
	t.Helper()
	var n int64
	e.p.DB.Table("notices").Joins("JOIN users ON users.id = notices.user_id").
		Where("users.email = ? AND notices.kind = ?", apptest.DemoEmail(role), kind).Count(&n)
	return n
}

func newRequest(title string, mod func(map[string]any)) map[string]any {
	r := map[string]any{"title": title, "description": "全省市场主体年报公示信息，按季度汇总，含行业分类与注册资本区间",
		"intended_use": "企业信用研究与营商环境评估", "suggested_department_id": dept}
	if mod != nil {
		mod(r)
	}
	return r
}

// TestRequestLifecycle: a citizen asks → the authority routes → the
// department accepts within 3 working days → the entry is linked within
// 10 working days; dates on the official calendar; the public list never
// shows who asked or why.
func TestRequestLifecycle(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-09-17 10:00"))
			created := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("市场主体年报汇总数据", nil)), http.StatusCreated)
			if created.Status != "submitted" || created.AnswerDueAt != nil || !created.Mine {
				t.Fatalf("created %+v", created)
			}
			if n := e.notices(t, "authority", "data_request.to_route"); n != 1 {
				t.Errorf("authority told %d times", n)
			}
			path := fmt.Sprintf("/api/v1/requests/%d", created.ID)
			// Routing: providers cannot, the authority can, within its region.
			if r := e.PostJSON(t, "provider", path+"/route", map[string]any{"department_id": dept}); r.Status != http.StatusForbidden {
				t.Errorf("provider routes: %d", r.Status)
			}
			e.clk.Set(apptest.CST("2026-09-18 09:30")) // Friday; Sunday 09-20 is a make-up working day
			routed := decode(t, e.PostJSON(t, "authority", path+"/route", map[string]any{"department_id": dept}), http.StatusOK)
			if routed.Status != "routed" || routed.AnswerDueAt == nil || !routed.AnswerDueAt.Equal(apptest.DueOn("2026-09-22")) {
				t.Errorf("routed %+v due %v", routed, routed.AnswerDueAt)
			}
			if r := e.PostJSON(t, "authority", path+"/route", map[string]any{"department_id": dept}); r.Status != http.StatusConflict {
				t.Errorf("routed twice: %d", r.Status)
			}
			if n := e.notices(t, "provider", "data_request.routed"); n != 1 {
				t.Errorf("provider told %d times", n)
			}
			// Another department sees nothing to answer.
			if r := e.PostJSON(t, "provider2", path+"/answer", map[string]any{"decision": "accept"}); r.Status != http.StatusNotFound {
				t.Errorf("provider2 answers: %d", r.Status)
			}
			e.clk.Set(apptest.CST("2026-09-22 16:00"))
			acc := decode(t, e.PostJSON(t, "provider", path+"/answer", map[string]any{"decision": "accept", "reason": "将于两周内编目发布"}), http.StatusOK)
			// 10 working days after 09-22 (Mid-Autumn 09-25..27, National Day 10-01..07, make-up 10-10).
			if acc.Status != "accepted" || acc.AnswerLate || acc.CatalogDueAt == nil || !acc.CatalogDueAt.Equal(apptest.DueOn("2026-10-13")) {
				t.Errorf("accepted %+v catalog due %v", acc, acc.CatalogDueAt)
			}
			if r := e.PostJSON(t, "provider", path+"/answer", map[string]any{"decision": "refuse", "reason": "改主意"}); r.Status != http.StatusConflict {
				t.Errorf("answered twice: %d", r.Status)
			}
			// Fulfil: a public entry of the department, nothing else.
			for _, bad := range []string{"ds-nope", otherDataset, ""} {
				if r := e.PostJSON(t, "provider", path+"/fulfil", map[string]any{"dataset_id": bad}); r.Status != http.StatusBadRequest {
					t.Errorf("fulfil with %q: %d", bad, r.Status)
				}
			}
			e.clk.Set(apptest.CST("2026-10-12 10:00"))
			done := decode(t, e.PostJSON(t, "provider", path+"/fulfil", map[string]any{"dataset_id": deptDataset}), http.StatusOK)
			if done.Status != "fulfilled" || done.CatalogLate || done.Dataset == nil || done.Dataset.ID != deptDataset {
				t.Errorf("fulfilled %+v", done)
			}
			if n := e.notices(t, "citizen", "data_request.fulfilled"); n != 1 {
				t.Errorf("requester told %d times", n)
			}
			// Public views: no requester, no intended use.
			for _, role := range []string{"", "organisation", "provider2"} {
				for _, p := range []string{"/api/v1/requests", path} {
					r := e.Get(t, role, p)
					if r.Status != http.StatusOK {
						t.Fatalf("%s as %q: %d", p, role, r.Status)
					}
					for _, secret := range []string{"企业信用研究", apptest.DemoEmail("citizen"), "requester", "\"mine\":true"} {
						if strings.Contains(string(r.Body), secret) {
							t.Errorf("%s as %q shows %q", p, role, secret)
						}
					}
				}
			}
			// The requester, the department and the authority see the purpose.
			for _, role := range []string{"citizen", "provider", "authority"} {
				if j := decode(t, e.Get(t, role, path), http.StatusOK); j.IntendedUse == "" {
					t.Errorf("%s does not see the intended use", role)
				}
			}
		})
	}
}

// TestRequestRules: picking a department routes at once; refusals need a
// reason; duplicates point at the open request; +1 instead of asking
// again.
func TestRequestRules(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"))
	for _, bad := range []map[string]any{
		newRequest(" ", nil),
		newRequest("公交到站数据", func(r map[string]any) { r["description"] = "" }),
		newRequest("公交到站数据", func(r map[string]any) { r["intended_use"] = "。。" }),
		newRequest("公交到站数据", func(r map[string]any) { r["department_id"] = "nope" }),
		newRequest("公交到站数据", func(r map[string]any) { r["department_id"] = otherDept }), // and a suggestion: one or the other
	} {
		if r := e.PostJSON(t, "citizen", "/api/v1/requests", bad); r.Status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	for _, role := range []string{"", "provider", "authority", "admin"} {
		want := map[string]int{"": 401}[role]
		if want == 0 {
			want = 403
		}
		if r := e.PostJSON(t, role, "/api/v1/requests", newRequest("公交到站数据", nil)); r.Status != want {
			t.Errorf("create as %q: %d, want %d", role, r.Status, want)
		}
	}
	direct := decode(t, e.PostJSON(t, "organisation", "/api/v1/requests", newRequest("哈尔滨公交实时到站数据", func(r map[string]any) {
		delete(r, "suggested_department_id")
		r["department_id"] = otherDept
	})), http.StatusCreated)
	// Routed at once: 3 working days after Monday 03-02.
	if direct.Status != "routed" || direct.AnswerDueAt == nil || !direct.AnswerDueAt.Equal(apptest.DueOn("2026-03-05")) {
		t.Errorf("direct %+v", direct)
	}
	// The same title (case, spaces, punctuation aside) while it is open: 409 with the id.
	r := e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("哈尔滨 公交实时到站数据！", nil))
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), fmt.Sprintf(`"duplicate_of":%d`, direct.ID)) {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	path := fmt.Sprintf("/api/v1/requests/%d", direct.ID)
	// Support: idempotent, not one's own, withdrawable.
	for i := 0; i < 2; i++ {
		if j := decode(t, e.PostJSON(t, "citizen", path+"/support", nil), http.StatusOK); j.Supporters != 1 || !j.Supported {
			t.Errorf("support #%d: %+v", i+1, j)
		}
	}
	if r := e.PostJSON(t, "organisation", path+"/support", nil); r.Status != http.StatusConflict {
		t.Errorf("support own request: %d", r.Status)
	}
	if r := e.PostJSON(t, "", path+"/support", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous support: %d", r.Status)
	}
	var list struct {
		Items []reqJSON `json:"items"`
	}
	e.Get(t, "citizen", "/api/v1/requests?sort=supporters").JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Supporters != 1 || !list.Items[0].Supported {
		t.Errorf("list %+v", list.Items)
	}
	if j := decode(t, e.Do(t, "citizen", http.MethodDelete, path+"/support", nil), http.StatusOK); j.Supporters != 0 || j.Supported {
		t.Errorf("withdrawn support %+v", j)
	}
	// Refusal: the reason is required and public.
	if r := e.PostJSON(t, "provider2", path+"/answer", map[string]any{"decision": "refuse"}); r.Status != http.StatusBadRequest {
		t.Errorf("refuse without reason: %d", r.Status)
	}
	ref := decode(t, e.PostJSON(t, "provider2", path+"/answer", map[string]any{"decision": "refuse", "reason": "该数据涉及运营企业商业秘密，暂不开放"}), http.StatusOK)
	if ref.Status != "refused" {
		t.Errorf("refused %+v", ref)
	}
	if pub := decode(t, e.Get(t, "", path), http.StatusOK); pub.Reason == "" {
		t.Error("refusal reason not public")
	}
	if r := e.PostJSON(t, "citizen", path+"/support", nil); r.Status != http.StatusConflict {
		t.Errorf("support a refused request: %d", r.Status)
	}
	// A closed request no longer blocks the same title.
	if r := e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("哈尔滨公交实时到站数据", nil)); r.Status != http.StatusCreated {
		t.Errorf("same title after refusal: %d %s", r.Status, r.Body)
	}
	// Filters.
	for q, want := range map[string]int{"?status=refused": 1, "?status=submitted": 1, "?q=公交": 2, "?q=100%25": 0, "?department=" + otherDept: 1} {
		var l struct{ Total int }
		e.Get(t, "", "/api/v1/requests"+q).JSON(t, &l)
		if l.Total != want {
			t.Errorf("list%s: %d, want %d", q, l.Total, want)
		}
	}
	if r := e.Get(t, "", "/api/v1/requests?status=nope"); r.Status != http.StatusBadRequest {
		t.Errorf("bad status filter: %d", r.Status)
	}
	// Queues.
	for role, want := range map[string]int{"provider2": 1, "provider": 0, "authority": 2, "citizen": 1, "organisation": 1} {
		var l struct{ Total int }
		e.Get(t, role, "/api/v1/requests/queue").JSON(t, &l)
		if l.Total != want {
			t.Errorf("queue of %s: %d, want %d", role, l.Total, want)
		}
	}
}

// TestRequestDeadlines: late answers and late entries are flagged, the
// department reminded and the authority told once per deadline.
func TestRequestDeadlines(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 10:00"))
			j := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("企业年报数据", func(r map[string]any) {
				delete(r, "suggested_department_id")
				r["department_id"] = dept
			})), http.StatusCreated)
			path := fmt.Sprintf("/api/v1/requests/%d", j.ID)
			ctx := context.Background()
			replica := e.p.Replica(t)
			run := func() {
				apptest.OnEach([]*requests.Service{e.p.Requests, replica.Requests}, func(s *requests.Service) {
					if _, err := s.FollowUp(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			e.clk.Set(apptest.CST("2026-03-04 09:00")) // 1 working day left (due 03-05)
			run()
			run()
			if n := e.notices(t, "provider", "data_request.reminder"); n != 1 {
				t.Errorf("%d reminders", n)
			}
			e.clk.Set(apptest.CST("2026-03-06 09:00"))
			run()
			run()
			if n := e.notices(t, "authority", "data_request.escalated"); n != 1 {
				t.Errorf("%d escalations", n)
			}
			if pub := decode(t, e.Get(t, "", path), http.StatusOK); !pub.AnswerLate || !pub.Escalated {
				t.Errorf("late answer not flagged: %+v", pub)
			}
			acc := decode(t, e.PostJSON(t, "provider", path+"/answer", map[string]any{"decision": "accept"}), http.StatusOK)
			// Catalog due: 10 working days after Friday 03-06 → 03-20.
			if !acc.AnswerLate || acc.CatalogDueAt == nil || !acc.CatalogDueAt.Equal(apptest.DueOn("2026-03-20")) || acc.Escalated {
				t.Errorf("accepted late: %+v", acc)
			}
			e.clk.Set(apptest.CST("2026-03-23 09:00"))
			run()
			if n := e.notices(t, "authority", "data_request.escalated"); n != 2 {
				t.Errorf("catalog deadline not escalated: %d", n)
			}
			if pub := decode(t, e.Get(t, "", path), http.StatusOK); !pub.CatalogLate {
				t.Errorf("late entry not flagged: %+v", pub)
			}
			done := decode(t, e.PostJSON(t, "provider", path+"/fulfil", map[string]any{"dataset_id": deptDataset}), http.StatusOK)
			if done.Status != "fulfilled" || !done.CatalogLate {
				t.Errorf("fulfilled late: %+v", done)
			}
		})
	}
}

// TestRoutingClock: a request naming no department waits on the
// authority, which routes it within the profile's 2 working days: reminded
// the working day before, escalated once after (to the provincial
// authority), shown overdue and late; the 3-working-day answer clock (000
// Art 29) starts on the routing day, not on submission.
func TestRoutingClock(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2026-03-02 10:00")) // Monday
			replica := e.p.Replica(t)
			run := func() {
				t.Helper()
				apptest.OnEach([]*requests.Service{e.p.Requests, replica.Requests, e.p.Requests}, func(s *requests.Service) {
					if _, err := s.FollowUp(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			j := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("企业年报汇总数据", nil)), http.StatusCreated)
			// Tuesday 03-03 and Wednesday 03-04.
			if j.Status != "submitted" || j.RouteDueAt == nil || !j.RouteDueAt.Equal(apptest.DueOn("2026-03-04")) || j.AnswerDueAt != nil || j.Overdue {
				t.Fatalf("created %+v route due %v", j, j.RouteDueAt)
			}
			direct := decode(t, e.PostJSON(t, "organisation", "/api/v1/requests", newRequest("公交到站数据", func(r map[string]any) {
				delete(r, "suggested_department_id")
				r["department_id"] = dept
			})), http.StatusCreated)
			if direct.RouteDueAt != nil || direct.RouteLate {
				t.Errorf("a request naming its department has no routing clock: %+v", direct)
			}
			path := fmt.Sprintf("/api/v1/requests/%d", j.ID)

			e.clk.Set(apptest.CST("2026-03-03 09:00")) // one working day left
			run()
			if n := e.notices(t, "authority", "data_request.route_reminder"); n != 1 {
				t.Errorf("%d routing reminders", n)
			}
			e.clk.Set(apptest.CST("2026-03-04 23:00")) // due today: not late
			run()
			if n := e.notices(t, "authority", "data_request.route_escalated"); n != 0 {
				t.Errorf("escalated on the due day: %d", n)
			}
			e.clk.Set(apptest.CST("2026-03-05 09:00"))
			run()
			if n := e.notices(t, "authority", "data_request.route_escalated"); n != 1 {
				t.Errorf("%d routing escalations", n)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "data_request.route_escalated", fmt.Sprint(j.ID)); n != 1 {
				t.Errorf("%d audit entries of the routing escalation", n)
			}
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ?", requests.RoutingSubject, fmt.Sprint(j.ID)); n != 2 {
				t.Errorf("%d routing claims, want a reminder and an escalation", n)
			}
			if pub := decode(t, e.Get(t, "", path), http.StatusOK); !pub.RouteLate || !pub.Overdue || !pub.Escalated {
				t.Errorf("late routing not shown: %+v", pub)
			}
			var q struct {
				Total int       `json:"total"`
				Items []reqJSON `json:"items"`
			}
			e.Get(t, "authority", "/api/v1/requests/queue?overdue=true").JSON(t, &q)
			if q.Total != 1 || q.Items[0].ID != j.ID || !q.Items[0].Overdue {
				t.Errorf("authority's overdue queue: %+v", q)
			}
			if r := e.Get(t, "authority", "/api/v1/requests/queue?overdue=maybe"); r.Status != http.StatusBadRequest {
				t.Errorf("overdue=maybe: %d", r.Status)
			}

			// Routed Friday 03-06: the answer is due 3 working days after the
			// routing day (Wednesday 03-11), not after the submission (03-05).
			e.clk.Set(apptest.CST("2026-03-06 10:00"))
			routed := decode(t, e.PostJSON(t, "authority", path+"/route", map[string]any{"department_id": dept}), http.StatusOK)
			if routed.AnswerDueAt == nil || !routed.AnswerDueAt.Equal(apptest.DueOn("2026-03-11")) || !routed.RouteLate || routed.Escalated || routed.Overdue {
				t.Errorf("routed late %+v answer due %v", routed, routed.AnswerDueAt)
			}
			e.clk.Set(apptest.CST("2026-03-10 09:00"))
			run()
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ? AND step = ?", requests.DeadlineSubject, fmt.Sprint(j.ID), "reminder"); n != 1 {
				t.Errorf("%d answer reminders", n)
			}
			e.clk.Set(apptest.CST("2026-03-12 09:00"))
			run()
			var esc int64
			e.p.DB.Table("audit_entries").Where("action = ? AND object_id = ?", "data_request.escalated", fmt.Sprint(j.ID)).Count(&esc)
			if esc != 1 {
				t.Errorf("%d answer escalations of the routed request", esc)
			}
			if n := e.notices(t, "authority", "data_request.route_escalated"); n != 1 {
				t.Errorf("routing escalated again: %d", n)
			}
			var hist struct {
				History []struct {
					Action string `json:"action"`
					Note   string `json:"note"`
				} `json:"history"`
			}
			e.Get(t, "", path).JSON(t, &hist)
			if fmt.Sprint(hist.History) != "[{created 2026-03-04} {route_escalated 2026-03-04} {routed 2026-03-11} {escalated 2026-03-11}]" {
				t.Errorf("history %v", hist.History)
			}
		})
	}
}

// TestRecomputeRequestDeadlines: the routing and answer due dates of open
// requests in provisional 2028 move when the official 2028 calendar adds a
// holiday inside their clocks: once, with a history event, an audit entry
// and a notice to the requester; a second run changes nothing; the new
// date is chased as a new round.
func TestRecomputeRequestDeadlines(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, engine, apptest.CST("2028-01-21 10:00")) // Friday, provisional year
			unrouted := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("企业年报汇总数据", nil)), http.StatusCreated)
			routed := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("公交到站数据", func(r map[string]any) {
				delete(r, "suggested_department_id")
				r["department_id"] = dept
			})), http.StatusCreated)
			// Monday 01-24, then Spring Festival 01-25..28.
			if !unrouted.RouteDueAt.Equal(apptest.DueOn("2028-01-31")) || !unrouted.DueProvisional {
				t.Errorf("provisional routing due %v provisional %v", unrouted.RouteDueAt, unrouted.DueProvisional)
			}
			if !routed.AnswerDueAt.Equal(apptest.DueOn("2028-02-01")) || !routed.DueProvisional {
				t.Errorf("provisional answer due %v provisional %v", routed.AnswerDueAt, routed.DueProvisional)
			}

			raw := apptest.Official2028(calendar.Day{Date: "2028-01-03", Name: "元旦"}, calendar.Day{Date: "2028-01-31", Name: "春节"})
			// Monday 01-24: one working day left to route on the provisional
			// calendar, so the first round's reminder goes out.
			e.clk.Set(apptest.CST("2028-01-24 10:00"))
			if _, err := e.p.Requests.FollowUp(ctx); err != nil {
				t.Fatal(err)
			}
			if changed, err := e.p.Calendar.SetYear(2028, raw, "test"); err != nil || !changed {
				t.Fatalf("set 2028: %v %v", changed, err)
			}
			if n, err := e.p.Requests.RecomputeDeadlines(ctx, []int{2028}); n != 2 || err != nil {
				t.Fatalf("recompute: %d %v, want 2", n, err)
			}
			for _, c := range []struct {
				id        uint64
				due, note string
				field     func(reqJSON) *time.Time
			}{
				{unrouted.ID, "2028-02-01", "2028-01-31 → 2028-02-01", func(j reqJSON) *time.Time { return j.RouteDueAt }},
				{routed.ID, "2028-02-02", "2028-02-01 → 2028-02-02", func(j reqJSON) *time.Time { return j.AnswerDueAt }},
			} {
				r := e.Get(t, "citizen", fmt.Sprintf("/api/v1/requests/%d", c.id))
				j := decode(t, r, http.StatusOK)
				if due := c.field(j); due == nil || !due.Equal(apptest.DueOn(c.due)) || j.DueProvisional {
					t.Errorf("request %d: due %v provisional %v, want %s", c.id, due, j.DueProvisional, c.due)
				}
				if !strings.Contains(string(r.Body), `{"at":`) || !strings.Contains(string(r.Body), `"action":"due_changed","note":"`+c.note+`"`) {
					t.Errorf("request %d history: %s", c.id, r.Body)
				}
				if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "data_request.due_recomputed", fmt.Sprint(c.id)); n != 1 {
					t.Errorf("request %d: %d audit entries", c.id, n)
				}
			}
			if n := e.notices(t, "citizen", "data_request.due_changed"); n != 2 {
				t.Errorf("requester told %d times, want 2", n)
			}
			if n, err := e.p.Requests.RecomputeDeadlines(ctx, []int{2028}); n != 0 || err != nil {
				t.Errorf("second recompute: %d %v", n, err)
			}
			if n := e.notices(t, "citizen", "data_request.due_changed"); n != 2 {
				t.Errorf("requester told %d times after the second run", n)
			}
			// The new routing date is chased as a new round: reminded again on
			// its due day, Tuesday 02-01.
			e.clk.Set(apptest.CST("2028-02-01 09:00"))
			if _, err := e.p.Requests.FollowUp(ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ? AND step = ?", requests.RoutingSubject, fmt.Sprint(unrouted.ID), "reminder"); n != 2 {
				t.Errorf("%d routing reminders, want one per round", n)
			}
			e.clk.Set(apptest.CST("2028-02-02 09:00"))
			if _, err := e.p.Requests.FollowUp(ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.p.Count(t, "deadline_events", "subject = ? AND item_id = ? AND step = ?", requests.RoutingSubject, fmt.Sprint(unrouted.ID), "escalation"); n != 1 {
				t.Errorf("%d routing escalations after the new date", n)
			}
		})
	}
}

// TestRoutingDueBackfill: a request left waiting without a routing due date
// (filed before the routing clock existed) gets one counted from its
// submission on the next follow-up run.
func TestRoutingDueBackfill(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-09-17 10:00")) // Thursday
			j := decode(t, e.PostJSON(t, "citizen", "/api/v1/requests", newRequest("企业年报汇总数据", nil)), http.StatusCreated)
			if err := e.p.DB.Model(&requests.Request{}).Where("id = ?", j.ID).Update("route_due_at", nil).Error; err != nil {
				t.Fatal(err)
			}
			if got := decode(t, e.Get(t, "", fmt.Sprintf("/api/v1/requests/%d", j.ID)), http.StatusOK); got.RouteDueAt != nil {
				t.Fatalf("route_due_at not cleared: %v", got.RouteDueAt)
			}
			e.clk.Set(apptest.CST("2026-09-18 10:00"))
			if _, err := e.p.Requests.FollowUp(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Friday 09-18, then Sunday 09-20 (a make-up working day).
			if got := decode(t, e.Get(t, "", fmt.Sprintf("/api/v1/requests/%d", j.ID)), http.StatusOK); got.RouteDueAt == nil || !got.RouteDueAt.Equal(apptest.DueOn("2026-09-20")) {
				t.Errorf("backfilled route_due_at %v, want 2026-09-20", got.RouteDueAt)
			}
		})
	}
}
