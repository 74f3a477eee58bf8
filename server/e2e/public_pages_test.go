package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/revocations"
)

// The demo entries the public pages are checked on.
const (
	pubDataset     = "ds-hlj-scjgj-001" // the flagship: unconditionally open, 黑龙江省市场监督管理局
	pubConditional = "ds-hlj-scjgj-002" // conditionally open, same department
	pubDepartment  = "hlj-scjgj"
	pubQuery       = "企业登记" // finds the flagship
)

// pageCheck is one thing a page must show: js is true when it is there.
type pageCheck struct{ what, js string }

// publicPage is a public page and what it must show in each language.
type publicPage struct {
	name   string // screenshot name
	path   string
	status int // 200 unless set
	// h1 is text the <h1> contains, per language; "" only asks for one.
	h1 func(lang string) string
	// dataH1: the <h1> is catalog data (Chinese in both languages), so an
	// English page does not have to have an English one.
	dataH1 bool
	// zhData is Chinese catalog data the page shows: on English pages each
	// place it appears must be marked lang="zh-CN".
	zhData []string
	checks func(lang string) []pageCheck
	// cards: the page lists resources whose main action must stay on a
	// phone's screen.
	cards bool
}

// pubFixture is the demo data the checks are written from.
type pubFixture struct {
	msgs                          Messages
	dataset, conditional          catalog.Dataset
	resources, condResources      []catalog.Resource
	dept                          catalog.Department
	topic                         catalog.Topic
	deptDatasets, topicDatasets   []string
	public                        map[string]string // public dataset id → title
	ann                           revocations.Announcement
	gone                          *revocations.Announcement // of a dataset revoked in the past; nil if none
	requestTitle                  string
	announcementsMade, requestHit bool
}

func loadPubFixture(t *testing.T, p *apptest.Portal) *pubFixture {
	t.Helper()
	f := &pubFixture{msgs: LoadMessages(t, "revocations", "requests", "stats", "dataset"), public: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.DB.Where("id = ?", pubDataset).Take(&f.dataset).Error)
	must(p.DB.Where("id = ?", pubConditional).Take(&f.conditional).Error)
	if f.dataset.OpenType != catalog.Unconditional || f.conditional.OpenType != catalog.Conditional {
		t.Fatalf("demo open types changed: %s %s", f.dataset.OpenType, f.conditional.OpenType)
	}
	must(p.DB.Where("dataset_id = ?", pubDataset).Order("position").Find(&f.resources).Error)
	must(p.DB.Where("dataset_id = ?", pubConditional).Order("position").Find(&f.condResources).Error)
	if len(f.resources) == 0 || len(f.condResources) == 0 {
		t.Fatal("the demo datasets have no resources")
	}
	must(p.DB.Where("id = ?", pubDepartment).Take(&f.dept).Error)
	must(p.DB.Where("id = ?", f.dataset.TopicID).Take(&f.topic).Error)
	var all []catalog.Dataset
	must(p.DB.Select("id", "title", "department_id", "topic_id").
		Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).Find(&all).Error)
	for _, d := range all {
		f.public[d.ID] = d.Title
		if d.DepartmentID == f.dept.ID {
			f.deptDatasets = append(f.deptDatasets, d.ID)
		}
		if d.TopicID == f.topic.ID {
			f.topicDatasets = append(f.topicDatasets, d.ID)
		}
	}

	// An announcement: the demo's latest, or one made here as the
	// provider and the authority would (request, then approval).
	ctx := context.Background()
	latest, err := p.Revocations.Latest(ctx, 1)
	must(err)
	if len(latest) == 0 {
		roles := apptest.NewRoles(p, time.Now)
		effective := time.Now().In(calendar.Zone).AddDate(0, 0, 30).Format(calendar.DateLayout)
		r := roles.PostJSON(t, "provider", "/api/v1/revocations", map[string]any{"dataset_id": "ds-hlj-scjgj-003",
			"reason": "该数据涉及的业务系统已停止运行，数据不再更新", "legal_basis": "《黑龙江省政务数据管理暂行办法》第三十五条", "effective_date": effective})
		if r.Status != http.StatusCreated {
			t.Fatalf("request a revocation: %d %s", r.Status, r.Body)
		}
		var rev revocations.RevocationJSON
		r.JSON(t, &rev)
		if d := roles.PostJSON(t, "authority", "/api/v1/revocations/"+rev.ID+"/decision", map[string]string{"decision": "approve"}); d.Status != http.StatusOK {
			t.Fatalf("approve: %d %s", d.Status, d.Body)
		}
		f.announcementsMade = true
		latest, err = p.Revocations.Latest(ctx, 1)
		must(err)
		if len(latest) == 0 {
			t.Fatal("no announcement after the approval")
		}
	}
	f.ann = latest[0]
	var past []revocations.Announcement
	must(p.DB.Where("kind = ? AND resource_id = '' AND effective_at <= ?", revocations.KindRevocation, time.Now().UTC()).
		Order("effective_at DESC").Limit(1).Find(&past).Error)
	if len(past) == 1 {
		f.gone = &past[0]
	}

	// A data request on the public list, if the demo has one.
	var list struct {
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	if r := p.Get(t, "/api/v1/requests"); r.Status == http.StatusOK {
		r.JSON(t, &list)
	}
	if len(list.Items) > 0 {
		f.requestTitle, f.requestHit = list.Items[0].Title, true
	}
	return f
}

