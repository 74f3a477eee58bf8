package site_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// The catalog pages (home, /datasets, departments, topics) read by a
// plain HTTP client: everything is in the first response.

type cpEnv struct {
	*apptest.Portal
}

func newCPEnv(t *testing.T, engine string) *cpEnv {
	t.Helper()
	return &cpEnv{apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})}
}

// page GETs path with headers (pairs), checks the status and that the
// answer is HTML, and returns the body.
func (e *cpEnv) page(t *testing.T, path string, status int, header ...string) (string, *apptest.Response) {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	r := e.Do(t, http.MethodGet, path, nil, h)
	if r.Status != status {
		t.Fatalf("GET %s: %d, want %d: %.300s", path, r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	return string(r.Body), r
}

type cpList struct {
	Total int `json:"total"`
	Items []struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		Department struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"department"`
	} `json:"items"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Label string `json:"label"`
		Count int    `json:"count"`
	} `json:"facets"`
}

// api reads the same list from the API, the reference for the pages.
func (e *cpEnv) api(t *testing.T, query string) cpList {
	t.Helper()
	var l cpList
	r := e.Get(t, "/api/v1/datasets?"+query)
	if r.Status != 200 {
		t.Fatalf("API %s: %d %s", query, r.Status, r.Body)
	}
	r.JSON(t, &l)
	return l
}

var (
	cpTagRE   = regexp.MustCompile(`<[^>]+>`)
	cpH1RE    = regexp.MustCompile(`<h1[\s>]`)
	cpTitleRE = regexp.MustCompile(`<title>([^<]+)</title>`)
)

// cpText is the text of the page's <main> without tags (a title split by
// <mark> reads whole again).
func cpText(body string) string {
	if i, j := strings.Index(body, "<main"), strings.Index(body, "</main>"); i >= 0 && j > i {
		body = body[i:j]
	}
	return html.UnescapeString(cpTagRE.ReplaceAllString(body, ""))
}

func cpContains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// cpHead checks what every public page carries: its language, one h1, a
// title, a description, a canonical URL with its language alternates and
// the Open Graph title and URL; it returns the title.
func cpHead(t *testing.T, what, body, htmlLang, canonical string) string {
	t.Helper()
	if !strings.Contains(body, `<html lang="`+htmlLang+`">`) {
		t.Errorf("%s: not <html lang=%q>", what, htmlLang)
	}
	if n := len(cpH1RE.FindAllString(body, -1)); n != 1 {
		t.Errorf("%s: %d h1", what, n)
	}
	m := cpTitleRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s: no <title>", what)
	}
	if !regexp.MustCompile(`<meta name="description" content="[^"]{20,}">`).MatchString(body) {
		t.Errorf("%s: no meta description", what)
	}
	for _, want := range []string{
		`<link rel="canonical" href="` + html.EscapeString(canonical) + `">`,
		`<meta property="og:url" content="` + html.EscapeString(canonical) + `">`,
		`<link rel="alternate" hreflang="zh-CN" href="`,
		`<link rel="alternate" hreflang="en" href="`,
		`<link rel="alternate" hreflang="x-default" href="`,
		`<meta property="og:title" content="`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", what, want)
		}
	}
	return html.UnescapeString(m[1])
}

