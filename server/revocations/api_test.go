package revocations_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/revocations"
)

// Datasets of the demo departments in the "small" seed: the provider's
// (黑龙江省市场监督管理局, region 黑龙江省, the demo authority's) and
// provider2's (哈尔滨市交通运输局, region 哈尔滨市, no demo authority).
const (
	openDS        = "ds-hlj-scjgj-001" // unconditional
	conditionalDS = "ds-hlj-scjgj-002" // conditional
	otherDeptDS   = "ds-hrb-jtysj-001" // provider2's
)

func china(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Zone)
}

type env struct {
	*apptest.Portal
	clock *apptest.Clock
	// Sessions end after 30 idle minutes of the injected clock, so a
	// role signs in again once the clock moved 20 minutes.
	roles *apptest.Roles

	// Demo roles.
	provider, provider2, authority, province, citizen, org role
}

type role string

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	c := apptest.NewClock(china(2026, 5, 6, 10, 0))
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true, Now: c.Now})
	roles := apptest.NewRoles(p, c.Now)
	roles.KeepFor = 20 * time.Minute
	return &env{Portal: p, clock: c, provider: "provider", provider2: "provider2", authority: "authority",
		province: "province", citizen: "citizen", org: "organisation", roles: roles}
}

// post sends JSON as a role ("" anonymous).
func (e *env) post(t *testing.T, r role, path string, body any) *apptest.Response {
	t.Helper()
	return e.roles.PostJSON(t, string(r), path, body)
}

func (e *env) get(t *testing.T, r role, path string) *apptest.Response {
	t.Helper()
	return e.roles.Get(t, string(r), path)
}

func (e *env) request(t *testing.T, s role, in map[string]any) revocations.RevocationJSON {
	t.Helper()
	r := e.post(t, s, "/api/v1/revocations", in)
	if r.Status != http.StatusCreated {
		t.Fatalf("request revocation: %d %s", r.Status, r.Body)
	}
	var out revocations.RevocationJSON
	r.JSON(t, &out)
	return out
}

func (e *env) decide(t *testing.T, id, decision, reason string) revocations.DecisionJSON {
	t.Helper()
	r := e.post(t, e.authority, "/api/v1/revocations/"+id+"/decision", map[string]string{"decision": decision, "reason": reason})
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", decision, id, r.Status, r.Body)
	}
	var out revocations.DecisionJSON
	r.JSON(t, &out)
	return out
}

func (e *env) drain(t *testing.T) {
	t.Helper()
	if _, err := e.Outbox.Drain(context.Background()); err != nil {
		t.Fatalf("outbox: %v", err)
	}
}

// listed reports whether the public list of the department shows id.
func (e *env) listed(t *testing.T, id string) bool {
	t.Helper()
	r := e.Get(t, "/api/v1/datasets?department=hlj-scjgj&page_size=100")
	if r.Status != 200 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	var body struct {
		Items []struct{ ID string } `json:"items"`
	}
	r.JSON(t, &body)
	for _, it := range body.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func (e *env) resourceOf(t *testing.T, datasetID string) string {
	t.Helper()
	var ids []string
	e.DB.Table("resources").Where("dataset_id = ?", datasetID).Order("position").Pluck("id", &ids)
	if len(ids) == 0 {
		t.Fatalf("%s has no resource", datasetID)
	}
	return ids[0]
}

func (e *env) notices(t *testing.T, kind string) []notify.Notice {
	t.Helper()
	var list []notify.Notice
	e.DB.Where("kind = ?", kind).Order("id").Find(&list)
	return list
}

func (e *env) userID(t *testing.T, email string) uint64 {
	t.Helper()
	var ids []uint64
	e.DB.Table("users").Where("email = ?", email).Pluck("id", &ids)
	if len(ids) != 1 {
		t.Fatalf("no user %s", email)
	}
	return ids[0]
}

type tombstoneBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
	Tombstone *catalog.Tombstone `json:"tombstone"`
}

