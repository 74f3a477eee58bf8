package changes_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/changes"
	"github.com/hlj-opendata/portal/server/publishing"
)

// monday10 is Monday 2026-11-23 10:00 China time: a working day. With 3
// working days a notice then is due Thursday 2026-11-26.
var monday10 = apptest.CST("2026-11-23 10:00")

type env struct {
	t     *testing.T
	p     *apptest.Portal
	clk   *apptest.Clock
	roles *apptest.Roles
}

func newEnv(t *testing.T, engine string, at time.Time) *env {
	t.Helper()
	clk := apptest.NewClock(at)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
	return &env{t: t, p: p, clk: clk, roles: apptest.NewRoles(p, clk.Now)}
}

func (e *env) at(s string) { e.clk.Set(apptest.CST(s)) }

func (e *env) do(role, method, path string, body any) *apptest.Response {
	e.t.Helper()
	return e.roles.Do(e.t, role, method, path, body)
}

func (e *env) must(r *apptest.Response, status int, what string) map[string]any {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
	}
	return r.Map(e.t)
}

func (e *env) count(table, where string, args ...any) int64 {
	e.t.Helper()
	return e.p.Count(e.t, table, where, args...)
}

// userID is the id of a demo role's account.
func (e *env) userID(role string) uint64 {
	e.t.Helper()
	var ids []uint64
	e.p.DB.Table("users").Where("email = ?", apptest.DemoEmail(role)).Pluck("id", &ids)
	if len(ids) != 1 {
		e.t.Fatalf("no account for %s", role)
	}
	return ids[0]
}

// inbox counts role's notices of kind.
func (e *env) inbox(role, kind string) int64 {
	e.t.Helper()
	return e.count("notices", "user_id = ? AND kind = ?", e.userID(role), kind)
}

// entries returns n published entries of a department.
func (e *env) entries(dept string, n int) []string {
	e.t.Helper()
	var ids []string
	e.p.DB.Table("datasets").Where("department_id = ? AND status = ?", dept, "published").Order("id").Limit(n).Pluck("id", &ids)
	if len(ids) < n {
		e.t.Fatalf("%s has %d published entries, want %d", dept, len(ids), n)
	}
	return ids
}

// update submits a changed version of a published entry as the provider:
// the update a notice asks for.
func (e *env) update(id string) {
	e.t.Helper()
	e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+id, map[string]any{"description": "按新的职责调整后的目录说明。"}), 200, "change "+id)
	e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+id+"/submit", nil), 200, "submit "+id)
}

func (e *env) notice(role string, body map[string]any) map[string]any {
	e.t.Helper()
	return e.must(e.do(role, "POST", "/api/v1/catalog-changes", body), 201, "notice as "+role)
}

func (e *env) get(role string, id any) map[string]any {
	e.t.Helper()
	return e.must(e.do(role, "GET", fmt.Sprintf("/api/v1/catalog-changes/%v", id), nil), 200, "get notice")
}

func due(m map[string]any) time.Time {
	t, _ := time.Parse(time.RFC3339, m["due_at"].(string))
	return t
}

func entryStatus(m map[string]any) map[string]string {
	out := map[string]string{}
	for _, x := range m["entries"].([]any) {
		e := x.(map[string]any)
		out[e["dataset_id"].(string)] = e["status"].(string)
	}
	return out
}

func kinds(m map[string]any) []string {
	var out []string
	for _, x := range m["history"].([]any) {
		out = append(out, x.(map[string]any)["kind"].(string))
	}
	return out
}

// The audit action changes reads is the one publishing writes.
func TestSubmittedActionIsPublishings(t *testing.T) {
	if publishing.ActionSubmitted != "catalog.submitted" {
		t.Fatalf("publishing.ActionSubmitted = %q: update changes.submittedAction", publishing.ActionSubmitted)
	}
}

