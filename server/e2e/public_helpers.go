package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/frontend"
)

// Tab opens another tab of the same browser: each tab keeps its own
// emulation (scripts off, viewport, network profile), so one Chromium
// serves tests that need different ones.
func (b *Browser) Tab(t testing.TB) *Browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.Ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &Browser{Ctx: ctx, Screenshots: b.Screenshots}
}

// call sends one DevTools command to the tab.
func call[P, R any](t testing.TB, b *Browser, cmd cdp.Command[P, R], params P) R {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, time.Minute)
	defer cancel()
	r, err := chromedp.Call(ctx, cmd, params)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Method, err)
	}
	return r
}

// DisableScripts turns the tab's JavaScript off, as a reader with scripts
// disabled (or a crawler that runs none) sees the pages. DevTools
// evaluations still run, so the test can read the DOM.
func (b *Browser) DisableScripts(t testing.TB) {
	t.Helper()
	call(t, b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
}

// ClearCookies forgets the lang cookie (and any session) of the browser.
func (b *Browser) ClearCookies(t testing.TB) {
	t.Helper()
	call(t, b, network.ClearBrowserCookies, cdp.Empty{})
}

// OnNewDocument runs source in every document the tab opens from now on,
// before the page's own scripts.
func (b *Browser) OnNewDocument(t testing.TB, source string) {
	t.Helper()
	call(t, b, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: source})
}

// NavigateStatus opens url and returns the HTTP status of the document.
func (b *Browser) NavigateStatus(t testing.TB, url string) int {
	t.Helper()
	resp := Value(t, b, "open "+url, chromedp.NavigateResponse(url))
	if resp == nil {
		t.Fatalf("open %s: no response", url)
	}
	return int(resp.Status)
}

// quietScript counts the page's fetches in flight and notes the time of
// the last DOM change, so a test can wait until a page's scripts are done
// enhancing it (see Settle).
const quietScript = `(() => {
  let inflight = 0, last = performance.now();
  const touch = () => { last = performance.now(); };
  const f = window.fetch;
  window.fetch = function (...args) {
    inflight++; touch();
    return f.apply(this, args).finally(() => { inflight--; touch(); });
  };
  new MutationObserver(touch).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__quietFor = () => inflight > 0 ? 0 : performance.now() - last;
})();`

// TrackQuiet installs quietScript in the tab (JavaScript on).
func (b *Browser) TrackQuiet(t testing.TB) {
	t.Helper()
	b.OnNewDocument(t, quietScript)
}

