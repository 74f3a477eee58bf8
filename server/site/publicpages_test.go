package site_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/site"
)

// The pages are read as a client without JavaScript reads them: the
// plain HTML of the first response.

const (
	ppOpenDS = "ds-hlj-scjgj-001" // unconditional, the demo provider's (黑龙江省市场监督管理局)
	ppDept   = "hlj-scjgj"
	ppDeptZH = "黑龙江省市场监督管理局"
)

func ppChina(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.Zone)
}

type ppEnv struct {
	*apptest.Portal
	clock *apptest.Clock
	roles *apptest.Roles
}

func newPPEnv(t *testing.T, engine string) *ppEnv {
	t.Helper()
	c := apptest.NewClock(ppChina(2026, 5, 6, 10))
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true, Now: c.Now})
	return &ppEnv{Portal: p, clock: c, roles: apptest.NewRoles(p, c.Now)}
}

// page GETs path with the headers (pairs) and checks it is an HTML page
// with the status.
func (e *ppEnv) page(t *testing.T, path string, status int, header ...string) string {
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
	return string(r.Body)
}

// mainOf is the content of <main>, unescaped, tags kept.
func mainOf(t *testing.T, body string) string {
	t.Helper()
	i, j := strings.Index(body, "<main"), strings.Index(body, "</main>")
	if i < 0 || j < i {
		t.Fatalf("no <main> in %.300s", body)
	}
	return html.UnescapeString(body[i:j])
}

var (
	ppTitleRE = regexp.MustCompile(`<title>([^<]*)</title>`)
	ppH1RE    = regexp.MustCompile(`<h1[^>]*>([^<]*)</h1>`)
	ppTagRE   = regexp.MustCompile(`<[^>]+>`)
	// An internal article code, as the rules' summary writes them.
	ppCodeRE = regexp.MustCompile(`\b0\d\d\s*(Art|第)`)
)

func ppFirst(t *testing.T, re *regexp.Regexp, body, what string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %.400s", what, body)
	}
	return html.UnescapeString(m[1])
}

// text is an HTML fragment's text with its white space collapsed.
func text(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(ppTagRE.ReplaceAllString(s, " "))), " ")
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(s, b) {
			t.Errorf("%s shows %q", what, b)
		}
	}
}

// revoke asks to revoke ds with the legal basis and approves it; it
// returns the announcement.
func (e *ppEnv) revoke(t *testing.T, ds, basis string) revocations.AnnouncementJSON {
	t.Helper()
	r := e.roles.PostJSON(t, "provider", "/api/v1/revocations", map[string]any{"dataset_id": ds, "reason": "数据来源系统停止运行",
		"legal_basis": basis, "effective_date": "2026-06-01"})
	if r.Status != http.StatusCreated {
		t.Fatalf("request revocation: %d %s", r.Status, r.Body)
	}
	var rev revocations.RevocationJSON
	r.JSON(t, &rev)
	r = e.roles.PostJSON(t, "authority", "/api/v1/revocations/"+rev.ID+"/decision", map[string]string{"decision": "approve", "reason": "同意"})
	if r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	var d revocations.DecisionJSON
	r.JSON(t, &d)
	if d.Announcement == nil {
		t.Fatalf("no announcement: %s", r.Body)
	}
	return *d.Announcement
}