func TestCatalogPagesWithoutScript(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newCPEnv(t, engine)
			ctx := t.Context()
			titles := map[string]string{}
			sum, err := e.Catalog.Store.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}

			// Home: totals, topics, departments, newest and most downloaded.
			body, _ := e.page(t, "/", 200)
			titles["/"] = cpHead(t, "home", body, "zh-CN", e.URL+"/")
			txt := cpText(body)
			cpContains(t, "home", body, `data-testid="stat-datasets">`+frontend.FormatNumber(sum.Datasets)+`<`,
				`data-testid="stat-downloads">`+frontend.FormatNumber(sum.Downloads)+`<`, `action="/datasets" method="get"`,
				`href="/topics/economy"`, `href="/departments/hlj-scjgj"`, `"@type":"WebSite"`)
			cpContains(t, "home", txt, "经济建设", "黑龙江省市场监督管理局")
			for _, q := range []string{"sort=published&page_size=6", "sort=downloads&page_size=6"} {
				for _, it := range e.api(t, q).Items {
					cpContains(t, "home ("+q+")", txt, it.Title)
				}
			}
			// The description comes from the catalog.
			cpContains(t, "home description", body, frontend.FormatNumber(sum.Datasets)+" 个公共数据集")

			// The catalog: the first page, its facets and counts.
			body, _ = e.page(t, "/datasets", 200)
			titles["/datasets"] = cpHead(t, "catalog", body, "zh-CN", e.URL+"/datasets")
			if strings.Contains(body, `name="robots"`) {
				t.Error("the bare catalog is noindex")
			}
			all := e.api(t, "")
			txt = cpText(body)
			cpContains(t, "catalog", txt, "共 "+frontend.FormatNumber(all.Total)+" 个数据集", "数据领域", "提供部门", "开放属性")
			for _, it := range all.Items {
				cpContains(t, "catalog", txt, it.Title)
			}
			for _, f := range []string{"topic", "department", "open_type"} {
				for _, v := range all.Facets[f] {
					cpContains(t, "catalog facet "+f, body, `data-testid="facet-count-`+f+`-`+v.Value+`">`+frontend.FormatNumber(v.Count)+`<`)
				}
			}
			cpContains(t, "catalog", body, "无条件开放", `href="/datasets?topic=economy"`, `href="/departments/`, `href="/topics/`)

			// A search: the titles of the first page of results.
			q := "企业"
			hits := e.api(t, "q="+url.QueryEscape(q))
			if len(hits.Items) == 0 {
				t.Fatalf("no result for %s in the small seed", q)
			}
			body, _ = e.page(t, "/datasets?q="+url.QueryEscape(q), 200)
			title := cpHead(t, "search", body, "zh-CN", e.URL+"/datasets?q="+url.QueryEscape(q))
			titles["search"] = title
			cpContains(t, "search title", title, q)
			txt = cpText(body)
			for _, it := range hits.Items {
				cpContains(t, "search", txt, it.Title)
			}
			cpContains(t, "search", body, "<mark>", `<meta name="robots" content="noindex">`, `value="`+q+`"`)

			// A filtered, sorted second page.
			qs := "topic=economy&sort=name&page=2&page_size=5"
			ref := e.api(t, qs)
			if len(ref.Items) == 0 {
				t.Fatal("no second page of economy in the small seed")
			}
			body, _ = e.page(t, "/datasets?"+qs, 200)
			titles["page2"] = cpHead(t, "page 2", body, "zh-CN", e.URL+"/datasets?page=2&page_size=5&sort=name&topic=economy")
			txt = cpText(body)
			for _, it := range ref.Items {
				cpContains(t, "page 2", txt, it.Title)
			}
			cpContains(t, "page 2", body, `aria-current="page" aria-label="第 2 页"`, `rel="prev"`, `checked`, `class="chip"`)
			// Filters are links: the ticked topic's link removes it.
			cpContains(t, "page 2", body, `href="/datasets?page_size=5&amp;sort=name"`)

			// Departments and topics.
			deps, err := e.Catalog.Store.Departments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = e.page(t, "/departments", 200)
			titles["/departments"] = cpHead(t, "departments", body, "zh-CN", e.URL+"/departments")
			txt = cpText(body)
			cpContains(t, "departments", txt, "省级部门", "市级部门")
			for _, d := range deps {
				cpContains(t, "departments", body, `href="/departments/`+d.ID+`"`)
				cpContains(t, "departments", txt, d.Name)
			}

			body, _ = e.page(t, "/departments/hlj-scjgj", 200)
			titles["dept"] = cpHead(t, "department", body, "zh-CN", e.URL+"/departments/hlj-scjgj")
			byDept := e.api(t, "department=hlj-scjgj&sort=updated")
			txt = cpText(body)
			cpContains(t, "department", txt, "黑龙江省市场监督管理局", "省级", frontend.FormatNumber(byDept.Total)+" 个数据集")
			for _, it := range byDept.Items {
				cpContains(t, "department", txt, it.Title)
			}
			cpContains(t, "department", body, `href="/datasets?department=hlj-scjgj"`, `href="/stats"`)

			body, _ = e.page(t, "/topics/economy", 200)
			titles["topic"] = cpHead(t, "topic", body, "zh-CN", e.URL+"/topics/economy")
			byTopic := e.api(t, "topic=economy&sort=updated")
			txt = cpText(body)
			cpContains(t, "topic", txt, "经济建设", "Economy", frontend.FormatNumber(byTopic.Total)+" 个数据集")
			for _, it := range byTopic.Items {
				cpContains(t, "topic", txt, it.Title)
			}
			body, _ = e.page(t, "/topics", 200)
			titles["/topics"] = cpHead(t, "topics", body, "zh-CN", e.URL+"/topics")
			cpContains(t, "topics", cpText(body), "经济建设", "交通出行")

			// Every page its own title.
			seen := map[string]string{}
			for p, title := range titles {
				if other, ok := seen[title]; ok {
					t.Errorf("%s and %s share the title %q", p, other, title)
				}
				seen[title] = p
			}
		})
	}
}