// TestNoticeCompletedOnTime: the authority records a notice against two
// entries on Monday; the clock is 3 working days (due Thursday). The
// department submits an updated version of one on Tuesday and confirms on
// Wednesday that the other needs no change: the notice is completed on
// time, the authority is told, the audit trail has every step, and the
// statistics count it on time.
func TestNoticeCompletedOnTime(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, monday10)
			ids := e.entries(seed.DemoProviderDepartment, 2)
			// Submitted (and published) before the notice: not its update.
			e.update(ids[1])
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+ids[1]+"/review", map[string]string{"decision": "approve"}), 200, "approve")
			e.at("2026-11-23 10:05")
			n := e.notice("authority", map[string]any{"department_id": seed.DemoProviderDepartment, "reason": "《某某条例》修订，部门职责调整",
				"changed_on": "2026-11-20", "dataset_ids": []string{ids[0], ids[1]}})
			if !due(n).Equal(apptest.DueOn("2026-11-26")) || n["status"] != "open" || n["days"].(float64) != 3 || n["created_by_role"] != "authority" {
				t.Fatalf("notice: %v", n)
			}
			if n["due_provisional"] != false || n["days_left"].(float64) != 3 || n["entries_total"].(float64) != 2 {
				t.Fatalf("notice clock: %v", n)
			}
			if e.inbox("provider", changes.KindNoticed) != 1 || e.inbox("authority", changes.KindNoticed) != 0 {
				t.Fatal("the department's provider should be told, the authority that recorded it not")
			}
			id := n["id"]
			if st := entryStatus(e.get("provider", id)); st[ids[1]] != "pending" {
				t.Fatalf("an update submitted before the notice counted: %v", st)
			}

			e.at("2026-11-24 15:00")
			e.update(ids[0])
			g := e.get("provider", id)
			if st := entryStatus(g); st[ids[0]] != "updated" || st[ids[1]] != "pending" || g["status"] != "open" {
				t.Fatalf("after Tuesday's updates: %v %v", st, g["status"])
			}
			e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/entries/%s/confirm", id, ids[1]), map[string]any{"reason": "  "}), 400, "confirm without reason")
			e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/entries/%s/confirm", id, "ds-not-in-notice"), map[string]any{"reason": "无需变更"}), 404, "confirm unknown entry")

			e.at("2026-11-25 09:30")
			c := e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/entries/%s/confirm", id, ids[1]), map[string]any{"reason": "该目录不涉及调整的职责"}), 200, "confirm")
			if c["status"] != "completed" || c["on_time"] != true || c["completed_at"] != "2026-11-25T01:30:00Z" || c["entries_done"].(float64) != 2 {
				t.Fatalf("completed: %v", c)
			}
			e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/entries/%s/confirm", id, ids[1]), map[string]any{"reason": "再次确认"}), 409, "confirm twice")
			if h := strings.Join(kinds(c), ","); h != "noticed,entry_updated,entry_confirmed,completed" {
				t.Fatalf("history: %s", h)
			}
			if e.inbox("authority", changes.KindCompleted) != 1 {
				t.Fatal("the authority should be told of the completion")
			}
			for action, want := range map[string]int64{changes.ActionNoticed: 1, changes.ActionEntryConfirmed: 1, changes.ActionCompleted: 1} {
				if got := e.count("audit_entries", "action = ? AND object_id = ?", action, fmt.Sprint(id)); got != want {
					t.Errorf("audit %s: %d, want %d", action, got, want)
				}
			}
			// Nothing is left to chase.
			e.at("2026-11-30 10:00")
			if res, err := e.p.Changes.FollowUp(t.Context()); err != nil || res.Reminded+res.Escalated != 0 {
				t.Fatalf("follow-up of a completed notice: %+v %v", res, err)
			}
			st := e.must(e.p.Get(t, "/api/v1/stats/catalog-changes?from=2026-11&to=2026-11&department="+seed.DemoProviderDepartment), 200, "stats")
			d := st["departments"].([]any)[0].(map[string]any)
			if d["catalog_changes_received"].(float64) != 1 || d["catalog_changes_completed_on_time"].(float64) != 1 || d["catalog_changes_late"].(float64) != 0 {
				t.Fatalf("stats: %v", d)
			}
		})
	}
}

