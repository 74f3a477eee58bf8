package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// actAs signs the browser in as a demo role through /login, landing on
// next (a path with an optional query); the previous account's cookie and
// CSRF token are dropped first.
func actAs(t *testing.T, b *Browser, p *apptest.Portal, role, next string) {
	t.Helper()
	b.Do(t, "forget the previous account", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	b.Do(t, "open login as "+role, chromedp.Navigate(p.URL+"/login?next="+url.QueryEscape(next)))
	waitFor(t, b, "login form", `document.querySelector('[data-testid=login-form]')`)
	eval[bool](t, b, `(sessionStorage.clear(), document.querySelector('#f-email').value = '') === ''`)
	typeInto(t, b, `#f-email`, apptest.DemoEmail(role))
	typeInto(t, b, `#f-password`, apptest.DemoPassword)
	click(t, b, `[data-testid=login-form] [data-testid=submit]`)
	path, _, _ := strings.Cut(next, "?")
	waitFor(t, b, "the page after login ("+role+")", `location.pathname === `+jsString(path))
}

// setValue sets a form control's value as if typed (input event included).
func setValue(t *testing.T, b *Browser, sel, value string) {
	t.Helper()
	js := `(() => { const c = document.querySelector(` + jsString(sel) + `); c.value = ` + jsString(value) + `; c.dispatchEvent(new Event('input', {bubbles: true})); return true })()`
	eval[bool](t, b, js)
}

func textOf(t *testing.T, b *Browser, sel string) string {
	t.Helper()
	return eval[string](t, b, `(document.querySelector(`+jsString(sel)+`) || {textContent: ''}).textContent`)
}

// TestApplicationJourney: apply for conditional data in the browser (with
// a commitment letter) → the provider asks for more material → the
// applicant resubmits → the provider approves two of the four items → the
// grant page lists the grant with those two items; a second application is
// rejected with reasons the applicant reads; the provider suspends the
// grant; the authority's board shows an overdue application. axe on every
// page.
func TestApplicationJourney(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00")) // a Monday
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	b := newAccountsBrowser(t)
	const ds = "ds-hlj-scjgj-002"
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", ds).Order("position").Pluck("name", &items)
	pdf := filepath.Join(t.TempDir(), "承诺书.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// 1. The citizen applies from the form.
	actAs(t, b, p, "citizen", "/apply?dataset="+ds)
	waitFor(t, b, "the apply form", `document.querySelector('[data-testid=apply-form]')`)
	if due := textOf(t, b, `[data-testid=expected-due]`); !strings.Contains(due, "2026-03-09") || !strings.Contains(due, "5") {
		t.Errorf("expected due on the form: %q", due)
	}
	check(t, b, "apply-form")
	typeInto(t, b, `#purpose`, "research")
	setValue(t, b, `#purpose`, "开展全省个体工商户发展研究")
	setValue(t, b, `#scenario`, "季度经济形势分析报告")
	setValue(t, b, `#basis`, "省市场监管局数据使用合作协议（2026-01号）")
	for _, it := range items[:4] {
		click(t, b, `[data-testid="item-`+it+`"]`)
	}
	setValue(t, b, `#period_end`, "2026-06-30")
	setValue(t, b, `#security_measures`, "加密存储，专人专机访问，使用后销毁")
	setValue(t, b, `#contact`, "张三 0451-12345678")
	b.Do(t, "attach the commitment letter", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=commitment-file]`), []string{pdf}))
	click(t, b, `[data-testid=apply-submit]`)
	waitFor(t, b, "the new application", `location.pathname.startsWith('/applications/') && document.querySelector('[data-testid=app-status][data-status=submitted]')`)
	appID := strings.TrimPrefix(eval[string](t, b, "location.pathname"), "/applications/")
	waitFor(t, b, "the commitment link", `document.querySelector('[data-testid=commitment-link]')`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=data-items] li').length`); n != 4 {
		t.Errorf("application shows %d data items, want 4", n)
	}
	check(t, b, "application-submitted")

	// 2. Two days later the provider asks for everything missing at once.
	clk.Set(apptest.CST("2026-03-04 10:00"))
	actAs(t, b, p, "provider", "/console/applications")
	waitFor(t, b, "the queue", `document.querySelector('[data-testid=queue-row][data-id="`+appID+`"]')`)
	if due := textOf(t, b, `[data-testid=queue-row][data-id="`+appID+`"] [data-testid=due]`); !strings.Contains(due, "2026-03-09") || !strings.Contains(due, "3") {
		t.Errorf("queue due cell: %q", due)
	}
	check(t, b, "review-queue")
	click(t, b, `[data-testid=queue-row][data-id="`+appID+`"] [data-testid=queue-open]`)
	waitFor(t, b, "the decision form", `document.querySelector('[data-testid=decision-form]')`)
	check(t, b, "application-review")
	click(t, b, `[data-testid=decision-need_material]`)
	setValue(t, b, `#decision-missing`, "营业执照副本\n加盖公章的数据安全承诺书")
	click(t, b, `[data-testid=decision-submit]`)
	waitFor(t, b, "needs more material", `document.querySelector('[data-testid=app-status][data-status=needs_more_material]')`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=missing] li').length`); n != 2 {
		t.Errorf("missing list has %d items", n)
	}

	// 3. The applicant sees the list and resubmits the next day.
	clk.Set(apptest.CST("2026-03-05 09:30"))
	actAs(t, b, p, "citizen", "/account/applications")
	waitFor(t, b, "my applications", `document.querySelector('[data-testid=app-row][data-id="`+appID+`"] [data-status=needs_more_material]')`)
	if txt := textOf(t, b, `[data-testid=app-row][data-id="`+appID+`"]`); !strings.Contains(txt, "营业执照副本") {
		t.Errorf("my applications row lacks the missing material: %q", txt)
	}
	check(t, b, "my-applications")
	b.Do(t, "open the application", chromedp.Navigate(p.URL+"/applications/"+appID))
	waitFor(t, b, "the resubmit form", `document.querySelector('[data-testid=resubmit-form]')`)
	check(t, b, "application-resubmit")
	setValue(t, b, `#resubmit-note`, "已补充营业执照副本和承诺书")
	click(t, b, `[data-testid=resubmit-submit]`)
	waitFor(t, b, "resubmitted", `document.querySelector('[data-testid=app-status][data-status=resubmitted]')`)
	if due := textOf(t, b, `[data-testid=due]`); !strings.Contains(due, "2026-03-12") {
		t.Errorf("the new clock: %q, want due 2026-03-12", due)
	}

	// 4. The provider approves two of the four items; need_material is gone.
	clk.Set(apptest.CST("2026-03-06 14:00"))
	actAs(t, b, p, "provider", "/applications/"+appID)
	waitFor(t, b, "the decision form", `document.querySelector('[data-testid=decision-form]')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=decision-need_material]')`) {
		t.Error("need_material offered a second time")
	}
	click(t, b, `[data-testid=decision-approve]`)
	for _, it := range items[2:4] {
		click(t, b, `[data-testid="approve-`+it+`"]`)
	}
	click(t, b, `[data-testid=decision-submit]`)
	waitFor(t, b, "approved", `document.querySelector('[data-testid=app-status][data-status=approved]')`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=decision] [data-testid=data-items] li').length`); n != 2 {
		t.Errorf("decision lists %d approved items, want 2", n)
	}

	// 5. The grant page lists the grant with exactly the approved items.
	actAs(t, b, p, "citizen", "/account/grants")
	waitFor(t, b, "the grant", `document.querySelector('[data-testid=grant][data-dataset="`+ds+`"] [data-testid=grant-status][data-status=active]')`)
	got := eval[string](t, b, `[...document.querySelectorAll('[data-testid=grant] [data-testid=data-items] li')].map(li => li.dataset.item).join(',')`)
	if got != items[0]+","+items[1] {
		t.Errorf("grant data items %q, want %s,%s", got, items[0], items[1])
	}
	if period := textOf(t, b, `[data-testid=grant-period]`); !strings.Contains(period, "2026-06-30") {
		t.Errorf("grant period %q", period)
	}
	check(t, b, "my-grants")
	b.Do(t, "switch to English", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "English grant page", `document.querySelector('[data-testid=grant-status]').textContent === 'Active'`)
	check(t, b, "my-grants-en")
	b.Do(t, "back to Chinese", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "Chinese again", `document.documentElement.lang === 'zh-CN'`)

	// 6. A second application is rejected; a rejection needs its reasons.
	actAs(t, b, p, "organisation", "/apply?dataset="+ds)
	waitFor(t, b, "the apply form", `document.querySelector('[data-testid=apply-form]')`)
	click(t, b, `[data-testid=apply-submit]`) // empty: every problem at once
	waitFor(t, b, "field errors", `document.querySelectorAll('.app-error:not([hidden])').length >= 5`)
	check(t, b, "apply-errors")
	setValue(t, b, `#purpose`, "用于信用评估模型训练")
	setValue(t, b, `#scenario`, "商业信用评估")
	setValue(t, b, `#basis`, "无")
	click(t, b, `[data-testid="item-`+items[0]+`"]`)
	setValue(t, b, `#period_end`, "2026-12-31")
	setValue(t, b, `#security_measures`, "访问控制")
	setValue(t, b, `#contact`, "李四 0451-87654321")
	click(t, b, `[data-testid=apply-submit]`)
	waitFor(t, b, "the second application", `location.pathname.startsWith('/applications/') && document.querySelector('[data-testid=app-status][data-status=submitted]')`)
	rejectID := strings.TrimPrefix(eval[string](t, b, "location.pathname"), "/applications/")

	actAs(t, b, p, "provider", "/applications/"+rejectID)
	waitFor(t, b, "the decision form", `document.querySelector('[data-testid=decision-form]')`)
	click(t, b, `[data-testid=decision-reject]`)
	click(t, b, `[data-testid=decision-submit]`)
	waitFor(t, b, "the reason error", `!document.querySelector('[data-field=reason] .app-error').hidden`)
	if !eval[bool](t, b, `!!document.querySelector('[data-testid=app-status][data-status=submitted]')`) {
		t.Error("a rejection without reasons changed the status")
	}
	const reason = "申请用途超出该数据目录的开放使用范围"
	setValue(t, b, `#decision-reason-input`, reason)
	click(t, b, `[data-testid=decision-submit]`)
	waitFor(t, b, "rejected", `document.querySelector('[data-testid=app-status][data-status=rejected]')`)

	actAs(t, b, p, "organisation", "/account/applications")
	waitFor(t, b, "the rejection", `document.querySelector('[data-testid=app-row][data-id="`+rejectID+`"] [data-testid=app-reason]')`)
	if r := textOf(t, b, `[data-testid=app-row][data-id="`+rejectID+`"] [data-testid=app-reason]`); r != reason {
		t.Errorf("the applicant reads %q, want %q", r, reason)
	}
	b.Do(t, "open the rejection", chromedp.Navigate(p.URL+"/applications/"+rejectID))
	waitFor(t, b, "the decision", `document.querySelector('[data-testid=decision-reason]')`)
	if r := textOf(t, b, `[data-testid=decision-reason]`); r != reason {
		t.Errorf("detail shows reason %q", r)
	}
	check(t, b, "application-rejected")

	// 7. The provider suspends the grant from its grants page.
	actAs(t, b, p, "provider", "/console/grants")
	waitFor(t, b, "the department's grants", `document.querySelector('[data-testid=grant] [data-testid=grant-suspend]')`)
	check(t, b, "manage-grants")
	setValue(t, b, `[data-testid=grant] textarea`, "发现数据被转售")
	click(t, b, `[data-testid=grant] [data-testid=grant-suspend]`)
	waitFor(t, b, "suspended", `document.querySelector('[data-testid=grant-status][data-status=suspended]') && document.querySelector('[data-testid=grant-reinstate]')`)
	if r := textOf(t, b, `[data-testid=suspend-reason]`); r != "发现数据被转售" {
		t.Errorf("suspend reason shown: %q", r)
	}

	// 8. An application left unanswered shows on the authority's board.
	clk.Set(apptest.CST("2026-03-09 10:00"))
	r := p.PostJSON(t, "/api/v1/applications", map[string]any{"dataset_id": ds, "purpose": "研究", "scenario": "统计", "basis": "协议",
		"data_items": items[:1], "period_start": "2026-03-09", "period_end": "2026-04-30", "security_measures": "加密", "contact": "0451"},
		p.SignInAs(t, "organisation").Header())
	if r.Status != 201 {
		t.Fatalf("third application: %d %s", r.Status, r.Body)
	}
	clk.Set(apptest.CST("2026-03-18 09:00"))
	if res, err := p.Applications.RunDeadlines(context.Background()); err != nil || res.Escalated != 1 {
		t.Fatalf("deadline job: %+v %v", res, err)
	}
	actAs(t, b, p, "authority", "/review/overdue")
	waitFor(t, b, "the overdue board", `document.querySelector('[data-testid=overdue-row]') && document.querySelector('[data-testid=department-row][data-id=hlj-scjgj]')`)
	if due := textOf(t, b, `[data-testid=overdue-row] [data-testid=due]`); !strings.Contains(due, "2026-03-16") {
		t.Errorf("overdue row: %q", due)
	}
	check(t, b, "authority-overdue")
}