// The JavaScript the checks are made of.

func jsMain() string { return `(document.querySelector('main') || document.body)` }

func jsMainHas(text string) string {
	return jsMain() + `.textContent.includes(` + jsString(text) + `)`
}

// jsLink: a link in <main> whose href starts with href and whose text
// contains text ("" any).
func jsLink(href, text string) string {
	return `[...` + jsMain() + `.querySelectorAll('a[href]')].some(a => a.getAttribute('href').startsWith(` + jsString(href) +
		`) && a.textContent.includes(` + jsString(text) + `))`
}

// jsLinkWith: a link in <main> whose href contains part and whose text
// contains text.
func jsLinkWith(part, text string) string {
	return `[...` + jsMain() + `.querySelectorAll('a[href]')].some(a => a.getAttribute('href').includes(` + jsString(part) +
		`) && a.textContent.includes(` + jsString(text) + `))`
}

// jsDatasetLinkIn: a link in <main> to one of ids, showing its title.
func jsDatasetLinkIn(ids []string, titles map[string]string) string {
	m := map[string]string{}
	for _, id := range ids {
		m["/datasets/"+id] = titles[id]
	}
	b, _ := json.Marshal(m)
	return `(() => { const want = ` + string(b) + `; return [...` + jsMain() + `.querySelectorAll('a[href^="/datasets/"]')].some(a => { const t = want[a.getAttribute('href')]; return t !== undefined && a.textContent.includes(t); }); })()`
}

func (f *pubFixture) publicIDs() []string {
	ids := make([]string, 0, len(f.public))
	for id := range f.public {
		ids = append(ids, id)
	}
	return ids
}

