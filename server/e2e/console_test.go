package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// consoleNav reads the console menu of the page: its links in order, and
// the one marked as the current page.
func consoleNav(t *testing.T, b *Browser) (hrefs []string, current string) {
	t.Helper()
	js := `[...document.querySelectorAll('#console-nav a')].map(a => a.getAttribute('href') + (a.getAttribute('aria-current') === 'page' ? ' *' : '')).join('\n')`
	for _, line := range strings.Split(eval[string](t, b, js), "\n") {
		if line == "" {
			continue
		}
		href, cur := strings.CutSuffix(line, " *")
		hrefs = append(hrefs, href)
		if cur {
			if current != "" {
				t.Errorf("%s: two current items (%s, %s)", eval[string](t, b, `location.pathname`), current, href)
			}
			current = href
		}
	}
	return hrefs, current
}

// TestConsoleNav: every console page shows the same console menu for a
// role (same items, same order), first in <main>, labelled, with the page
// itself marked current; pages without an item of their own mark the one
// they belong to.
func TestConsoleNav(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	b := newAccountsBrowser(t)
	const ownEntry = "ds-hlj-scjgj-001"
	cases := []struct {
		role  string
		items []string
		// extra pages of the role and the item each marks current.
		extra map[string]string
	}{
		{
			role: "provider",
			items: []string{"/console", "/console/import", "/console/applications", "/console/grants", "/console/corrections",
				"/console/requests", "/console/changes", "/console/revocations", "/review/overdue"},
			extra: map[string]string{"/console/datasets/new": "/console", "/console/datasets/" + ownEntry: "/console"},
		},
		{
			role:  "authority",
			items: []string{"/review", "/review/changes", "/review/revocations", "/console/requests", "/console/corrections", "/console/grants", "/review/overdue", "/admin/apps"},
			extra: map[string]string{"/review/datasets/" + ownEntry: "/review"},
		},
		{role: "province", items: []string{"/review/filings", "/review/overdue"}},
		{role: "admin", items: []string{"/admin/users", "/admin/departments"}},
	}
	for _, c := range cases {
		pages := map[string]string{}
		for _, it := range c.items {
			pages[it] = it
		}
		for pg, cur := range c.extra {
			pages[pg] = cur
		}
		actAs(t, b, p, c.role, c.items[0])
		for _, pg := range append(append([]string{}, c.items...), pageKeys(c.extra)...) {
			b.Do(t, "open "+pg, chromedp.Navigate(p.URL+pg))
			waitFor(t, b, c.role+" console menu on "+pg, `location.pathname === `+jsString(pg)+` && document.querySelector('#console-nav a') && !document.querySelector('main .loading')`)
			hrefs, current := consoleNav(t, b)
			if strings.Join(hrefs, " ") != strings.Join(c.items, " ") {
				t.Errorf("%s on %s: menu %v, want %v", c.role, pg, hrefs, c.items)
			}
			if current != pages[pg] {
				t.Errorf("%s on %s: current item %q, want %q", c.role, pg, current, pages[pg])
			}
			if !eval[bool](t, b, `document.querySelector('main').firstElementChild === document.querySelector('nav#console-nav') && document.querySelector('#console-nav').getAttribute('aria-label') === (document.documentElement.lang === 'en' ? 'Console' : '控制台')`) {
				t.Errorf("%s on %s: the console menu is not the labelled first child of <main>", c.role, pg)
			}
			if n := eval[int](t, b, `document.querySelectorAll('#console-nav').length`); n != 1 {
				t.Errorf("%s on %s: %d console menus", c.role, pg, n)
			}
			// The pages' own section links are gone: one menu.
			if eval[bool](t, b, `[...document.querySelectorAll('#pub-nav, #apps-nav, #side-nav')].some(n => !n.hidden && n.querySelector('a'))`) {
				t.Errorf("%s on %s: another section menu is still shown", c.role, pg)
			}
		}
		check(t, b, "console-nav-"+c.role)
	}

	// English labels, the same links.
	b.Do(t, "open the admin console in English", chromedp.Navigate(p.URL+"/admin/departments?lang=en"))
	waitFor(t, b, "English menu", `document.querySelector('#console-nav a[aria-current=page]') && document.documentElement.lang === 'en'`)
	if got := eval[string](t, b, `[...document.querySelectorAll('#console-nav a')].map(a => a.textContent).join('|') + '|' + document.querySelector('#console-nav').getAttribute('aria-label')`); got != "Users|Departments|Console" {
		t.Errorf("English console menu %q", got)
	}

	// A citizen has no console menu on its own pages.
	actAs(t, b, p, "citizen", "/account/applications")
	waitFor(t, b, "the applicant's links", `document.querySelector('#apps-nav a')`)
	if eval[bool](t, b, `!!document.querySelector('#console-nav')`) {
		t.Error("a citizen's page shows the console menu")
	}
}

func pageKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestApplyOrganisationsOnly: a citizen opening the apply form of an entry
// whose conditions admit organisations only is told so above the form,
// before any field; an organisation account, and a citizen on an entry
// open to anyone, see no such notice.
func TestApplyOrganisationsOnly(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	b := newAccountsBrowser(t)
	const (
		orgOnly = "ds-hlj-scjgj-002" // 申请人须为依法登记的法人，…
		anyone  = "ds-hlj-nynct-001" // 申请人须说明具体应用场景…
	)
	notice := `document.querySelector('[data-testid=apply-org-only]')`
	before := notice + `.compareDocumentPosition(document.querySelector('[data-testid=apply-form]')) & Node.DOCUMENT_POSITION_FOLLOWING`

	// The language is asked for in the address: headless Chromium sends
	// its own Accept-Language.
	actAs(t, b, p, "citizen", "/apply?dataset="+orgOnly)
	b.Do(t, "the form in Chinese", chromedp.Navigate(p.URL+"/apply?dataset="+orgOnly+"&lang=zh"))
	waitFor(t, b, "the apply form", `document.querySelector('[data-testid=apply-form]') && document.documentElement.lang === 'zh-CN'`)
	if !eval[bool](t, b, `!!`+notice) {
		t.Fatal("no organisations-only notice for a citizen")
	}
	if !eval[bool](t, b, `!!(`+before+`)`) {
		t.Error("the notice is not above the form")
	}
	if s := textOf(t, b, `[data-testid=apply-org-only]`); !strings.Contains(s, "仅向法人和非法人组织开放") {
		t.Errorf("notice text %q", s)
	}
	check(t, b, "apply-org-only")

	b.Do(t, "the same form in English", chromedp.Navigate(p.URL+"/apply?dataset="+orgOnly+"&lang=en"))
	waitFor(t, b, "the English form", `document.querySelector('[data-testid=apply-form]') && document.documentElement.lang === 'en'`)
	if s := textOf(t, b, `[data-testid=apply-org-only]`); !strings.Contains(s, "Open to organisations only") || strings.ContainsAny(s, "法人组织") {
		t.Errorf("English notice %q", s)
	}

	b.Do(t, "a dataset open to anyone", chromedp.Navigate(p.URL+"/apply?dataset="+anyone+"&lang=zh"))
	waitFor(t, b, "its form", `document.querySelector('[data-testid=apply-form]') && document.querySelector('[data-testid=apply-dataset]')`)
	if eval[bool](t, b, `!!`+notice) {
		t.Error("organisations-only notice on an entry open to anyone")
	}

	actAs(t, b, p, "organisation", "/apply?dataset="+orgOnly)
	waitFor(t, b, "the organisation's form", `document.querySelector('[data-testid=apply-form]')`)
	if eval[bool](t, b, `!!`+notice) {
		t.Error("organisations-only notice for an organisation account")
	}
}

// TestDecisionFormOrder: a decision form comes after what it decides: the
// provider's form after the application as submitted and its history, the
// authority's revocation decision after the request's facts.
func TestDecisionFormOrder(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	roles := apptest.NewRoles(p, clk.Now)
	const ds = "ds-hlj-scjgj-002"
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", ds).Order("position").Pluck("name", &items)
	r := roles.PostJSON(t, "citizen", "/api/v1/applications", map[string]any{
		"dataset_id": ds, "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
		"data_items": items[:2], "period_start": "2026-03-02", "period_end": "2026-06-01",
		"security_measures": "加密存储，专人访问", "contact": "张三 0451-12345678",
	})
	if r.Status != 201 {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	var app struct {
		ID string `json:"id"`
	}
	r.JSON(t, &app)
	rv := roles.PostJSON(t, "provider", "/api/v1/revocations", map[string]any{
		"dataset_id": "ds-hlj-scjgj-001", "reason": "数据来源系统停止运行", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条", "effective_date": "2026-03-20",
	})
	if rv.Status != 201 {
		t.Fatalf("revocation request: %d %s", rv.Status, rv.Body)
	}

	b := newAccountsBrowser(t)
	actAs(t, b, p, "provider", "/applications/"+app.ID)
	waitFor(t, b, "the decision form", `document.querySelector('[data-testid=decision-form]')`)
	follows := func(what, js string) {
		t.Helper()
		if !eval[bool](t, b, `(() => { const f = document.querySelector('[data-testid=decision-form]'); const n = `+js+`; return !!n && !!(n.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) && !n.contains(f) })()`) {
			t.Errorf("the decision form is not after %s", what)
		}
	}
	follows("the application's content", `document.querySelector('[data-testid=app-content]')`)
	follows("the requested data items", `document.querySelector('[data-testid=app-content] [data-testid=data-items]')`)
	follows("the history", `document.querySelector('[data-testid=history]')`)
	check(t, b, "decision-form-order")

	actAs(t, b, p, "authority", "/review/revocations")
	waitFor(t, b, "the revocation decision form", `document.querySelector('[data-testid=rv-decision-form]')`)
	if !eval[bool](t, b, `(() => { const f = document.querySelector('[data-testid=rv-decision-form]'); const facts = f.closest('[data-testid=review-row]').querySelector('dl'); return !!(facts.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) })()`) {
		t.Error("the revocation decision form is not after the request's facts")
	}
}
