package apps_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

func approvedGrant(t *testing.T, p *apptest.Portal, user, provider *apptest.Session, datasetID string) string {
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
	return grantID
}

func conditionalCSV(t *testing.T, p *apptest.Portal, department string) catalog.Dataset {
	t.Helper()
	var d catalog.Dataset
	err := p.DB.Where("open_type = ? AND status = ? AND department_id = ?", catalog.Conditional, catalog.StatusPublished, department).
		Order("id").Preload("Resources").First(&d).Error
	if err != nil || len(d.Resources) == 0 {
		t.Fatalf("no conditional dataset of %s: %v", department, err)
	}
	return d
}

// An app tied to a grant reaches that grant's data only, like a
// grant-scoped token; another's grant cannot be named; a disabled
// owner's app stops.
func TestAppGrantScoping(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clock.Now, NoWorkers: true})
	dsA, dsB := conditionalCSV(t, p, "hlj-scjgj"), conditionalCSV(t, p, "hlj-nynct")
	admin := p.SignInAs(t, "admin")
	var provider2ID uint64
	p.DB.Table("users").Where("email = ?", apptest.DemoEmail("provider2")).Pluck("id", &provider2ID)
	if r := p.Do(t, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", provider2ID), strings.NewReader(`{"department_id":"hlj-nynct"}`),
		admin.Header("Content-Type", "application/json")); r.Status != 200 {
		t.Fatalf("move provider2: %d %s", r.Status, r.Body)
	}
	citizen, org, provider, provider2 := p.SignInAs(t, "citizen"), p.SignInAs(t, "organisation"), p.SignInAs(t, "provider"), p.SignInAs(t, "provider2")
	grantA := approvedGrant(t, p, citizen, provider, dsA.ID)
	approvedGrant(t, p, citizen, provider2, dsB.ID)
	orgGrant := approvedGrant(t, p, org, provider, dsA.ID)

	if r := p.PostJSON(t, "/api/v1/me/apps", map[string]any{"name": "x", "grant_id": orgGrant}, citizen.Header()); r.Status != 404 {
		t.Errorf("someone else's grant: %d %s", r.Status, r.Body)
	}
	id, s := newApp(t, p, citizen, map[string]any{"name": "授权应用", "grant_id": grantA})
	if r := p.Do(t, "GET", "/api/v1/me/apps/"+id, nil, citizen.Header()); r.Status != 200 || r.Map(t)["grant_title"] != dsA.Title {
		t.Errorf("grant_title: %d %s, want %s", r.Status, r.Body, dsA.Title)
	}
	s.clock = clock
	dlA := "/api/v1/resources/" + dsA.Resources[0].ID + "/download?format=csv"
	r := s.do(t, "GET", dlA, nil)
	if r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "60" {
		t.Fatalf("grant's data: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := s.do(t, "GET", "/api/v1/resources/"+dsB.Resources[0].ID+"/download?format=csv", nil); r.Status != 403 {
		t.Errorf("another grant's data: %d", r.Status)
	}
	if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 403 {
		t.Errorf("signed-in API with a grant-tied app: %d", r.Status)
	}
	// Untied, it is the owner's: the signed-in API answers.
	if r := p.Do(t, "PATCH", "/api/v1/me/apps/"+id, strings.NewReader(`{"grant_id":""}`), citizen.Header("Content-Type", "application/json")); r.Status != 200 || r.Map(t)["grant_id"] != nil {
		t.Fatalf("untie: %d %s", r.Status, r.Body)
	}
	if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 200 || !strings.Contains(string(r.Body), "citizen@demo.local") {
		t.Errorf("untied app on /me: %d %s", r.Status, r.Body)
	}
	// A disabled owner: 401, also on public routes.
	p.DB.Table("users").Where("email = ?", "citizen@demo.local").Update("disabled_at", clock.Now())
	if r := s.do(t, "GET", "/api/v1/datasets", nil); r.Status != 401 {
		t.Errorf("disabled owner: %d", r.Status)
	}
	// Anonymous and token callers get the X- headers from the in-memory limiter too.
	if r := p.Get(t, dlA); r.Header.Get("X-RateLimit-Limit") != "120" || r.Header.Get("X-RateLimit-Limit") != r.Header.Get("RateLimit-Limit") ||
		r.Header.Get("X-RateLimit-Remaining") != r.Header.Get("RateLimit-Remaining") || r.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("limiter X-RateLimit-*: %v", r.Header)
	}
}
