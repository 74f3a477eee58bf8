package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestPublishingJourney: in the browser, a provider creates a conditional
// entry (the form refuses it without open conditions), uploads a CSV and
// submits; the authority returns it with a comment; the provider reads the
// comment, fixes and resubmits; the authority approves; the entry shows in
// the public list and search with its history and update status. Then an
// update goes into review while the public keeps the published version.
// axe on every page.
func TestPublishingJourney(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	title := "全省浏览器测试企业名录"

	actAs(t, b, p, "provider", "/console")
	waitFor(t, b, "the console list", `document.querySelector('[data-testid=pub-list]')`)
	check(t, b, "publishing-console")
	press(t, b, `[data-testid=pub-new]`)
	waitFor(t, b, "the new-entry form", `location.pathname === '/console/datasets/new' && document.querySelector('#f-title')`)
	waitFor(t, b, "topics", `document.querySelector('#f-topic option[value=credit]')`)
	setValue(t, b, `#f-title`, title)
	setValue(t, b, `#f-description`, "全省企业的名称、注册号和注册资本（浏览器测试）。")
	chooseOption(t, b, `#f-topic`, "credit")
	chooseOption(t, b, `#f-open_type`, "conditional")
	setValue(t, b, `#f-classification`, "基础数据")
	chooseOption(t, b, `#f-grade`, "L2")
	setValue(t, b, `#di-0-name`, "reg_no")
	setValue(t, b, `#di-0-label`, "注册号")
	press(t, b, `#di-0-required`)
	press(t, b, `[data-testid=pub-item-add]`)
	waitFor(t, b, "a second data item", `document.querySelector('#di-1-name')`)
	setValue(t, b, `#di-1-name`, "capital")
	setValue(t, b, `#di-1-label`, "注册资本")
	chooseOption(t, b, `#di-1-type`, "number")

	// 000 Art 33: no open conditions, no draft.
	press(t, b, `[data-testid=pub-save]`)
	waitFor(t, b, "the field errors", `document.querySelector('#f-open_conditions-err') && document.querySelector('#f-usage_scope-err')`)
	if inv := eval[string](t, b, `document.querySelector('#f-open_conditions').getAttribute('aria-invalid')`); inv != "true" {
		t.Errorf("open_conditions aria-invalid = %q", inv)
	}
	check(t, b, "publishing-form-errors")
	setValue(t, b, `#f-open_conditions`, "申请人须说明用途并签署数据安全承诺书。")
	setValue(t, b, `#f-usage_scope`, "仅限科研与征信用途。")
	press(t, b, `[data-testid=pub-save]`)
	waitFor(t, b, "the created draft", `location.pathname.startsWith('/console/datasets/ds-') && document.querySelector('[data-testid=pub-status]')`)
	id := strings.TrimPrefix(eval[string](t, b, `location.pathname`), "/console/datasets/")

	csvPath := filepath.Join(t.TempDir(), "企业名录.csv")
	if err := os.WriteFile(csvPath, []byte("reg_no,capital\n91230100MA1,100.5\n91230100MA2,20\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(t, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{csvPath}))
	press(t, b, `[data-testid=pub-upload]`)
	waitFor(t, b, "the uploaded file", `document.querySelectorAll('[data-testid=pub-resource-row]').length === 1`)
	check(t, b, "publishing-entry")
	setValue(t, b, `#f-note`, "首次发布")
	press(t, b, `[data-testid=pub-submit]`)
	waitFor(t, b, "under review", `document.querySelector('[data-testid=pub-status]').dataset.status === 'submitted'`)

	// Bulk import: the template checks (dry run) and lists its one entry.
	tpl := p.Do(t, "GET", "/api/v1/manage/import/template", nil, p.SignInAs(t, "provider").Header())
	tplPath := filepath.Join(t.TempDir(), "目录导入模板.csv")
	if err := os.WriteFile(tplPath, tpl.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(t, "open the import page", chromedp.Navigate(p.URL+"/console/import"))
	waitFor(t, b, "the import form", `document.querySelector('#f-import')`)
	b.Do(t, "choose the template", chromedp.SetUploadFiles(chromedp.CSS(`#f-import`), []string{tplPath}))
	press(t, b, `[data-testid=pub-import-check]`)
	waitFor(t, b, "the dry run result", `document.querySelectorAll('[data-testid=pub-import-result] tbody tr').length === 1`)
	check(t, b, "publishing-import")

	// The authority returns it with a comment.
	actAs(t, b, p, "authority", "/review")
	waitFor(t, b, "the queue", `document.querySelector('[data-testid=pub-row][data-id=`+jsString(id)+`] a')`)
	check(t, b, "publishing-review-queue")
	press(t, b, `[data-testid=pub-row][data-id=`+jsString(id)+`] a`)
	waitFor(t, b, "the review form", `location.pathname === '/review/datasets/`+id+`' && document.querySelector('#r-return')`)
	check(t, b, "publishing-review")
	press(t, b, `#r-return`)
	press(t, b, `[data-testid=pub-review-submit]`)
	waitFor(t, b, "the missing comment", `document.querySelector('#f-comment-err')`)
	setValue(t, b, `#f-comment`, "请补充注册号的说明。")
	press(t, b, `[data-testid=pub-review-submit]`)
	waitFor(t, b, "returned", `document.querySelector('[data-testid=pub-status]').dataset.status === 'returned'`)

	// The provider reads the comment, fixes and resubmits.
	actAs(t, b, p, "provider", "/console/datasets/"+id)
	waitFor(t, b, "the comment", `(document.querySelector('[data-testid=pub-returned]') || {textContent: ''}).textContent.includes('请补充注册号的说明')`)
	setValue(t, b, `#di-0-description`, "统一社会信用代码")
	press(t, b, `[data-testid=pub-save]`)
	waitFor(t, b, "saved", `document.querySelector('[data-testid=pub-notice]')`)
	press(t, b, `[data-testid=pub-submit]`)
	waitFor(t, b, "under review again", `document.querySelector('[data-testid=pub-status]').dataset.status === 'submitted'`)

	// The authority approves.
	actAs(t, b, p, "authority", "/review/datasets/"+id)
	waitFor(t, b, "the review form", `document.querySelector('#r-approve')`)
	press(t, b, `#r-approve`)
	press(t, b, `[data-testid=pub-review-submit]`)
	waitFor(t, b, "published", `document.querySelector('[data-testid=pub-status]').dataset.status === 'published'`)

	// Public list and search (the index follows through the outbox).
	waitSearch(t, p, "浏览器测试企业名录", id)
	b.Do(t, "search the catalog", chromedp.Navigate(p.URL+"/datasets?q="+url.QueryEscape("浏览器测试企业名录")))
	waitFor(t, b, "the entry in the results", `[...document.querySelectorAll('[data-testid=result-item] a')].some(a => a.getAttribute('href').includes(`+jsString(id)+`))`)
	b.Do(t, "the department's list", chromedp.Navigate(p.URL+"/datasets?department=hlj-scjgj&sort=updated"))
	waitFor(t, b, "the entry in the list", `[...document.querySelectorAll('[data-testid=result-item] a')].some(a => a.getAttribute('href').includes(`+jsString(id)+`))`)
	b.Do(t, "open the entry", chromedp.Navigate(p.URL+"/datasets/"+id))
	waitFor(t, b, "its page", `document.querySelector('h1').textContent === `+jsString(title))
	waitFor(t, b, "history and update status", `document.querySelector('[data-testid=history-item]') && document.querySelector('[data-testid=field-freshness]')`)
	if s := eval[string](t, b, `document.querySelector('[data-testid=field-freshness]').dataset.onSchedule`); s != "true" {
		t.Errorf("on schedule = %q", s)
	}
	check(t, b, "publishing-public-dataset")

	// An update goes into review; the public keeps version 1.
	actAs(t, b, p, "provider", "/console/datasets/"+id)
	waitFor(t, b, "the form", `document.querySelector('#f-title')`)
	setValue(t, b, `#f-title`, title+"（第二版）")
	press(t, b, `[data-testid=pub-save]`)
	waitFor(t, b, "saved", `document.querySelector('[data-testid=pub-notice]')`)
	press(t, b, `[data-testid=pub-submit]`)
	waitFor(t, b, "under review", `document.querySelector('[data-testid=pub-status]').dataset.status === 'submitted'`)
	b.Do(t, "the public page", chromedp.Navigate(p.URL+"/datasets/"+id))
	waitFor(t, b, "its page", `document.querySelector('h1').textContent.length > 0 && !document.querySelector('h1').dataset.i18n`)
	if h1 := textOf(t, b, "h1"); h1 != title {
		t.Errorf("public title during review = %q, want %q", h1, title)
	}
	actAs(t, b, p, "authority", "/review/datasets/"+id)
	waitFor(t, b, "the changes", `(document.querySelector('[data-testid=pub-changes]') || {textContent: ''}).textContent.includes('目录名称')`)
}

// press clicks an element from script: pages re-render as their API calls
// return, and a click computed from coordinates may land on the old layout.
func press(t *testing.T, b *Browser, sel string) {
	t.Helper()
	waitFor(t, b, sel, `document.querySelector(`+jsString(sel)+`)`)
	eval[bool](t, b, `(document.querySelector(`+jsString(sel)+`).click(), true)`)
}

// waitSearch polls the public API until the search finds id.
func waitSearch(t *testing.T, p *apptest.Portal, q, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := p.Get(t, "/api/v1/datasets?q="+url.QueryEscape(q))
		if r.Status == 200 && strings.Contains(string(r.Body), `"id":"`+id+`"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("search for %q never found %s: %s", q, id, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