func TestCatalogPagesInEnglish(t *testing.T) {
	e := newCPEnv(t, "sqlite")
	en := []string{"Accept-Language", "en-US,en;q=0.9"}

	body, r := e.page(t, "/", 200, en...)
	cpHead(t, "home (en)", body, "en", e.URL+"/?lang=en")
	if r.Header.Get("Content-Language") != "en" {
		t.Errorf("Content-Language %q", r.Header.Get("Content-Language"))
	}
	txt := cpText(body)
	cpContains(t, "home (en)", txt, "Browse by topic", "Economy", "Unconditionally open")
	// No Chinese character in a topic icon.
	for _, m := range regexp.MustCompile(`data-topic-icon="letter">([^<]*)<`).FindAllStringSubmatch(body, -1) {
		if regexp.MustCompile(`\p{Han}`).MatchString(m[1]) {
			t.Errorf("topic icon %q on an English page", m[1])
		}
	}

	body, _ = e.page(t, "/datasets?topic=economy", 200, en...)
	cpHead(t, "catalog (en)", body, "en", e.URL+"/datasets?lang=en&topic=economy")
	txt = cpText(body)
	cpContains(t, "catalog (en)", txt, "Data catalog", "Topic", "Department", "Unconditionally open", "Economy")
	// Department names are Chinese data, marked so.
	cpContains(t, "catalog (en)", body, `lang="zh-CN">黑龙江省`)

	// ?lang=en without Accept-Language: English, remembered.
	body, r = e.page(t, "/departments/hlj-scjgj?lang=en", 200)
	cpHead(t, "department (?lang=en)", body, "en", e.URL+"/departments/hlj-scjgj?lang=en")
	if c := r.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") {
		t.Errorf("?lang=en sets no cookie: %q", c)
	}
	cpContains(t, "department (en)", cpText(body), "Level", "Provincial", "Open datasets")

	body, _ = e.page(t, "/topics/economy?lang=en", 200)
	cpContains(t, "topic (en)", body, `<h1 id="page-title">Economy</h1>`)

	// Counts read right in English: "1 dataset".
	lone := e.api(t, "department=hlj-scjgj").Items[0].ID
	if err := e.DB.Create(&catalog.Topic{ID: "lone", Name: "孤立领域", NameEN: "Lone topic", SortOrder: 99}).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Model(&catalog.Dataset{}).Where("id = ?", lone).Update("topic_id", "lone").Error; err != nil {
		t.Fatal(err)
	}
	if err := e.Catalog.ApplyToIndex(t.Context(), []string{lone}); err != nil {
		t.Fatal(err)
	}
	body, _ = e.page(t, "/topics/lone?lang=en", 200)
	txt = cpText(body)
	cpContains(t, "topic with one dataset (en)", txt, "1 dataset", "See the dataset in the catalog")
	if strings.Contains(txt, "1 datasets") {
		t.Error(`"1 datasets" on an English page`)
	}
	body, _ = e.page(t, "/datasets?topic=lone&lang=en", 200)
	cpContains(t, "catalog with one result (en)", cpText(body), "1 dataset")
	// A topic without a drawing gets a letter: of its English name in English.
	body, _ = e.page(t, "/topics?lang=en", 200)
	cpContains(t, "topics (en)", body, `data-topic-icon="letter">L<`)
	body, _ = e.page(t, "/topics", 200)
	cpContains(t, "topics (zh)", body, `data-topic-icon="letter">孤<`, `data-topic-icon="economy"><svg`)
}