// TestNoticeLate: the department records a notice itself on Monday (due
// Thursday) and misses it. It is reminded once on Wednesday, the working
// day before; the overdue notice is escalated once on Friday to the
// authority; an update on the next Monday completes it late, and the
// statistics count it late.
func TestNoticeLate(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, monday10)
			ids := e.entries(seed.DemoProviderDepartment, 1)
			n := e.notice("provider", map[string]any{"reason": "机构改革，职责划转", "changed_on": "2026-11-23", "dataset_ids": ids})
			id := n["id"]
			if n["department"].(map[string]any)["id"] != seed.DemoProviderDepartment || n["created_by_role"] != "provider" || !due(n).Equal(apptest.DueOn("2026-11-26")) {
				t.Fatalf("notice: %v", n)
			}
			if e.inbox("authority", changes.KindNoticed) != 1 {
				t.Fatal("the authority should hear of a notice the department recorded")
			}
			run := func(at string, reminded, escalated int) {
				t.Helper()
				e.at(at)
				res, err := e.p.Changes.FollowUp(t.Context())
				if err != nil || res.Reminded != reminded || res.Escalated != escalated {
					t.Fatalf("%s: %+v %v, want %d reminded, %d escalated", at, res, err, reminded, escalated)
				}
			}
			run("2026-11-24 10:00", 0, 0) // 2 working days left
			run("2026-11-25 10:00", 1, 0) // the working day before
			run("2026-11-25 16:00", 0, 0)
			run("2026-11-26 23:00", 0, 0) // due today: reminded already
			run("2026-11-27 00:00", 0, 1)
			run("2026-11-27 10:00", 0, 0)
			run("2026-11-30 09:00", 0, 0)
			if e.inbox("provider", changes.KindReminder) != 1 || e.inbox("authority", changes.KindEscalated) != 1 || e.inbox("provider", changes.KindEscalated) != 1 {
				t.Fatal("one reminder to the department, one escalation to the authority and the department")
			}
			if got := e.count("audit_entries", "action = ? AND object_id = ?", changes.ActionEscalated, fmt.Sprint(id)); got != 1 {
				t.Fatalf("escalation audit entries: %d", got)
			}
			over := e.must(e.do("authority", "GET", "/api/v1/catalog-changes?overdue=true", nil), 200, "overdue list")
			if over["total"].(float64) != 1 || over["items"].([]any)[0].(map[string]any)["escalated"] != true {
				t.Fatalf("overdue list: %v", over)
			}
			// Too late to ask for more time.
			e.must(e.do("provider", "POST", fmt.Sprintf("/api/v1/catalog-changes/%v/extension", id), map[string]any{"days": 2, "reason": "工作量大", "basis": "《某某办法》"}), 409, "extension after the deadline")

			e.at("2026-11-30 11:00")
			e.update(ids[0])
			g := e.get("authority", id)
			if g["status"] != "completed" || g["on_time"] != false || g["completed_at"] != "2026-11-30T03:00:00Z" {
				t.Fatalf("late completion: %v", g)
			}
			st := e.must(e.p.Get(t, "/api/v1/stats/catalog-changes?from=2026-11&to=2026-11&department="+seed.DemoProviderDepartment), 200, "stats")
			d := st["departments"].([]any)[0].(map[string]any)
			if d["catalog_changes_completed"].(float64) != 1 || d["catalog_changes_completed_on_time"].(float64) != 0 || d["catalog_changes_late"].(float64) != 1 {
				t.Fatalf("stats: %v", d)
			}
		})
	}
}

