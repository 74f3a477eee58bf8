package requests

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the data requests API.
type Handler struct {
	Service *Service
}

// Routes registers the data request routes.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/requests", authz.RequestsCreate, h.create)
	r.GET("/api/v1/requests", authz.Public, h.list)
	r.GET("/api/v1/requests/queue", authz.Me, h.queue)
	r.GET("/api/v1/requests/:id", authz.Public, h.get)
	r.POST("/api/v1/requests/:id/support", authz.RequestsCreate, h.support)
	r.DELETE("/api/v1/requests/:id/support", authz.RequestsCreate, h.unsupport)
	r.POST("/api/v1/requests/:id/route", authz.RequestsRoute, h.route)
	r.POST("/api/v1/requests/:id/answer", authz.RequestsAnswer, h.answer)
	r.POST("/api/v1/requests/:id/fulfil", authz.RequestsAnswer, h.fulfil)
}

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// RequestJSON is a request as the public sees it: never who asked.
// intended_use and suggested_department are shown to the requester, the
// department and the authority only.
type RequestJSON struct {
	ID                  uint64      `json:"id"`
	Title               string      `json:"title"`
	Description         string      `json:"description"`
	Status              Status      `json:"status"`
	Department          *RefJSON    `json:"department"`
	CreatedAt           time.Time   `json:"created_at"`
	RouteDueAt          *time.Time  `json:"route_due_at"` // the authority routes a request naming no department by then
	RouteLate           bool        `json:"route_late"`
	RoutedAt            *time.Time  `json:"routed_at"`
	AnswerDueAt         *time.Time  `json:"answer_due_at"`
	AnsweredAt          *time.Time  `json:"answered_at"`
	AnswerLate          bool        `json:"answer_late"`
	Reason              string      `json:"reason,omitempty"`
	CatalogDueAt        *time.Time  `json:"catalog_due_at"`
	CatalogLate         bool        `json:"catalog_late"`
	Dataset             *RefJSON    `json:"dataset"`
	FulfilledAt         *time.Time  `json:"fulfilled_at"`
	Supporters          int         `json:"supporters"`
	Supported           bool        `json:"supported"` // the caller supports it
	Mine                bool        `json:"mine"`      // the caller asked for it
	Escalated           bool        `json:"escalated"`
	Overdue             bool        `json:"overdue"`         // the running clock (routing, answer or catalog) is past its due date
	DueProvisional      bool        `json:"due_provisional"` // the running clock's due date was counted on a provisional calendar year
	IntendedUse         string      `json:"intended_use,omitempty"`
	SuggestedDepartment *RefJSON    `json:"suggested_department,omitempty"`
	History             []EventJSON `json:"history,omitempty"` // GET /requests/{id} only
}

// EventJSON is one step of a request's history. note carries dates
// (YYYY-MM-DD; "old → new" for due_changed), the catalog entry's id, or a
// refusal's public reason.
type EventJSON struct {
	At     time.Time `json:"at"`
	Action string    `json:"action" enums:"created,routed,accepted,refused,fulfilled,escalated,route_escalated,due_changed"`
	Note   string    `json:"note,omitempty"`
}