func TestAnnouncementPages(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newPPEnv(t, engine)
			// The legal basis as a hurried provider might type it.
			ann := e.revoke(t, ppOpenDS, "000 Art 35；000 第16条")

			// The list, in Chinese.
			body := e.page(t, "/announcements", http.StatusOK)
			main := mainOf(t, body)
			mustContain(t, "the list", main, ann.Number, ann.Title, ppDeptZH, `href="/announcements/`+ann.ID+`"`,
				`href="/datasets/`+ppOpenDS+`"`, "发布于 2026-05-06", "2026-06-01 起撤销开放", `href="/announcements.atom"`)
			mustContain(t, "the list's head", body, `<html lang="zh-CN">`, `<link rel="alternate" type="application/atom+xml" href="/announcements.atom"`,
				`<meta name="description" content="撤销开放数据的公告`)
			if got := ppFirst(t, ppH1RE, body, "h1"); got != "公告" {
				t.Errorf("h1 %q", got)
			}
			if strings.Contains(body, `data-testid="pager"`) {
				t.Error("a pager on a list of one page")
			}

			// English, by Accept-Language and by ?lang=en: the labels are
			// English, the announcement itself stays Chinese and says so.
			for _, h := range [][]string{{"Accept-Language", "en-US,en;q=0.9"}, nil} {
				path := "/announcements"
				if h == nil {
					path += "?lang=en"
				}
				body := e.page(t, path, http.StatusOK, h...)
				main := mainOf(t, body)
				mustContain(t, path+" in English", body, `<html lang="en">`, "<title>Announcements - ", `<link rel="canonical" href="`+e.URL+`/announcements?lang=en">`)
				mustContain(t, path+" in English", main, ">Announcements</h1>", "1 in total", "Published 2026-05-06", "Revoked as of 2026-06-01",
					`<a href="/announcements/`+ann.ID+`" lang="zh-CN" data-testid="announcement-link">`+ann.Title+`</a>`,
					`<span lang="zh-CN" data-testid="announcement-department">`+ppDeptZH+`</span>`)
				mustNotContain(t, path+" in English", text(main), "发布于", "起撤销开放", "共 ")
			}

			// The announcement.
			path := "/announcements/" + ann.ID
			body = e.page(t, path, http.StatusOK)
			main = mainOf(t, body)
			if got := ppFirst(t, ppTitleRE, body, "title"); !strings.HasPrefix(got, ann.Title+"（"+ann.Number+"） - ") {
				t.Errorf("title %q", got)
			}
			if got := ppFirst(t, ppH1RE, body, "h1"); got != ann.Title {
				t.Errorf("h1 %q, want %q", got, ann.Title)
			}
			mustContain(t, "the announcement's head", body, `<meta property="og:type" content="article">`,
				`<link rel="canonical" href="`+e.URL+path+`">`, `<meta name="description" content="`+html.EscapeString(ann.Number)+`：`+ppDeptZH,
				`<script type="application/ld+json">`)
			mustContain(t, "the announcement", main, ann.Number, ppDeptZH, ann.Dataset.Name, "数据来源系统停止运行", "2026-06-01",
				"《黑龙江省政务数据管理暂行办法》第三十五条；《黑龙江省政务数据管理暂行办法》第十六条", // the legal basis, by name
				"特此公告。")
			if m := ppCodeRE.FindString(text(main)); m != "" {
				t.Errorf("the announcement shows an internal article code %q", m)
			}
			// Kept rendered: the same bytes again, and 304 on its ETag.
			r1 := e.Get(t, path)
			r2 := e.Do(t, http.MethodGet, path, nil, map[string]string{"If-None-Match": r1.Header.Get("ETag")})
			if r1.Header.Get("ETag") == "" || r2.Status != http.StatusNotModified {
				t.Errorf("revalidation: ETag %q, status %d", r1.Header.Get("ETag"), r2.Status)
			}
			en := mainOf(t, e.page(t, path+"?lang=en", http.StatusOK))
			mustContain(t, "the announcement in English", en, "Providing department", "Legal basis", "Effective date", "The whole dataset",
				`<h1 id="page-title" lang="zh-CN">`+ann.Title+`</h1>`)

			// Unknown announcements: the HTML 404 page, in the reader's language.
			for _, bad := range []string{"/announcements/ann_0000000000000000", "/announcements/nope"} {
				body := html.UnescapeString(e.page(t, bad, http.StatusNotFound, "Accept-Language", "en"))
				mustContain(t, bad, body, `<html lang="en">`, "We can't find that page", `action="/datasets"`)
			}
		})
	}
}

