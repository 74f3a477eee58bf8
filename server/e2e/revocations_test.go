package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/mmcdole/gofeed"

	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
)

// chooseOption selects a value in a <select> as a person would (change event).
func chooseOption(t *testing.T, b *Browser, sel, value string) {
	t.Helper()
	js := `(() => { const c = document.querySelector(` + jsString(sel) + `); c.value = ` + jsString(value) + `; c.dispatchEvent(new Event('change', {bubbles: true})); return c.value === ` + jsString(value) + ` })()`
	if !eval[bool](t, b, js) {
		t.Fatalf("%s has no option %s", sel, value)
	}
}

// fetchStatus is the HTTP status of a same-origin GET made by the page,
// with the browser's cookies (the signed-in account, if any).
func fetchStatus(t *testing.T, b *Browser, path string) int {
	t.Helper()
	return Value(t, b, "fetch "+path, chromedp.Evaluate[int](`fetch(`+jsString(path)+`, {credentials: 'same-origin'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
}

func signOutBrowser(t *testing.T, b *Browser) {
	t.Helper()
	b.Do(t, "sign out (clear cookies)", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// TestRevocationJourney: the provider asks in the browser to revoke a
// conditionally open dataset (and an unconditional one) → the authority
// rejects one (reasons required) and approves the other → the announcement
// is on the announcements page, its detail page, the home page and the
// Atom feed → the provincial authority acknowledges the filing → at the
// exact effective time (injected clock, no job run) the dataset page shows
// the tombstone with the announcement, the catalog no longer lists it →
// the job and the outbox take it out of the index → a grant holder still
// downloads during the grace period and not after; the public gets 410.
// axe on every page.
func TestRevocationJourney(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-05-06 10:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	b := newAccountsBrowser(t)
	const (
		condDS = "ds-hlj-scjgj-002" // conditionally open, 黑龙江省市场监督管理局
		openDS = "ds-hlj-scjgj-001" // unconditionally open, same department
	)
	var title string
	p.DB.Table("datasets").Where("id = ?", condDS).Pluck("title", &title)
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", condDS).Order("position").Limit(2).Pluck("name", &items)
	var citizenID uint64
	p.DB.Table("users").Where("email = ?", "citizen@demo.local").Pluck("id", &citizenID)
	g := applications.Grant{ID: "gr_00000000000000e1", ApplicationID: "ap_00000000000000e1", UserID: citizenID, DatasetID: condDS, DatasetTitle: title,
		DepartmentID: "hlj-scjgj", Region: "黑龙江省", DataItems: items, PeriodStart: time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Zone).UTC(),
		PeriodEnd: time.Date(2027, 12, 31, 0, 0, 0, 0, calendar.Zone).UTC(), AccessUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, calendar.Zone).UTC(),
		Status: applications.GrantActive, CreatedAt: clk.Now().UTC()}
	if err := p.DB.Create(&g).Error; err != nil {
		t.Fatal(err)
	}
	var resID string
	p.DB.Table("resources").Where("dataset_id = ?", condDS).Order("position").Limit(1).Pluck("id", &resID)
	download := "/api/v1/resources/" + resID + "/download?format=csv"

	// 1. The provider asks for both, from the form.
	actAs(t, b, p, "provider", "/console/revocations")
	waitFor(t, b, "the request form", `document.querySelector('[data-testid=revocation-form] [data-testid=rv-dataset] option[value="`+condDS+`"]')`)
	check(t, b, "revocation-request")
	click(t, b, `[data-testid=rv-submit]`) // empty: every problem at once
	waitFor(t, b, "field errors", `document.querySelectorAll('.rv-error:not([hidden])').length >= 4`)
	check(t, b, "revocation-request-errors")
	for _, ds := range []string{condDS, openDS} {
		// Choosing a dataset redraws the form: mark the old one so the test
		// waits for the new form rather than typing into (or clicking) the
		// old, detached one — the focus alone may already be on the select.
		eval[bool](t, b, `(document.querySelector('[data-testid=revocation-form]').dataset.stale = '1') === '1'`)
		chooseOption(t, b, `[data-testid=rv-dataset]`, ds)
		waitFor(t, b, "the form again", `!document.querySelector('[data-testid=revocation-form]').dataset.stale && document.activeElement && document.activeElement.id === 'rv-f-dataset'`)
		setValue(t, b, `#rv-f-reason`, "该数据涉及的业务系统已停止运行，数据不再更新")
		setValue(t, b, `#rv-f-basis`, "《黑龙江省政务数据管理暂行办法》第三十五条")
		setValue(t, b, `#rv-f-date`, "2026-06-01")
		click(t, b, `[data-testid=rv-submit]`)
		waitFor(t, b, "the new request", `document.querySelector('[data-testid=rv-notice]') && [...document.querySelectorAll('[data-testid=revocation-row][data-status=pending]')].some(r => r.textContent.length > 0) && document.querySelector('[data-testid=rv-dataset]').value === ''`)
	}
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=revocation-row][data-status=pending]').length`); n != 2 {
		t.Fatalf("%d pending requests listed, want 2", n)
	}
	check(t, b, "revocation-requested")
	// Nothing changed publicly.
	if r := p.Get(t, "/api/v1/datasets/"+condDS); r.Status != 200 {
		t.Fatalf("dataset after the request: %d", r.Status)
	}

	// 2. Two days later the authority rejects one (reasons first) and approves the other.
	clk.Set(apptest.CST("2026-05-08 15:30"))
	actAs(t, b, p, "authority", "/review/revocations")
	waitFor(t, b, "the queue", `document.querySelectorAll('[data-testid=review-row][data-status=pending]').length === 2`)
	check(t, b, "revocation-review")
	rowOf := func(ds string) string {
		id := eval[string](t, b, `[...document.querySelectorAll('[data-testid=review-row]')].find(r => r.textContent.includes(`+jsString(ds)+`)).dataset.id`)
		return `[data-testid=review-row][data-id="` + id + `"]`
	}
	openRow := rowOf(openDS)
	click(t, b, openRow+` [data-testid=rv-decision-reject]`)
	click(t, b, openRow+` [data-testid=rv-decide]`)
	waitFor(t, b, "the reason is required", `!document.querySelector(`+jsString(openRow+` .rv-error`)+`).hidden || [...document.querySelectorAll(`+jsString(openRow+` .rv-error`)+`)].some(e => !e.hidden)`)
	check(t, b, "revocation-review-error")
	setValue(t, b, openRow+` textarea`, "该数据仍被广泛使用，暂不撤销")
	click(t, b, openRow+` [data-testid=rv-decide]`)
	waitFor(t, b, "the rejection", `document.querySelector('[data-testid=rv-decision-result]') && document.querySelectorAll('[data-testid=review-row][data-status=pending]').length === 1`)
	condRow := rowOf(condDS)
	click(t, b, condRow+` [data-testid=rv-decision-approve]`)
	click(t, b, condRow+` [data-testid=rv-decide]`)
	waitFor(t, b, "the approval", `document.querySelector('[data-testid=rv-result-announcement]')`)
	number := textOf(t, b, `[data-testid=rv-result-announcement]`)
	if number != "黑数开公告〔2026〕第1号" || !strings.Contains(textOf(t, b, `[data-testid=rv-decision-result]`), "黑数开备〔2026〕第1号") {
		t.Fatalf("decision result: %q / %q", number, textOf(t, b, `[data-testid=rv-decision-result]`))
	}
	check(t, b, "revocation-approved")

	// 3. The announcement: list, detail, home page and feed, for anyone.
	signOutBrowser(t, b)
	b.Do(t, "open the announcements", chromedp.Navigate(p.URL+"/announcements"))
	waitFor(t, b, "the announcement", `document.querySelector('[data-testid=announcement-item] [data-testid=announcement-number]')`)
	if got := textOf(t, b, `[data-testid=announcement-number]`); got != number {
		t.Errorf("announcements page shows %q", got)
	}
	check(t, b, "announcements")
	click(t, b, `[data-testid=announcement-link]`)
	waitFor(t, b, "the announcement page", `location.pathname.startsWith('/announcements/ann_') && document.querySelector('[data-testid=announcement-body]')`)
	annPath := eval[string](t, b, "location.pathname")
	body := textOf(t, b, `[data-testid=announcement-body]`)
	for _, want := range []string{title, "2026年6月1日", "6个月", "第三十五条"} {
		if !strings.Contains(body, want) {
			t.Errorf("announcement text lacks %q", want)
		}
	}
	if got := textOf(t, b, `[data-testid=announcement-number]`); got != number {
		t.Errorf("detail number %q", got)
	}
	if !strings.Contains(eval[string](t, b, "document.title"), number) {
		t.Errorf("detail <title> %q", eval[string](t, b, "document.title"))
	}
	check(t, b, "announcement")
	b.Do(t, "switch to English", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "English labels", `document.documentElement.lang === 'en' && document.querySelector('[data-testid=announcement-facts]').textContent.includes('Effective date')`)
	check(t, b, "announcement-en")
	b.Do(t, "back to Chinese", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "Chinese again", `document.documentElement.lang === 'zh-CN'`)
	b.Do(t, "open home", chromedp.Navigate(p.URL+"/"))
	waitFor(t, b, "the home announcement", `document.querySelector('[data-testid=home-announcement] [data-testid=announcement-number]')`)
	if got := textOf(t, b, `[data-testid=home-announcement] [data-testid=announcement-number]`); got != number {
		t.Errorf("home shows %q", got)
	}
	check(t, b, "home-with-announcement")
	feed, err := gofeed.NewParser().ParseString(string(p.Get(t, "/announcements.atom").Body))
	if err != nil || len(feed.Items) != 1 || !strings.Contains(feed.Items[0].Title, number) || !strings.HasSuffix(feed.Items[0].Link, annPath) {
		t.Fatalf("feed: %v %+v", err, feed)
	}

	// 4. The provincial authority acknowledges the filing.
	actAs(t, b, p, "province", "/review/filings")
	waitFor(t, b, "the filing", `document.querySelector('[data-testid=filing-row][data-acknowledged=no]')`)
	check(t, b, "filings")
	setValue(t, b, `[data-testid=filing-note]`, "已收到，无异议")
	click(t, b, `[data-testid=filing-ack]`)
	waitFor(t, b, "acknowledged", `document.querySelector('[data-testid=filing-result]') && !document.querySelector('[data-testid=filing-row]')`)
	chooseOption(t, b, `[data-testid=rv-filter]`, "acknowledged")
	waitFor(t, b, "the acknowledged filing", `document.querySelector('[data-testid=filing-row][data-acknowledged=yes]')`)

	// 5. Before the effective date the data is open; the holder downloads.
	actAs(t, b, p, "citizen", "/announcements")
	if s := fetchStatus(t, b, download); s != 200 {
		t.Fatalf("holder before the effective date: %d", s)
	}

	// 6. At the exact effective time, before any job: tombstone, out of the catalog.
	clk.Set(apptest.CST("2026-06-01 00:00"))
	signOutBrowser(t, b)
	b.Do(t, "open the dataset", chromedp.Navigate(p.URL+"/datasets/"+condDS))
	waitFor(t, b, "the tombstone", `document.querySelector('[data-testid=tombstone] [data-testid=tombstone-announcement]')`)
	if href := eval[string](t, b, `document.querySelector('[data-testid=tombstone-announcement]').getAttribute('href')`); href != annPath {
		t.Errorf("tombstone links %q, want %q", href, annPath)
	}
	if s := fetchStatus(t, b, "/api/v1/datasets/"+condDS); s != 410 {
		t.Errorf("dataset API: %d, want 410", s)
	}
	check(t, b, "dataset-tombstone")
	b.Do(t, "search the catalog", chromedp.Navigate(p.URL+"/datasets?department=hlj-scjgj"))
	waitFor(t, b, "results", `document.querySelectorAll('[data-testid=result-item]').length > 0`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=result-item] a[href="/datasets/`+condDS+`"]')`) {
		t.Error("the withdrawn dataset is still listed at its effective time")
	}
	b.Do(t, "follow the tombstone", chromedp.Navigate(p.URL+"/datasets/"+condDS))
	waitFor(t, b, "the tombstone link", `document.querySelector('[data-testid=tombstone-announcement]')`)
	click(t, b, `[data-testid=tombstone-announcement]`)
	waitFor(t, b, "the announcement, in effect", `location.pathname === `+jsString(annPath)+` && document.querySelector('[data-testid=announcement-effect]')`)

	// 7. The job applies it (idempotent) and the index follows.
	before, _ := p.Index.Count(context.Background())
	if n, err := p.Revocations.ApplyDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("job: %d %v", n, err)
	}
	if _, err := p.Outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after, _ := p.Index.Count(context.Background()); after != before-1 {
		t.Errorf("index: %d entries, want %d", after, before-1)
	}
	b.Do(t, "search by title", chromedp.Navigate(p.URL+"/datasets?q="+title))
	waitFor(t, b, "the result count", `document.querySelector('[data-testid=result-count]')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=result-item] a[href="/datasets/`+condDS+`"]')`) {
		t.Error("the revoked dataset is still found by its title")
	}
	if s := fetchStatus(t, b, download); s != 410 {
		t.Errorf("public download: %d, want 410", s)
	}

	// 8. The grant holder keeps downloading during the grace period, not after.
	clk.Set(apptest.CST("2026-09-15 10:00"))
	actAs(t, b, p, "citizen", "/announcements")
	if s := fetchStatus(t, b, download); s != 200 {
		t.Errorf("holder in the grace period: %d, want 200", s)
	}
	clk.Set(apptest.CST("2026-12-01 00:00"))
	actAs(t, b, p, "citizen", "/announcements")
	if s := fetchStatus(t, b, download); s != 410 {
		t.Errorf("holder after the grace period: %d, want 410", s)
	}
}