func TestCatalogPagesErrors(t *testing.T) {
	e := newCPEnv(t, "sqlite")
	// Unknown departments and topics: the HTML 404 page, in the reader's language.
	for _, p := range []string{"/departments/no-such-dept", "/topics/no-such-topic", "/departments/%3Cscript%3E"} {
		body, _ := e.page(t, p, 404)
		cpContains(t, p, body, `<html lang="zh-CN">`, `<meta name="robots" content="noindex">`)
		body, _ = e.page(t, p, 404, "Accept-Language", "en")
		cpContains(t, p+" (en)", body, `<html lang="en">`)
	}

	// Bad parameters: 400, an HTML page saying what is wrong, in the reader's language.
	body, _ := e.page(t, "/datasets?page=abc&min_quality=500", 400)
	txt := cpText(body)
	cpContains(t, "bad params (zh)", txt, "无法按这些条件检索", "页码", "最低质量", "必须是")
	cpContains(t, "bad params (zh)", body, `<meta name="robots" content="noindex">`)
	body, _ = e.page(t, "/datasets?sort=sideways", 400, "Accept-Language", "en")
	txt = cpText(body)
	cpContains(t, "bad params (en)", txt, "cannot be run", "Sort", "sort must be")
	if regexp.MustCompile(`\p{Han}{2}`).MatchString(txt[strings.Index(txt, "cannot be run"):strings.Index(txt, "See all datasets")]) {
		t.Errorf("Chinese in the English error: %s", txt)
	}
	e.page(t, "/datasets?open_type=everything", 400)
	e.page(t, "/datasets?q="+strings.Repeat("长", 101), 400)

	// Parameters the list does not know (a share tracker's) are ignored.
	e.page(t, "/datasets?from=singlemessage&isappinstalled=0", 200)

	// The query and highlights are text, never markup.
	body, _ = e.page(t, "/datasets?q="+url.QueryEscape(`企业"><script>alert(1)</script>`), 200)
	if strings.Contains(body, "<script>alert") {
		t.Error("the query is echoed as markup")
	}
}

func TestCatalogPagesNotOpen(t *testing.T) {
	e := newCPEnv(t, "sqlite")
	// An entry no longer public leaves the lists at once.
	all := e.api(t, "department=hlj-scjgj&page_size=100")
	gone := all.Items[0]
	if err := e.DB.Model(&catalog.Dataset{}).Where("id = ?", gone.ID).Update("open_type", catalog.NotOpen).Error; err != nil {
		t.Fatal(err)
	}
	body, _ := e.page(t, "/datasets?department=hlj-scjgj&page_size=100", 200)
	if strings.Contains(body, `href="/datasets/`+gone.ID+`"`) {
		t.Errorf("%s is listed after it closed", gone.ID)
	}
	body, _ = e.page(t, "/", 200)
	if strings.Contains(body, `href="/datasets/`+gone.ID+`"`) {
		t.Errorf("%s is on the home page after it closed", gone.ID)
	}
}

