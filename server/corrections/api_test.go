package corrections_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/policy"
)

type mailMessage = mail.Message

// TestReportTrackAnswer: a visitor reports an error, the dataset and the
// data item carry the under-dispute mark, the visitor tracks the report by
// its code (no personal data), the provider answers "corrected" linking
// the new resource, the mark disappears and the history is public in
// aggregate.
func TestReportTrackAnswer(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 10:00"), nil) // a Monday
			if d, _ := e.disputed(t, dataset); d {
				t.Fatal("dataset under dispute before any report")
			}
			c := e.file(t, "", e.report(nil))
			if len(c.TrackingCode) != 24 || !corrections.ValidCode(c.TrackingCode) {
				t.Fatalf("tracking code %q: want 24 URL-safe characters (144 bits)", c.TrackingCode)
			}
			// 000 Art 24: 5 working days, the day of receipt not counted.
			if want := apptest.DueOn("2026-03-09"); !c.DueAt.Equal(want) {
				t.Errorf("due %s, want %s", c.DueAt, want)
			}
			if n := e.p.Count(t, "corrections", "tracking_hash = ?", c.TrackingCode); n != 0 {
				t.Error("the tracking code is stored in clear")
			}

			// The mark: dataset, the data item named, list item.
			d, items := e.disputed(t, dataset)
			if !d || !items[e.items[1]] || items[e.items[0]] {
				t.Errorf("under dispute: dataset %v, items %v (want only %s)", d, items, e.items[1])
			}
			r := e.p.Get(t, "/api/v1/datasets?department="+dept+"&page_size=100")
			var list struct {
				Items []struct {
					ID           string `json:"id"`
					UnderDispute bool   `json:"under_dispute"`
				} `json:"items"`
			}
			r.JSON(t, &list)
			seen := false
			for _, it := range list.Items {
				if it.UnderDispute != (it.ID == dataset) {
					t.Errorf("list item %s under_dispute = %v", it.ID, it.UnderDispute)
				}
				seen = seen || it.ID == dataset
			}
			if !seen {
				t.Fatalf("dataset %s not in the list", dataset)
			}

			// Tracking: status, no personal data.
			tr := e.p.Get(t, "/api/v1/corrections/track/"+c.TrackingCode)
			if tr.Status != http.StatusOK {
				t.Fatalf("track: %d %s", tr.Status, tr.Body)
			}
			for _, secret := range []string{visitorMail, visitorPhone, "李四", "91230100MA1XYZ0001", "注册地址已变更", "学府路", `"reporter"`, `"report"`} {
				if strings.Contains(string(tr.Body), secret) {
					t.Errorf("tracking answer leaks %q: %s", secret, tr.Body)
				}
			}
			v := decodeView(t, tr)
			if v.Status != "open" || v.WorkingDaysLeft == nil || *v.WorkingDaysLeft != 5 || v.Department.ID != dept {
				t.Errorf("tracked: %+v", v)
			}
			if r := e.p.Get(t, "/api/v1/corrections/track/"+strings.Repeat("A", 24)); r.Status != http.StatusNotFound {
				t.Errorf("unknown code: %d", r.Status)
			}

			// The provider sees the reporter; answers "corrected" with the new resource.
			pv := decodeView(t, e.Get(t, "provider", fmt.Sprintf("/api/v1/corrections/%d", c.ID)))
			if pv.Reporter == nil || pv.Reporter.Email != visitorMail || pv.Reporter.Phone != visitorPhone {
				t.Errorf("provider view of the reporter: %+v", pv.Reporter)
			}
			e.clk.Set(apptest.CST("2026-03-04 15:00"))
			ans := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{
				"outcome": "corrected", "explanation": "已将注册地址更新为学府路 1 号", "new_resource_id": e.res[0]})
			if ans.Status != http.StatusOK {
				t.Fatalf("answer: %d %s", ans.Status, ans.Body)
			}
			if d, items := e.disputed(t, dataset); d || items[e.items[1]] {
				t.Errorf("still under dispute after the answer: %v %v", d, items)
			}
			v = e.track(t, c.TrackingCode)
			if v.Status != "answered" || v.Answer == nil || v.Answer.Outcome != "corrected" || !v.Answer.OnTime || v.Answer.NewResourceID != e.res[0] {
				t.Errorf("tracked after the answer: %+v %+v", v, v.Answer)
			}
			if got := v.kinds(); !contains(got, "submitted") || !contains(got, "answered") {
				t.Errorf("events %v", got)
			}
			if again := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "not_an_error", "explanation": "再次答复"}); again.Status != http.StatusConflict {
				t.Errorf("second answer: %d", again.Status)
			}
			if n := e.p.Count(t, "audit_entries", "action = ? AND object_id = ?", "correction.answered", fmt.Sprint(c.ID)); n != 1 {
				t.Errorf("%d audit entries for the answer", n)
			}
			if n := e.notices(t, "provider", "correction.received"); n != 1 {
				t.Errorf("provider got %d notices of the report", n)
			}

			// Aggregate history.
			var sum struct {
				Received, Answered, Corrected, Open int64
				AnsweredOnTime                      int64    `json:"answered_on_time"`
				Median                              *float64 `json:"median_answer_working_days"`
			}
			e.p.Get(t, "/api/v1/corrections/summary?dataset_id="+dataset).JSON(t, &sum)
			if sum.Received != 1 || sum.Answered != 1 || sum.Corrected != 1 || sum.Open != 0 || sum.AnsweredOnTime != 1 || sum.Median == nil || *sum.Median != 2 {
				t.Errorf("summary %+v (median %v)", sum, sum.Median)
			}
		})
	}
}

