package e2e

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
)

// signedGet makes a GET signed with an app key as docs/app-keys.md says,
// written here from the contract rather than with server/apps' helper so
// the test checks the scheme, not the code against itself.
func signedGet(t *testing.T, p *apptest.Portal, key, secret, path, rawQuery string) *http.Response {
	t.Helper()
	var nb [12]byte
	_, _ = rand.Read(nb[:])
	nonce := hex.EncodeToString(nb[:])
	ts := strconv.FormatInt(p.Now().Unix(), 10)
	var pairs []string
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv != "" {
			pairs = append(pairs, kv)
		}
	}
	sort.Strings(pairs)
	body := sha256.Sum256(nil)
	msg := strings.Join([]string{"GET", path, strings.Join(pairs, "&"), ts, nonce, hex.EncodeToString(body[:])}, "\n")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	url := p.URL + path
	if rawQuery != "" {
		url += "?" + rawQuery
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-App-Key", key)
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Nonce", nonce)
	req.Header.Set("X-Signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestAppsConsole: a verified developer creates an app on /account/apps
// and sees its secret once; a call signed with it is counted in the usage
// chart's table and the quota; rotating stops the old secret; the
// authority finds the app on /admin/apps and suspends it (a reason is
// required), after which signed calls get 401 and the developer sees why.
func TestAppsConsole(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	const email, password = "app-dev@example.cn", "Signed-calls-only-7"
	p.RegisterVerified(t, map[string]string{"email": email, "password": password, "name": "接口开发者", "kind": "citizen"})
	grantID := approvedGrant(t, p, p.SignIn(t, email, password))

	b := newAccountsBrowser(t)
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}
	signInUI(t, b, p.URL, email, password, "/account/apps")
	waitFor(t, b, "the create form and an empty list", `document.querySelector('[data-testid=app-form]') && document.querySelector('[data-testid=apps-empty]')`)
	if !eval[bool](t, b, `!!document.querySelector('[data-testid=side-apps][aria-current=page]')`) {
		t.Error("the side navigation does not mark App keys")
	}

	// A name is required: the form says so and nothing is created.
	click(t, b, `[data-testid=app-form] [data-testid=submit]`)
	waitFor(t, b, "the missing-name error", `document.querySelector('[data-testid=app-form] [data-testid=form-errors]')`)
	if n := p.Count(t, "apps", "1=1"); n != 0 {
		t.Fatalf("%d apps after an empty submit", n)
	}

	typeInto(t, b, `#c-name`, "交通看板")
	typeInto(t, b, `#c-description`, "展示实时路况")
	typeInto(t, b, `#c-intended`, "公益地图")
	// Tied to the developer's approved grant, chosen from the select.
	waitFor(t, b, "the grant choice", `document.querySelector('#c-grant option[value=`+jsString(grantID)+`]') && !document.querySelector('[data-testid=app-form] [data-field=grant_id]').hidden`)
	chooseOption(t, b, `#c-grant`, grantID)
	click(t, b, `[data-testid=app-form] [data-testid=submit]`)
	waitFor(t, b, "the secret box and the app card", `document.querySelector('[data-testid=new-secret]') && document.querySelectorAll('[data-testid=app-card]').length === 1`)
	secret := eval[string](t, b, `document.querySelector('[data-testid=new-secret]').value`)
	key := eval[string](t, b, `document.querySelector('[data-testid=new-key]').textContent`)
	if len(secret) < 32 || !strings.HasPrefix(key, "ak_") {
		t.Fatalf("secret %q key %q", secret, key)
	}
	if box := eval[string](t, b, `document.querySelector('[data-testid=secret-box]').textContent`); !strings.Contains(box, "只显示这一次") {
		t.Errorf("no shown-once warning: %q", box)
	}
	if card := eval[string](t, b, `document.querySelector('[data-testid=app-card]').textContent`); !strings.Contains(card, key) || strings.Contains(card, secret) {
		t.Errorf("app card %q: want the key, never the secret", card)
	}
	check(t, b, "apps-created")
	var tied string
	p.DB.Table("apps").Where("app_key = ?", key).Pluck("grant_id", &tied)
	if tied != grantID || !eval[bool](t, b, `!!document.querySelector('[data-testid=app-card] [data-testid=app-grant]')`) {
		t.Errorf("app tied to %q, want %q, shown on the card", tied, grantID)
	}
	click(t, b, `[data-testid=secret-saved]`)
	waitFor(t, b, "the secret gone", `!document.querySelector('[data-testid=new-secret]')`)

	// Edit: rename and untie the grant.
	click(t, b, `[data-testid=edit-app]`)
	waitFor(t, b, "the edit form", `document.querySelector('[data-testid=app-edit-form]')`)
	id := eval[string](t, b, `document.querySelector('[data-testid=app-card]').dataset.id`)
	eval[bool](t, b, `(document.querySelector('#e-`+id+`-name').value = '') === ''`)
	typeInto(t, b, `#e-`+id+`-name`, "交通看板")
	chooseOption(t, b, `#e-`+id+`-grant`, "")
	click(t, b, `[data-testid=app-edit-form] [data-testid=submit]`)
	waitFor(t, b, "the card untied", `!document.querySelector('[data-testid=app-edit-form]') && !document.querySelector('[data-testid=app-grant]')`)
	if n := p.Count(t, "apps", "app_key = ? AND grant_id IS NULL", key); n != 1 {
		t.Error("the grant is still tied in the database")
	}

	// A signed call: answered, with the quota headers, and counted.
	resp := signedGet(t, p, key, secret, "/api/v1/datasets", "q=%E4%BA%A4%E9%80%9A&page_size=5")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit") == "" {
		t.Fatalf("signed call: %d, X-RateLimit-Limit %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"))
	}
	if r := signedGet(t, p, key, secret, "/api/v1/datasets/no-such-dataset", ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("signed call to a missing dataset: %d", r.StatusCode)
	}

	// Shown once: after a reload the secret is gone; the usage panel
	// shows the call in the chart, its table, the quota and the error.
	b.Do(t, "reload", chromedp.Reload())
	waitFor(t, b, "the app card", `document.querySelectorAll('[data-testid=app-card]').length === 1`)
	if eval[bool](t, b, `document.body.textContent.includes(`+jsString(secret)+`) || !!document.querySelector('[data-testid=new-secret]')`) {
		t.Error("the secret is shown again after a reload")
	}
	if used := eval[string](t, b, `document.querySelector('[data-testid=app-last-used]').textContent`); used == "从未" {
		t.Error("last call not shown after a signed call")
	}
	click(t, b, `[data-testid=show-usage]`)
	waitFor(t, b, "the usage panel", `document.querySelector('[data-testid=usage-panel][data-loaded=true]')`)
	waitFor(t, b, "the chart drawn", `document.querySelector('[data-testid=usage-chart] svg')`)
	if calls := eval[string](t, b, `(document.querySelector('[data-testid=usage-row][data-family=search] [data-testid=usage-calls]') || {}).textContent || ''`); calls != "1" {
		t.Errorf("search calls in the usage table: %q, want 1", calls)
	}
	if day := eval[string](t, b, `(document.querySelector('[data-testid=quota-row][data-family=search] [data-testid=quota-day]') || {}).textContent || ''`); !strings.Contains(day, "/") {
		t.Errorf("remaining daily search quota %q", day)
	}
	if errs := eval[string](t, b, `(document.querySelector('[data-testid=errors-table]') || {}).textContent || ''`); !strings.Contains(errs, "404") || !strings.Contains(errs, "/api/v1/datasets/no-such-dataset") {
		t.Errorf("recent errors %q: want the 404", errs)
	}
	if label := eval[string](t, b, `document.querySelector('[data-testid=usage-chart]').getAttribute('aria-label')`); !strings.Contains(label, "共 1 次") {
		t.Errorf("the chart's text alternative %q: want the total", label)
	}
	if w := eval[int](t, b, `Math.round(document.querySelector('[data-testid=usage-chart] svg').getBoundingClientRect().width)`); w < 300 {
		t.Errorf("the chart is %d px wide", w)
	}
	if v := eval[[]string](t, b, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	check(t, b, "apps-usage")

	// Rotate (confirmed): the old secret stops at once, the new one works.
	click(t, b, `[data-testid=rotate-secret]`)
	waitFor(t, b, "the rotate confirmation", `document.querySelector('[data-testid=confirm-rotate]')`)
	click(t, b, `[data-testid=confirm-rotate]`)
	waitFor(t, b, "the new secret", `document.querySelector('[data-testid=new-secret]') && document.querySelector('[data-testid=new-secret]').value !== `+jsString(secret))
	fresh := eval[string](t, b, `document.querySelector('[data-testid=new-secret]').value`)
	if r := signedGet(t, p, key, secret, "/api/v1/datasets", ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("old secret after rotate: %d, want 401", r.StatusCode)
	}
	if r := signedGet(t, p, key, fresh, "/api/v1/datasets", ""); r.StatusCode != http.StatusOK {
		t.Errorf("new secret: %d, want 200", r.StatusCode)
	}

	// The phone layout: nothing wider than the screen.
	b.Do(t, "phone width", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateScale(1)), chromedp.Reload())
	waitFor(t, b, "the card at 375 px", `document.querySelectorAll('[data-testid=app-card]').length === 1`)
	click(t, b, `[data-testid=show-usage]`)
	waitFor(t, b, "the usage panel at 375 px", `document.querySelector('[data-testid=usage-panel][data-loaded=true]')`)
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("/account/apps is %d px wide at 375 px", w)
	}

	// In English, on the phone: the page, its buttons and the usage panel.
	b.Do(t, "English", chromedp.Navigate(p.URL+"/account/apps?lang=en"))
	waitFor(t, b, "the English card", `document.documentElement.lang === 'en' && document.querySelectorAll('[data-testid=app-card]').length === 1`)
	click(t, b, `[data-testid=show-usage]`)
	waitFor(t, b, "the English usage panel", `document.querySelector('[data-testid=usage-panel][data-loaded=true]')`)
	if h1, btn, quota := eval[string](t, b, `document.querySelector('h1').textContent`), eval[string](t, b, `document.querySelector('[data-testid=rotate-secret]').textContent`), eval[string](t, b, `document.querySelector('[data-testid=quota-table] thead').textContent`); h1 != "App keys" || btn != "Rotate secret" || !strings.Contains(quota, "Left today") {
		t.Errorf("English page: h1 %q, rotate %q, quota head %q", h1, btn, quota)
	}
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("/account/apps in English is %d px wide at 375 px", w)
	}
	check(t, b, "apps-en-phone")

	// The authority: finds the app, must give a reason, suspends it.
	a := newAccountsBrowser(t)
	signInUI(t, a, p.URL, apptest.DemoEmail("authority"), apptest.DemoPassword, "/admin/apps")
	waitFor(t, a, "the app list", `document.querySelector('[data-testid=admin-app-row]')`)
	if !eval[bool](t, a, `!!document.querySelector('[data-testid=console-nav] a[href="/admin/apps"][aria-current=page]')`) {
		t.Error("the console menu does not mark the apps page")
	}
	typeInto(t, a, `#af-q`, "交通看板")
	chooseOption(t, a, `#af-status`, "active")
	click(t, a, `[data-testid=apps-filter] [data-testid=submit]`)
	waitFor(t, a, "the one match", `document.querySelectorAll('[data-testid=admin-app-row]').length === 1 && document.querySelector('[data-testid=admin-app-row]').textContent.includes(`+jsString(email)+`)`)
	click(t, a, `[data-testid=manage-app]`)
	waitFor(t, a, "the app's panel", `document.querySelector('[data-testid=status-form]') && document.querySelector('[data-testid=usage-panel][data-loaded=true]')`)
	click(t, a, `[data-testid=status-form] [data-testid=suspend]`)
	waitFor(t, a, "the missing-reason error", `document.querySelector('[data-testid=status-form] [data-testid=form-errors]')`)
	if r := signedGet(t, p, key, fresh, "/api/v1/datasets", ""); r.StatusCode != http.StatusOK {
		t.Fatalf("a refused suspend changed the app: %d", r.StatusCode)
	}
	check(t, a, "apps-admin")

	// Quotas: a negative limit is refused by the form; the day's search
	// limit set to the calls made so far (3) refuses the next call.
	setQuota := func(v string) {
		eval[bool](t, a, `(document.querySelector('#q-search-d').value = '') === ''`)
		typeInto(t, a, `#q-search-d`, v)
		click(t, a, `[data-testid=quota-form] [data-testid=save-quotas]`)
	}
	setQuota("-1")
	waitFor(t, a, "the bad-limit error", `document.querySelector('[data-testid=quota-form] [data-testid=form-errors]')`)
	if n := p.Count(t, "app_quotas", "1=1"); n != 0 {
		t.Fatalf("%d quota rows after a refused limit", n)
	}
	setQuota("3")
	waitFor(t, a, "the quotas saved", `document.querySelector('#q-search-d') && document.querySelector('#q-search-d').value === '3' && document.querySelector('[data-testid=admin-apps-list]').previousElementSibling.textContent.includes('配额')`)
	if n := p.Count(t, "app_quotas", "family = ? AND per_day = ?", "search", 3); n != 1 {
		t.Errorf("%d search quota rows with 3 a day", n)
	}
	if r := signedGet(t, p, key, fresh, "/api/v1/datasets", ""); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("over the day's quota: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	typeInto(t, a, `#sa-reason`, "调用量异常，请联系主管部门")
	click(t, a, `[data-testid=status-form] [data-testid=suspend]`)
	waitFor(t, a, "the row suspended", `document.querySelector('[data-testid=row-status]').textContent.includes('已暂停') && document.querySelector('[data-testid=status-form] [data-testid=reactivate]')`)
	if r := signedGet(t, p, key, fresh, "/api/v1/datasets", ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed call of a suspended app: %d, want 401", r.StatusCode)
	}
	check(t, a, "apps-admin-suspended")

	// The developer sees the suspension and its reason.
	b.Do(t, "reload the developer's page", chromedp.Reload())
	waitFor(t, b, "the suspended card", `document.querySelector('[data-testid=suspended-reason]')`)
	if r := eval[string](t, b, `document.querySelector('[data-testid=suspended-reason]').textContent`); !strings.Contains(r, "调用量异常") {
		t.Errorf("suspension reason %q", r)
	}

	// Delete, confirmed: cancelling keeps the app, confirming removes it.
	click(t, b, `[data-testid=delete-app]`)
	waitFor(t, b, "the delete confirmation", `document.querySelector('[data-testid=confirm-delete]')`)
	click(t, b, `[data-testid=confirm-no]`)
	waitFor(t, b, "the buttons back", `document.querySelector('[data-testid=delete-app]')`)
	if n := p.Count(t, "apps", "1=1"); n != 1 {
		t.Fatalf("%d apps after a cancelled delete", n)
	}
	click(t, b, `[data-testid=delete-app]`)
	waitFor(t, b, "the delete confirmation", `document.querySelector('[data-testid=confirm-delete]')`)
	click(t, b, `[data-testid=confirm-delete]`)
	waitFor(t, b, "the list empty", `document.querySelector('[data-testid=apps-empty]')`)
	if n := p.Count(t, "apps", "1=1"); n != 0 {
		t.Errorf("%d apps after delete", n)
	}
}

// approvedGrant has the session's account apply for a conditional dataset
// and the provider approve it; it returns the grant's id.
func approvedGrant(t *testing.T, p *apptest.Portal, s *apptest.Session) string {
	t.Helper()
	var dataset string
	p.DB.Table("datasets").Where("open_type = ? AND department_id = ?", "conditional", seed.DemoProviderDepartment).Order("id").Limit(1).Pluck("id", &dataset)
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Limit(2).Pluck("name", &items)
	r := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": dataset, "purpose": "研究", "scenario": "统计分析", "basis": "数据使用协议",
		"data_items": items, "period_start": p.Now().Format("2006-01-02"), "period_end": p.Now().AddDate(0, 3, 0).Format("2006-01-02"),
		"security_measures": "加密存储，专人访问", "contact": "张三 0451-12345678",
	}, s.Header())
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
	return grantID
}