func gone(t *testing.T, r *apptest.Response) catalog.Tombstone {
	t.Helper()
	if r.Status != http.StatusGone {
		t.Fatalf("want 410 Gone, got %d %s", r.Status, r.Body)
	}
	var b tombstoneBody
	r.JSON(t, &b)
	if b.Error.Code != "gone" || b.Tombstone == nil {
		t.Fatalf("410 body lacks error.code gone or the tombstone: %s", r.Body)
	}
	return *b.Tombstone
}

// TestRevocationWholePath: request → nothing changes → approval (filing,
// announcement, feed, audit, notices) → the exact effective time (no job
// run: the dataset answers 410 and leaves the list) → the job (idempotent)
// revokes the row and the outbox takes it out of the index → downloads 410.
func TestRevocationWholePath(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			ctx := context.Background()
			before, err := e.Index.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}

			rev := e.request(t, e.provider, map[string]any{"dataset_id": openDS, "reason": "数据来源系统停止运行", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条", "effective_date": "2026-06-01"})
			if rev.Status != revocations.Pending || rev.Dataset.ID != openDS || rev.Department.ID != "hlj-scjgj" || rev.Region != "黑龙江省" || rev.EffectiveDate != "2026-06-01" {
				t.Fatalf("request: %+v", rev)
			}
			// Nothing changes publicly yet.
			if r := e.Get(t, "/api/v1/datasets/"+openDS); r.Status != 200 {
				t.Fatalf("dataset after request: %d", r.Status)
			}
			var page revocations.PageJSON[revocations.AnnouncementJSON]
			e.Get(t, "/api/v1/announcements").JSON(t, &page)
			if page.Total != 0 {
				t.Fatalf("announcement before approval: %+v", page)
			}
			if n := e.notices(t, "revocation.requested"); len(n) != 1 || n[0].UserID != e.userID(t, "authority@demo.local") {
				t.Errorf("the authority was not told of the request: %+v", n)
			}
			// Both sides see it in their lists; the other department does not.
			for who, want := range map[role]int64{e.provider: 1, e.authority: 1, e.provider2: 0} {
				var l revocations.PageJSON[revocations.RevocationJSON]
				e.get(t, who, "/api/v1/revocations").JSON(t, &l)
				if l.Total != want {
					t.Errorf("%s lists %d revocations, want %d", who, l.Total, want)
				}
			}

			e.clock.Set(china(2026, 5, 8, 15, 30))
			d := e.decide(t, rev.ID, "approve", "同意")
			if d.Revocation.Status != revocations.Approved || d.Announcement == nil || d.Filing == nil {
				t.Fatalf("approve: %+v", d)
			}
			a := *d.Announcement
			if a.Number != "黑数开公告〔2026〕第1号" || d.Filing.Number != "黑数开备〔2026〕第1号" {
				t.Errorf("numbers: %q %q", a.Number, d.Filing.Number)
			}
			wantEff := china(2026, 6, 1, 0, 0)
			if !a.EffectiveAt.Equal(wantEff) || !a.ApprovedAt.Equal(china(2026, 5, 8, 15, 30)) || a.Dataset.ID != openDS || a.Department.Name == "" {
				t.Errorf("announcement facts: %+v", a)
			}
			for _, want := range []string{"数据来源系统停止运行", "第三十五条", "2026年6月1日", "2026年5月8日", "停止提供本数据的下载"} {
				if !strings.Contains(a.Body, want) {
					t.Errorf("announcement body lacks %q:\n%s", want, a.Body)
				}
			}
			if a.ExistingUsers == "" || a.InEffect {
				t.Errorf("existing users %q, in effect %v", a.ExistingUsers, a.InEffect)
			}
			// Public, in the list, the detail and the feed.
			e.Get(t, "/api/v1/announcements").JSON(t, &page)
			if page.Total != 1 || page.Items[0].ID != a.ID {
				t.Fatalf("announcements: %+v", page)
			}
			if r := e.Get(t, "/api/v1/announcements/"+a.ID); r.Status != 200 || !bytes.Contains(r.Body, []byte(a.Number)) {
				t.Fatalf("announcement detail: %d %s", r.Status, r.Body)
			}
			feed, err := gofeed.NewParser().ParseString(string(e.Get(t, "/announcements.atom").Body))
			if err != nil {
				t.Fatalf("feed: %v", err)
			}
			if feed.FeedType != "atom" || len(feed.Items) != 1 || !strings.Contains(feed.Items[0].Title, a.Number) || !strings.HasSuffix(feed.Items[0].Link, "/announcements/"+a.ID) {
				t.Fatalf("feed: type %s, items %+v", feed.FeedType, feed.Items)
			}
			// Audit trail and notices, written with the approval.
			var n int64
			e.DB.Model(&audit.Entry{}).Where("action = ? AND object_id = ?", audit.RevocationApproved, rev.ID).Count(&n)
			if n != 1 {
				t.Errorf("%d audit entries for the approval", n)
			}
			if got := e.notices(t, "revocation.approved"); len(got) != 1 || got[0].UserID != e.userID(t, "provider@demo.local") {
				t.Errorf("provider notices: %+v", got)
			}
			if got := e.notices(t, "revocation.filed"); len(got) != 1 || got[0].UserID != e.userID(t, "province@demo.local") {
				t.Errorf("province notices: %+v", got)
			}
			// A second decision is refused.
			if r := e.post(t, e.authority, "/api/v1/revocations/"+rev.ID+"/decision", map[string]string{"decision": "reject", "reason": "改主意"}); r.Status != http.StatusConflict {
				t.Errorf("second decision: %d %s", r.Status, r.Body)
			}

			// The provincial authority lists and acknowledges the filing, once.
			var filings revocations.PageJSON[revocations.FilingJSON]
			e.get(t, e.province, "/api/v1/filings?status=pending").JSON(t, &filings)
			if filings.Total != 1 || filings.Items[0].ID != d.Filing.ID || filings.Items[0].AnnouncementID != a.ID {
				t.Fatalf("filings: %+v", filings)
			}
			r := e.post(t, e.province, "/api/v1/filings/"+d.Filing.ID+"/acknowledge", map[string]string{"note": "已收到"})
			if r.Status != 200 {
				t.Fatalf("acknowledge: %d %s", r.Status, r.Body)
			}
			if r := e.post(t, e.province, "/api/v1/filings/"+d.Filing.ID+"/acknowledge", map[string]string{}); r.Status != http.StatusConflict {
				t.Errorf("second acknowledgement: %d %s", r.Status, r.Body)
			}
			e.get(t, e.province, "/api/v1/filings?status=pending").JSON(t, &filings)
			if filings.Total != 0 {
				t.Errorf("acknowledged filing still pending: %+v", filings)
			}

			// Before the effective time the data is still open.
			e.clock.Set(wantEff.Add(-time.Second))
			if r := e.Get(t, "/api/v1/datasets/"+openDS); r.Status != 200 {
				t.Fatalf("dataset a second before: %d", r.Status)
			}
			if !e.listed(t, openDS) {
				t.Fatal("dataset left the list before its effective date")
			}
			if r := e.Get(t, "/datasets/"+openDS); r.Status != 200 {
				t.Fatalf("dataset page a second before: %d", r.Status)
			}
			if n, _ := e.Revocations.ApplyDue(ctx); n != 0 {
				t.Fatalf("job applied %d before the effective date", n)
			}

			// At the exact effective time, before any job: 410 and out of the list.
			e.clock.Set(wantEff)
			tomb := gone(t, e.Get(t, "/api/v1/datasets/"+openDS))
			if tomb.ID != openDS || tomb.AnnouncementID != a.ID || tomb.AnnouncementNumber != a.Number || tomb.Department.ID != "hlj-scjgj" || tomb.Title == "" || !tomb.RevokedAt.Equal(wantEff) {
				t.Errorf("tombstone: %+v", tomb)
			}
			if e.listed(t, openDS) {
				t.Error("withdrawn dataset still listed at its effective time")
			}
			// Its page URL answers 410 too, and still serves the page that
			// renders the tombstone.
			if r := e.Get(t, "/datasets/"+openDS); r.Status != http.StatusGone || !bytes.Contains(r.Body, []byte("dataset.js")) {
				t.Errorf("dataset page: %d %.100s", r.Status, r.Body)
			}
			if r := e.Get(t, "/datasets/"+conditionalDS); r.Status != 200 {
				t.Errorf("another dataset's page: %d", r.Status)
			}
			res := e.resourceOf(t, openDS)
			if tomb := gone(t, e.Get(t, "/api/v1/resources/"+res+"/download")); tomb.AnnouncementID != a.ID {
				t.Errorf("download tombstone: %+v", tomb)
			}

			// The job: revoked row, outbox event in the same transaction; idempotent.
			if n, err := e.Revocations.ApplyDue(ctx); err != nil || n != 1 {
				t.Fatalf("job: %d %v", n, err)
			}
			if n, err := e.Revocations.ApplyDue(ctx); err != nil || n != 0 {
				t.Fatalf("job again: %d %v", n, err)
			}
			var ds catalog.Dataset
			e.DB.Where("id = ?", openDS).Take(&ds)
			if ds.Status != catalog.StatusRevoked {
				t.Fatalf("status %s after the job", ds.Status)
			}
			e.drain(t)
			after, _ := e.Index.Count(ctx)
			if after != before-1 {
				t.Errorf("index holds %d entries, want %d", after, before-1)
			}
			if e.listed(t, openDS) {
				t.Error("revoked dataset still listed after the job")
			}
			if tomb := gone(t, e.Get(t, "/api/v1/datasets/"+openDS)); tomb.AnnouncementID != a.ID {
				t.Errorf("tombstone after the job: %+v", tomb)
			}
			gone(t, e.Get(t, "/api/v1/resources/"+res+"/download"))
			e.Get(t, "/api/v1/announcements/"+a.ID).JSON(t, &a)
			if !a.InEffect {
				t.Error("announcement not in effect after its date")
			}
			// The revoked entry cannot be revoked again.
			if r := e.post(t, e.provider, "/api/v1/revocations", map[string]any{"dataset_id": openDS, "reason": "x", "legal_basis": "y", "effective_date": "2026-06-02"}); r.Status != 400 {
				t.Errorf("revoking a revoked entry: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestGrantHoldersGracePeriod: a conditional dataset with two grant
// holders. Approval refuses new applications and limits grants to the grace
// period (000 Art 16); after the effective date the public gets 410, a
// holder keeps downloading until min(grace end, grant end), then 410.
func TestGrantHoldersGracePeriod(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			var items []string
			e.DB.Table("data_items").Where("dataset_id = ?", conditionalDS).Order("position").Limit(2).Pluck("name", &items)
			grant := func(id, email string, end time.Time) {
				g := applications.Grant{ID: id, ApplicationID: "ap_" + id[3:], UserID: e.userID(t, email), DatasetID: conditionalDS, DatasetTitle: "x",
					DepartmentID: "hlj-scjgj", Region: "黑龙江省", DataItems: items, PeriodStart: china(2026, 1, 1, 0, 0).UTC(),
					PeriodEnd: end.UTC(), AccessUntil: end.UTC(), Status: applications.GrantActive, CreatedAt: e.clock.Now().UTC()}
				if err := e.DB.Create(&g).Error; err != nil {
					t.Fatal(err)
				}
			}
			grant("gr_00000000000000c1", "citizen@demo.local", china(2027, 12, 31, 23, 59))
			grant("gr_00000000000000c2", "org@demo.local", china(2026, 8, 31, 23, 59))

			res := e.resourceOf(t, conditionalDS)
			download := func(r role) *apptest.Response {
				return e.get(t, r, "/api/v1/resources/"+res+"/download?format=csv")
			}
			if r := download(e.citizen); r.Status != 200 {
				t.Fatalf("holder before revocation: %d %s", r.Status, r.Body)
			}
			// A single resource of conditional data cannot be revoked alone.
			if r := e.post(t, e.provider, "/api/v1/revocations", map[string]any{"dataset_id": conditionalDS, "resource_id": res, "reason": "x", "legal_basis": "y", "effective_date": "2026-06-01"}); r.Status != 400 {
				t.Errorf("resource of conditional data: %d %s", r.Status, r.Body)
			}
			rev := e.request(t, e.provider, map[string]any{"dataset_id": conditionalDS, "reason": "涉及国家秘密", "legal_basis": "《中华人民共和国保守国家秘密法》", "effective_date": "2026-06-01"})
			d := e.decide(t, rev.ID, "approve", "")
			graceEnd := china(2026, 11, 30, 23, 59).Add(59 * time.Second)
			if !d.Revocation.GraceEnd.Equal(graceEnd) || d.Announcement.GraceMonths != 6 || !strings.Contains(d.Announcement.ExistingUsers, "6个月") || !strings.Contains(d.Announcement.ExistingUsers, "2026年11月30日") {
				t.Fatalf("grace: %v, %+v", d.Revocation.GraceEnd, d.Announcement)
			}
			// The applications domain shortened the long grant and refuses new applications.
			var g applications.Grant
			e.DB.Where("id = ?", "gr_00000000000000c1").Take(&g)
			if !g.AccessUntil.Equal(graceEnd) || g.RevokedAt == nil {
				t.Errorf("long grant: access until %v, revoked %v", g.AccessUntil, g.RevokedAt)
			}
			var closures int64
			e.DB.Model(&applications.Closure{}).Where("dataset_id = ?", conditionalDS).Count(&closures)
			if closures != 1 {
				t.Errorf("%d closures", closures)
			}
			// Both holders are told, once, by the applications domain in the
			// approval's transaction, each with the date its access ends.
			got := e.notices(t, "grant.revoked")
			if len(got) != 2 || got[0].UserID != e.userID(t, "citizen@demo.local") || got[1].UserID != e.userID(t, "org@demo.local") ||
				!strings.Contains(got[0].Body, "2026-11-30") || !strings.Contains(got[1].Body, "2026-08-31") {
				t.Errorf("holder notices: %+v", got)
			}
			if dup := e.notices(t, "revocation.grant_affected"); len(dup) != 0 {
				t.Errorf("holders told twice: %+v", dup)
			}

			// After the effective date: the public gets 410, holders keep downloading.
			e.clock.Set(china(2026, 7, 1, 9, 0))
			if _, err := e.Revocations.ApplyDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			e.drain(t)
			gone(t, e.Get(t, "/api/v1/datasets/"+conditionalDS))
			gone(t, e.Get(t, "/api/v1/resources/"+res+"/download?format=csv"))
			gone(t, download(e.provider2))
			for _, who := range []role{e.citizen, e.org} {
				if r := download(who); r.Status != 200 || len(r.Body) == 0 {
					t.Errorf("%s during the grace period: %d %.200s", who, r.Status, r.Body)
				}
			}
			// The org's grant ends before the grace period does.
			e.clock.Set(china(2026, 9, 1, 9, 0))
			gone(t, download(e.org))
			if r := download(e.citizen); r.Status != 200 {
				t.Errorf("citizen before the grace end: %d %.200s", r.Status, r.Body)
			}
			// After the grace period nobody gets it.
			e.clock.Set(graceEnd.Add(time.Second))
			gone(t, download(e.citizen))
		})
	}
}

// TestRevocationRejectedAndRules: rejection needs reasons and changes
// nothing; bad requests answer 400 and create nothing; another
// department's data answers 404; one open revocation per dataset.
func TestRevocationRejectedAndRules(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			good := map[string]any{"dataset_id": openDS, "reason": "数据已过时", "legal_basis": "第三十五条", "effective_date": "2026-06-01"}
			with := func(k string, v any) map[string]any {
				m := map[string]any{}
				for a, b := range good {
					m[a] = b
				}
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
				return m
			}
			cases := []struct {
				name   string
				as     role
				body   any
				status int
				field  string
			}{
				{"no dataset", e.provider, with("dataset_id", nil), 400, "dataset_id"},
				{"no reason", e.provider, with("reason", "  "), 400, "reason"},
				{"no legal basis", e.provider, with("legal_basis", nil), 400, "legal_basis"},
				{"no date", e.provider, with("effective_date", nil), 400, "effective_date"},
				{"bad date", e.provider, with("effective_date", "2026/06/01"), 400, "effective_date"},
				{"date in the past", e.provider, with("effective_date", "2026-05-05"), 400, "effective_date"},
				{"date too far", e.provider, with("effective_date", "2028-01-01"), 400, "effective_date"},
				{"reason too long", e.provider, with("reason", strings.Repeat("长", revocations.MaxText+1)), 400, "reason"},
				{"wrong type", e.provider, with("effective_date", 20260601), 400, "effective_date"},
				{"unknown resource", e.provider, with("resource_id", "res-nope"), 400, "resource_id"},
				{"only resource", e.provider, with("resource_id", e.resourceOf(t, openDS)), 400, "resource_id"},
				{"other department's data", e.provider, with("dataset_id", otherDeptDS), 404, ""},
				{"other department's data, the other way", e.provider2, good, 404, ""},
				{"missing dataset", e.provider, with("dataset_id", "ds-nope"), 404, ""},
				{"odd id", e.provider, with("dataset_id", "../etc"), 404, ""},
				{"authority cannot ask", e.authority, good, 403, ""},
				{"citizen cannot ask", e.citizen, good, 403, ""},
				{"anonymous", "", good, 401, ""},
			}
			for _, tc := range cases {
				r := e.post(t, tc.as, "/api/v1/revocations", tc.body)
				if r.Status != tc.status {
					t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
					continue
				}
				if tc.field != "" {
					var b struct {
						Error struct {
							Fields map[string]string `json:"fields"`
						} `json:"error"`
					}
					r.JSON(t, &b)
					if b.Error.Fields[tc.field] == "" {
						t.Errorf("%s: no message for %s: %s", tc.name, tc.field, r.Body)
					}
				}
			}
			var n int64
			e.DB.Model(&revocations.Revocation{}).Count(&n)
			if n != 0 {
				t.Fatalf("bad requests created %d revocations", n)
			}

			rev := e.request(t, e.provider, good)
			if r := e.post(t, e.provider, "/api/v1/revocations", with("effective_date", "2026-07-01")); r.Status != http.StatusConflict {
				t.Errorf("second open revocation: %d %s", r.Status, r.Body)
			}
			// Only the authority decides: the provider is refused by the guard.
			if r := e.post(t, e.provider, "/api/v1/revocations/"+rev.ID+"/decision", map[string]string{"decision": "approve"}); r.Status != 403 {
				t.Errorf("provider decides: %d", r.Status)
			}
			for _, tc := range []struct {
				name string
				body map[string]string
				id   string
				want int
			}{
				{"rejection without reasons", map[string]string{"decision": "reject", "reason": " "}, rev.ID, 400},
				{"unknown decision", map[string]string{"decision": "maybe"}, rev.ID, 400},
				{"unknown id", map[string]string{"decision": "approve"}, "rev_0123456789abcdef", 404},
				{"malformed id", map[string]string{"decision": "approve"}, "x", 404},
			} {
				if r := e.post(t, e.authority, "/api/v1/revocations/"+tc.id+"/decision", tc.body); r.Status != tc.want {
					t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.want, r.Body)
				}
			}
			d := e.decide(t, rev.ID, "reject", "理由不充分，数据仍在使用")
			if d.Revocation.Status != revocations.Rejected || d.Revocation.DecisionReason == "" || d.Announcement != nil || d.Filing != nil {
				t.Fatalf("reject: %+v", d)
			}
			if got := e.notices(t, "revocation.rejected"); len(got) != 1 {
				t.Errorf("rejection notices: %+v", got)
			}
			// Nothing public changed, even long after the proposed date.
			e.clock.Set(china(2026, 8, 1, 0, 0))
			if n, _ := e.Revocations.ApplyDue(context.Background()); n != 0 {
				t.Errorf("job applied a rejected revocation")
			}
			if r := e.Get(t, "/api/v1/datasets/"+openDS); r.Status != 200 {
				t.Errorf("dataset after rejection: %d", r.Status)
			}
			var anns, filings int64
			e.DB.Model(&revocations.Announcement{}).Count(&anns)
			e.DB.Model(&revocations.Filing{}).Count(&filings)
			if anns != 0 || filings != 0 {
				t.Errorf("rejection left %d announcements and %d filings", anns, filings)
			}
			// After a rejection the provider may ask again.
			e.request(t, e.provider, with("effective_date", "2026-09-01"))
			var l revocations.PageJSON[revocations.RevocationJSON]
			e.get(t, e.provider, "/api/v1/revocations?status=rejected").JSON(t, &l)
			if l.Total != 1 || l.Items[0].ID != rev.ID {
				t.Errorf("rejected list: %+v", l)
			}
			if r := e.get(t, e.provider, "/api/v1/revocations?status=nope"); r.Status != 400 {
				t.Errorf("bad status filter: %d", r.Status)
			}
		})
	}
}