// TestReportValidation: bad reports are refused with a field error and
// leave nothing behind.
func TestReportValidation(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	var hidden string
	e.p.DB.Table("datasets").Where("open_type = ?", "not_open").Limit(1).Pluck("id", &hidden)
	if hidden == "" {
		t.Fatal("no not_open dataset in the small seed")
	}
	cases := []struct {
		name   string
		role   string
		mod    func(map[string]any)
		status int
		field  string
	}{
		{"empty description", "", func(r map[string]any) { r["description"] = "   " }, 400, "description"},
		{"punctuation only", "", func(r map[string]any) { r["description"] = "？？？……!!" }, 400, "description"},
		{"no contact", "", func(r map[string]any) { delete(r, "contact") }, 400, "contact"},
		{"malformed e-mail", "", func(r map[string]any) { r["contact"] = map[string]any{"email": "li@@mail"} }, 400, "contact.email"},
		{"unreachable domain", "", func(r map[string]any) { r["contact"] = map[string]any{"email": "li@example.com"} }, 400, "contact.email"},
		{"reserved TLD", "", func(r map[string]any) { r["contact"] = "li@host.invalid" }, 400, "contact.email"},
		{"short phone", "", func(r map[string]any) { r["contact"] = "1391234" }, 400, "contact.phone"},
		{"letters for phone", "", func(r map[string]any) { r["contact"] = map[string]any{"phone": "call me"} }, 400, "contact.phone"},
		{"unknown dataset", "", func(r map[string]any) { r["dataset_id"] = "ds-nope" }, 400, "dataset_id"},
		{"not-open dataset", "", func(r map[string]any) { r["dataset_id"] = hidden; delete(r, "resource_id"); delete(r, "data_item") }, 400, "dataset_id"},
		{"resource of another dataset", "", func(r map[string]any) { r["resource_id"] = "res-nope" }, 400, "resource_id"},
		{"unknown data item", "", func(r map[string]any) { r["data_item"] = "no_such_item" }, 400, "data_item"},
		{"too long", "", func(r map[string]any) { r["description"] = strings.Repeat("错", 2001) }, 400, "description"},
		{"about self, not signed in", "", func(r map[string]any) { r["about_self"] = true }, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.PostJSON(t, tc.role, "/api/v1/corrections", e.report(tc.mod))
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
			if tc.field != "" {
				var body struct {
					Error struct {
						Fields map[string]string `json:"fields"`
					} `json:"error"`
				}
				r.JSON(t, &body)
				if body.Error.Fields[tc.field] == "" {
					t.Errorf("no message for %s: %s", tc.field, r.Body)
				}
			}
			if n := e.p.Count(t, "corrections", "1 = 1"); n != 0 {
				t.Errorf("%d reports saved", n)
			}
		})
	}
	// Valid variants: a phone as a string, +86 and spaces; a conditional
	// entry's metadata; a signed-in report about oneself without a contact.
	for _, tc := range []struct {
		role string
		mod  func(map[string]any)
	}{
		{"", func(r map[string]any) { r["contact"] = "+86 139 1234 5678" }},
		{"", func(r map[string]any) {
			r["dataset_id"] = condDataset
			delete(r, "resource_id")
			delete(r, "data_item")
			r["contact"] = "0451-86201234"
		}},
		{"citizen", func(r map[string]any) { r["about_self"] = true; delete(r, "contact") }},
	} {
		e.file(t, tc.role, e.report(tc.mod))
	}
	var phone string
	e.p.DB.Table("corrections").Where("dataset_id = ?", condDataset).Pluck("contact_phone", &phone)
	if phone != "045186201234" {
		t.Errorf("landline stored as %q", phone)
	}
	var email string
	e.p.DB.Table("corrections").Where("about_self = ?", true).Pluck("contact_email", &email)
	if email != apptest.DemoEmail("citizen") {
		t.Errorf("signed-in report without a contact: %q", email)
	}
}