// TestExtension: asked once (a second request is 409), approved by the
// same-level authority: due = notice + 3 + 5 working days. Another notice's
// request is refused: the due date stands and it cannot be asked again.
// Bad input changes nothing.
func TestExtension(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, monday10)
			ids := e.entries(seed.DemoProviderDepartment, 2)
			n := e.notice("authority", map[string]any{"department_id": seed.DemoProviderDepartment, "reason": "法规调整", "changed_on": "2026-11-23", "all_entries": true})
			if int(n["entries_total"].(float64)) != int(e.count("datasets", "department_id = ? AND status <> ?", seed.DemoProviderDepartment, "revoked")) {
				t.Fatalf("all entries: %v", n["entries_total"])
			}
			id := n["id"]
			ext := fmt.Sprintf("/api/v1/catalog-changes/%v/extension", id)
			e.at("2026-11-24 10:00")
			for _, bad := range []map[string]any{
				{"days": 6, "reason": "涉及目录较多", "basis": "《某某办法》第三条"},
				{"days": 0, "reason": "涉及目录较多", "basis": "《某某办法》第三条"},
				{"days": 5, "reason": "涉及目录较多", "basis": " "},
			} {
				e.must(e.do("provider", "POST", ext, bad), 400, fmt.Sprintf("extension %v", bad))
			}
			if e.count("catalog_changes", "id = ? AND extension_status = ''", id) != 1 {
				t.Fatal("a refused request changed the notice")
			}
			e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "approve"}), 409, "decide before a request")
			r := e.must(e.do("provider", "POST", ext, map[string]any{"days": 5, "reason": "涉及目录较多", "basis": "《某某办法》第三条"}), 200, "extension")
			if r["extension"].(map[string]any)["status"] != "requested" || !due(r).Equal(apptest.DueOn("2026-11-26")) {
				t.Fatalf("requested: %v", r)
			}
			if e.inbox("authority", changes.KindExtensionRequested) != 1 {
				t.Fatal("the authority should be asked")
			}
			e.must(e.do("provider", "POST", ext, map[string]any{"days": 1, "reason": "再申请", "basis": "同上"}), 409, "second request")
			e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "maybe"}), 400, "bad decision")
			a := e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "approve", "comment": "同意"}), 200, "approve")
			// 11-23 + 8 working days: 24, 25, 26, 27, 30, 12-01, 12-02, 12-03.
			if a["extension"].(map[string]any)["status"] != "approved" || !due(a).Equal(apptest.DueOn("2026-12-03")) {
				t.Fatalf("approved: %v", a)
			}
			if e.inbox("provider", changes.KindExtensionDecided) != 1 {
				t.Fatal("the department should hear of the decision")
			}
			e.must(e.do("provider", "POST", ext, map[string]any{"days": 1, "reason": "再申请", "basis": "同上"}), 409, "request after approval")
			if e.count("audit_entries", "action = ? AND object_id = ?", changes.ActionExtensionRequested, fmt.Sprint(id)) != 1 ||
				e.count("audit_entries", "action = ? AND object_id = ?", changes.ActionExtensionDecided, fmt.Sprint(id)) != 1 {
				t.Fatal("audit entries of the extension")
			}
			// Past the first due date, within the extension: not escalated.
			e.at("2026-11-27 10:00")
			if res, err := e.p.Changes.FollowUp(t.Context()); err != nil || res.Escalated != 0 {
				t.Fatalf("follow-up within the extension: %+v %v", res, err)
			}

			// A refusal.
			m := e.notice("authority", map[string]any{"department_id": seed.DemoProviderDepartment, "reason": "法规调整二", "changed_on": "2026-11-27", "dataset_ids": ids})
			ext = fmt.Sprintf("/api/v1/catalog-changes/%v/extension", m["id"])
			e.must(e.do("provider", "POST", ext, map[string]any{"days": 3, "reason": "人手不足", "basis": "《某某办法》"}), 200, "extension")
			e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "refuse"}), 400, "refuse without reason")
			f := e.must(e.do("authority", "POST", ext+"/decision", map[string]any{"decision": "refuse", "comment": "理由不充分"}), 200, "refuse")
			// 11-27 (Friday) + 3: 11-30, 12-01, 12-02.
			if f["extension"].(map[string]any)["status"] != "refused" || !due(f).Equal(apptest.DueOn("2026-12-02")) {
				t.Fatalf("refused: %v", f)
			}
			e.must(e.do("provider", "POST", ext, map[string]any{"days": 3, "reason": "再申请", "basis": "《某某办法》"}), 409, "request after refusal")
		})
	}
}