// TestCorrectionsAndNumbers: a correction is a new numbered announcement
// linked to the old one, which stays as it was; numbers restart each year;
// a resource revocation leaves the rest of the dataset open.
func TestCorrectionsAndNumbers(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			// A second resource, so one can go alone.
			var res catalog.Resource
			e.DB.Where("dataset_id = ?", openDS).Take(&res)
			extra := res
			extra.ID, extra.Position, extra.Name = "res-extra-001", res.Position+1, "旧版数据"
			if err := e.DB.Create(&extra).Error; err != nil {
				t.Fatal(err)
			}
			rev := e.request(t, e.provider, map[string]any{"dataset_id": openDS, "resource_id": extra.ID, "reason": "旧版数据停止维护", "legal_basis": "第三十五条", "effective_date": "2026-05-06"})
			if rev.Resource == nil || rev.Resource.ID != extra.ID {
				t.Fatalf("resource request: %+v", rev)
			}
			d := e.decide(t, rev.ID, "approve", "")
			old := *d.Announcement
			// Effective today: withdrawn at once, in the approval's transaction.
			if !d.Revocation.InEffect || !strings.Contains(old.Title, "旧版数据") {
				t.Fatalf("resource approval: %+v", d)
			}
			tomb := gone(t, e.Get(t, "/api/v1/resources/"+extra.ID+"/download"))
			if tomb.Resource == nil || tomb.Resource.ID != extra.ID || tomb.AnnouncementID != old.ID {
				t.Errorf("resource tombstone: %+v", tomb)
			}
			r := e.Get(t, "/api/v1/datasets/"+openDS)
			if r.Status != 200 || bytes.Contains(r.Body, []byte(extra.ID)) {
				t.Errorf("dataset after its resource went: %d %s", r.Status, r.Body)
			}
			if r := e.Get(t, "/api/v1/resources/"+res.ID+"/download"); r.Status != 200 {
				t.Errorf("the other resource: %d", r.Status)
			}

			// Corrections: validation, region, then a new announcement.
			if r := e.post(t, e.authority, "/api/v1/announcements/"+old.ID+"/corrections", map[string]string{"correction": ""}); r.Status != 400 {
				t.Errorf("empty correction: %d", r.Status)
			}
			if r := e.post(t, e.provider, "/api/v1/announcements/"+old.ID+"/corrections", map[string]string{"correction": "x"}); r.Status != 403 {
				t.Errorf("provider corrects: %d", r.Status)
			}
			r = e.post(t, e.authority, "/api/v1/announcements/"+old.ID+"/corrections", map[string]string{"correction": "撤销原因表述有误，予以更正。", "reason": "旧版数据已由新版替代"})
			if r.Status != http.StatusCreated {
				t.Fatalf("correct: %d %s", r.Status, r.Body)
			}
			var c revocations.AnnouncementJSON
			r.JSON(t, &c)
			if c.Number != "黑数开公告〔2026〕第2号" || c.Kind != revocations.KindCorrection || c.Corrects == nil || c.Corrects.ID != old.ID ||
				c.Reason != "旧版数据已由新版替代" || !strings.Contains(c.Body, old.Number) || !strings.Contains(c.Body, "撤销原因表述有误") {
				t.Fatalf("correction: %+v", c)
			}
			var again revocations.AnnouncementJSON
			e.Get(t, "/api/v1/announcements/"+old.ID).JSON(t, &again)
			if again.Body != old.Body || again.Reason != old.Reason || len(again.CorrectedBy) != 1 || again.CorrectedBy[0].ID != c.ID {
				t.Errorf("the corrected announcement changed or lost its link: %+v", again)
			}

			// Numbers restart with the year (China time).
			e.clock.Set(time.Date(2026, 12, 31, 16, 0, 1, 0, time.UTC)) // 2027-01-01 00:00:01 in China
			// The staff changed their passwords meanwhile (000 Art 38: at most every 90 days).
			e.DB.Table("users").Where("kind = ?", "staff").Update("password_changed_at", e.clock.Now().UTC())
			rev2 := e.request(t, e.provider, map[string]any{"dataset_id": conditionalDS, "reason": "x", "legal_basis": "y", "effective_date": "2027-02-01"})
			d2 := e.decide(t, rev2.ID, "approve", "")
			if d2.Announcement.Number != "黑数开公告〔2027〕第1号" || d2.Filing.Number != "黑数开备〔2027〕第1号" {
				t.Errorf("new year: %s %s", d2.Announcement.Number, d2.Filing.Number)
			}
			var page revocations.PageJSON[revocations.AnnouncementJSON]
			e.Get(t, "/api/v1/announcements?page_size=2").JSON(t, &page)
			if page.Total != 3 || len(page.Items) != 2 || page.Items[0].ID != d2.Announcement.ID {
				t.Errorf("announcement page: %+v", page)
			}
			if r := e.Get(t, "/api/v1/announcements/ann_ffffffffffffffff"); r.Status != 404 {
				t.Errorf("missing announcement: %d", r.Status)
			}
			if r := e.Get(t, "/api/v1/announcements?page_size=1000"); r.Status != 400 {
				t.Errorf("page_size 1000: %d", r.Status)
			}
		})
	}
}

