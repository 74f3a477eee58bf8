package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestSearchWithFacets: search 企业登记 from the header, see 全省企业登记信息
// first with highlights, tick a facet, see the counts change, open a result.
func TestSearchWithFacets(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "demo"})
	b := NewBrowser(t, 1280, 900)

	b.Do(t, "open home", chromedp.Navigate(p.URL+"/"))
	waitFor(t, b, "search box", `document.querySelector('[data-testid=search-input]')`)
	b.Do(t, "type a query", chromedp.SendKeys(chromedp.CSS(`[data-testid=search-input]`), "企业登记\n"))
	waitFor(t, b, "results", `location.pathname === "/datasets" && document.querySelectorAll('[data-testid=result-item]').length > 0`)
	if q := eval[string](t, b, `new URLSearchParams(location.search).get("q")`); q != "企业登记" {
		t.Fatalf("URL q = %q", q)
	}
	first := eval[string](t, b, `document.querySelector('[data-testid=result-item] a').textContent`)
	if strings.TrimSpace(first) != "全省企业登记信息" {
		t.Errorf("first result %q, want 全省企业登记信息", first)
	}
	if marks := eval[int](t, b, `document.querySelectorAll('[data-testid=result-item] mark').length`); marks == 0 {
		t.Error("no highlighted matches in the results")
	}
	total := eval[string](t, b, `document.querySelector('[data-testid=result-count]').dataset.total`)
	// Tick one department: the total shrinks, the open-type counts follow
	// the selection, and the department facet keeps its other values.
	typeCounts := `Array.from(document.querySelectorAll('[data-testid^="facet-count-open_type-"]')).map(e => e.textContent).join(",")`
	before := eval[string](t, b, typeCounts)
	depts := eval[int](t, b, `document.querySelectorAll('input[data-testid^="facet-department-"]').length`)
	if depts < 2 {
		t.Fatalf("want results from several departments, facet shows %d", depts)
	}
	dept := eval[string](t, b, `document.querySelector('input[data-testid^="facet-department-"]').dataset.testid`)
	b.Do(t, "tick a department", chromedp.Click(chromedp.CSS(`input[data-testid="`+dept+`"]`)))
	waitFor(t, b, "filtered", `location.search.includes("department=") && document.querySelector('[data-testid=result-count]').dataset.total !== "`+total+`"`)
	waitFor(t, b, "open-type counts to change", typeCounts+` !== `+jsString(before))
	if n := eval[int](t, b, `document.querySelectorAll('input[data-testid^="facet-department-"]').length`); n != depts {
		t.Errorf("department facet shows %d values under its own filter, want %d", n, depts)
	}
	b.CheckAccessibility(t, "search")
	b.Screenshot(t, "search-filtered")

	b.Do(t, "open the first result", chromedp.Click(chromedp.CSS(`[data-testid=result-item] a`)))
	waitFor(t, b, "dataset page", `document.querySelector('[data-testid=data-items] tbody tr')`)
	if h1 := eval[string](t, b, `document.querySelector('h1').textContent`); !strings.Contains(h1, "企业登记") {
		t.Errorf("opened %q", h1)
	}
}
