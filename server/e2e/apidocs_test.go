package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestAPIDocs opens Swagger UI at /api/docs under the portal's real CSP,
// sees every operation listed, and runs one with "Try it out".
func TestAPIDocs(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	// Record CSP violations from the first script on (a CDP script is not
	// subject to the page's CSP).
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}

	b.Do(t, "open the API docs", chromedp.Navigate(p.URL+"/api/docs"))
	waitFor(t, b, "operations", `document.querySelectorAll('.opblock').length >= 10`)
	if title := eval[string](t, b, `document.querySelector('.info .title').textContent`); !strings.Contains(title, "公共数据开放平台") {
		t.Errorf("spec title %q", title)
	}
	paths := eval[string](t, b, `[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent.trim()).join(' ')`)
	for _, want := range []string{"/datasets", "/datasets/{id}", "/resources/{id}/download", "/auth/login"} {
		if !strings.Contains(" "+paths+" ", " "+want+" ") {
			t.Errorf("operation %s not listed in %q", want, paths)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('.auth-wrapper .authorize').length`); n != 1 {
		t.Errorf("no Authorize button for the security schemes (%d)", n)
	}

	b.Do(t, "expand GET /site", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.opblock-summary-path')].find(e => e.textContent.trim() === '/site').closest('.opblock-summary').querySelector('button').click()`))
	waitFor(t, b, "try it out button", `document.querySelector('.try-out__btn')`)
	b.Do(t, "try it out", chromedp.Click(chromedp.CSS(`.try-out__btn`)))
	waitFor(t, b, "execute button", `document.querySelector('.execute')`)
	b.Do(t, "execute", chromedp.Click(chromedp.CSS(`.execute`)))
	waitFor(t, b, "a 200 answer", `[...document.querySelectorAll('.live-responses-table .response-col_status')].some(e => e.textContent.trim() === '200')`)
	if body := eval[string](t, b, `document.querySelector('.live-responses-table .microlight, .live-responses-table pre').textContent`); !strings.Contains(body, "黑龙江省公共数据开放平台") {
		t.Errorf("try-it-out answer %q", body)
	}

	if v := eval[string](t, b, `(window.__csp || ['no listener']).join('\n')`); v != "" {
		t.Errorf("CSP violations on /api/docs:\n%s", v)
	}
	// axe, less one rule: Swagger UI nests its copy and expand buttons in
	// the clickable operation header (upstream markup, not ours).
	Value(t, b, "inject axe", chromedp.Evaluate[bool](axeSource+";true"))
	raw := Value(t, b, "run axe", chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations'], rules: {'nested-interactive': {enabled: false}}}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))`, chromedp.EvalAwaitPromise))
	if raw != "[]" {
		t.Errorf("axe on /api/docs: serious or critical violations: %s", raw)
	}
	b.Screenshot(t, "api-docs")
}