// TestFloodProtection: rate limits per address and per account, a cap on
// open reports per contact, the same open report refused.
func TestFloodProtection(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	e.p.Corrections.Limits.PerIPHour, e.p.Corrections.Limits.PerIPDay = 4, 6
	e.p.Corrections.Limits.PerAccountHour = 2
	e.p.Corrections.Limits.OpenPerContact = 2
	mail := func(i int) func(map[string]any) {
		return func(r map[string]any) {
			r["contact"] = fmt.Sprintf("visitor%d@mail.hlj.gov.cn", i)
			r["description"] = fmt.Sprintf("第 %d 处数据错误", i)
		}
	}
	// Same open report twice: 409.
	e.file(t, "", e.report(mail(1)))
	if r := e.PostJSON(t, "", "/api/v1/corrections", e.report(mail(1))); r.Status != http.StatusConflict {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	// Cap per contact: a second, different report passes, a third is refused.
	e.file(t, "", e.report(func(r map[string]any) { mail(1)(r); r["description"] = "另一处错误：电话号码" }))
	if r := e.PostJSON(t, "", "/api/v1/corrections", e.report(func(r map[string]any) { mail(1)(r); r["description"] = "第三处错误：法人" })); r.Status != http.StatusConflict {
		t.Errorf("third open report of one contact: %d %s", r.Status, r.Body)
	}
	// Per address: 4 an hour (2 made), 6 a day.
	e.file(t, "", e.report(mail(2)))
	e.file(t, "", e.report(mail(3)))
	r := e.PostJSON(t, "", "/api/v1/corrections", e.report(mail(4)))
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("fifth report in an hour: %d %s", r.Status, r.Body)
	}
	e.clk.Set(apptest.CST("2026-03-02 11:30"))
	e.file(t, "", e.report(mail(4)))
	e.file(t, "", e.report(mail(5)))
	if r := e.PostJSON(t, "", "/api/v1/corrections", e.report(mail(6))); r.Status != http.StatusTooManyRequests {
		t.Errorf("seventh report in a day: %d", r.Status)
	}
	// Per account (the address limit lifted): 2 an hour.
	e.p.Corrections.Limits.PerIPHour, e.p.Corrections.Limits.PerIPDay = 0, 0
	e.file(t, "citizen", e.report(mail(7)))
	e.file(t, "citizen", e.report(mail(8)))
	if r := e.PostJSON(t, "citizen", "/api/v1/corrections", e.report(mail(9))); r.Status != http.StatusTooManyRequests {
		t.Errorf("third report of an account in an hour: %d", r.Status)
	}
	if n := e.p.Count(t, "corrections", "1 = 1"); n != 8 {
		t.Errorf("%d reports saved, want 8", n)
	}
}