// ListJSON is a page of requests.
type ListJSON struct {
	Total    int64         `json:"total"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
	Items    []RequestJSON `json:"items"`
}

// render turns requests into JSON for the caller p (nil: anonymous);
// private adds the intended use where p may see it.
func (h *Handler) render(c echo.Context, list []Request, private bool) ([]RequestJSON, error) {
	ctx := c.Request().Context()
	p := authz.PrincipalFrom(c)
	deps, datasets, err := h.Service.Names(ctx, list)
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	supported, err := h.Service.Supported(ctx, p, ids)
	if err != nil {
		return nil, err
	}
	now := h.Service.now()
	out := make([]RequestJSON, 0, len(list))
	for i := range list {
		r := &list[i]
		j := RequestJSON{ID: r.ID, Title: r.Title, Description: r.Description, Status: r.Status, CreatedAt: r.CreatedAt,
			RouteDueAt: r.RouteDueAt, RouteLate: r.RouteLate(now), RoutedAt: r.RoutedAt, Overdue: r.Overdue(now), DueProvisional: h.Service.dueProvisional(r),
			AnswerDueAt: r.AnswerDueAt, AnsweredAt: r.AnsweredAt, AnswerLate: r.AnswerLate(now), CatalogDueAt: r.CatalogDueAt,
			CatalogLate: r.CatalogLate(now), FulfilledAt: r.FulfilledAt, Supporters: r.Supporters, Supported: supported[r.ID],
			Mine: p != nil && p.UserID == r.RequesterID, Escalated: r.Escalated}
		if r.Status == StatusRefused || r.Status == StatusAccepted || r.Status == StatusFulfilled {
			j.Reason = r.Reason // 000 Art 29: a refusal's reasons are public
		}
		if r.DepartmentID != "" {
			j.Department = &RefJSON{r.DepartmentID, deps[r.DepartmentID]}
		}
		if r.DatasetID != "" {
			j.Dataset = &RefJSON{r.DatasetID, datasets[r.DatasetID]}
		}
		show := private
		if !show {
			if show, err = h.Service.Private(ctx, p, r); err != nil {
				return nil, err
			}
		}
		if show {
			j.IntendedUse = r.IntendedUse
			if r.SuggestedDepartmentID != "" {
				j.SuggestedDepartment = &RefJSON{r.SuggestedDepartmentID, deps[r.SuggestedDepartmentID]}
			}
		}
		out = append(out, j)
	}
	return out, nil
}

func (h *Handler) one(c echo.Context, status int, r *Request) error {
	list, err := h.render(c, []Request{*r}, false)
	if err != nil {
		return err
	}
	return web.JSON(c, status, list[0])
}

func pathID(c echo.Context) (uint64, error) { return web.PathID(c, errNotFound) }

func listQuery(c echo.Context) (ListQuery, error) {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return ListQuery{}, err
	}
	q := ListQuery{Status: c.QueryParam("status"), Department: c.QueryParam("department"), Query: strings.TrimSpace(c.QueryParam("q")),
		Sort: c.QueryParam("sort"), Page: page, PageSize: size}
	if raw := c.QueryParam("overdue"); raw != "" {
		if q.Overdue, err = strconv.ParseBool(raw); err != nil {
			return q, apperr.Field("overdue", "overdue must be true or false")
		}
	}
	return q, q.Validate()
}

// create godoc
// @Summary      Ask for data that is not in the catalog (供需对接, Heilongjiang Interim Measures for Government Data Management, Art. 29)
// @Description  department_id sends it straight to that department (its 3-working-day clock starts now); otherwise the authority routes it (suggested_department_id helps) within the profile's data_request_routing working days (route_due_at), and the department's answer clock starts on the routing day. The same open request (same title) answers 409 with "duplicate_of": support that one instead.
// @Tags         requests
// @Accept       json
// @Produce      json
// @Param        body  body  Input  true  "the request"
// @Success      201 {object} RequestJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "duplicate_of names the open request"
// @Failure      429 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests [post]
func (h *Handler) create(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.Service.Create(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), in)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusCreated, r)
}

// list godoc
// @Summary      Public list of data requests
// @Description  Without personal data: never who asked or why. Refusal reasons are public.
// @Tags         requests
// @Produce      json
// @Param        status      query  string  false  "submitted | routed | accepted | refused | fulfilled"
// @Param        department  query  string  false  "department id"
// @Param        q           query  string  false  "words in the title or description"
// @Param        sort        query  string  false  "newest (default) | supporters"
// @Param        overdue     query  bool    false  "only requests whose running clock (routing, answer, catalog) is past its due date"
// @Param        page        query  int     false  "page, from 1"
// @Param        page_size   query  int     false  "1–100 (default 20)"
// @Success      200 {object} ListJSON
// @Failure      400 {object} web.ErrorBody
// @Router       /requests [get]
func (h *Handler) list(c echo.Context) error {
	q, err := listQuery(c)
	if err != nil {
		return err
	}
	res, err := h.Service.List(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return h.page(c, q, res, false)
}

func (h *Handler) page(c echo.Context, q ListQuery, res *Page, private bool) error {
	items, err := h.render(c, res.Items, private)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, ListJSON{Total: res.Total, Page: q.Page, PageSize: q.PageSize, Items: items})
}

// queue godoc
// @Summary      The caller's requests to act on
// @Description  A provider: requests routed to its department. An authority: the requests it oversees (to route and to chase). Anyone else: their own requests.
// @Tags         requests
// @Produce      json
// @Param        status     query  string  false  "submitted | routed | accepted | refused | fulfilled"
// @Param        overdue    query  bool    false  "only requests whose running clock is past its due date"
// @Param        page       query  int     false  "page, from 1"
// @Param        page_size  query  int     false  "1–100 (default 20)"
// @Success      200 {object} ListJSON
// @Failure      401 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/queue [get]
func (h *Handler) queue(c echo.Context) error {
	q, err := listQuery(c)
	if err != nil {
		return err
	}
	res, err := h.Service.Queue(c.Request().Context(), authz.PrincipalFrom(c), q)
	if err != nil {
		return err
	}
	return h.page(c, q, res, false)
}

// get godoc
// @Summary      One data request, with its history
// @Tags         requests
// @Produce      json
// @Param        id  path  int  true  "request id"
// @Success      200 {object} RequestJSON
// @Failure      404 {object} web.ErrorBody
// @Router       /requests/{id} [get]
func (h *Handler) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.Service.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	list, err := h.render(c, []Request{*r}, false)
	if err != nil {
		return err
	}
	evs, err := h.Service.History(c.Request().Context(), r.ID)
	if err != nil {
		return err
	}
	out := list[0]
	out.History = make([]EventJSON, len(evs))
	for i, e := range evs {
		out.History[i] = EventJSON{At: e.At, Action: e.Action, Note: e.Note}
	}
	return web.JSON(c, http.StatusOK, out)
}

// support godoc
// @Summary      Support a request (+1) instead of asking again
// @Tags         requests
// @Produce      json
// @Param        id  path  int  true  "request id"
// @Success      200 {object} RequestJSON
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "own request, or closed"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/{id}/support [post]
func (h *Handler) support(c echo.Context) error { return h.setSupport(c, true) }

// unsupport godoc
// @Summary      Withdraw one's support
// @Tags         requests
// @Produce      json
// @Param        id  path  int  true  "request id"
// @Success      200 {object} RequestJSON
// @Failure      404 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/{id}/support [delete]
func (h *Handler) unsupport(c echo.Context) error { return h.setSupport(c, false) }

func (h *Handler) setSupport(c echo.Context, on bool) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.Service.Support(c.Request().Context(), authz.PrincipalFrom(c), id, on)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, r)
}

// route godoc
// @Summary      Route a request to a department (authority)
// @Description  The department's clock (3 working days, Heilongjiang Interim Measures for Government Data Management, Art. 29) starts on the routing day, not on submission. A request routed after its route_due_at stays route_late.
// @Tags         requests
// @Accept       json
// @Produce      json
// @Param        id    path  int    true  "request id"
// @Param        body  body  Route  true  "the department"
// @Success      200 {object} RequestJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already routed"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/{id}/route [post]
func (h *Handler) route(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in Route
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.Service.Route(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, r)
}

// answer godoc
// @Summary      Accept or refuse a request (provider of the department)
// @Description  accept: a catalog entry is due within 10 working days (flagged late after). refuse: the reason is required and public.
// @Tags         requests
// @Accept       json
// @Produce      json
// @Param        id    path  int     true  "request id"
// @Param        body  body  Answer  true  "accept | refuse"
// @Success      200 {object} RequestJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already answered"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/{id}/answer [post]
func (h *Handler) answer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in Answer
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.Service.Answer(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, r)
}

// fulfil godoc
// @Summary      Link the published entry that answers an accepted request
// @Tags         requests
// @Accept       json
// @Produce      json
// @Param        id    path  int     true  "request id"
// @Param        body  body  Fulfil  true  "a published dataset of the department"
// @Success      200 {object} RequestJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "not accepted"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /requests/{id}/fulfil [post]
func (h *Handler) fulfil(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in Fulfil
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.Service.Fulfil(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, r)
}