// TestOtherDepartments: a notice is the business of its department and the
// same-level authority only; everyone else gets 404 (or 403 without a
// staff role), and bad input records nothing.
func TestOtherDepartments(t *testing.T) {
	e := newEnv(t, "sqlite", monday10)
	ids := e.entries(seed.DemoProviderDepartment, 1)
	others := e.entries(seed.DemoProvider2Department, 1)
	before := e.count("catalog_changes", "")
	// The provincial authority does not oversee a city department; a
	// provider records notices for its own department only.
	e.must(e.do("authority", "POST", "/api/v1/catalog-changes", map[string]any{"department_id": seed.DemoProvider2Department, "reason": "职责调整", "changed_on": "2026-11-23", "all_entries": true}), 404, "another region's department")
	e.must(e.do("provider", "POST", "/api/v1/catalog-changes", map[string]any{"department_id": seed.DemoProvider2Department, "reason": "职责调整", "changed_on": "2026-11-23", "all_entries": true}), 404, "another department")
	for _, bad := range []map[string]any{
		{"reason": "职责调整", "changed_on": "2026-11-24", "dataset_ids": ids},                      // after today
		{"reason": "职责调整", "changed_on": "2026-11-23", "dataset_ids": others},                   // another department's entry
		{"reason": "职责调整", "changed_on": "2026-11-23"},                                          // no entries
		{"reason": "职责调整", "changed_on": "2026-11-23", "all_entries": true, "dataset_ids": ids}, // both
		{"reason": "", "changed_on": "2026-11-23", "dataset_ids": ids},                          // no reason
		{"reason": "职责调整", "changed_on": "23/11/2026", "dataset_ids": ids},                      // not a date
	} {
		r := e.do("provider", "POST", "/api/v1/catalog-changes", bad)
		if r.Status != 400 {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	if e.count("catalog_changes", "") != before || e.count("audit_entries", "action = ?", changes.ActionNoticed) != 0 {
		t.Fatal("refused notices left rows")
	}
	n := e.notice("provider", map[string]any{"reason": "职责调整", "changed_on": "2026-11-23", "dataset_ids": ids})
	path := fmt.Sprintf("/api/v1/catalog-changes/%v", n["id"])
	e.must(e.do("provider2", "GET", path, nil), 404, "another department's notice")
	e.must(e.do("provider2", "POST", path+"/extension", map[string]any{"days": 1, "reason": "测试", "basis": "测试"}), 404, "another department's extension")
	e.must(e.do("provider2", "POST", path+"/entries/"+ids[0]+"/confirm", map[string]any{"reason": "测试"}), 404, "another department's entry")
	if l := e.must(e.do("provider2", "GET", "/api/v1/catalog-changes", nil), 200, "provider2 list"); l["total"].(float64) != 0 {
		t.Fatalf("provider2 sees: %v", l)
	}
	a2 := e.p.SignIn(t, "authority2@demo.local", apptest.DemoPassword)
	if r := e.p.Do(t, http.MethodGet, path, nil, a2.Header()); r.Status != 404 {
		t.Fatalf("another region's authority: %d", r.Status)
	}
	if r := e.p.PostJSON(t, path+"/extension/decision", map[string]any{"decision": "approve"}, a2.Header()); r.Status != 404 {
		t.Fatalf("another region's authority decides: %d", r.Status)
	}
	e.must(e.do("citizen", "GET", "/api/v1/catalog-changes", nil), 403, "citizen")
	e.must(e.do("authority", "GET", path, nil), 200, "the same-level authority")
	e.must(e.do("authority", "GET", "/api/v1/catalog-changes/abc", nil), 404, "bad id")
	e.must(e.do("authority", "GET", "/api/v1/catalog-changes?status=late", nil), 400, "bad status")
	e.must(e.p.Get(t, "/api/v1/stats/catalog-changes?from=2026-13"), 400, "bad month")
	e.must(e.p.Get(t, "/api/v1/stats/catalog-changes?from=2024-01&to=2026-11"), 400, "too many months")
	e.must(e.p.Get(t, "/api/v1/stats/catalog-changes?department=nope"), 404, "unknown department")
	st := e.must(e.p.Get(t, "/api/v1/stats/catalog-changes"), 200, "stats")
	if tot := st["totals"].(map[string]any); tot["catalog_changes_received"].(float64) != 1 || tot["catalog_changes_open_in_time"].(float64) != 1 {
		t.Fatalf("stats totals: %v", tot)
	}
}