// pages lists every public page with what it must show.
func (f *pubFixture) pages(t *testing.T) []publicPage {
	msg := func(key string) func(string) string {
		return func(lang string) string { return f.msgs.T(t, lang, key) }
	}
	anyH1 := func(string) string { return "" }
	topicName := func(lang string) string {
		if lang == "en" {
			return f.topic.NameEN
		}
		return f.topic.Name
	}
	download := func(r catalog.Resource) string { return "/api/v1/resources/" + r.ID + "/download" }
	pages := []publicPage{
		{name: "home", path: "/", h1: msg("home.h1"), checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"the search form (GET /datasets)", `!!document.querySelector('main form[action="/datasets"] input[type=search][name=q]')`},
				{"links to datasets with their titles", jsDatasetLinkIn(f.publicIDs(), f.public)},
				{"the topic " + topicName(lang), jsMainHas(topicName(lang))},
				{"the latest announcement " + f.ann.Number, jsMainHas(f.ann.Number) + ` || ` + jsMainHas(f.ann.Title)},
			}
		}},
		{name: "datasets", path: "/datasets", h1: msg("catalog.h1"), zhData: []string{f.dept.Name}, checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"results with their titles", jsDatasetLinkIn(f.publicIDs(), f.public)},
				{"a department facet link for " + f.dept.Name, jsLinkWith("department="+f.dept.ID, f.dept.Name)},
				{"a topic facet link for " + topicName(lang), jsLinkWith("topic="+f.topic.ID, topicName(lang))},
			}
		}},
		{name: "search", path: "/datasets?q=" + pubQuery, h1: msg("catalog.h1"), zhData: []string{f.dataset.Title}, checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"the result " + f.dataset.Title, jsLink("/datasets/"+f.dataset.ID, f.dataset.Title)},
				{"the query in a search box", `[...document.querySelectorAll('input[name=q]')].some(i => i.value === ` + jsString(pubQuery) + `)`},
			}
		}},
		{name: "dataset", path: "/datasets/" + f.dataset.ID, dataH1: true, cards: true, zhData: []string{f.dataset.Title, f.dept.Name},
			h1: func(string) string { return f.dataset.Title }, checks: func(lang string) []pageCheck {
				cs := []pageCheck{
					{"<title> with the dataset title", `document.title.includes(` + jsString(f.dataset.Title) + `)`},
					{"one schema.org Dataset", `[...document.querySelectorAll('script[type="application/ld+json"]')].filter(s => s.textContent.includes('"Dataset"')).length === 1`},
					{"the department link", `!!` + jsMain() + `.querySelector('a[href="/departments/` + f.dept.ID + `"]')`},
					{"no apply link (unconditional data)", `!` + jsMain() + `.querySelector('a[href^="/apply"]')`},
				}
				for _, r := range f.resources {
					cs = append(cs, pageCheck{"the resource card " + r.Name + " with its download link", jsMainHas(r.Name) + ` && !!` + jsMain() + `.querySelector('a[href^="` + download(r) + `"]')`})
				}
				return cs
			}},
		{name: "dataset-conditional", path: "/datasets/" + f.conditional.ID, dataH1: true, cards: true, zhData: []string{f.conditional.Title},
			h1: func(string) string { return f.conditional.Title }, checks: func(lang string) []pageCheck {
				return []pageCheck{
					{"the resource card " + f.condResources[0].Name, jsMainHas(f.condResources[0].Name)},
					{"the apply link", `!!` + jsMain() + `.querySelector('a[href^="/apply?dataset=` + f.conditional.ID + `"]')`},
					{"no download link (conditional data)", `!` + jsMain() + `.querySelector('a[href*="/download"]')`},
				}
			}},
		{name: "departments", path: "/departments", h1: anyH1, zhData: []string{f.dept.Name}, checks: func(lang string) []pageCheck {
			return []pageCheck{{"the link to " + f.dept.Name, jsLink("/departments/"+f.dept.ID, f.dept.Name)}}
		}},
		{name: "department", path: "/departments/" + f.dept.ID, dataH1: true, zhData: []string{f.dept.Name},
			h1: func(string) string { return f.dept.Name }, checks: func(lang string) []pageCheck {
				return []pageCheck{{"a dataset of the department", jsDatasetLinkIn(f.deptDatasets, f.public)}}
			}},
		{name: "topics", path: "/topics", h1: anyH1, checks: func(lang string) []pageCheck {
			return []pageCheck{{"the link to " + topicName(lang), jsLink("/topics/"+f.topic.ID, topicName(lang))}}
		}},
		{name: "topic", path: "/topics/" + f.topic.ID, h1: topicName, checks: func(lang string) []pageCheck {
			return []pageCheck{{"a dataset of the topic", jsDatasetLinkIn(f.topicDatasets, f.public)}}
		}},
		{name: "announcements", path: "/announcements", h1: msg("rv.title.announcements"), checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"the link to " + f.ann.Number, jsLink("/announcements/"+f.ann.ID, "")},
				{"the announcement " + f.ann.Number, jsMainHas(f.ann.Number)},
			}
		}},
		{name: "announcement", path: "/announcements/" + f.ann.ID, dataH1: true, zhData: []string{f.ann.DatasetTitle}, h1: anyH1, checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"the number " + f.ann.Number, jsMainHas(f.ann.Number)},
				{"the revoked dataset " + f.ann.DatasetTitle, jsMainHas(f.ann.DatasetTitle)},
				{"the department " + f.ann.DepartmentName, jsMainHas(f.ann.DepartmentName)},
			}
		}},
		{name: "requests", path: "/requests", h1: msg("req.title.list"), checks: func(lang string) []pageCheck {
			cs := []pageCheck{{"the link to ask for data", jsLink("/requests/new", "")}}
			if f.requestHit {
				cs = append(cs, pageCheck{"the request " + f.requestTitle, jsMainHas(f.requestTitle)})
			}
			return cs
		}},
		{name: "stats", path: "/stats", h1: msg("stats.title"), zhData: []string{f.dept.Name}, checks: func(lang string) []pageCheck {
			return []pageCheck{{"the department " + f.dept.Name, jsMainHas(f.dept.Name)}}
		}},
		{name: "notfound", path: "/no-such-page", status: http.StatusNotFound, h1: msg("notfound.h1"), checks: func(lang string) []pageCheck {
			return []pageCheck{
				{"a search box", `!!` + jsMain() + `.querySelector('form[action="/datasets"] input[type=search][name=q]')`},
				{"a link to the catalog", jsLink("/datasets", "")},
			}
		}},
	}
	if g := f.gone; g != nil {
		pages = append(pages, publicPage{name: "gone", path: "/datasets/" + g.DatasetID, status: http.StatusGone, h1: msg("dataset.revoked.title"),
			zhData: []string{g.DatasetTitle}, checks: func(lang string) []pageCheck {
				return []pageCheck{
					{"the revoked dataset " + g.DatasetTitle, jsMainHas(g.DatasetTitle)},
					{"the link to its announcement", jsLink("/announcements/"+g.ID, "")},
					{"a way to search", jsLink("/datasets", "")},
				}
			}})
	}
	return pages
}

