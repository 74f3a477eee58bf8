package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// keptScript notes every removal of the server-rendered parts of the
// dataset page: the page script must enhance them, not draw them again.
const keptScript = `(() => {
  window.__redrawn = [];
  const parts = '#page-title, [data-testid=dataset-description], [data-testid=dataset-meta], [data-testid=resource-row], #data-items';
  new MutationObserver((list) => {
    for (const m of list) for (const n of m.removedNodes) {
      if (n.nodeType === 1 && (n.matches(parts) || n.querySelector(parts))) window.__redrawn.push(n.id || n.dataset.testid || n.tagName);
    }
  }).observe(document, {subtree: true, childList: true});
})();`

// TestDatasetPageWithoutJavaScript: a phone with JavaScript off gets the
// whole dataset page (title, metadata, data items, resource cards with
// their download or apply button on screen) in both languages; with
// JavaScript on, the script keeps that content and adds the panels.
func TestDatasetPageWithoutJavaScript(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	ctx := context.Background()
	load := func(id string) *catalog.Dataset {
		d, err := p.Catalog.Store.Dataset(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var openID, condID string
	p.DB.Model(&catalog.Dataset{}).Where("department_id = ? AND open_type = ?", "hlj-scjgj", catalog.Unconditional).Order("id").Limit(1).Pluck("id", &openID)
	p.DB.Model(&catalog.Dataset{}).Where("department_id = ? AND open_type = ?", "hlj-scjgj", catalog.Conditional).Order("id").Limit(1).Pluck("id", &condID)
	open, cond := load(openID), load(condID)
	b := NewBrowser(t, 1280, 900)

	off := b.Tab(t)
	off.DisableScripts(t)
	off.Do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(1)))
	for _, d := range []*catalog.Dataset{open, cond} {
		for _, lang := range []string{"zh", "en"} {
			name := d.ID + "-" + lang
			if st := off.NavigateStatus(t, p.URL+"/datasets/"+d.ID+"?lang="+lang); st != http.StatusOK {
				t.Fatalf("%s: status %d", name, st)
			}
			if eval[bool](t, off, `document.documentElement.classList.contains('js')`) {
				t.Fatal("scripts ran")
			}
			if h1 := eval[string](t, off, `document.querySelector('h1').textContent`); h1 != d.Title {
				t.Errorf("%s: h1 %q, want %q", name, h1, d.Title)
			}
			if title := eval[string](t, off, `document.title`); !strings.HasPrefix(title, d.Title) {
				t.Errorf("%s: <title> %q", name, title)
			}
			if want := map[string]string{"zh": "zh-CN", "en": "en"}[lang]; eval[string](t, off, `document.documentElement.lang`) != want {
				t.Errorf("%s: <html lang> is not %s", name, want)
			}
			meta := eval[string](t, off, `document.querySelector('[data-testid=dataset-meta]').textContent`)
			for _, want := range []string{d.Department.Name, d.ResourceCode, d.ID} {
				if !strings.Contains(meta, want) {
					t.Errorf("%s: metadata lacks %q", name, want)
				}
			}
			if n := eval[int](t, off, `document.querySelectorAll('[data-testid=data-items] tbody tr').length`); n != len(d.DataItems) {
				t.Errorf("%s: %d data item rows, %d items", name, n, len(d.DataItems))
			}
			if n := eval[int](t, off, `document.querySelectorAll('[data-testid=resource-row]').length`); n != len(d.Resources) || n == 0 {
				t.Errorf("%s: %d resource cards, %d resources", name, n, len(d.Resources))
			}
			action := `[data-testid=download-link]`
			if d.OpenType == catalog.Conditional {
				action = `[data-testid=apply-link]`
				if eval[bool](t, off, `!!document.querySelector('main a[href*="/download"]')`) {
					t.Errorf("%s: a download link on conditional data", name)
				}
			}
			// Every card's main action is on screen: nothing scrolls sideways.
			if bad := eval[string](t, off, `[...document.querySelectorAll('[data-testid=resource-row]')].map(c => {
			  const a = c.querySelector('`+action+`');
			  if (!a) return 'no action in ' + c.dataset.id;
			  const r = a.getBoundingClientRect();
			  return r.width > 0 && r.left >= 0 && r.right <= innerWidth ? '' : c.dataset.id + ' action at ' + Math.round(r.left) + '–' + Math.round(r.right);
			}).filter(Boolean).join('; ')`); bad != "" {
				t.Errorf("%s: %s", name, bad)
			}
			if w := eval[int](t, off, `document.documentElement.scrollWidth`); w > 391 {
				t.Errorf("%s: the page is %d px wide on a 390 px phone", name, w)
			}
			// The panels that need the script say so.
			if !eval[bool](t, off, `[...document.querySelectorAll('.nojs-note')].some(n => n.offsetParent !== null)`) {
				t.Errorf("%s: no visible note about the parts that need JavaScript", name)
			}
			if n := eval[int](t, off, `document.querySelectorAll('script[type="application/ld+json"]').length`); n != 1 {
				t.Errorf("%s: %d JSON-LD blocks", name, n)
			}
			off.Screenshot(t, "dataset-nojs-"+name)
		}
	}

	// JavaScript on: the same nodes stay; the script fills the live parts
	// and mounts the panels.
	on := b.Tab(t)
	on.OnNewDocument(t, keptScript)
	on.Do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(1)))
	for _, lang := range []string{"zh", "en"} {
		on.Do(t, "open the dataset", chromedp.Navigate(p.URL+"/datasets/"+open.ID+"?lang="+lang))
		waitFor(t, on, "the preview panels", `document.querySelectorAll('#explore-panels [data-testid=resource-panel]').length === `+strconv.Itoa(len(open.Resources)))
		waitFor(t, on, "the corrections history", `document.querySelector('[data-testid=corrections-history]').textContent.length > 0`)
		waitFor(t, on, "the copy buttons", `[...document.querySelectorAll('#resources .copy-button')].every(b => !b.hidden)`)
		waitFor(t, on, "the quality report", `!!document.querySelector('[data-testid=quality-score]')`)
		if !eval[bool](t, on, `Array.isArray(window.__redrawn)`) {
			t.Fatal("the redraw watch did not run")
		}
		if redrawn := eval[[]string](t, on, `window.__redrawn`); len(redrawn) > 0 {
			t.Errorf("%s: the script drew the server's content again: %v", lang, redrawn)
		}
		if h1 := eval[string](t, on, `document.querySelector('h1').textContent`); h1 != open.Title {
			t.Errorf("%s: h1 %q after the script", lang, h1)
		}
		if w := eval[int](t, on, `document.documentElement.scrollWidth`); w > 391 {
			t.Errorf("%s: the page is %d px wide with the panels", lang, w)
		}
		on.CheckAccessibility(t, "dataset page with JavaScript ("+lang+", phone)")
		on.Screenshot(t, "dataset-js-"+lang)
	}
}
