package site

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/web"
)

// RequestPageSize is how many data requests a list page shows (the page
// script asks for as many).
const RequestPageSize = 20

func (h *Handler) requestRoutes(r *web.Router) {
	r.GET("/requests", web.Public, h.requests)
}

// reqStatuses are the filter's choices, "" for all, in the form's order.
var reqStatuses = []string{"", string(requests.StatusSubmitted), string(requests.StatusRouted),
	string(requests.StatusAccepted), string(requests.StatusRefused), string(requests.StatusFulfilled)}

// reqItem is one request as the public sees it: never who asked, nor why
// (the intended use is private).
type reqItem struct {
	ID                      uint64
	Title, Description      string
	Status                  string
	Badge                   string // the status badge's colour class
	Department              string // name ("" when not routed yet)
	Created                 time.Time
	RouteDue, AnswerDue     *time.Time
	Answered, CatalogDue    *time.Time
	RouteLate, AnswerLate   bool
	CatalogLate, Escalated  bool
	Overdue, CatalogRunning bool
	Late                    bool // any late flag: the card is marked
	Reason                  string
	Refused                 bool
	DatasetID, DatasetTitle string
	Supporters              int
	Closed                  bool
	Selected                bool // the request ?id= names
}

// reqGroup is a list of cards: the request ?id= names, then the page.
type reqGroup struct {
	TestID string
	List   bool // the page's list (the filters and the count go above it)
	Items  []reqItem
}

var reqBadge = map[requests.Status]string{
	requests.StatusSubmitted: "fb-badge-open", requests.StatusRouted: "fb-badge-open", requests.StatusAccepted: "fb-badge-open",
	requests.StatusRefused: "fb-badge-bad", requests.StatusFulfilled: "fb-badge-done",
}

// reqList is the data of /requests.
type reqList struct {
	Q, Status, Sort string
	Department      string // kept from the URL (the API's filter)
	Overdue         bool
	Statuses        []string
	Focus           *reqItem // ?id=: one request on top
	Groups          []reqGroup
	Total           int64
	Pager           ppPager
	Login           string // sign-in link that comes back here
}

// reqQuery reads the list's parameters as the API does; on a page, a
// value that cannot be used is dropped rather than refused.
func reqQuery(c echo.Context) (requests.ListQuery, url.Values) {
	q := requests.ListQuery{Page: ppPage(c), PageSize: RequestPageSize}
	keep := url.Values{}
	if s := strings.TrimSpace(c.QueryParam("q")); s != "" {
		if utf8.RuneCountInString(s) > 100 {
			s = string([]rune(s)[:100])
		}
		q.Query = s
		keep.Set("q", s)
	}
	for _, s := range reqStatuses[1:] {
		if c.QueryParam("status") == s {
			q.Status = s
			keep.Set("status", s)
		}
	}
	if c.QueryParam("sort") == "supporters" {
		q.Sort = "supporters"
		keep.Set("sort", q.Sort)
	}
	if d := c.QueryParam("department"); d != "" && len(d) <= 64 {
		q.Department = d
		keep.Set("department", d)
	}
	if b, err := strconv.ParseBool(c.QueryParam("overdue")); err == nil && b {
		q.Overdue = true
		keep.Set("overdue", "true")
	}
	return q, keep
}