// pageURL is the page in lang: Chinese by default (the browser asks for
// zh-CN, with no lang cookie), English by ?lang=en.
func pageURL(base, path, lang string) string {
	if lang == "zh" {
		return base + path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return base + path + sep + "lang=en"
}

// open loads a page in lang, forgetting the lang cookie an English page
// set before a Chinese one, and returns the document's status.
func openPage(t *testing.T, b *Browser, base string, pg publicPage, lang string) int {
	t.Helper()
	if lang == "zh" {
		b.ClearCookies(t)
	}
	return b.NavigateStatus(t, pageURL(base, pg.path, lang))
}

// checkContent asserts the page's <html lang>, <h1> and checks.
func checkContent(t *testing.T, b *Browser, pg publicPage, lang string) {
	t.Helper()
	wantLang := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
	if got := eval[string](t, b, `document.documentElement.lang`); got != wantLang {
		t.Errorf("<html lang=%q>, want %q", got, wantLang)
	}
	if n := eval[int](t, b, `document.querySelectorAll('h1').length`); n != 1 {
		t.Errorf("%d <h1>, want 1", n)
	}
	h1 := strings.TrimSpace(eval[string](t, b, `(document.querySelector('h1') || {textContent: ''}).textContent.replace(/\s+/g, ' ')`))
	want := pg.h1(lang)
	switch {
	case h1 == "":
		t.Errorf("no <h1> text")
	case want != "" && !strings.Contains(h1, want):
		t.Errorf("<h1> %q, want it to contain %q", h1, want)
	}
	if !pg.dataH1 && h1 != "" {
		han := strings.ContainsFunc(h1, func(r rune) bool { return unicode.Is(unicode.Han, r) })
		if lang == "en" && han {
			t.Errorf("English <h1> %q has Chinese characters", h1)
		}
		if lang == "zh" && !han {
			t.Errorf("Chinese <h1> %q has no Chinese characters", h1)
		}
	}
	// Internal article codes ("000 Art 35", "000 第35条") are never shown.
	if code := eval[string](t, b, `(document.body.innerText.match(/\b\d{3} ?(Art\b\.?|第\s*\d)[^\n]{0,12}/) || [''])[0]`); code != "" {
		t.Errorf("the page shows an internal article code: %q", code)
	}
	for _, c := range pg.checks(lang) {
		if !eval[bool](t, b, "!!("+c.js+")") {
			t.Errorf("missing: %s", c.what)
		}
	}
	if lang == "en" {
		checkZHMarked(t, b, pg.zhData)
	}
}

// checkZHMarked: on an English page every text in <main> holding one of
// the Chinese data strings is inside an element with lang="zh…" (screen
// readers then read it in Chinese).
func checkZHMarked(t *testing.T, b *Browser, data []string) {
	t.Helper()
	for _, s := range data {
		js := `(() => { const s = ` + jsString(s) + `; const out = [];
		  const w = document.createTreeWalker(` + jsMain() + `, NodeFilter.SHOW_TEXT);
		  for (let n = w.nextNode(); n; n = w.nextNode()) {
		    if (!n.textContent.includes(s)) continue;
		    const host = n.parentElement.closest('[lang]');
		    if (!host || !host.lang.toLowerCase().startsWith('zh')) out.push(n.parentElement.tagName.toLowerCase() + (n.parentElement.className ? '.' + String(n.parentElement.className).split(' ').join('.') : ''));
		  }
		  return out.join(', '); })()`
		if bad := eval[string](t, b, js); bad != "" {
			t.Errorf("Chinese data %q not marked lang=\"zh-CN\" in: %s", s, bad)
		}
	}
}

// TestPublicPages proves the public pages in a real Chromium: their
// content without JavaScript in both languages, phone layout and axe,
// the English header on a desktop, and the Largest Contentful Paint of
// the home and a dataset page on a throttled Fast 3G network.
func TestPublicPages(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "demo"})
	f := loadPubFixture(t, p)
	if f.announcementsMade {
		t.Log("the demo has no announcement: made one through the revocations API")
	}
	t.Logf("checking with announcement %s (%s), request %q", f.ann.Number, f.ann.ID, f.requestTitle)
	if f.gone == nil {
		t.Log("no dataset was revoked in the past: the 410 page is not checked")
	}
	pages := f.pages(t)
	b := NewBrowser(t, 1280, 900)
	langs := []string{"zh", "en"}

	t.Run("NoJavaScript", func(t *testing.T) {
		tab := b.Tab(t)
		tab.DisableScripts(t)
		for _, lang := range langs {
			for _, pg := range pages {
				t.Run(pg.name+"-"+lang, func(t *testing.T) {
					status := openPage(t, tab, p.URL, pg, lang)
					want := pg.status
					if want == 0 {
						want = http.StatusOK
					}
					if status != want {
						t.Errorf("status %d, want %d", status, want)
					}
					if eval[bool](t, tab, `document.documentElement.classList.contains('js')`) {
						t.Fatal("scripts ran: the test is not seeing the page without JavaScript")
					}
					if ssr := eval[string](t, tab, `document.body.dataset.ssr || ''`); ssr != "1" {
						t.Errorf(`<body data-ssr=%q>: the page has no server-rendered data`, ssr)
					}
					checkContent(t, tab, pg, lang)
				})
			}
		}
	})

	t.Run("Phone", func(t *testing.T) {
		tab := b.Tab(t)
		tab.TrackQuiet(t)
		// Device pixel ratio 1 keeps the full-page screenshots (and the run)
		// small; the layout is the same as at 2 or 3.
		tab.Do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(1)))
		for _, lang := range langs {
			for _, pg := range pages {
				t.Run(pg.name+"-"+lang, func(t *testing.T) {
					openPage(t, tab, p.URL, pg, lang)
					tab.Settle(t)
					phoneChecks(t, tab, pg)
					tab.CheckAccessibility(t, pg.name+" ("+lang+", phone)")
					tab.Screenshot(t, pg.name+"-"+lang)
					menuChecks(t, tab)
				})
			}
		}
	})

	t.Run("DesktopEnglishHeader", func(t *testing.T) {
		tab := b.Tab(t)
		tab.Do(t, "desktop viewport", chromedp.EmulateViewport(1280, 800))
		for _, pg := range pages {
			if pg.name != "home" && pg.name != "datasets" && pg.name != "dataset" && pg.name != "stats" {
				continue
			}
			t.Run(pg.name, func(t *testing.T) {
				openPage(t, tab, p.URL, pg, "en")
				waitFor(t, tab, "English", `document.documentElement.lang === 'en'`)
				row := eval[string](t, tab, `(() => {
				  const f = document.querySelector('.navbar form.search-form'), n = document.querySelector('.navbar .main-nav');
				  if (!f || !n) return 'no header search form or navigation';
				  const a = f.getBoundingClientRect(), b = n.getBoundingClientRect();
				  if (a.height === 0) return 'the header search form is not shown';
				  // Same row: the form starts above the bottom of the navigation
				  // links and overlaps them vertically (it is taller than they are).
				  return a.top < b.bottom && a.bottom > b.top ? '' : 'search form ' + Math.round(a.top) + '–' + Math.round(a.bottom) + ' px, navigation row ' + Math.round(b.top) + '–' + Math.round(b.bottom) + ' px';
				})()`)
				if row != "" {
					tab.Screenshot(t, pg.name+"-en-desktop")
					t.Errorf("header search not on the navigation row: %s", row)
				}
			})
		}
	})

	// LCP is recorded, not asserted (the issue asks for the figure):
	// PORTAL_TEST_LCP_CPU=4 adds Lighthouse's 4× CPU slowdown.
	t.Run("LCPFast3G", func(t *testing.T) {
		cpu := 1.0
		if s := os.Getenv("PORTAL_TEST_LCP_CPU"); s != "" {
			if _, err := fmt.Sscan(s, &cpu); err != nil || cpu < 1 || cpu > 20 {
				t.Fatalf("PORTAL_TEST_LCP_CPU=%q: want a slowdown factor 1–20", s)
			}
		}
		for _, pg := range pages {
			if pg.name != "home" && pg.name != "dataset" {
				continue
			}
			t.Run(pg.name, func(t *testing.T) {
				// A fresh tab each time, with the HTTP cache off (Throttle).
				tab := b.Tab(t)
				tab.ClearCookies(t)
				tab.Do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
				tab.InstallLCP(t)
				tab.Throttle(t, cpu)
				m := tab.MeasureLCP(t, p.URL+pg.path)
				if m.MS <= 0 {
					t.Fatalf("LCP not measured: %+v", m)
				}
				line := fmt.Sprintf("%s\t%s\tlang=zh\tlcp=%.0fms\tfcp=%.0fms\tttfb=%.0fms\tload=%.0fms\tcpu=%gx\tnet=fast3g(562.5ms,180000B/s)\tcandidates=%d\telement=%s\tdoc=%dB\tcss=%dB/%d\tjs=%dB/%d\tfetches=%d\tfonts=%d",
					time.Now().UTC().Format(time.RFC3339), pg.path, m.MS, m.FCP, m.TTFB, m.Load, cpu, m.N, m.Element, m.DocBytes, m.CSSBytes, m.CSSFiles, m.JSBytes, m.JSFiles, m.Fetches, m.FontFiles)
				t.Log(line)
				t.Logf("resources (ms from navigation): %s", strings.Join(m.Timeline, ", "))
				tab.AppendResult(t, "lcp.txt", line)
			})
		}
	})
}