func TestAnnouncementPaging(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newPPEnv(t, engine)
			// More announcements than a page holds (published in the past:
			// the list is what the service returns, whatever made them).
			n := site.AnnouncementPageSize + 3
			for i := 1; i <= n; i++ {
				at := ppChina(2025, 1, 1, 9).AddDate(0, 0, i)
				a := revocations.Announcement{ID: fmt.Sprintf("ann_%016x", i), Number: fmt.Sprintf("黑数开公告〔2025〕第%d号", i), Year: 2025, Seq: i,
					Kind: revocations.KindRevocation, Title: fmt.Sprintf("关于撤销开放《测试数据%02d》的公告", i), RevocationID: fmt.Sprintf("rev_%d", i),
					DatasetID: fmt.Sprintf("ds-test-%02d", i), DatasetTitle: fmt.Sprintf("测试数据%02d", i), DepartmentID: ppDept, DepartmentName: ppDeptZH,
					Region: "黑龙江省", Reason: "测试", LegalBasis: "测试", ApprovedAt: at, EffectiveAt: at, GraceEnd: at, ExistingUsers: "测试",
					Body: "测试", PublishedAt: at}
				if err := e.DB.Create(&a).Error; err != nil {
					t.Fatal(err)
				}
			}
			first := mainOf(t, e.page(t, "/announcements", http.StatusOK))
			mustContain(t, "page 1", first, "关于撤销开放《测试数据23》的公告", `href="/announcements?page=2" rel="next"`, "第 1 / 2 页")
			mustNotContain(t, "page 1", first, "关于撤销开放《测试数据03》的公告", `rel="prev"`)
			body := e.page(t, "/announcements?page=2&lang=en", http.StatusOK)
			second := mainOf(t, body)
			mustContain(t, "page 2", second, "关于撤销开放《测试数据03》的公告", "关于撤销开放《测试数据01》的公告", `href="/announcements" rel="prev"`, "Page 2 of 2")
			mustNotContain(t, "page 2", second, `rel="next"`, "关于撤销开放《测试数据04》的公告")
			mustContain(t, "page 2's head", body, "<title>Announcements (page 2) - ", `<link rel="canonical" href="`+e.URL+`/announcements?lang=en&amp;page=2">`)
			e.page(t, "/announcements?page=3", http.StatusNotFound)
			e.page(t, "/announcements?page=x", http.StatusOK) // unreadable: the first page
		})
	}
}

// ask files a data request as the citizen.
func (e *ppEnv) ask(t *testing.T, title, department string) uint64 {
	t.Helper()
	in := map[string]any{"title": title, "description": "按月更新的" + title + "，含区县分布", "intended_use": "私人用途：家庭理财研究"}
	if department != "" {
		in["department_id"] = department
	} else {
		in["suggested_department_id"] = ppDept
	}
	r := e.roles.PostJSON(t, "citizen", "/api/v1/requests", in)
	if r.Status != http.StatusCreated {
		t.Fatalf("ask: %d %s", r.Status, r.Body)
	}
	var out struct {
		ID uint64 `json:"id"`
	}
	r.JSON(t, &out)
	return out.ID
}