// GET /requests: the public list of data requests with its filters as a
// GET form and its paging as links; ?id= puts one request on top.
func (h *Handler) requests(c echo.Context) error {
	ctx := c.Request().Context()
	q, keep := reqQuery(c)
	res, err := h.Requests.List(ctx, q)
	if err != nil {
		return err
	}
	if q.Page > 1 && len(res.Items) == 0 {
		return h.NotFound(c)
	}
	list := res.Items
	var focus *requests.Request
	if raw := c.QueryParam("id"); raw != "" {
		if id, err := strconv.ParseUint(raw, 10, 64); err == nil {
			r, err := h.Requests.Get(ctx, id)
			switch {
			case err == nil:
				focus = r
				list = append([]requests.Request{*r}, list...)
			case !apperr.Is(err, apperr.NotFound):
				return err
			}
		}
	}
	deps, datasets, err := h.Requests.Names(ctx, list)
	if err != nil {
		return err
	}
	now := h.Now()
	item := func(r *requests.Request) reqItem {
		it := reqItem{ID: r.ID, Title: r.Title, Description: r.Description, Status: string(r.Status), Badge: reqBadge[r.Status],
			Created: r.CreatedAt, RouteLate: r.RouteLate(now), AnswerLate: r.AnswerLate(now), CatalogLate: r.CatalogLate(now),
			Escalated: r.Escalated, Overdue: r.Overdue(now), Answered: r.AnsweredAt, Supporters: r.Supporters,
			Closed: r.Status == requests.StatusRefused || r.Status == requests.StatusFulfilled}
		if r.DepartmentID != "" {
			it.Department = deps[r.DepartmentID]
			if it.Department == "" {
				it.Department = r.DepartmentID
			}
		}
		// The due date of the clock that is running, as the page script shows it.
		switch r.Status {
		case requests.StatusSubmitted:
			it.RouteDue = r.RouteDueAt
		case requests.StatusRouted:
			it.AnswerDue = r.AnswerDueAt
		case requests.StatusAccepted, requests.StatusFulfilled:
			it.CatalogDue = r.CatalogDueAt
			it.CatalogRunning = r.Status == requests.StatusAccepted
		}
		if r.Status == requests.StatusRefused || r.Status == requests.StatusAccepted || r.Status == requests.StatusFulfilled {
			it.Reason = r.Reason // 000 Art 29: a refusal's reasons are public
			it.Refused = r.Status == requests.StatusRefused
		}
		if r.DatasetID != "" {
			it.DatasetID = r.DatasetID
			it.DatasetTitle = datasets[r.DatasetID]
			if it.DatasetTitle == "" {
				it.DatasetTitle = r.DatasetID
			}
		}
		it.Late = it.Overdue || it.AnswerLate || it.CatalogLate
		return it
	}
	data := &reqList{Q: q.Query, Status: q.Status, Sort: q.Sort, Department: q.Department, Overdue: q.Overdue, Statuses: reqStatuses,
		Total: res.Total, Pager: newPPPager("/requests", keep, q.Page, res.Total, RequestPageSize)}
	if data.Sort == "" {
		data.Sort = "newest"
	}
	if focus != nil {
		f := item(focus)
		f.Selected = true
		data.Focus = &f
		data.Groups = append(data.Groups, reqGroup{TestID: "req-focus", Items: []reqItem{f}})
	}
	page := reqGroup{TestID: "req-list", List: true}
	for i := range res.Items {
		if focus != nil && res.Items[i].ID == focus.ID {
			continue
		}
		page.Items = append(page.Items, item(&res.Items[i]))
	}
	data.Groups = append(data.Groups, page)
	v := h.view(c)
	v.Query = keep
	if q.Page > 1 {
		v.Query = url.Values{}
		for k, vs := range keep {
			v.Query[k] = vs
		}
		v.Query.Set("page", strconv.Itoa(q.Page))
	}
	if focus != nil {
		v.Query.Set("id", strconv.FormatUint(focus.ID, 10))
	}
	// Filtered and focused views repeat the list's content: not for search
	// engines, which index the plain list and its pages.
	v.NoIndex = len(keep) > 0 || focus != nil
	data.Login = "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
	if utf8.RuneCountInString(data.Login) > 600 {
		data.Login = "/login?next=" + url.QueryEscape("/requests")
	}
	v.Title = h.ppTitle(v.Lang, "req.title.list", q.Page)
	v.Description = h.ppT(v.Lang, "pp.requests.desc")
	v.Data = data
	return h.page(c, http.StatusOK, "requests", v)
}
