package site

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/web"
)

// AnnouncementPageSize is how many announcements a list page shows (the
// page script asks for as many).
const AnnouncementPageSize = 20

// ppMaxPage bounds ?page= on the public lists (as the API does).
const ppMaxPage = 10000

func (h *Handler) announcementRoutes(r *web.Router) {
	r.GET("/announcements", web.Public, h.announcements)
	r.GET("/announcements/:id", web.Public, h.announcement)
}

// ppPager is a list's paging as plain links (they work without script).
type ppPager struct {
	Page, Last int
	Prev, Next string // hrefs; "" at either end
}

// ppPage reads ?page= (1 when absent or unreadable, at most ppMaxPage).
func ppPage(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, ppMaxPage)
}

// newPPPager links the neighbours of page with the list's other
// parameters (q carries no page).
func newPPPager(path string, q url.Values, page int, total int64, size int) ppPager {
	last := max(1, int((total+int64(size)-1)/int64(size)))
	p := ppPager{Page: page, Last: last}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(min(page-1, last))
	}
	if page < last {
		p.Next = link(page + 1)
	}
	return p
}

// ppCatalogs are the domain catalogs of the announcements, requests and
// statistics pages, first match wins: titles, descriptions and the
// statistics' labels made in Go need them.
var ppCatalogs = []string{"publicpages", "stats", "requests", "revocations"}

// ppT translates key in lang from ppCatalogs, then the shared catalogs.
func (h *Handler) ppT(lang, key string, kv ...any) string {
	return h.R.TWith(lang, ppCatalogs, key, kv...)
}

// ppTitle is a list's <title> part, naming the page after the first.
func (h *Handler) ppTitle(lang, key string, page int) string {
	title := h.ppT(lang, key)
	if page > 1 {
		title = h.ppT(lang, "pp.titlePage", "title", title, "page", page)
	}
	return title
}

// annItem is one announcement in the list.
type annItem struct {
	ID, Number, Title                   string
	Correction                          bool
	Department, DatasetID, DatasetTitle string
	ResourceName                        string
	Published, Effective                time.Time
	InEffect                            bool
}

func newAnnItem(a *revocations.Announcement, now time.Time) annItem {
	return annItem{ID: a.ID, Number: a.Number, Title: a.Title, Correction: a.Kind == revocations.KindCorrection,
		Department: a.DepartmentName, DatasetID: a.DatasetID, DatasetTitle: a.DatasetTitle, ResourceName: a.ResourceName,
		Published: a.PublishedAt, Effective: a.EffectiveAt, InEffect: !now.Before(a.EffectiveAt)}
}

// annList is the data of /announcements.
type annList struct {
	Items []annItem
	Total int64
	Pager ppPager
}

// GET /announcements: the revocation announcements, newest first, paged
// by links (?page=).
func (h *Handler) announcements(c echo.Context) error {
	page := ppPage(c)
	res, err := h.Revocations.Announcements(c.Request().Context(), revocations.AnnouncementParams{Page: page, PageSize: AnnouncementPageSize})
	if err != nil {
		return err
	}
	if page > 1 && len(res.Items) == 0 {
		return h.NotFound(c) // past the last page: no such page
	}
	v := h.view(c)
	now := h.Now()
	data := &annList{Total: res.Total, Pager: newPPPager("/announcements", nil, page, res.Total, AnnouncementPageSize)}
	for i := range res.Items {
		data.Items = append(data.Items, newAnnItem(&res.Items[i], now))
	}
	if page > 1 {
		v.Query = url.Values{"page": {strconv.Itoa(page)}}
	}
	v.Title = h.ppTitle(v.Lang, "rv.title.announcements", page)
	v.Description = h.ppT(v.Lang, "pp.announcements.desc")
	v.Data = data
	return h.page(c, http.StatusOK, "announcements", v)
}

// annDetail is the data of /announcements/{id}.
type annDetail struct {
	annItem
	Whole               bool
	Reason, LegalBasis  string
	ExistingUsers, Text string
	CorrectionText      string
	Approved            time.Time
	Corrects            *annRef
	CorrectedBy         []annRef
}

// annRef names another announcement.
type annRef struct{ ID, Number, Title string }

// errNoAnnouncement tells the detail handler to answer the 404 page.
var errNoAnnouncement = errors.New("no such announcement")