// Settle polls until the page has loaded, no fetch is in flight and the
// DOM has not changed for 300 ms, at most 10 s; a page that never goes
// quiet (an animation) is used as it is then.
func (b *Browser) Settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		quiet, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && typeof window.__quietFor === 'function' && window.__quietFor() >= 300`))
		if err == nil && quiet {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("page did not go quiet within 10 s (%v); going on", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Messages reads the zh/en message catalogs the pages use: the named
// domain catalogs first, then site and the shared one.
type Messages map[string]map[string]string // lang → key → text

// LoadMessages loads static/i18n/{name}.{lang}.json for each name, then
// site and the shared catalog, for zh and en.
func LoadMessages(t testing.TB, names ...string) Messages {
	t.Helper()
	m := Messages{}
	for _, lang := range []string{"zh", "en"} {
		m[lang] = map[string]string{}
		files := []string{lang}
		files = append(files, "site."+lang)
		for _, n := range names {
			files = append(files, n+"."+lang)
		}
		// Later files win, as in the renderer: domain catalogs over site over shared.
		for _, f := range files {
			body := frontend.Asset("/static/i18n/" + f + ".json")
			if body == nil {
				t.Fatalf("no message catalog %s", f)
			}
			var kv map[string]string
			if err := json.Unmarshal(body, &kv); err != nil {
				t.Fatalf("catalog %s: %v", f, err)
			}
			for k, v := range kv {
				m[lang][k] = v
			}
		}
	}
	return m
}

// T is the text of key in lang; a missing key fails the test.
func (m Messages) T(t testing.TB, lang, key string) string {
	t.Helper()
	s, ok := m[lang][key]
	if !ok {
		t.Fatalf("no message %s in %s", key, lang)
	}
	return s
}

// Artifacts is the folder test results go to: PORTAL_TEST_ARTIFACTS, else
// the screenshot folder.
func (b *Browser) Artifacts() string {
	if d := os.Getenv("PORTAL_TEST_ARTIFACTS"); d != "" {
		_ = os.MkdirAll(d, 0o755)
		return d
	}
	return b.Screenshots
}

// AppendResult appends one line to the results file name in Artifacts.
func (b *Browser) AppendResult(t testing.TB, name, line string) {
	t.Helper()
	path := filepath.Join(b.Artifacts(), name)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, strings.TrimRight(line, "\n")); err != nil {
		t.Fatal(err)
	}
}

// Network profile of DevTools' "Fast 3G" preset.
const (
	fast3GLatencyMS = 562.5
	fast3GDownload  = 180000 // bytes/s
	fast3GUpload    = 84375  // bytes/s
)

// Throttle puts the tab on the Fast 3G profile with the HTTP cache off,
// and slows its CPU by cpu (1: not slowed).
func (b *Browser) Throttle(t testing.TB, cpu float64) {
	t.Helper()
	call(t, b, network.Enable, network.EnableParams{})
	call(t, b, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
	call(t, b, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{
			Latency: fast3GLatencyMS, DownloadThroughput: fast3GDownload, UploadThroughput: fast3GUpload,
			ConnectionType: network.ConnectionTypeCellular3g,
		}},
	})
	call(t, b, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: cpu})
}

// lcpScript records the page's Largest Contentful Paint candidates as
// they come: the last one is the LCP.
const lcpScript = `(() => {
  window.__lcp = {ms: 0, n: 0, el: '', size: 0, url: ''};
  const describe = (el) => {
    if (!el) return '(none)';
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    const tid = el.getAttribute && el.getAttribute('data-testid');
    if (tid) s += '[data-testid=' + tid + ']';
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return text ? s + ' "' + text + '"' : s;
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__lcp = {ms: e.startTime, n: window.__lcp.n + 1, el: describe(e.element), size: e.size, url: e.url || ''};
      }
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (err) {
    window.__lcp.el = 'no observer: ' + err;
  }
})();`

// LCP is one Largest Contentful Paint measurement.
type LCP struct {
	MS      float64 `json:"ms"`
	N       int     `json:"n"`    // candidates seen
	Element string  `json:"el"`   // tag#id.class "text"
	Size    float64 `json:"size"` // px²
	URL     string  `json:"url"`  // an image's URL
	// What the page loaded, to explain a slow LCP.
	FCP       float64 `json:"fcp"`
	TTFB      float64 `json:"ttfb"`
	DocBytes  int     `json:"docBytes"`
	CSSBytes  int     `json:"cssBytes"`
	CSSFiles  int     `json:"cssFiles"`
	JSBytes   int     `json:"jsBytes"`
	JSFiles   int     `json:"jsFiles"`
	Fetches   int     `json:"fetches"`
	FontFiles int     `json:"fontFiles"`
	Load      float64 `json:"load"`
	// Timeline: each resource, "path start-end" in ms; render-blocking
	// ones marked.
	Timeline []string `json:"timeline"`
}

// lcpReport reads window.__lcp and what the page loaded.
const lcpReport = `(() => {
  const r = Object.assign({}, window.__lcp);
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  r.fcp = fcp ? fcp.startTime : 0;
  const nav = performance.getEntriesByType('navigation')[0];
  r.ttfb = nav ? nav.responseStart : 0;
  r.load = nav ? nav.loadEventEnd : 0;
  r.docBytes = nav ? nav.encodedBodySize : 0;
  r.cssBytes = 0; r.cssFiles = 0; r.jsBytes = 0; r.jsFiles = 0; r.fetches = 0; r.fontFiles = 0;
  r.timeline = [];
  for (const e of performance.getEntriesByType('resource')) {
    const path = new URL(e.name).pathname;
    r.timeline.push(path.replace(/^\/static\//, '') + (e.renderBlockingStatus === 'blocking' ? '(blocking)' : '') + ' ' + Math.round(e.startTime) + '-' + Math.round(e.responseEnd));
    if (path.endsWith('.css')) { r.cssFiles++; r.cssBytes += e.encodedBodySize; }
    else if (path.endsWith('.js')) { r.jsFiles++; r.jsBytes += e.encodedBodySize; }
    else if (/\.(woff2?|ttf|otf)$/.test(path)) { r.fontFiles++; }
    else if (e.initiatorType === 'fetch') { r.fetches++; }
  }
  return JSON.stringify(r);
})()`

// InstallLCP makes every page the tab opens record its LCP.
func (b *Browser) InstallLCP(t testing.TB) {
	t.Helper()
	b.OnNewDocument(t, lcpScript)
}

// MeasureLCP opens url and returns its Largest Contentful Paint: after
// the load event it polls until the value has not changed for a second,
// at most 15 s.
func (b *Browser) MeasureLCP(t testing.TB, url string) LCP {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	var cur LCP
	read := func() {
		raw, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](lcpReport))
		if err != nil {
			t.Fatalf("read LCP: %v", err)
		}
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			t.Fatalf("LCP report %s: %v", raw, err)
		}
	}
	read()
	deadline := time.Now().Add(15 * time.Second)
	last, since := cur.MS, time.Now()
	for time.Now().Before(deadline) && time.Since(since) < time.Second {
		time.Sleep(100 * time.Millisecond)
		read()
		if cur.MS != last {
			last, since = cur.MS, time.Now()
		}
	}
	return cur
}