// TestWhoSeesTheReporter is the authorization matrix of corrections: the
// reporter's identity and contact reach the handling department only,
// whatever the route and whoever asks.
func TestWhoSeesTheReporter(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 10:00"), nil)
			visitor := e.file(t, "", e.report(nil))
			own := e.file(t, "citizen", e.report(func(r map[string]any) {
				r["about_self"] = true
				r["contact"] = map[string]any{"name": "王五", "phone": "13800001111"}
				r["description"] = "我本人的登记信息有误"
			}))
			secrets := []string{visitorMail, visitorPhone, "李四", "91230100MA1XYZ0001", "13800001111", "王五", apptest.DemoEmail("citizen")}
			leaks := func(body []byte) []string {
				var out []string
				for _, s := range secrets {
					if strings.Contains(string(body), s) {
						out = append(out, s)
					}
				}
				return out
			}
			roles := append([]string{""}, apptest.DemoRoles...)
			type want struct {
				status  int
				contact bool
			}
			for _, c := range []created{visitor, own} {
				// who → what GET /corrections/{id} answers
				expect := map[string]want{
					"": {401, false}, "provider": {200, true}, "authority": {200, false},
					"provider2": {404, false}, "province": {404, false}, "admin": {404, false}, "organisation": {404, false},
					"citizen": {404, false},
				}
				if c == own {
					expect["citizen"] = want{200, false}
				}
				for _, role := range roles {
					r := e.Get(t, role, fmt.Sprintf("/api/v1/corrections/%d", c.ID))
					w := expect[role]
					if r.Status != w.status {
						t.Errorf("GET report %d as %q: %d, want %d", c.ID, role, r.Status, w.status)
					}
					if got := leaks(r.Body); (len(got) > 0) != w.contact {
						t.Errorf("GET report %d as %q: personal data %v, want contact=%v", c.ID, role, got, w.contact)
					}
					// The queue: only the department's shows the contact.
					if role != "" {
						q := e.Get(t, role, "/api/v1/corrections")
						if q.Status != http.StatusOK {
							t.Errorf("queue as %s: %d", role, q.Status)
						}
						if got := leaks(q.Body); (len(got) > 0) != (role == "provider") {
							t.Errorf("queue as %s: personal data %v", role, got)
						}
					}
				}
				// Public surfaces: tracking, the dataset, lists, summary.
				for _, path := range []string{"/api/v1/corrections/track/" + c.TrackingCode, "/api/v1/datasets/" + dataset,
					"/api/v1/datasets?department=" + dept, "/api/v1/corrections/summary", "/api/v1/corrections/summary?dataset_id=" + dataset} {
					for _, role := range roles {
						r := e.Get(t, role, path)
						if r.Status != http.StatusOK {
							t.Errorf("%s as %q: %d", path, role, r.Status)
						}
						if got := leaks(r.Body); len(got) > 0 {
							t.Errorf("%s as %q leaks %v", path, role, got)
						}
					}
				}
			}
			// Acting on a report: only the handling department answers,
			// only its authority decides extensions; the others see nothing (404).
			for _, role := range roles {
				r := e.PostJSON(t, role, fmt.Sprintf("/api/v1/corrections/%d/answer", visitor.ID), map[string]any{"outcome": "not_an_error", "explanation": "核实无误"})
				want := map[string]int{"": 401, "citizen": 403, "organisation": 403, "provider2": 404, "authority": 403, "province": 403, "admin": 403, "provider": 200}[role]
				if r.Status != want {
					t.Errorf("answer as %q: %d, want %d: %s", role, r.Status, want, r.Body)
				}
			}
			for _, role := range roles {
				r := e.PostJSON(t, role, fmt.Sprintf("/api/v1/corrections/%d/extension/decision", own.ID), map[string]any{"decision": "approve"})
				want := map[string]int{"": 401, "citizen": 403, "organisation": 403, "provider": 403, "provider2": 403, "province": 403, "admin": 403, "authority": 409}[role]
				if r.Status != want {
					t.Errorf("extension decision as %q: %d, want %d: %s", role, r.Status, want, r.Body)
				}
			}
		})
	}
}

// TestDeadlinesOnTheCalendar: the due date is the end of the 5th working
// day after the day of receipt, on the official calendar (Heilongjiang
// profile); the national profile gives 10.
func TestDeadlinesOnTheCalendar(t *testing.T) {
	for _, profile := range []struct {
		name  string
		cases map[string]string // reported at → due day
	}{
		{"heilongjiang", map[string]string{
			"2026-03-02 10:00": "2026-03-09", // plain week
			"2026-09-30 16:00": "2026-10-13", // National Day, make-up Saturday 10-10
			"2026-10-03 09:00": "2026-10-13", // reported on a holiday
			"2026-02-13 23:50": "2026-02-27", // make-up Saturday 02-14, Spring Festival
			"2025-12-31 12:00": "2026-01-08", // year boundary, make-up Sunday 01-04
		}},
		{"national", map[string]string{
			"2026-09-30 16:00": "2026-10-20",
		}},
	} {
		t.Run(profile.name, func(t *testing.T) {
			e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), map[string]string{"PORTAL_POLICY_PROFILE": profile.name})
			e.p.Corrections.Limits = corrections.Limits{}
			i := 0
			for at, day := range profile.cases {
				i++
				e.clk.Set(apptest.CST(at))
				c := e.file(t, "", e.report(func(r map[string]any) { r["contact"] = fmt.Sprintf("v%d@mail.hlj.gov.cn", i) }))
				if want := apptest.DueOn(day); !c.DueAt.Equal(want) {
					t.Errorf("reported %s: due %s, want %s", at, c.DueAt.In(time.FixedZone("CST", 8*3600)), want)
				}
			}
		})
	}
}

