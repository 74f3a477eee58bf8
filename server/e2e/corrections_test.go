package e2e

import (
	"bytes"
	"context"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// noNull fails when a page printed a JavaScript null or undefined.
func noNull(t *testing.T, b *Browser, page string) {
	t.Helper()
	if eval[bool](t, b, `/\b(null|undefined)\b/.test(document.querySelector('main').textContent)`) {
		t.Errorf("%s shows null/undefined: %s", page, textOf(t, b, "main"))
	}
}

// uploadVersion uploads a corrected copy (the first two records) of a
// resource as a new version of the entry, as the provider, and returns the
// new resource's id.
func uploadVersion(t *testing.T, p *apptest.Portal, dataset, resource string) string {
	t.Helper()
	orig := p.Get(t, "/api/v1/resources/"+resource+"/download")
	if orig.Status != 200 {
		t.Fatalf("download %s: %d", resource, orig.Status)
	}
	lines := strings.SplitAfterN(string(orig.Body), "\n", 4)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "corrected.csv")
	part.Write([]byte(strings.Join(lines[:3], "")))
	w.Close()
	r := p.Do(t, "POST", "/api/v1/manage/datasets/"+dataset+"/resources", &body, p.SignInAs(t, "provider").Header("Content-Type", w.FormDataContentType()))
	if r.Status != 201 {
		t.Fatalf("upload the corrected version: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["id"].(string)
}

// forget drops the browser's cookies and session storage: a visitor again.
func forget(t *testing.T, b *Browser) {
	t.Helper()
	b.Do(t, "forget the account", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// TestCorrectionJourney: a visitor reports an error from the dataset page
// → gets a tracking code and follows the report with it → the dataset and
// the data item show the under-dispute mark → the provider sees the
// reporter's contact in its queue and answers "corrected" with the new
// resource → the mark disappears, the tracking page shows the answer and
// the dataset page the aggregate history. axe on every page.
func TestCorrectionJourney(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00")) // a Monday: due 2026-03-09
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	const ds = "ds-hlj-scjgj-001"
	var items, res []string
	p.DB.Table("data_items").Where("dataset_id = ?", ds).Order("position").Pluck("name", &items)
	p.DB.Table("resources").Where("dataset_id = ?", ds).Order("position").Pluck("id", &res)
	b := newAccountsBrowser(t)

	b.Do(t, "open the dataset", chromedp.Navigate(p.URL+"/datasets/"+ds))
	waitFor(t, b, "the report button", `document.querySelector('[data-testid=report-error]')`)
	waitFor(t, b, "the history line", `document.querySelector('[data-testid=corrections-history]').textContent.length > 0`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=dispute-banner]')`) {
		t.Fatal("under dispute before any report")
	}
	click(t, b, `[data-testid=report-error]`)
	waitFor(t, b, "the report form", `document.querySelector('[data-testid=report-form]') && location.pathname === '/corrections/new'`)
	check(t, b, "correction-new")
	noNull(t, b, "correction-new")
	setValue(t, b, `[name=data_item]`, items[1])
	typeInto(t, b, `[name=description]`, "该企业的注册地址已变更，目录中仍为旧地址")
	typeInto(t, b, `[name=proposed_value]`, "哈尔滨市南岗区学府路 1 号")
	typeInto(t, b, `[name="contact.email"]`, "li.visitor@mail.hlj.gov.cn")
	click(t, b, `[data-testid=report-submit]`)
	waitFor(t, b, "the tracking code", `document.querySelector('[data-testid=tracking-code]')`)
	code := textOf(t, b, `[data-testid=tracking-code]`)
	if len(code) != 24 {
		t.Fatalf("tracking code %q", code)
	}
	if due := textOf(t, b, `[data-testid=report-due]`); due != "2026-03-09" {
		t.Errorf("due shown as %q", due)
	}
	check(t, b, "correction-done")
	noNull(t, b, "correction-done")

	click(t, b, `[data-testid=track-link]`)
	waitFor(t, b, "the tracked report", `document.querySelector('[data-testid=report-view][data-status=open]')`)
	if body := textOf(t, b, `main`); strings.Contains(body, "li.visitor") || strings.Contains(body, "学府路") {
		t.Errorf("tracking page shows personal data: %s", body)
	}
	check(t, b, "correction-track-open")
	noNull(t, b, "correction-track-open")

	b.Do(t, "back to the dataset", chromedp.Navigate(p.URL+"/datasets/"+ds))
	waitFor(t, b, "the dispute banner", `document.querySelector('[data-testid=dispute-banner]')`)
	waitFor(t, b, "the data item mark", `document.querySelector('[data-testid=item-dispute][data-item=`+jsString(items[1])+`]')`)
	check(t, b, "dataset-under-dispute")
	noNull(t, b, "dataset-under-dispute")

	// The provider uploads the corrected file as a new version of the entry
	// (publishing API), then answers in the console linking it.
	newRes := uploadVersion(t, p, ds, res[0])
	actAs(t, b, p, "provider", "/console/corrections")
	waitFor(t, b, "the queue", `document.querySelector('[data-testid=corr-item][data-status=open]')`)
	click(t, b, `[data-testid=corr-item] [data-testid=corr-open]`)
	waitFor(t, b, "the answer form", `document.querySelector('[data-testid=answer-form]')`)
	if who := textOf(t, b, `[data-testid=corr-reporter]`); !strings.Contains(who, "li.visitor@mail.hlj.gov.cn") {
		t.Errorf("provider does not see the contact: %q", who)
	}
	check(t, b, "correction-console")
	noNull(t, b, "correction-console")
	click(t, b, `[data-testid=outcome-corrected]`)
	typeInto(t, b, `[data-testid=answer-form] [name=explanation]`, "已将注册地址更新为学府路 1 号")
	typeInto(t, b, `[data-testid=answer-form] [name=new_resource_id]`, newRes)
	click(t, b, `[data-testid=answer-submit]`)
	waitFor(t, b, "the confirmation", `document.querySelector('[data-testid=console-status]').textContent.length > 0`)
	waitFor(t, b, "the queue emptied", `document.querySelector('[data-testid=corr-empty]')`)

	// The visitor again: no mark, the answer on the tracking page.
	forget(t, b)
	b.Do(t, "the dataset again", chromedp.Navigate(p.URL+"/datasets/"+ds))
	waitFor(t, b, "the page", `document.querySelector('[data-testid=report-error]')`)
	waitFor(t, b, "the history", `/1/.test(document.querySelector('[data-testid=corrections-history]').textContent)`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=dispute-banner]') || !!document.querySelector('[data-testid=item-dispute]')`) {
		t.Error("the dispute mark is still shown after the answer")
	}
	b.Do(t, "track again", chromedp.Navigate(p.URL+"/corrections/track#"+code))
	waitFor(t, b, "the answered report", `document.querySelector('[data-testid=report-view][data-status=answered] [data-testid=report-answer]')`)
	if ans := textOf(t, b, `[data-testid=report-answer]`); !strings.Contains(ans, newRes) {
		t.Errorf("the answer does not link the new version %s: %q", newRes, ans)
	}
	check(t, b, "correction-track-answered")
	noNull(t, b, "correction-track-answered")
}

// TestDataRequestJourney: a citizen asks for data → the authority routes
// it → the provider accepts and links the published entry in time → the
// public list shows it fulfilled, without the requester; the statistics
// page counts it. axe on every page.
func TestDataRequestJourney(t *testing.T) {
	clk := apptest.NewClock(apptest.CST("2026-03-02 09:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, NoWorkers: true})
	b := newAccountsBrowser(t)

	actAs(t, b, p, "citizen", "/requests/new")
	waitFor(t, b, "the request form", `document.querySelector('[data-testid=request-form]')`)
	typeInto(t, b, `#f-title`, "全省食品生产许可证信息")
	typeInto(t, b, `#f-description`, "食品生产许可证编号、企业名称、许可范围、有效期，按月更新")
	typeInto(t, b, `#f-intended_use`, "食品安全科普与企业查询服务")
	setValue(t, b, `#f-department_id`, "hlj-scjgj")
	check(t, b, "request-new")
	noNull(t, b, "request-new")
	click(t, b, `[data-testid=request-submit]`)
	waitFor(t, b, "the confirmation", `document.querySelector('[data-testid=request-done]')`)

	actAs(t, b, p, "authority", "/console/requests")
	waitFor(t, b, "the request to route", `document.querySelector('[data-testid=req-item][data-status=submitted] [data-testid=route-form]')`)
	check(t, b, "request-console-authority")
	noNull(t, b, "request-console-authority")
	click(t, b, `[data-testid=route-submit]`)
	waitFor(t, b, "routed", `document.querySelector('[data-testid=console-status]').textContent.length > 0`)

	actAs(t, b, p, "provider", "/console/requests")
	waitFor(t, b, "the request to answer", `document.querySelector('[data-testid=req-item][data-status=routed] [data-testid=req-answer-form]')`)
	check(t, b, "request-console-provider")
	noNull(t, b, "request-console-provider")
	click(t, b, `[data-testid=req-answer-submit]`) // accept is preselected
	waitFor(t, b, "accepted", `document.querySelector('[data-testid=console-status]').textContent.length > 0`)
	b.Do(t, "accepted requests", chromedp.Navigate(p.URL+"/console/requests?filter=accepted"))
	waitFor(t, b, "the fulfil form", `document.querySelector('[data-testid=fulfil-form] select option[value="ds-hlj-scjgj-001"]')`)
	setValue(t, b, `[data-testid=fulfil-form] select`, "ds-hlj-scjgj-001")
	click(t, b, `[data-testid=fulfil-submit]`)
	waitFor(t, b, "fulfilled", `document.querySelector('[data-testid=console-status]').textContent.length > 0`)

	forget(t, b)
	b.Do(t, "the public list", chromedp.Navigate(p.URL+"/requests"))
	waitFor(t, b, "the fulfilled request", `document.querySelector('[data-testid=req-item][data-status=fulfilled] [data-testid=req-dataset]')`)
	if eval[bool](t, b, `!!document.querySelector('[data-testid=req-answer-late], [data-testid=req-catalog-late]')`) {
		t.Error("flagged late although everything happened the same day")
	}
	if body := textOf(t, b, `main`); strings.Contains(body, "食品安全科普") || strings.Contains(body, apptest.DemoEmail("citizen")) {
		t.Errorf("public list shows personal data: %s", body)
	}
	check(t, b, "requests-public")
	noNull(t, b, "requests-public")

	b.Do(t, "statistics", chromedp.Navigate(p.URL+"/stats?from=2026-01&to=2026-03"))
	waitFor(t, b, "the table", `document.querySelectorAll('[data-testid=st-row]').length > 10`)
	waitFor(t, b, "the charts", `document.querySelectorAll('svg[data-testid=st-chart-corr] rect').length === 6`)
	if n := textOf(t, b, `[data-testid=st-requests]`); n != "1 / 1" {
		t.Errorf("requests card %q", n)
	}
	check(t, b, "stats")
	noNull(t, b, "stats")

	// On a phone nothing scrolls sideways (the wide table scrolls in its box).
	for _, path := range []string{"/stats?from=2026-01&to=2026-03", "/requests", "/corrections/new?dataset=ds-hlj-scjgj-001", "/corrections/track"} {
		b.Do(t, "phone "+path, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)), chromedp.Navigate(p.URL+path))
		waitFor(t, b, "the page "+path, `document.querySelector('main form') && !document.querySelector('main .loading')`)
		if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
			t.Errorf("%s scrolls sideways on a phone: %d px", path, w)
		}
	}
	b.CheckAccessibility(t, "corrections track (phone)")
	b.Screenshot(t, "correction-track-phone")
}
