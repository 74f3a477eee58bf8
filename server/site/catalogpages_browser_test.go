package site_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog/catalogtest"
	"github.com/hlj-opendata/portal/server/e2e"
)

func cpWait(t *testing.T, b *e2e.Browser, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			at, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`location.href + " shows " + [...document.querySelectorAll('[data-testid=result-item]')].map((e) => e.dataset.id).join(",")`))
			t.Fatalf("waiting for %s (%s): %v; at %s", what, cond, err, at)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cpClick clicks the first element sel matches from the page's script, as
// a reader's plain left click does (a synthetic click cannot miss an
// element that moves while the machine is busy).
func cpClick(t *testing.T, b *e2e.Browser, what, sel string) {
	t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(() => { document.querySelector(`+strconv.Quote(sel)+`).click(); return true; })()`)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestCatalogPagerCursorInBrowser: with the script running, numbered pages
// turn in place up to page 50; there "next" is the cursor link, which the
// script leaves to the browser, and the server-rendered pages beyond keep
// their pager; "first page" turns back in place.
func TestCatalogPagerCursorInBrowser(t *testing.T) {
	e := &cpEnv{apptest.New(t, apptest.Options{Seed: "demo", NoWorkers: true,
		WrapIndex: func(i search.Index) search.Index { return catalogtest.NewCursorIndex(i) }})}
	var byName []string
	for p := 1; p <= 3; p++ {
		for _, it := range e.api(t, "sort=name&page_size=100&page="+strconv.Itoa(p)).Items {
			byName = append(byName, it.ID)
		}
	}
	b := e2e.NewBrowser(t, 1280, 900)
	item := func(id string) string {
		return `document.querySelectorAll('[data-testid=result-item]').length === 1 && document.querySelector('[data-testid=result-item]').dataset.id === "` + id + `"`
	}

	b.Do(t, "open page 49", chromedp.Navigate(e.URL+"/datasets?sort=name&page_size=1&page=49"))
	cpWait(t, b, "page 49", item(byName[48]))
	cpClick(t, b, "next (in place)", `#pagination a.page-next`)
	cpWait(t, b, "page 50 in place", `location.search.includes("page=50") && `+item(byName[49]))
	cpWait(t, b, "the cursor link the script drew", `document.querySelector('#pagination a.page-cursor[href*="cursor="]:not([data-page])')`)

	cpClick(t, b, "next (by cursor)", `#pagination a.page-cursor`)
	cpWait(t, b, "entry 51 from the server", `location.search.includes("cursor=") && document.querySelector('meta[name=robots][content=noindex]') && `+item(byName[50]))
	cpWait(t, b, "the server's pager kept", `document.querySelector('#pagination a.page-first') && document.querySelector('#pagination a.page-cursor')`)
	cpClick(t, b, "next again", `#pagination a.page-cursor`)
	cpWait(t, b, "entry 52", item(byName[51]))

	cpClick(t, b, "first page", `#pagination a.page-first`)
	cpWait(t, b, "entry 1, without the cursor", `!location.search.includes("cursor=") && `+item(byName[0]))
	cpWait(t, b, "numbered pager again", `document.querySelector('#pagination a[data-page="2"]')`)
}
