package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
)

// TestGrantScopedTokenPage: a citizen with an approved grant creates, on
// /account/tokens, a token limited to that grant; the token reaches the
// grant's data and not the account's other APIs.
func TestGrantScopedTokenPage(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var dataset string
	p.DB.Table("datasets").Where("open_type = ? AND department_id = ?", "conditional", seed.DemoProviderDepartment).Order("id").Limit(1).Pluck("id", &dataset)
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Limit(2).Pluck("name", &items)
	today := p.Now().Format("2006-01-02")
	end := p.Now().AddDate(0, 3, 0).Format("2006-01-02")
	citizen := p.SignInAs(t, "citizen")
	r := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": dataset, "purpose": "研究", "scenario": "统计分析", "basis": "数据使用协议",
		"data_items": items, "period_start": today, "period_end": end,
		"security_measures": "加密存储，专人访问", "contact": "张三 0451-12345678",
	}, citizen.Header())
	if r.Status != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	appID, _ := r.Map(t)["id"].(string)
	provider := p.SignInAs(t, "provider")
	if r := p.PostJSON(t, "/api/v1/applications/"+appID+"/decision", map[string]any{"decision": "approve", "data_items": items}, provider.Header()); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	var grantID string
	p.DB.Table("grants").Where("application_id = ?", appID).Pluck("id", &grantID)
	if grantID == "" {
		t.Fatal("no grant after approval")
	}

	b := newAccountsBrowser(t)
	signInUI(t, b, p.URL, apptest.DemoEmail("citizen"), apptest.DemoPassword, "/account/tokens")
	waitFor(t, b, "the scope choice with the grant", `document.querySelector('#f-grant option[value=`+jsString(grantID)+`]') && !document.querySelector('[data-field=grant]').hidden`)
	typeInto(t, b, `#f-name`, "授权数据同步")
	chooseOption(t, b, `#f-grant`, grantID)
	b.CheckAccessibility(t, "tokens with scope")
	click(t, b, `[data-testid=token-form] [data-testid=submit]`)
	waitFor(t, b, "the new token", `document.querySelector('[data-testid=token-created] input')`)
	token := eval[string](t, b, `document.querySelector('[data-testid=token-created] input').value`)
	waitFor(t, b, "the grant badge in the list", `document.querySelector('.token-grant')`)

	var scoped string
	p.DB.Table("api_tokens").Where("name = ?", "授权数据同步").Pluck("grant_id", &scoped)
	if scoped != grantID {
		t.Fatalf("token row grant_id = %q, want %q", scoped, grantID)
	}
	var res string
	p.DB.Table("resources").Where("dataset_id = ?", dataset).Order("position").Limit(1).Pluck("id", &res)
	dl := p.Do(t, "GET", "/api/v1/resources/"+res+"/download?format=csv", nil, map[string]string{"Authorization": "Bearer " + token})
	if dl.Status != http.StatusOK {
		t.Fatalf("scoped token download: %d %s", dl.Status, dl.Body)
	}
	header, _, _ := strings.Cut(string(dl.Body), "\n")
	if strings.TrimSpace(strings.TrimPrefix(header, "\ufeff")) != strings.Join(items, ",") {
		t.Errorf("columns %q, want only the approved %v", header, items)
	}
	if r := p.Do(t, "GET", "/api/v1/me/tokens", nil, map[string]string{"Authorization": "Bearer " + token}); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("scoped token on the account API: %d, want 403", r.Status)
	}
}