// downIndex is a search engine that is down for searches (writes pass).
type downIndex struct {
	search.Index
	down *atomic.Bool
}

func (d downIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	if d.down.Load() {
		return search.Result{}, search.ErrUnavailable
	}
	return d.Index.Search(ctx, q)
}

// TestCatalogPagesSearchDown: while search is down (or opening) the pages
// still answer in HTML from the database and say so; a search by words,
// which only the index can answer, is a 503 that says what still works.
func TestCatalogPagesSearchDown(t *testing.T) {
	var down atomic.Bool
	e := &cpEnv{apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true,
		WrapIndex: func(i search.Index) search.Index { return downIndex{i, &down} }})}
	n := len(e.api(t, "department=hlj-scjgj&page_size=100").Items)
	first := e.api(t, "page_size=20")
	down.Store(true)

	body, _ := e.page(t, "/datasets", 200)
	cpContains(t, "catalog (down)", cpText(body), "检索服务正在启动")
	if !strings.Contains(body, `data-testid="degraded-alert"`) || !strings.Contains(body, `href="/datasets/`+first.Items[0].ID+`"`) {
		t.Errorf("catalog (down) lacks the notice or the newest entry %s", first.Items[0].ID)
	}
	body, _ = e.page(t, "/datasets?department=hlj-scjgj&page_size=100", 200)
	if got := strings.Count(body, `data-testid="result-item"`); got != n {
		t.Errorf("catalog (down) filtered by department: %d entries, want %d", got, n)
	}
	if !strings.Contains(body, `data-testid="facet-department-hlj-scjgj"`) || strings.Contains(body, `facet-count-`) {
		t.Error("catalog (down): the chosen department should stay ticked, without a count the database did not make")
	}
	body, _ = e.page(t, "/datasets?q="+url.QueryEscape("企业"), 503)
	cpContains(t, "catalog search (down)", cpText(body), "不带检索词浏览目录仍可使用")
	body, _ = e.page(t, "/datasets?q=x", 503, "Accept-Language", "en")
	cpContains(t, "catalog search (down, en)", cpText(body), "browsing without search words still works")
	body, _ = e.page(t, "/departments/hlj-scjgj", 200)
	cpContains(t, "department (down)", cpText(body), "黑龙江省市场监督管理局", frontend.FormatNumber(n)+" 个数据集")
	body, _ = e.page(t, "/topics/economy", 200, "Accept-Language", "en")
	cpContains(t, "topic (down)", cpText(body), "Economy")
	// The home page answers with its lists from the database, and says so.
	body, _ = e.page(t, "/", 200)
	cpContains(t, "home (down)", body, `data-testid="degraded-alert"`, `data-testid="newest-item"`, `data-testid="stat-datasets"`)
	if strings.Contains(body, `data-load="1"`) {
		t.Error("home (down) left a section to the script")
	}

	// Back up: the pages are whole again (what lacked a part was not kept).
	down.Store(false)
	body, _ = e.page(t, "/departments/hlj-scjgj", 200)
	if !strings.Contains(body, `data-testid="department-datasets"`) {
		t.Error("the department page still lacks its list")
	}
	body, r := e.page(t, "/", 200)
	if strings.Contains(body, `data-load="1"`) || !strings.Contains(body, `data-testid="newest-item"`) || strings.Contains(body, `degraded-alert`) {
		t.Error("the home page still lacks its lists or still says search is starting")
	}
	// The whole home page is kept: the next reader gets the same one.
	if err := e.DB.Model(&catalog.Dataset{}).Where("1 = 1").Update("downloads", 7).Error; err != nil {
		t.Fatal(err)
	}
	if _, again := e.page(t, "/", 200); again.Header.Get("ETag") != r.Header.Get("ETag") || r.Header.Get("ETag") == "" {
		t.Errorf("home page not kept: ETag %q then %q", r.Header.Get("ETag"), again.Header.Get("ETag"))
	}
}
