package devapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// approvedGrant has user apply for a conditional dataset and provider@
// approve the first two data items; it returns the grant id and the
// approved items.
func approvedGrant(t *testing.T, p *apptest.Portal, user, provider *apptest.Session, datasetID string) (string, []string) {
	t.Helper()
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", datasetID).Order("position").Pluck("name", &items)
	r := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": datasetID, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
		"data_items": items[:2], "period_start": "2026-03-02", "period_end": "2026-06-30",
		"security_measures": "加密存储，专人专机访问", "contact": "张三 0451-12345678",
	}, user.Header())
	if r.Status != 201 {
		t.Fatalf("apply for %s: %d %s", datasetID, r.Status, r.Body)
	}
	appID := r.Map(t)["id"].(string)
	if r := p.PostJSON(t, "/api/v1/applications/"+appID+"/decision", map[string]any{"decision": "approve", "data_items": items[:2]}, provider.Header()); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	var grantID string
	p.DB.Table("grants").Where("application_id = ?", appID).Pluck("id", &grantID)
	if grantID == "" {
		t.Fatal("no grant after approval")
	}
	return grantID, items[:2]
}

// conditionalCSV is a published conditional dataset of a department with a CSV resource.
func conditionalCSV(t *testing.T, p *apptest.Portal, department string) catalog.Dataset {
	t.Helper()
	var d catalog.Dataset
	err := p.DB.Where("open_type = ? AND status = ? AND department_id = ?", catalog.Conditional, catalog.StatusPublished, department).
		Order("id").Preload("Resources").First(&d).Error
	if err != nil || len(d.Resources) == 0 || d.Resources[0].Format != "CSV" {
		t.Fatalf("no conditional CSV dataset of %s in the small seed: %v", department, err)
	}
	return d
}