// phoneChecks: no sideways scrolling; one search box on the home page's
// first screen; resource actions on screen and not in a table.
func phoneChecks(t *testing.T, b *Browser, pg publicPage) {
	t.Helper()
	if over := eval[string](t, b, `(() => {
	  const w = document.documentElement.scrollWidth, v = window.innerWidth;
	  if (w <= v + 1) return '';
	  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > v + 1)
	    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= v + 1).slice(0, 3)
	    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
	  return w + ' px wide in a ' + v + ' px viewport; widest: ' + wide.join(', ');
	})()`); over != "" {
		t.Errorf("page scrolls sideways on a phone: %s", over)
	}
	if pg.name == "home" {
		n := eval[int](t, b, `[...document.querySelectorAll('input[type=search]')].filter(i => {
		  const r = i.getBoundingClientRect(), s = getComputedStyle(i);
		  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.top < 844 && r.bottom > 0;
		}).length`)
		if n != 1 {
			t.Errorf("%d visible search boxes on the home page's first screen, want 1", n)
		}
	}
	if pg.cards {
		bad := eval[string](t, b, `(() => {
		  const acts = [...document.querySelectorAll('main a[href*="/download"], main a[href^="/apply?dataset="]')];
		  if (acts.length === 0) return 'no download or apply link';
		  const out = [];
		  for (const a of acts) {
		    const r = a.getBoundingClientRect();
		    if (a.closest('table')) out.push(a.getAttribute('href') + ' is in a table');
		    else if (r.width === 0) out.push(a.getAttribute('href') + ' is not shown');
		    else if (r.left < 0 || r.right > window.innerWidth) out.push(a.getAttribute('href') + ' spans ' + Math.round(r.left) + '–' + Math.round(r.right) + ' px');
		  }
		  return out.join('; ');
		})()`)
		if bad != "" {
			t.Errorf("resource actions on a phone: %s", bad)
		}
	}
}

