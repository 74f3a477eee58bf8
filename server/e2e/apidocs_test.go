package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// specOperations counts the operations of the API description the page
// loads (OpenAPI 3 when served, else the Swagger 2.0 fallback).
func specOperations(t *testing.T, p *apptest.Portal, url string) int {
	t.Helper()
	r := p.Get(t, url)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", url, r.Status)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &spec); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	n := 0
	for _, item := range spec.Paths {
		for m := range item {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				n++
			}
		}
	}
	return n
}

// TestAPIDocs opens the API reference at /api/docs under the portal's real
// CSP, sees every operation of the spec listed, runs GET /site with
// "Try it", and runs axe with every rule on, wide and at 375 px.
func TestAPIDocs(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	// The page is ours alone: its module (its style is inlined, as on
	// every page), no third-party UI.
	html := p.Get(t, "/api/docs")
	for _, want := range []string{"/static/js/apidocs.js", `data-spec-url="/api/docs/openapi.json"`} {
		if html.Status != http.StatusOK || !strings.Contains(string(html.Body), want) {
			t.Errorf("GET /api/docs (%d) lacks %s", html.Status, want)
		}
	}
	if strings.Contains(string(html.Body), "swagger-ui") {
		t.Error("/api/docs still loads Swagger UI")
	}
	for _, asset := range []string{"/static/js/apidocs.js", "/static/css/apidocs.css", "/static/i18n/apidocs.zh.json", "/static/i18n/apidocs.en.json"} {
		if r := p.Get(t, asset); r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("GET %s: %d", asset, r.Status)
		}
	}

	b := NewBrowser(t, 1280, 900)
	// Record CSP violations from the first script on (a CDP script is not
	// subject to the page's CSP).
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}

	// The record is per document: checked before each navigation.
	noCSP := func(where string) {
		t.Helper()
		if v := eval[string](t, b, `(window.__csp || ['no listener']).join('\n')`); v != "" {
			t.Errorf("CSP violations on %s:\n%s", where, v)
		}
	}

	b.Do(t, "open the API docs", chromedp.Navigate(p.URL+"/api/docs"))
	waitFor(t, b, "operations", `document.querySelectorAll('[data-testid=operation]').length >= 10`)
	loaded := eval[string](t, b, `document.getElementById('ad-body').dataset.specLoaded || ''`)
	// The page reads the OpenAPI 3 document whenever the server has it.
	if r := p.Get(t, "/api/docs/openapi.json"); r.Status == http.StatusOK && loaded != "/api/docs/openapi.json" {
		t.Errorf("page loaded %q, not the served OpenAPI 3 document", loaded)
	}
	want := specOperations(t, p, loaded)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=operation]').length`); n != want || n < 50 {
		t.Errorf("%d operations listed, the spec has %d", n, want)
	}
	// Every operation is a section named by its heading: method, path, summary.
	if n := eval[int](t, b, `[...document.querySelectorAll('[data-testid=operation]')].filter(s => { const h = document.getElementById(s.getAttribute('aria-labelledby')); return !h || h.tagName !== 'H3' || !h.textContent.includes(s.dataset.path); }).length`); n != 0 {
		t.Errorf("%d operations without a heading naming their path", n)
	}
	paths := eval[string](t, b, `[...document.querySelectorAll('[data-testid=operation]')].map(s => s.dataset.method + ' ' + s.dataset.path).join('\n')`)
	has := func(method, suffix string) bool {
		for _, l := range strings.Split(paths, "\n") {
			m, path, _ := strings.Cut(l, " ")
			if m == method && (path == suffix || strings.HasSuffix(path, suffix)) {
				return true
			}
		}
		return false
	}
	for _, w := range [][2]string{{"get", "/datasets"}, {"get", "/datasets/{id}"}, {"get", "/resources/{id}/download"}, {"post", "/auth/login"}, {"get", "/site"}} {
		if !has(w[0], w[1]) {
			t.Errorf("operation %s %s not listed", w[0], w[1])
		}
	}
	if strings.HasSuffix(loaded, "openapi.json") && !has("get", "/api/3/action/package_search") {
		t.Errorf("CKAN action package_search not listed in:\n%s", paths)
	}
	// Security shown per operation: /site is public, /auth/me is not.
	if s := eval[string](t, b, `document.querySelector('[data-testid=operation][data-method=get][data-path$="/site"] .ad-security').className`); !strings.Contains(s, "ad-public") {
		t.Errorf("GET /site security %q, want public", s)
	}
	if n := eval[int](t, b, `document.querySelectorAll('.ad-security.ad-auth').length`); n < 10 {
		t.Errorf("only %d operations marked as needing authentication", n)
	}
	// No interactive element inside another (what Swagger UI got wrong).
	if n := eval[int](t, b, `[...document.querySelectorAll('#ad-body a, #ad-body button, #ad-body summary, #ad-body input, #ad-body select')].filter(e => e.parentElement.closest('a, button, summary, label')).length`); n != 0 {
		t.Errorf("%d interactive elements nested in another", n)
	}

	// Try it: GET /site answers 200 with the portal's name.
	site := `document.querySelector('[data-testid=operation][data-method=get][data-path$="/site"]')`
	b.Do(t, "open Try it of GET /site", chromedp.Evaluate[chromedp.Void](site+`.querySelector('.ad-try > summary').click()`))
	b.Do(t, "execute", chromedp.Evaluate[chromedp.Void](site+`.querySelector('.ad-execute').click()`))
	waitFor(t, b, "a 200 answer", site+`.querySelector('[data-testid=try-status]').dataset.status === '200'`)
	if body := eval[string](t, b, site+`.querySelector('[data-testid=try-body]').textContent`); !strings.Contains(body, "黑龙江省公共数据开放平台") {
		t.Errorf("Try it answer %q", body)
	}
	// A required path parameter left empty is refused on the page, and
	// nothing is sent.
	ds := `document.querySelector('[data-testid=operation][data-method=get][data-path$="/datasets/{id}"]')`
	b.Do(t, "execute GET /datasets/{id} without id", chromedp.Evaluate[chromedp.Void](ds+`.querySelector('.ad-try > summary').click(); `+ds+`.querySelector('.ad-execute').click()`))
	if s := eval[string](t, b, ds+`.querySelector('[data-testid=try-status]').textContent + '|' + (`+ds+`.querySelector('[data-testid=try-status]').dataset.status || '')`); !strings.Contains(s, "id") || !strings.HasSuffix(s, "|") {
		t.Errorf("empty required id: status %q", s)
	}

	b.Screenshot(t, "api-docs")

	// Filter narrows the list.
	typeInto(t, b, "#ad-filter", "/site")
	if n := eval[int](t, b, `[...document.querySelectorAll('[data-testid=operation]')].filter(s => !s.hidden && !s.closest('[hidden]')).length`); n < 1 || n >= want {
		t.Errorf("filter /site shows %d of %d", n, want)
	}
	setValue(t, b, "#ad-filter", "")

	// axe with every rule on, with all details and Try it forms and the
	// first schema open, so their tables and fields are checked too.
	b.Do(t, "open every section", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.ad-details, .ad-try').forEach(d => d.open = true)`))
	waitFor(t, b, "a schema", `document.querySelector('.ad-schema')`)
	b.Do(t, "open a schema", chromedp.Evaluate[chromedp.Void](`document.querySelector('.ad-schema').open = true`))
	waitFor(t, b, "a drawn schema", `document.querySelector('.ad-schema-body')`)
	b.CheckAccessibility(t, "/api/docs")

	noCSP("/api/docs")
	b.Do(t, "phone width", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateScale(1)), chromedp.Reload())
	waitFor(t, b, "operations at 375 px", `document.querySelectorAll('[data-testid=operation]').length >= 10`)
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("page %d px wide at 375 px", w)
	}
	b.CheckAccessibility(t, "/api/docs at 375 px")
	b.Screenshot(t, "api-docs-phone")

	// The page chrome follows the language; the spec text stays as written.
	noCSP("/api/docs at 375 px")
	b.Do(t, "English", chromedp.Navigate(p.URL+"/api/docs?lang=en"))
	waitFor(t, b, "operations in English", `document.querySelectorAll('[data-testid=operation]').length >= 10`)
	if s := eval[string](t, b, `document.querySelector('h1').textContent + '|' + document.querySelector('[data-testid=op-count]').textContent + '|' + document.querySelector('.ad-try > summary').textContent`); !strings.HasPrefix(s, "API reference|") || !strings.Contains(s, " operations|Try it") {
		t.Errorf("English page chrome %q", s)
	}

	noCSP("/api/docs?lang=en")
}