// TestExtension: under the national profile a department asks once for at
// most 10 more working days before the deadline; the profile's approver
// decides: the department's head (provider_head, 003 Art 21) as the
// national profile says, or the same-level authority where a profile says
// so; the other one gets 403. The reporter sees the new date. The
// Heilongjiang profile allows none.
func TestExtension(t *testing.T) {
	type variant struct{ engine, approver string }
	var variants []variant
	for _, engine := range apptest.Engines(t) {
		variants = append(variants, variant{engine, policy.ApproverProviderHead})
	}
	variants = append(variants, variant{"sqlite", policy.ApproverAuthority})
	for _, vr := range variants {
		t.Run(vr.engine+"/"+vr.approver, func(t *testing.T) {
			e := newEnv(t, vr.engine, apptest.CST("2026-09-30 16:00"), map[string]string{"PORTAL_POLICY_PROFILE": "national"})
			head, otherHead := e.head(t, dept), e.head(t, otherDept)
			// Sessions end when the clock moves: sign in for each use.
			asHead := func() map[string]string { return e.p.SignIn(t, head, apptest.DemoPassword).Header() }
			asAuthority := func() map[string]string { return e.As(t, "authority").Header() }
			approver, wrong := asHead, asAuthority
			approverNotices := func(kind string) int64 { return e.userNotices(t, head, kind) }
			if vr.approver == policy.ApproverAuthority {
				e.p.Corrections.Profile.CorrectionExtensionApprover = policy.ApproverAuthority
				approver, wrong = asAuthority, asHead
				approverNotices = func(kind string) int64 { return e.notices(t, "authority", kind) }
			}
			decide := func(h map[string]string, id uint64, body map[string]any) *apptest.Response {
				return e.p.PostJSON(t, fmt.Sprintf("/api/v1/corrections/%d/extension/decision", id), body, h)
			}
			c := e.file(t, "citizen", e.report(nil))
			if !c.DueAt.Equal(apptest.DueOn("2026-10-20")) {
				t.Fatalf("due %s", c.DueAt)
			}
			path := fmt.Sprintf("/api/v1/corrections/%d/extension", c.ID)
			for _, bad := range []map[string]any{{"days": 11, "reason": "需要现场核实"}, {"days": 0, "reason": "需要现场核实"}, {"days": 5, "reason": " "}} {
				if r := e.PostJSON(t, "provider", path, bad); r.Status != http.StatusBadRequest {
					t.Errorf("extension %v: %d", bad, r.Status)
				}
			}
			e.clk.Set(apptest.CST("2026-10-15 09:00"))
			if r := e.PostJSON(t, "provider", path, map[string]any{"days": 10, "reason": "需要到企业现场核实地址"}); r.Status != http.StatusOK {
				t.Fatalf("ask for an extension: %d %s", r.Status, r.Body)
			}
			if r := e.PostJSON(t, "provider", path, map[string]any{"days": 3, "reason": "再次申请"}); r.Status != http.StatusConflict {
				t.Errorf("second request while one waits: %d", r.Status)
			}
			if v := e.track(t, c.TrackingCode); v.Extension != nil || contains(v.kinds(), "extension_requested") {
				t.Errorf("the reporter sees the pending request: %+v", v.Extension)
			}
			if n := approverNotices("correction.extension_requested"); n != 1 {
				t.Errorf("approver got %d notices", n)
			}
			var queue struct{ Total int }
			e.p.Do(t, http.MethodGet, "/api/v1/corrections?extension=requested", nil, approver()).JSON(t, &queue)
			if queue.Total != 1 {
				t.Errorf("approver's pending extensions: %d", queue.Total)
			}
			// The wrong approver may see the report but not decide (403);
			// another department's head does not see it (404).
			if r := decide(wrong(), c.ID, map[string]any{"decision": "approve"}); r.Status != http.StatusForbidden {
				t.Errorf("decision by the approver the profile does not name: %d %s", r.Status, r.Body)
			}
			if r := decide(e.p.SignIn(t, otherHead, apptest.DemoPassword).Header(), c.ID, map[string]any{"decision": "approve"}); r.Status != http.StatusNotFound {
				t.Errorf("decision by another department's head: %d %s", r.Status, r.Body)
			}
			r := decide(approver(), c.ID, map[string]any{"decision": "approve", "comment": "同意"})
			if r.Status != http.StatusOK {
				t.Fatalf("approve: %d %s", r.Status, r.Body)
			}
			// 10 more working days from 2026-10-20.
			v := e.track(t, c.TrackingCode)
			if !v.DueAt.Equal(apptest.DueOn("2026-11-03")) || v.Extension == nil || v.Extension.Status != "approved" || v.Extension.Days != 10 {
				t.Errorf("after approval: due %s, extension %+v", v.DueAt, v.Extension)
			}
			if !contains(v.kinds(), "extension_approved") {
				t.Errorf("reporter's history %v lacks the extension", v.kinds())
			}
			if n := e.notices(t, "citizen", "correction.extended"); n != 1 {
				t.Errorf("reporter told %d times of the new date", n)
			}
			if r := e.PostJSON(t, "provider", path, map[string]any{"days": 2, "reason": "还需要时间"}); r.Status != http.StatusConflict {
				t.Errorf("second extension: %d", r.Status)
			}

			// Too late to ask: a report whose deadline passed.
			late := e.file(t, "", e.report(nil))
			e.clk.Set(apptest.CST("2026-11-02 09:00"))
			if r := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/extension", late.ID), map[string]any{"days": 2, "reason": "来不及了"}); r.Status != http.StatusConflict {
				t.Errorf("extension after the deadline: %d", r.Status)
			}
			// Refusal needs a reason and keeps the date.
			e.clk.Set(apptest.CST("2026-10-16 09:00"))
			third := e.file(t, "", e.report(func(r map[string]any) { r["contact"] = "other@mail.hlj.gov.cn" }))
			e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/extension", third.ID), map[string]any{"days": 4, "reason": "人手不足"})
			if r := decide(approver(), third.ID, map[string]any{"decision": "refuse"}); r.Status != http.StatusBadRequest {
				t.Errorf("refusal without reason: %d", r.Status)
			}
			if r := decide(approver(), third.ID, map[string]any{"decision": "refuse", "comment": "理由不充分"}); r.Status != http.StatusOK {
				t.Errorf("refuse: %d %s", r.Status, r.Body)
			}
			if v := e.track(t, third.TrackingCode); !v.DueAt.Equal(third.DueAt) || v.Extension != nil {
				t.Errorf("after refusal: due %s (was %s), extension %+v", v.DueAt, third.DueAt, v.Extension)
			}
		})
	}
	t.Run("heilongjiang allows none", func(t *testing.T) {
		e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
		c := e.file(t, "", e.report(nil))
		if r := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/extension", c.ID), map[string]any{"days": 2, "reason": "需要核实"}); r.Status != http.StatusConflict {
			t.Errorf("extension under the Heilongjiang profile: %d %s", r.Status, r.Body)
		}
	})
}