// menuChecks: the menu button shows, the navigation is collapsed until
// it is pressed, then every navigation link is on screen.
func menuChecks(t *testing.T, b *Browser) {
	t.Helper()
	visible := func(sel string) string {
		return `(() => { const e = document.querySelector(` + jsString(sel) + `); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; })()`
	}
	if !eval[bool](t, b, visible(`[data-testid=menu-toggle]`)) {
		why := ""
		if !eval[bool](t, b, `!!document.querySelector('script[type=module]')`) {
			why = " (the page loads no script, so layout.js never shows it)"
		}
		t.Errorf("the menu button is not visible on a phone%s", why)
		return
	}
	if eval[bool](t, b, visible(`#main-nav-list a`)) {
		t.Errorf("the navigation is open before the menu button is pressed")
	}
	b.Do(t, "press the menu button", chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)))
	waitFor(t, b, "the menu to open", `document.querySelector('[data-testid=menu-toggle]').getAttribute('aria-expanded') === 'true'`)
	if bad := eval[string](t, b, `[...document.querySelectorAll('#main-nav-list a')].filter(a => {
	  const r = a.getBoundingClientRect();
	  return r.width === 0 || r.height === 0 || r.left < 0 || r.right > window.innerWidth + 1;
	}).map(a => a.getAttribute('href')).join(', ')`); bad != "" {
		t.Errorf("navigation links not on screen after opening the menu: %s", bad)
	}
}