// GET /announcements/{id}: one announcement in full. Kept rendered
// (announcements are never edited; a correction adds a link to the old
// one within CacheTTL).
func (h *Handler) announcement(c echo.Context) error {
	id := c.Param("id")
	err := h.cached(c, KeyAnnouncement+id, "announcement", func() (int, *frontend.View, error) {
		d, err := h.Revocations.Announcement(c.Request().Context(), id)
		if apperr.Is(err, apperr.NotFound) {
			return 0, nil, errNoAnnouncement
		}
		if err != nil {
			return 0, nil, err
		}
		v := h.view(c)
		data := &annDetail{annItem: newAnnItem(&d.Announcement, h.Now()), Whole: d.ResourceID == "",
			Reason: CiteRules(d.Reason), LegalBasis: CiteRules(d.LegalBasis), ExistingUsers: CiteRules(d.ExistingUsers),
			Text: CiteRules(d.Body), CorrectionText: CiteRules(d.Correction), Approved: d.ApprovedAt}
		if d.Corrects != nil {
			data.Corrects = &annRef{d.Corrects.ID, d.Corrects.Number, d.Corrects.Title}
		}
		for _, x := range d.CorrectedBy {
			data.CorrectedBy = append(data.CorrectedBy, annRef{x.ID, x.Number, x.Title})
		}
		// The cache keys by language: render in the one asked for.
		lang := locale.FromRequest(c.Request())
		v.Title = d.Title + "（" + d.Number + "）" // both, as the reader may search for either
		v.Description = h.ppT(lang, "pp.announcement.desc", "number", d.Number, "department", d.DepartmentName,
			"dataset", d.DatasetTitle, "date", frontend.FormatDate(d.EffectiveAt))
		v.OGType = "article"
		base := h.base(c)
		v.JSONLD = map[string]any{
			"@context":      "https://schema.org",
			"@type":         "Article",
			"headline":      d.Title,
			"identifier":    d.Number,
			"inLanguage":    "zh-CN",
			"url":           base + "/announcements/" + url.PathEscape(d.ID),
			"datePublished": d.PublishedAt.In(calendar.Zone).Format(time.RFC3339),
			"publisher":     map[string]any{"@type": "GovernmentOrganization", "name": d.Region + "政务数据主管部门"},
			"about":         map[string]any{"@type": "Dataset", "name": d.DatasetTitle, "identifier": d.DatasetID, "url": base + "/datasets/" + url.PathEscape(d.DatasetID)},
		}
		v.Data = data
		return http.StatusOK, v, nil
	})
	if errors.Is(err, errNoAnnouncement) {
		return h.NotFound(c)
	}
	return err
}

// ---- citing the rules ------------------------------------------------------

// ppRuleNames are the regulations behind the internal article codes
// ("000 Art 35") used in code and notes; readers see the names.
var ppRuleNames = map[string]string{
	"000": "《黑龙江省政务数据管理暂行办法》",
	"001": "《政务数据共享条例》",
	"003": "《平山县政务数据共享工作制度》",
}

// ppRuleCode matches an internal citation: "000 Art 35", "000 Art. 35 ¶2",
// "000 第35条".
var ppRuleCode = regexp.MustCompile(`\b(000|001|003)\s*(?:Art\.?\s*(\d{1,3})(?:\s*¶\s*\d+)?|第\s*(\d{1,3})\s*条)`)

// CiteRules replaces internal article codes in a text shown to readers by
// the regulation's name and article ("《黑龙江省政务数据管理暂行办法》第三十五条").
// Announcement texts are written by people; this keeps a slip from
// reaching the public.
func CiteRules(s string) string {
	if !strings.Contains(s, "00") {
		return s
	}
	return ppRuleCode.ReplaceAllStringFunc(s, func(m string) string {
		sm := ppRuleCode.FindStringSubmatch(m)
		n := sm[2]
		if n == "" {
			n = sm[3]
		}
		num, err := strconv.Atoi(n)
		if err != nil || num < 1 {
			return ppRuleNames[sm[1]]
		}
		return ppRuleNames[sm[1]] + "第" + ppChineseNumber(num) + "条"
	})
}

// ppChineseNumber writes 1–999 in Chinese numerals as article numbers are
// (十, 二十四, 一百零五).
func ppChineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	if n <= 0 || n >= 1000 {
		return strconv.Itoa(n)
	}
	var b strings.Builder
	h, t, u := n/100, n/10%10, n%10
	if h > 0 {
		b.WriteString(digits[h] + "百")
		if t == 0 && u > 0 {
			b.WriteString("零")
		}
	}
	if t > 0 {
		if !(t == 1 && h == 0) {
			b.WriteString(digits[t])
		}
		b.WriteString("十")
	}
	if u > 0 {
		b.WriteString(digits[u])
	}
	return b.String()
}
