package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// qualityCSV: Chinese headers; the credit code of row 4 (the header is
// row 1) has a wrong check character; the other cells are valid.
const qualityCSV = "统一社会信用代码,企业名称,成立日期,注册资本,联系电话\n" +
	"91230100MA1BW4X8AR,哈尔滨冰城科技有限公司,2020-01-02,100.5,0451-86661234\n" +
	"91230200MA1CQ7N5BG,齐齐哈尔鹤城商贸有限公司,2019-07-30,2000,13804511234\n" +
	"91230100MA1BW4X8A0,大庆油田服务有限公司,2021-03-04,,\n"

// TestQualityConsole: a provider creates an entry without data items,
// proposes them from a CSV with a bad credit code, confirms (the items
// are saved and the same file uploaded) and sees the file's data check
// name the bad code with its row, in Chinese and English, with a warning
// near the submit button that does not stop the submission; the
// authority sees the same check when reviewing. The console home lists
// what to fix first and the statistics page the departments' quality.
// axe on each of them in zh and en.
func TestQualityConsole(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := newAccountsBrowser(t)
	title := "浏览器质量测试企业名录"
	const zhSentence = "1 行的统一社会信用代码无效（第 4 行）"
	const enSentence = "1 row has an invalid credit code (row 4)"
	invalidCell := `[data-testid=pub-profile][data-state=ready] [data-testid=pub-profile-col][data-column=tyshxydm] [data-testid=pub-profile-invalid]`

	actAs(t, b, p, "provider", "/console/datasets/new?lang=zh")
	waitFor(t, b, "topics", `document.querySelector('#f-topic option[value=credit]')`)
	setValue(t, b, `#f-title`, title)
	setValue(t, b, `#f-description`, "全省企业的名称、统一社会信用代码和注册资本（浏览器质量测试）。")
	chooseOption(t, b, `#f-topic`, "credit")
	setValue(t, b, `#f-classification`, "基础数据")
	// The form's first data item row stays blank: no data items yet.
	press(t, b, `[data-testid=pub-save]`)
	waitFor(t, b, "the created draft", `location.pathname.startsWith('/console/datasets/ds-') && document.querySelector('[data-testid=pub-no-items]')`)
	id := strings.TrimPrefix(eval[string](t, b, `location.pathname`), "/console/datasets/")
	if n := eval[int](t, b, `document.querySelectorAll('#f-file').length`); n != 0 {
		t.Errorf("an upload form for an entry without data items")
	}
	check(t, b, "quality-propose-zh")

	csvPath := filepath.Join(t.TempDir(), "企业名录.csv")
	if err := os.WriteFile(csvPath, []byte(qualityCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(t, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#f-propose-file`), []string{csvPath}))
	press(t, b, `[data-testid=pub-propose]`)
	waitFor(t, b, "the proposal", `document.querySelectorAll('[data-testid=pub-proposed-row]').length === 5`)
	proposal := eval[string](t, b, `JSON.stringify([...document.querySelectorAll('[data-testid=pub-proposed-row]')].map((r, i) => ['name', 'label', 'type', 'domain'].map(k => document.querySelector('#pi-' + i + '-' + k).value).concat(document.querySelector('#pi-' + i + '-required').checked)))`)
	var rows [][]any
	if err := json.Unmarshal([]byte(proposal), &rows); err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"tyshxydm", "统一社会信用代码", "string", "credit_code", true},
		{"qymc", "企业名称", "string", "", true},
		{"clrq", "成立日期", "date", "", true},
		{"zczb", "注册资本", "number", "", false},
		{"lxdh", "联系电话", "string", "phone", false},
	}
	if got, _ := json.Marshal(rows); string(got) != mustJSON(t, want) {
		t.Fatalf("proposal in the form: %s", got)
	}
	if s := textOf(t, b, `[data-testid=pub-proposal-read]`); !strings.Contains(s, "3 行") || !strings.Contains(s, "5 列") {
		t.Errorf("what was read: %q", s)
	}
	check(t, b, "quality-proposal-zh")
	setValue(t, b, `#pi-1-description`, "企业登记的名称")
	press(t, b, `[data-testid=pub-propose-confirm]`)
	waitFor(t, b, "the uploaded file", `document.querySelectorAll('[data-testid=pub-resource-row]').length === 1 && document.querySelector('[data-testid=pub-notice]')`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=pub-item-row]').length`); n != 5 {
		t.Errorf("the form shows %d data items, want the 5 saved", n)
	}

	// The worker profiles the file; the page asks until it is ready.
	waitLong(t, b, "the data check", `document.querySelector(`+jsString(invalidCell)+`)`)
	if s := textOf(t, b, invalidCell); s != zhSentence {
		t.Errorf("zh sentence %q, want %q", s, zhSentence)
	}
	if s := textOf(t, b, `[data-testid=pub-submit-warnings]`); !strings.Contains(s, zhSentence) {
		t.Errorf("zh warning near submit: %q", s)
	}
	check(t, b, "quality-profile-zh")

	b.Do(t, "English", chromedp.Navigate(p.URL+"/console/datasets/"+id+"?lang=en"))
	waitLong(t, b, "the data check in English", `document.querySelector(`+jsString(invalidCell)+`)`)
	waitFor(t, b, "the English sentence", `document.documentElement.lang === 'en' && document.querySelector(`+jsString(invalidCell)+`).textContent === `+jsString(enSentence))
	if s := textOf(t, b, `[data-testid=pub-submit-warnings]`); !strings.Contains(s, enSentence) {
		t.Errorf("en warning near submit: %q", s)
	}
	check(t, b, "quality-profile-en")
	// A warning, not a blocker.
	press(t, b, `[data-testid=pub-submit]`)
	waitFor(t, b, "under review", `document.querySelector('[data-testid=pub-status]').dataset.status === 'submitted'`)

	// The authority sees the same check.
	actAs(t, b, p, "authority", "/review/datasets/"+id+"?lang=zh")
	waitLong(t, b, "the data check for the reviewer", `document.querySelector(`+jsString(invalidCell)+`)`)
	if s := textOf(t, b, invalidCell); s != zhSentence {
		t.Errorf("reviewer zh sentence %q", s)
	}
	check(t, b, "quality-review-zh")
	b.Do(t, "English", chromedp.Navigate(p.URL+"/review/datasets/"+id+"?lang=en"))
	waitLong(t, b, "the reviewer's English check", `document.querySelector(`+jsString(invalidCell)+`)`)
	waitFor(t, b, "the English sentence", `document.querySelector(`+jsString(invalidCell)+`).textContent === `+jsString(enSentence))
	check(t, b, "quality-review-en")

	// What to fix first: the department's public entries, once scored
	// (the sweep scores them at start).
	provider := p.SignInAs(t, "provider")
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := p.Do(t, "GET", "/api/v1/manage/quality/fix-first", nil, provider.Header())
		if r.Status == 200 && strings.Contains(string(r.Body), `"dataset_id"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fix-first never listed anything: %d %s", r.Status, r.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	actAs(t, b, p, "provider", "/console?lang=zh")
	waitFor(t, b, "what to fix first", `document.querySelector('[data-testid=pub-fix-item] a') && document.querySelector('[data-testid=pub-list]')`)
	href := eval[string](t, b, `document.querySelector('[data-testid=pub-fix-item] a').getAttribute('href')`)
	if !strings.HasPrefix(href, "/console/datasets/ds-") {
		t.Errorf("fix-first link %q", href)
	}
	if s := textOf(t, b, `[data-testid=pub-fix-item] [data-testid=pub-fix-gain]`); !strings.HasPrefix(s, "修正后 +") {
		t.Errorf("gain %q", s)
	}
	check(t, b, "quality-fix-first-zh")
	b.Do(t, "English", chromedp.Navigate(p.URL+"/console?lang=en"))
	waitFor(t, b, "what to fix first in English", `document.querySelector('#pub-fix-heading').textContent === 'What to fix first' && document.querySelector('[data-testid=pub-fix-gain]') && document.querySelector('[data-testid=pub-fix-gain]').textContent.endsWith('points when fixed')`)
	check(t, b, "quality-fix-first-en")

	// Department averages on the statistics page.
	b.Do(t, "statistics", chromedp.Navigate(p.URL+"/stats?lang=zh"))
	waitFor(t, b, "the quality table", `document.querySelector('[data-testid=st-quality-table] [data-testid=st-q-row]')`)
	avgs := eval[string](t, b, `JSON.stringify([...document.querySelectorAll('[data-testid=st-q-row] td:nth-of-type(2)')].map(td => td.textContent))`)
	var list []string
	if err := json.Unmarshal([]byte(avgs), &list); err != nil || len(list) == 0 {
		t.Fatalf("averages: %s", avgs)
	}
	for _, a := range list {
		if !strings.Contains(a, ".") {
			t.Errorf("average %q is not shown with one decimal", a)
		}
	}
	check(t, b, "quality-stats-zh")
	b.Do(t, "English", chromedp.Navigate(p.URL+"/stats?lang=en"))
	waitFor(t, b, "the English quality table", `document.querySelector('#st-quality-h').textContent === 'Data quality by department' && document.querySelector('[data-testid=st-q-row]')`)
	check(t, b, "quality-stats-en")
}

// waitLong waits up to 2 minutes (the page's own polling limit): the
// profile is made by the outbox worker.
func waitLong(t testing.TB, b *Browser, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