// TestReminderAndEscalation: one reminder before the deadline, one
// escalation to the authority after it, even with two replicas running
// the job at the same time; a forwarded report is a new round.
func TestReminderAndEscalation(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 10:00"), nil) // due 2026-03-09
			c := e.file(t, "", e.report(nil))
			ctx := context.Background()
			replica := e.p.Replica(t)
			run := func() {
				apptest.OnEach([]*corrections.Service{e.p.Corrections, replica.Corrections}, func(s *corrections.Service) {
					if _, err := s.FollowUp(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			e.clk.Set(apptest.CST("2026-03-05 09:00")) // 2 working days left: nothing yet
			run()
			if n := e.notices(t, "provider", "correction.reminder"); n != 0 {
				t.Errorf("reminded %d times 2 days ahead", n)
			}
			e.clk.Set(apptest.CST("2026-03-06 09:00")) // 1 working day left
			run()
			run()
			if n := e.notices(t, "provider", "correction.reminder"); n != 1 {
				t.Errorf("%d reminders, want 1", n)
			}
			e.clk.Set(apptest.CST("2026-03-09 23:59")) // due today, not late
			run()
			if n := e.notices(t, "authority", "correction.escalated"); n != 0 {
				t.Errorf("escalated before the deadline passed")
			}
			e.clk.Set(apptest.CST("2026-03-10 00:01"))
			run()
			run()
			if n := e.notices(t, "authority", "correction.escalated"); n != 1 {
				t.Errorf("%d escalations, want 1", n)
			}
			v := e.track(t, c.TrackingCode)
			if !v.Escalated || !v.Overdue || !contains(v.kinds(), "escalated") {
				t.Errorf("tracked after escalation: %+v", v)
			}
			var overdue struct{ Total int }
			e.Get(t, "authority", "/api/v1/corrections?overdue=true").JSON(t, &overdue)
			if overdue.Total != 1 {
				t.Errorf("authority sees %d overdue", overdue.Total)
			}
			// Late answer: recorded as not on time.
			ans := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "not_an_error", "explanation": "经核实，数据与登记档案一致"})
			if ans.Status != http.StatusOK {
				t.Fatalf("late answer: %d %s", ans.Status, ans.Body)
			}
			if v := e.track(t, c.TrackingCode); v.Answer == nil || v.Answer.OnTime {
				t.Errorf("late answer marked on time: %+v", v.Answer)
			}
		})
	}
}

