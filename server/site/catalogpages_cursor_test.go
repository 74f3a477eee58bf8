package site_test

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog/catalogtest"
)

var (
	cpPageLinkRE = regexp.MustCompile(`<a href="([^"]*)" class="page-link([^"]*)"[^>]*>`)
	cpItemRE     = regexp.MustCompile(`data-testid="result-item" data-id="([^"]+)"`)
)

type cpLink struct{ Href, Class, Tag string }

func cpPageLinks(body string) []cpLink {
	var out []cpLink
	for _, m := range cpPageLinkRE.FindAllStringSubmatch(body, -1) {
		out = append(out, cpLink{Href: html.UnescapeString(m[1]), Class: m[2], Tag: m[0]})
	}
	return out
}

func cpItems(body string) []string {
	var out []string
	for _, m := range cpItemRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestCatalogPagerBeyondDepth: the pager numbers the first 50 pages; the
// last of them offers "next" with the cursor, and the pages it leads to
// are server-rendered, not indexed, continue exactly where page numbers
// would, and offer the first page and the next cursor.
func TestCatalogPagerBeyondDepth(t *testing.T) {
	e := &cpEnv{apptest.New(t, apptest.Options{Seed: "demo", NoWorkers: true,
		WrapIndex: func(i search.Index) search.Index { return catalogtest.NewCursorIndex(i) }})}
	ref := e.api(t, "sort=name&page_size=100")
	if ref.Total < 55 {
		t.Fatalf("need more than 55 entries, have %d", ref.Total)
	}
	var byName []string
	for p := 1; (p-1)*100 < ref.Total; p++ {
		for _, it := range e.api(t, "sort=name&page_size=100&page="+strconv.Itoa(p)).Items {
			byName = append(byName, it.ID)
		}
	}

	// Page 3 of 1-entry pages: numbered links only, the last number is 50.
	body, _ := e.page(t, "/datasets?sort=name&page_size=1&page=3", 200)
	links := cpPageLinks(body)
	last := 0
	for _, l := range links {
		if strings.Contains(l.Href, "cursor=") {
			t.Errorf("page 3 offers a cursor link %s", l.Href)
		}
		if u, _ := url.Parse(l.Href); u != nil {
			last = max(last, atoi(u.Query().Get("page")))
		}
	}
	if last != 50 {
		t.Errorf("the pager numbers up to page %d, want 50", last)
	}

	// Page 50: next carries the cursor, without data-page (the browser
	// loads it; the script leaves it alone).
	body, _ = e.page(t, "/datasets?sort=name&page_size=1&page=50", 200)
	if got := cpItems(body); len(got) != 1 || got[0] != byName[49] {
		t.Fatalf("page 50 shows %v, want %s", got, byName[49])
	}
	next := cpNext(t, body)
	if strings.Contains(next.Tag, "data-page") || !strings.Contains(next.Class, "page-cursor") {
		t.Errorf("cursor link %s", next.Tag)
	}
	// Follow it three times: entries 51, 52, 53 of the name order.
	for i := 50; i < 53; i++ {
		body, _ = e.page(t, next.Href, 200)
		if got := cpItems(body); len(got) != 1 || got[0] != byName[i] {
			t.Fatalf("cursor page %d shows %v, want %s", i+1, got, byName[i])
		}
		if !strings.Contains(body, `<meta name="robots" content="noindex">`) {
			t.Errorf("cursor page %d lacks noindex", i+1)
		}
		if !strings.Contains(body, `class="page-link page-first"`) || !strings.Contains(body, `href="/datasets?page_size=1&amp;sort=name"`) {
			t.Errorf("cursor page %d lacks the link to the first page", i+1)
		}
		next = cpNext(t, body)
	}
	// A changed sort or filter on a cursor page starts again: no control
	// of the list carries the page's cursor on (the head's links and the
	// language switch name the page itself, cursor included).
	u, _ := url.Parse(next.Href)
	cur := u.Query().Get("cursor")
	body, _ = e.page(t, next.Href, 200)
	list := body[strings.Index(body, `<div class="catalog`):]
	if n := strings.Count(list, cur); n != 0 {
		t.Errorf("the page's own cursor appears %d times in the list's controls", n)
	}
	if !strings.Contains(body, `id="lang-switch" href="/datasets?cursor=`+cur) {
		t.Error("the language switch loses the page's position")
	}

	// A bad cursor, or a cursor with a page number, is a 400 page.
	body, _ = e.page(t, "/datasets?sort=name&cursor=nonsense", 400)
	cpContains(t, "bad cursor", cpText(body), "翻页位置", "请从第一页重新开始")
	e.page(t, "/datasets?sort=name&page=2&cursor="+url.QueryEscape(cur), 400)
	e.page(t, "/datasets?sort=updated&cursor="+url.QueryEscape(cur), 400, "Accept-Language", "en")
}

// cpNext is a page's enabled "next" link.
func cpNext(t *testing.T, body string) cpLink {
	t.Helper()
	for _, l := range cpPageLinks(body) {
		if strings.Contains(l.Class, "page-next") {
			return l
		}
	}
	t.Fatalf("no next link")
	return cpLink{}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