// TestFeedIsAtom parses the feed with a real feed parser and checks the
// Atom structure an aggregator relies on.
func TestFeedIsAtom(t *testing.T) {
	e := newEnv(t, "sqlite")
	empty := e.Get(t, "/announcements.atom")
	if empty.Status != 200 || !strings.HasPrefix(empty.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", empty.Status, empty.Header.Get("Content-Type"))
	}
	if f, err := gofeed.NewParser().ParseString(string(empty.Body)); err != nil || f.FeedType != "atom" || len(f.Items) != 0 {
		t.Fatalf("empty feed: %v %+v", err, f)
	}
	ids := []string{}
	for i, ds := range []string{openDS, conditionalDS} {
		rev := e.request(t, e.provider, map[string]any{"dataset_id": ds, "reason": "原因<&>\"" + ds, "legal_basis": "依据", "effective_date": "2026-06-01"})
		e.clock.Set(e.clock.Now().Add(time.Hour))
		ids = append(ids, e.decide(t, rev.ID, "approve", "").Announcement.ID)
		_ = i
	}
	r := e.Get(t, "/announcements.atom")
	f, err := gofeed.NewParser().ParseString(string(r.Body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, r.Body)
	}
	if f.FeedType != "atom" || f.FeedVersion != "1.0" || f.Title == "" || f.UpdatedParsed == nil || len(f.Items) != 2 {
		t.Fatalf("feed: %+v", f)
	}
	if !strings.HasSuffix(f.FeedLink, "/announcements.atom") || !strings.HasSuffix(f.Link, "/announcements") {
		t.Errorf("feed links: self %q alternate %q", f.FeedLink, f.Link)
	}
	// Newest first; ids are permanent URLs; text is escaped, not broken.
	if !strings.HasSuffix(f.Items[0].GUID, ids[1]) || !strings.HasSuffix(f.Items[1].GUID, ids[0]) {
		t.Errorf("entry ids: %q %q", f.Items[0].GUID, f.Items[1].GUID)
	}
	for _, it := range f.Items {
		if it.PublishedParsed == nil || it.UpdatedParsed == nil || it.Title == "" || !strings.Contains(it.Content, "原因<&>\"") || len(it.Authors) == 0 {
			t.Errorf("entry: %+v", it)
		}
	}
	if !f.UpdatedParsed.Equal(*f.Items[0].UpdatedParsed) {
		t.Errorf("feed updated %v, newest entry %v", f.UpdatedParsed, f.Items[0].UpdatedParsed)
	}
	// The feed is XML with the Atom namespace.
	if !bytes.Contains(r.Body, []byte(`xmlns="http://www.w3.org/2005/Atom"`)) {
		t.Errorf("no Atom namespace: %.300s", r.Body)
	}
	var probe map[string]any
	if json.Unmarshal(r.Body, &probe) == nil {
		t.Error("the feed parsed as JSON")
	}
}