// TestForwarding: a report forwarded to the department holding the data
// restarts the clock there on the forwarding day; the first department no
// longer sees it; the dataset stays under dispute until the answer.
func TestForwarding(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	c := e.file(t, "", e.report(nil))
	path := fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID)
	e.clk.Set(apptest.CST("2026-03-05 11:00"))
	for _, bad := range []map[string]any{
		{"outcome": "forwarded", "explanation": "该数据由哈尔滨市交通运输局提供"},
		{"outcome": "forwarded", "explanation": "转交", "department_id": "nope"},
		{"outcome": "forwarded", "explanation": "转交", "department_id": dept},
		{"outcome": "corrected", "explanation": "已更正", "new_resource_id": "res-of-nothing"},
		{"outcome": "maybe", "explanation": "?"},
		{"outcome": "not_an_error", "explanation": ""},
	} {
		if r := e.PostJSON(t, "provider", path, bad); r.Status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	r := e.PostJSON(t, "provider", path, map[string]any{"outcome": "forwarded", "explanation": "该数据由哈尔滨市交通运输局采集", "department_id": otherDept})
	if r.Status != http.StatusOK {
		t.Fatalf("forward: %d %s", r.Status, r.Body)
	}
	v := e.track(t, c.TrackingCode)
	// Restarted: 5 working days after 2026-03-05.
	if v.Status != "open" || v.Department.ID != otherDept || !v.DueAt.Equal(apptest.DueOn("2026-03-12")) || !contains(v.kinds(), "forwarded") {
		t.Errorf("after forwarding: %+v", v)
	}
	if d, _ := e.disputed(t, dataset); !d {
		t.Error("forwarded report no longer marks the dataset")
	}
	if r := e.Get(t, "provider", fmt.Sprintf("/api/v1/corrections/%d", c.ID)); r.Status != http.StatusNotFound {
		t.Errorf("former department still sees it: %d", r.Status)
	}
	pv := decodeView(t, e.Get(t, "provider2", fmt.Sprintf("/api/v1/corrections/%d", c.ID)))
	if pv.Reporter == nil || pv.Reporter.Email != visitorMail {
		t.Errorf("receiving department does not see the contact: %+v", pv.Reporter)
	}
	if n := e.notices(t, "provider2", "correction.forwarded"); n != 1 {
		t.Errorf("receiving department got %d notices", n)
	}
	if r := e.PostJSON(t, "provider2", path, map[string]any{"outcome": "not_an_error", "explanation": "经核实无误"}); r.Status != http.StatusOK {
		t.Fatalf("answer by the receiving department: %d %s", r.Status, r.Body)
	}
	if d, _ := e.disputed(t, dataset); d {
		t.Error("still under dispute")
	}
}

// TestEvidence: images and PDFs judged by content, size limit; reporter
// files reach the handling department only, department files the reporter.
func TestEvidence(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	e.p.Corrections.Limits.EvidenceBytes = 64 << 10
	c := e.file(t, "", e.report(nil))
	code := "/api/v1/corrections/track/" + c.TrackingCode + "/evidence"
	pdf := []byte("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	for _, tc := range []struct {
		name    string
		content []byte
		status  int
	}{
		{"photo.png", pngBytes(t), 201},
		{"scan.pdf", pdf, 201},
		{"fake.png", []byte("this is plain text pretending to be an image"), 400},
		{"broken.png", append([]byte("\x89PNG\r\n\x1a\n"), []byte("garbage")...), 400},
		{"page.html", []byte("<html><script>alert(1)</script></html>"), 400},
		{"empty.pdf", nil, 400},
		{"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 70<<10)...), 413},
	} {
		r := e.Upload(t, "", code, tc.name, tc.content)
		if r.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
	if n := e.p.Count(t, "correction_evidence", "1 = 1"); n != 2 {
		t.Errorf("%d evidence rows, want 2", n)
	}
	if r := e.Upload(t, "", "/api/v1/corrections/track/"+strings.Repeat("x", 24)+"/evidence", "a.png", pngBytes(t)); r.Status != http.StatusNotFound {
		t.Errorf("unknown code: %d", r.Status)
	}
	// The department sees and downloads the reporter's files.
	var pv struct {
		Evidence []struct {
			ID, Party, URL string
			MediaType      string `json:"media_type"`
		} `json:"evidence"`
	}
	e.Get(t, "provider", fmt.Sprintf("/api/v1/corrections/%d", c.ID)).JSON(t, &pv)
	if len(pv.Evidence) != 2 {
		t.Fatalf("provider sees %d files", len(pv.Evidence))
	}
	f := e.Get(t, "provider", pv.Evidence[0].URL)
	if f.Status != http.StatusOK || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") || f.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download as provider: %d %v", f.Status, f.Header)
	}
	// Neither the code holder nor the authority gets the reporter's files.
	if r := e.p.Get(t, "/api/v1/corrections/track/"+c.TrackingCode+"/evidence/"+pv.Evidence[0].ID); r.Status != http.StatusNotFound {
		t.Errorf("reporter file by code: %d", r.Status)
	}
	if r := e.Get(t, "authority", pv.Evidence[0].URL); r.Status != http.StatusNotFound {
		t.Errorf("reporter file as authority: %d", r.Status)
	}
	if r := e.Get(t, "provider2", pv.Evidence[0].URL); r.Status != http.StatusNotFound {
		t.Errorf("reporter file as another department: %d", r.Status)
	}
	// The department's proof reaches the reporter.
	up := e.Upload(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/evidence", c.ID), "proof.pdf", pdf)
	if up.Status != http.StatusCreated {
		t.Fatalf("department evidence: %d %s", up.Status, up.Body)
	}
	if r := e.Upload(t, "provider2", fmt.Sprintf("/api/v1/corrections/%d/evidence", c.ID), "x.pdf", pdf); r.Status != http.StatusNotFound {
		t.Errorf("another department adds evidence: %d", r.Status)
	}
	var tv struct {
		Evidence []struct{ Party, URL string } `json:"evidence"`
	}
	e.p.Get(t, "/api/v1/corrections/track/"+c.TrackingCode).JSON(t, &tv)
	if len(tv.Evidence) != 1 || tv.Evidence[0].Party != "department" {
		t.Fatalf("reporter sees evidence %+v", tv.Evidence)
	}
	if r := e.p.Get(t, tv.Evidence[0].URL); r.Status != http.StatusOK || string(r.Body) != string(pdf) {
		t.Errorf("reporter downloads the department's proof: %d", r.Status)
	}
	// After the answer the reporter adds nothing more.
	e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "not_an_error", "explanation": "见附件"})
	if r := e.Upload(t, "", code, "late.png", pngBytes(t)); r.Status != http.StatusConflict {
		t.Errorf("evidence after the answer: %d", r.Status)
	}
}

