package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// TestDevelopersPage opens /developers under the real CSP: every section is
// there, the curl examples carry this site's address and a real resource of
// the catalog, the visitor's live rate limit is shown, links lead to the
// token page and the API docs; axe on Chinese, English and a phone screen.
// Then a dataset page announces its DCAT files as <link rel="alternate">.
func TestDevelopersPage(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}

	b.Do(t, "open the developers page", chromedp.Navigate(p.URL+"/developers"))
	waitFor(t, b, "code samples", `document.querySelectorAll('[data-testid=code-sample]').length >= 10`)
	if h1 := eval[string](t, b, `document.querySelector('h1').textContent`); h1 != "开发者中心" {
		t.Errorf("h1 %q", h1)
	}
	if cur := eval[string](t, b, `(document.querySelector('header [aria-current=page]') || {}).textContent || ''`); cur != "开发者" {
		t.Errorf("header navigation marks %q as the current page", cur)
	}
	for _, id := range []string{"token", "apps", "limits", "downloads", "ranges", "rows", "ckan", "dcat", "openapi"} {
		if n := eval[int](t, b, `document.querySelectorAll('[data-testid=dev-`+id+`] h2').length`); n != 1 {
			t.Errorf("section %s: %d headings", id, n)
		}
	}
	code := eval[string](t, b, `[...document.querySelectorAll('[data-testid=code-sample] pre')].map(e => e.textContent).join('\n')`)
	var res catalog.Resource
	p.DB.Joins("JOIN datasets ON datasets.id = resources.dataset_id").
		Where("datasets.open_type = ? AND datasets.status = ? AND resources.format = ?", catalog.Unconditional, catalog.StatusPublished, "CSV").
		Order("datasets.downloads DESC").First(&res)
	sampleID := eval[string](t, b, `document.querySelector('[data-testid=sample-note]').textContent`)
	for _, want := range []string{
		`curl -H "Authorization: Bearer $TOKEN" ` + p.URL + `/api/v1/me`,
		p.URL + "/api/v1/resources/",
		"/download?format=json",
		"format=xlsx", "json=ndjson", "bom=true",
		"If-None-Match: \"", "If-Range: \"", "curl -C -",
		"/rows", "filters=", "next_cursor",
		p.URL + "/api/3/action/package_search", "ckanapi", "RemoteCKAN",
		p.URL + "/catalog.ttl", p.URL + "/dataset/", p.URL + "/api/docs/swagger.json",
		`"grant_id"`,
	} {
		if !strings.Contains(code, want) {
			t.Errorf("code samples lack %q", want)
		}
	}
	if res.ID != "" && !strings.Contains(code, res.ID) || !strings.Contains(sampleID, "res-") {
		t.Errorf("samples do not use a real resource (note %q)", sampleID)
	}
	// The live limit comes from the headers of a limited call.
	if live := eval[string](t, b, `(document.querySelector('[data-testid=live-limit]') || {}).textContent || ''`); !strings.Contains(live, "每分钟") {
		t.Errorf("live limit %q", live)
	}
	for _, href := range []string{"/account/tokens", "/account/apps", "/account/grants", "/api/docs"} {
		if n := eval[int](t, b, `document.querySelectorAll('main a[href="`+href+`"]').length`); n != 1 {
			t.Errorf("%d links to %s", n, href)
		}
	}
	// The table of contents reaches each section.
	if n := eval[int](t, b, `[...document.querySelectorAll('.dev-toc a')].filter(a => document.getElementById(a.hash.slice(1))).length`); n != 9 {
		t.Errorf("table of contents: %d working links", n)
	}
	if v := eval[[]string](t, b, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	b.CheckAccessibility(t, "developers")
	b.Screenshot(t, "developers")

	b.Do(t, "switch to English", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "English", `document.documentElement.lang === 'en' && document.querySelector('h1').textContent === 'Developers' && document.querySelector('#token-h').textContent === 'Getting an API token'`)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=code-sample]').length`); n < 10 {
		t.Errorf("English page has %d code samples", n)
	}
	b.CheckAccessibility(t, "developers-en")
	b.Do(t, "back to Chinese", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "Chinese", `document.documentElement.lang === 'zh-CN'`)

	phone := NewBrowser(t, 375, 740)
	phone.Do(t, "open on a phone", chromedp.Navigate(p.URL+"/developers#rows"))
	waitFor(t, phone, "code samples", `document.querySelectorAll('[data-testid=code-sample]').length >= 10`)
	if over := eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
		t.Error("the page scrolls sideways on a phone")
	}
	phone.CheckAccessibility(t, "developers-phone")
	phone.Screenshot(t, "developers-phone")

	// A dataset page names its DCAT-AP files as alternates.
	b.Do(t, "open a dataset", chromedp.Navigate(p.URL+"/datasets/"+res.DatasetID))
	waitFor(t, b, "alternate links", `document.querySelectorAll('link[rel=alternate][type]').length === 3`)
	alts := eval[string](t, b, `[...document.querySelectorAll('link[rel=alternate][type]')].map(l => l.type + ' ' + l.getAttribute('href')).join('|')`)
	for _, ext := range []string{"application/ld+json /dataset/" + res.DatasetID + ".jsonld", "text/turtle /dataset/" + res.DatasetID + ".ttl", "application/rdf+xml /dataset/" + res.DatasetID + ".rdf"} {
		if !strings.Contains(alts, ext) {
			t.Errorf("alternates %q lack %q", alts, ext)
		}
	}
}
