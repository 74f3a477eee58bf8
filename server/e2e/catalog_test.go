package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// waitFor polls a JavaScript condition (the page renders after its API
// calls return) for up to 15 seconds.
func waitFor(t testing.TB, b *Browser, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func eval[T any](t testing.TB, b *Browser, js string) T {
	t.Helper()
	return Value(t, b, js, chromedp.Evaluate[T](js))
}

// TestBrowseCatalog: open home, go to the catalog, filter by a topic, open
// a dataset and see its data items — in a real Chromium on the real pages.
func TestBrowseCatalog(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)

	b.Do(t, "open home", chromedp.Navigate(p.URL+"/"))
	waitFor(t, b, "home topics", `document.querySelectorAll('[data-testid=home-topics] a').length > 0`)
	if title := eval[string](t, b, "document.title"); !strings.Contains(title, "数据开放") {
		t.Errorf("home <title> = %q", title)
	}
	if h1 := eval[int](t, b, "document.querySelectorAll('h1').length"); h1 != 1 {
		t.Errorf("home has %d h1", h1)
	}
	if footer := eval[string](t, b, "document.querySelector('footer').textContent"); !strings.Contains(footer, "合成数据") {
		t.Errorf("footer lacks the synthetic-data notice: %q", footer)
	}
	b.CheckAccessibility(t, "home")
	b.Screenshot(t, "home")

	b.Do(t, "go to the catalog", chromedp.Navigate(p.URL+"/datasets"))
	waitFor(t, b, "results", `document.querySelectorAll('[data-testid=result-item]').length > 0`)
	before := eval[string](t, b, `document.querySelector('[data-testid=result-count]').textContent`)
	topic := eval[string](t, b, `document.querySelector('input[data-testid^="facet-topic-"]').dataset.testid.slice("facet-topic-".length)`)
	b.Do(t, "tick a topic", chromedp.Click(chromedp.CSS(`input[data-testid="facet-topic-`+topic+`"]`)))
	waitFor(t, b, "the URL to carry the topic", `location.search.includes("topic=`+topic+`")`)
	waitFor(t, b, "the count to change", `document.querySelector('[data-testid=result-count]').textContent !== `+jsString(before))
	checked := eval[bool](t, b, `document.querySelector('input[data-testid="facet-topic-`+topic+`"]').checked`)
	if !checked {
		t.Error("the topic checkbox is not ticked after filtering")
	}
	b.CheckAccessibility(t, "catalog")
	b.Screenshot(t, "catalog-filtered")

	// Back button restores the unfiltered list.
	b.Do(t, "back", chromedp.NavigateBack())
	waitFor(t, b, "unfiltered count", `document.querySelector('[data-testid=result-count]').textContent === `+jsString(before))
	b.Do(t, "forward", chromedp.NavigateForward())
	waitFor(t, b, "filtered again", `location.search.includes("topic=`+topic+`") && document.querySelector('[data-testid=result-item]')`)

	b.Do(t, "open a dataset", chromedp.Click(chromedp.CSS(`[data-testid=result-item] a`)))
	waitFor(t, b, "data items", `document.querySelectorAll('[data-testid=data-items] tbody tr').length >= 5`)
	if !strings.Contains(eval[string](t, b, "location.pathname"), "/datasets/") {
		t.Fatal("not on a dataset page")
	}
	h1 := eval[string](t, b, `document.querySelector('h1').textContent`)
	title := eval[string](t, b, "document.title")
	if h1 == "" || !strings.Contains(title, h1) {
		t.Errorf("dataset page h1 %q, title %q", h1, title)
	}
	waitFor(t, b, "resources", `document.querySelectorAll('[data-testid=resource-row]').length >= 1`)
	b.CheckAccessibility(t, "dataset")
	b.Screenshot(t, "dataset")
}

// TestPhoneAndEnglish checks the catalog on a phone-sized screen and the
// English switch.
func TestPhoneAndEnglish(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	b := NewBrowser(t, 1280, 900)
	// Headless windows are at least 500 px wide: emulate the phone's viewport.
	b.Do(t, "open catalog on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(p.URL+"/datasets"))
	waitFor(t, b, "results", `document.querySelectorAll('[data-testid=result-item]').length > 0`)
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 400 {
		t.Errorf("page scrolls sideways on a phone: %d px wide", w)
	}
	b.CheckAccessibility(t, "catalog (phone)")
	b.Screenshot(t, "catalog-phone")

	b.Do(t, "switch to English", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	waitFor(t, b, "English", `document.documentElement.lang.startsWith("en")`)
	waitFor(t, b, "results again", `document.querySelectorAll('[data-testid=result-item]').length > 0`)
	b.CheckAccessibility(t, "catalog (English)")
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