func TestRequestsPage(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newPPEnv(t, engine)
			routed := e.ask(t, "全省个体工商户年度报告汇总", ppDept)
			waiting := e.ask(t, "全省充电桩分布数据", "")
			refused := e.ask(t, "企业法定代表人手机号码", ppDept)
			if r := e.roles.PostJSON(t, "provider", fmt.Sprintf("/api/v1/requests/%d/answer", refused), map[string]any{"decision": "refuse", "reason": "涉及个人信息，依法不予开放"}); r.Status != http.StatusOK {
				t.Fatalf("refuse: %d %s", r.Status, r.Body)
			}
			if r := e.roles.PostJSON(t, "organisation", fmt.Sprintf("/api/v1/requests/%d/support", routed), nil); r.Status != http.StatusOK {
				t.Fatalf("support: %d %s", r.Status, r.Body)
			}

			body := e.page(t, "/requests", http.StatusOK)
			main := mainOf(t, body)
			mustContain(t, "the list", main, "全省个体工商户年度报告汇总", "全省充电桩分布数据", "企业法定代表人手机号码",
				"待答复", "待分派", "不予受理", "涉及个人信息，依法不予开放", ppDeptZH, "1 人支持", "共 3 条需求",
				`href="/requests/new"`, `<form class="fb-toolbar" role="search"`, `action="/requests" method="get"`,
				`href="/login?next=%2Frequests"`, fmt.Sprintf(`data-id="%d" data-status="routed"`, routed),
				fmt.Sprintf(`data-id="%d" data-status="submitted"`, waiting))
			// Never who asked, nor why; no operator's caveat on due dates.
			mustNotContain(t, "the public list", main, "私人用途", apptest.DemoEmail("citizen"), "暂定")
			mustContain(t, "the head", body, "<title>数据需求 - ", `<meta name="description" content="公众提出的数据需求`, `<link rel="canonical" href="`+e.URL+`/requests">`)
			if got := ppFirst(t, ppH1RE, body, "h1"); got != "数据需求" {
				t.Errorf("h1 %q", got)
			}

			for _, h := range [][]string{{"Accept-Language", "en"}, nil} {
				path := "/requests"
				if h == nil {
					path += "?lang=en"
				}
				body := e.page(t, path, http.StatusOK, h...)
				main := mainOf(t, body)
				mustContain(t, path, body, `<html lang="en">`, "<title>Data requests - ")
				mustContain(t, path, main, "Awaiting answer", "To be routed", "Refused", "Reason for refusal: ", "1 supporter<", "0 supporters",
					"Sign in to support", "3 requests", `<span lang="zh-CN" data-testid="req-department">`+ppDeptZH+`</span>`)
				mustNotContain(t, path, text(main), "待答复", "人支持", "处理部门", "provisional")
			}

			// The filters and the order are plain GET parameters.
			refusedOnly := mainOf(t, e.page(t, "/requests?status=refused", http.StatusOK))
			mustContain(t, "refused only", refusedOnly, "企业法定代表人手机号码", `<option value="refused" selected>`)
			mustNotContain(t, "refused only", refusedOnly, "全省充电桩分布数据")
			q := mainOf(t, e.page(t, "/requests?q=%E5%85%85%E7%94%B5%E6%A1%A9", http.StatusOK)) // 充电桩
			mustContain(t, "words", q, "全省充电桩分布数据", `value="充电桩"`)
			mustNotContain(t, "words", q, "企业法定代表人手机号码")
			bySupport := mainOf(t, e.page(t, "/requests?sort=supporters", http.StatusOK))
			if strings.Index(bySupport, "全省个体工商户年度报告汇总") > strings.Index(bySupport, "全省充电桩分布数据") {
				t.Error("sort=supporters does not put the supported request first")
			}
			// ?id= puts one request on top.
			focus := mainOf(t, e.page(t, fmt.Sprintf("/requests?id=%d", waiting), http.StatusOK))
			if i, j := strings.Index(focus, `data-testid="req-focus"`), strings.Index(focus, "全省充电桩分布数据"); i < 0 || j < i {
				t.Errorf("no focused request on top")
			}
			// Nonsense parameters are dropped, not refused.
			e.page(t, "/requests?status=nope&sort=x&page=0&overdue=maybe", http.StatusOK)

			// More requests than a page: paging links keep the filters.
			for i := 0; i < site.RequestPageSize; i++ {
				r := requests.Request{Title: fmt.Sprintf("测试需求%02d", i), TitleKey: fmt.Sprintf("测试需求%02d", i), Description: "测试",
					Status: requests.StatusSubmitted, CreatedAt: e.clock.Now(), RequesterID: 1}
				if err := e.DB.Create(&r).Error; err != nil {
					t.Fatal(err)
				}
			}
			page1 := mainOf(t, e.page(t, "/requests?status=submitted", http.StatusOK))
			mustContain(t, "page 1", page1, `href="/requests?page=2&status=submitted" rel="next"`, "共 21 条需求")
			page2 := mainOf(t, e.page(t, "/requests?status=submitted&page=2", http.StatusOK))
			mustContain(t, "page 2", page2, `href="/requests?status=submitted" rel="prev"`, "全省充电桩分布数据")
			e.page(t, "/requests?status=submitted&page=3", http.StatusNotFound)
		})
	}
}