// A token scoped to one grant downloads that grant's data (approved columns
// only) and nothing else of the holder's: not their other grant's dataset,
// not the signed-in APIs. Only the caller's own active grant can be named.
func TestGrantScopedToken(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
			// Two conditional datasets of two departments: provider@'s, and
			// one whose department the admin gives to provider2@.
			dsA := conditionalCSV(t, p, "hlj-scjgj")
			dsB := conditionalCSV(t, p, "hlj-nynct")
			admin := p.SignInAs(t, "admin")
			var provider2ID uint64
			p.DB.Table("users").Where("email = ?", apptest.DemoEmail("provider2")).Pluck("id", &provider2ID)
			if r := p.Do(t, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", provider2ID), strings.NewReader(`{"department_id":"hlj-nynct"}`),
				admin.Header("Content-Type", "application/json")); r.Status != 200 {
				t.Fatalf("move provider2 to hlj-nynct: %d %s", r.Status, r.Body)
			}
			citizen, org, provider, provider2 := p.SignInAs(t, "citizen"), p.SignInAs(t, "organisation"), p.SignInAs(t, "provider"), p.SignInAs(t, "provider2")
			grantA, approvedA := approvedGrant(t, p, citizen, provider, dsA.ID)
			grantB, _ := approvedGrant(t, p, citizen, provider2, dsB.ID)
			orgGrant, _ := approvedGrant(t, p, org, provider, dsA.ID)

			countTokens := func() (n int64) {
				p.DB.Table("api_tokens").Count(&n)
				return n
			}
			before := countTokens()
			for _, tc := range []struct {
				name   string
				body   map[string]any
				status int
			}{
				{"someone else's grant", map[string]any{"name": "x", "grant_id": orgGrant}, 404},
				{"unknown grant", map[string]any{"name": "x", "grant_id": "gr-doesnotexist"}, 404},
				{"empty grant id", map[string]any{"name": "x", "grant_id": " "}, 400},
				{"grant id too long", map[string]any{"name": "x", "grant_id": string(make([]byte, 65))}, 400},
			} {
				if r := p.PostJSON(t, "/api/v1/me/tokens", tc.body, citizen.Header()); r.Status != tc.status {
					t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
				}
			}
			if n := countTokens(); n != before {
				t.Fatalf("refused requests created %d tokens", n-before)
			}

			r := p.PostJSON(t, "/api/v1/me/tokens", map[string]any{"name": "研究脚本", "grant_id": grantA}, citizen.Header())
			if r.Status != 201 {
				t.Fatalf("create scoped token: %d %s", r.Status, r.Body)
			}
			created := r.Map(t)
			if created["grant_id"] != grantA {
				t.Errorf("token answer grant_id %v, want %s", created["grant_id"], grantA)
			}
			tok := apptest.Bearer(created["token"].(string))

			// Its grant's data: 200 with the approved columns only.
			dlA := "/api/v1/resources/" + dsA.Resources[0].ID + "/download"
			r = p.Do(t, "GET", dlA+"?format=json", nil, tok)
			if r.Status != 200 {
				t.Fatalf("download with scoped token: %d %s", r.Status, r.Body)
			}
			cols, _ := columnsOf(t, "json", r.Body)
			want := slices.Clone(approvedA)
			slices.Sort(want)
			if !slices.Equal(cols, want) {
				t.Errorf("columns %v, want %v", cols, want)
			}
			if r := p.Do(t, "GET", "/api/v1/resources/"+dsA.Resources[0].ID+"/rows?limit=1", nil, tok); r.Status != 200 {
				t.Errorf("rows with scoped token: %d %s", r.Status, r.Body)
			}
			var uses int64
			p.DB.Table("grant_uses").Where("grant_id = ?", grantA).Count(&uses)
			if uses != 2 {
				t.Errorf("%d uses recorded on the grant, want 2", uses)
			}

			// The holder's other grant: the session reaches it, the token does not.
			dlB := "/api/v1/resources/" + dsB.Resources[0].ID + "/download?format=csv"
			if r := p.Do(t, "GET", dlB, nil, citizen.Header()); r.Status != 200 {
				t.Fatalf("session on grant B: %d %s", r.Status, r.Body)
			}
			for _, path := range []string{dlB, "/api/v1/resources/" + dsB.Resources[0].ID + "/rows"} {
				if r := p.Do(t, "GET", path, nil, tok); r.Status != 403 {
					t.Errorf("scoped token on another grant's data %s: %d %s", path, r.Status, r.Body)
				}
			}
			// Signed-in APIs: the guard refuses a grant-scoped token.
			for _, c := range []struct{ method, path string }{
				{"GET", "/api/v1/me"}, {"GET", "/api/v1/me/tokens"}, {"POST", "/api/v1/me/tokens"},
				{"GET", "/api/v1/grants"}, {"GET", "/api/v1/grants/" + grantB}, {"GET", "/api/v1/applications"},
			} {
				if r := p.Do(t, c.method, c.path, nil, tok); r.Status != 403 {
					t.Errorf("scoped token %s %s: %d %s", c.method, c.path, r.Status, r.Body)
				}
			}
			// Public data stays public with it.
			if r := p.Do(t, "GET", "/api/v1/resources/"+uncondRes+"/download?format=csv", nil, tok); r.Status != 200 {
				t.Errorf("scoped token on unconditional data: %d", r.Status)
			}

			// Suspended: the token stops at once, and no new token can name the grant.
			if r := p.PostJSON(t, "/api/v1/grants/"+grantA+"/suspend", map[string]any{"reason": "超范围使用，暂停核查"}, provider.Header()); r.Status != 200 {
				t.Fatalf("suspend: %d %s", r.Status, r.Body)
			}
			if r := p.Do(t, "GET", dlA+"?format=json", nil, tok); r.Status != 403 {
				t.Errorf("scoped token after suspension: %d", r.Status)
			}
			if r := p.PostJSON(t, "/api/v1/me/tokens", map[string]any{"name": "x", "grant_id": grantA}, citizen.Header()); r.Status != 409 {
				t.Errorf("token on a suspended grant: %d %s", r.Status, r.Body)
			}
			// Past the approved period (2026-06-30) grant B has expired too.
			now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			citizen = p.SignInAs(t, "citizen") // the session ended with the months
			if r := p.PostJSON(t, "/api/v1/me/tokens", map[string]any{"name": "x", "grant_id": grantB}, citizen.Header()); r.Status != 409 {
				t.Errorf("token on an expired grant: %d %s", r.Status, r.Body)
			}
			// The approved period limits when the grant can be used: after it,
			// no row of the dataset is served, whatever its dates.
			if r := p.Do(t, "GET", dlB, nil, citizen.Header()); r.Status != 403 || !strings.Contains(string(r.Body), "结束") {
				t.Errorf("download after the approved period: %d %s", r.Status, r.Body)
			}
		})
	}
}