// TestVisitorMail: with SMTP configured, a visitor's e-mail address is
// told about the answer (outbox → mail), once.
func TestVisitorMail(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	sent := &recorder{}
	e.p.Corrections.Mail = sent
	c := e.file(t, "", e.report(nil))
	e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "corrected", "explanation": "地址已更新"})
	var ids []string
	e.p.DB.Table("outbox_events").Where("kind = ?", corrections.MailKind).Pluck("entity_id", &ids)
	if len(ids) != 2 {
		t.Fatalf("%d mails queued, want 2 (received, answered)", len(ids))
	}
	for i := 0; i < 2; i++ { // a retried batch mails once
		if err := e.p.Corrections.DeliverMail(context.Background(), ids); err != nil {
			t.Fatal(err)
		}
	}
	if len(sent.msgs) != 2 {
		t.Fatalf("%d mails sent", len(sent.msgs))
	}
	last := sent.msgs[1]
	if last.To != visitorMail || !strings.Contains(last.Body, "地址已更新") || strings.Contains(last.Body, c.TrackingCode) {
		t.Errorf("mail %+v", last)
	}
}

type recorder struct {
	mu   sync.Mutex
	msgs []struct{ To, Subject, Body string }
}

func (r *recorder) Send(_ context.Context, m mailMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, struct{ To, Subject, Body string }{m.To, m.Subject, m.Body})
	return nil
}

// TestCorrectedWithNewVersion: the department uploads the corrected file
// as a new version of the entry (server/publishing, under the authority's
// review) and answers "corrected" linking that resource.
func TestCorrectedWithNewVersion(t *testing.T) {
	e := newEnv(t, "sqlite", apptest.CST("2026-03-02 10:00"), nil)
	c := e.file(t, "", e.report(nil))
	orig := e.p.Get(t, "/api/v1/resources/"+e.res[0]+"/download")
	if orig.Status != http.StatusOK {
		t.Fatalf("download: %d", orig.Status)
	}
	lines := strings.SplitAfterN(string(orig.Body), "\n", 4)
	fixed := strings.Join(lines[:3], "")
	up := e.Upload(t, "provider", "/api/v1/manage/datasets/"+dataset+"/resources", "fixed.csv", []byte(fixed))
	if up.Status != http.StatusCreated {
		t.Fatalf("upload the corrected version: %d %s", up.Status, up.Body)
	}
	newID := up.Map(t)["id"].(string)
	if newID == e.res[0] {
		t.Fatalf("the new version's resource kept the old id %s", newID)
	}
	// A resource of another dataset is refused; the new version's is taken.
	var other []string
	e.p.DB.Table("resources").Where("dataset_id = ?", otherDataset).Limit(1).Pluck("id", &other)
	if r := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "corrected", "explanation": "已更正", "new_resource_id": other[0]}); r.Status != http.StatusBadRequest {
		t.Errorf("another dataset's resource: %d", r.Status)
	}
	r := e.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%d/answer", c.ID), map[string]any{"outcome": "corrected", "explanation": "已上传更正后的新版本，待主管部门审核后发布", "new_resource_id": newID})
	if r.Status != http.StatusOK {
		t.Fatalf("answer with the new version: %d %s", r.Status, r.Body)
	}
	if v := e.track(t, c.TrackingCode); v.Answer == nil || v.Answer.NewResourceID != newID {
		t.Errorf("tracked answer %+v", v.Answer)
	}
}