func TestStatsPage(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newPPEnv(t, engine)
			e.ask(t, "全省个体工商户年度报告汇总", ppDept) // routed to the department in May

			row := func(main, id string) []string {
				t.Helper()
				m := regexp.MustCompile(`<tr data-testid="st-row" data-id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</tr>`).FindStringSubmatch(main)
				if m == nil {
					t.Fatalf("no row %s", id)
				}
				var cells []string
				for _, c := range regexp.MustCompile(`<t[hd][^>]*>([^<]*)</t[hd]>`).FindAllStringSubmatch(m[1], -1) {
					cells = append(cells, c[1])
				}
				return cells
			}

			// The default range: the six months up to this one.
			body := e.page(t, "/stats", http.StatusOK)
			main := mainOf(t, body)
			mustContain(t, "the page", body, "<title>部门统计 - ", `<meta name="description" content="各数据提供部门`, `<link rel="canonical" href="`+e.URL+`/stats">`)
			mustContain(t, "the page", main, `<h2 id="st-summary" tabindex="-1">2025-12 至 2026-05</h2>`, `value="2025-12"`, `value="2026-05"`,
				`<form id="st-form"`, `action="/stats" method="get"`, `data-testid="st-chart-corr"`, `data-testid="st-quality"`)
			// Department, applications, corrections, requests, overdue: the
			// key figures first.
			if got := row(main, ppDept); len(got) != 15 || got[0] != ppDeptZH || got[3] != "1" {
				t.Errorf("row of %s: %q", ppDept, got)
			}
			if n := strings.Count(main, `data-testid="st-row"`); n < 10 {
				t.Errorf("%d department rows", n)
			}
			if got := text(regexp.MustCompile(`<span class="fb-card-value" data-testid="st-requests">[^<]*`).FindString(main)); got != "0 / 1" {
				t.Errorf("requests card %q", got)
			}
			// No operator warnings on a public page.
			mustNotContain(t, "the page", text(main), "暂不可用", "暂定")

			// One department: a row per month and the total.
			one := mainOf(t, e.page(t, "/stats?from=2026-04&to=2026-05&department="+ppDept+"&lang=en", http.StatusOK))
			mustContain(t, "one department", one, "<h1 id=\"page-title\">Department statistics</h1>", "Correction reports", "Data requests",
				`<option value="`+ppDept+`" lang="zh-CN" selected>`+ppDeptZH+`</option>`, "2026-04 to 2026-05")
			if got := row(one, "2026-05"); got[3] != "1" {
				t.Errorf("May row %q", got)
			}
			if got := row(one, "Total"); got[0] != "Total" || got[3] != "1" {
				t.Errorf("total row %q", got)
			}
			mustNotContain(t, "one department in English", text(one), "部门统计", "收到纠错", "合计")

			// A range the service refuses: the form stays, with what to fix.
			for _, bad := range []string{"/stats?from=2026-13", "/stats?from=2020-01&to=2026-05"} {
				main := mainOf(t, e.page(t, bad, http.StatusBadRequest))
				mustContain(t, bad, main, `data-testid="st-invalid"`, `<form id="st-form"`)
			}
			e.page(t, "/stats?department=no-such-department", http.StatusNotFound)
		})
	}
}
