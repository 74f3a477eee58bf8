package changes

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the catalog change notice API.
type Handler struct {
	Service *Service
}

// Routes registers the catalog change routes.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/catalog-changes", authz.CatalogChanges, h.create)
	r.GET("/api/v1/catalog-changes", authz.CatalogChanges, h.list)
	r.GET("/api/v1/catalog-changes/:id", authz.CatalogChanges, h.get)
	r.POST("/api/v1/catalog-changes/:id/extension", authz.DatasetsManage, h.requestExtension)
	r.POST("/api/v1/catalog-changes/:id/extension/decision", authz.DatasetsReview, h.decideExtension)
	r.POST("/api/v1/catalog-changes/:id/entries/:entry/confirm", authz.DatasetsManage, h.confirm)
}

func pathID(c echo.Context) (uint64, error) { return web.PathID(c, errNotFound) }

// create godoc
// @Summary      Record a catalog change notice (目录变更通知, Heilongjiang Interim Measures for Government Data Management, Art. 15)
// @Description  A law, regulation or the department's duties changed: the department updates the affected entries (all_entries, or dataset_ids) within the profile's catalog_update_after_change working days (3), counted from now (due_at). The same-level authority records it for a department of its region, a provider for its own department (department_id may then be left out). changed_on is the day of the change, not after today. Another region's or department's department is 404.
// @Tags         catalog-changes
// @Accept       json
// @Produce      json
// @Param        body  body  Input  true  "the notice"
// @Success      201 {object} NoticeJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /catalog-changes [post]
func (h *Handler) create(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.Service.Create(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, n)
}

// list godoc
// @Summary      Catalog change notices I follow
// @Description  A provider sees its department's notices, the authority those of its region's departments; open ones first, the most urgent on top. Updates submitted since the last look are recorded first (an entry counts as updated when a new version of it was submitted for review after the notice).
// @Tags         catalog-changes
// @Produce      json
// @Param        status      query  string  false  "open | completed"
// @Param        overdue     query  bool    false  "only open notices past their due date"
// @Param        department  query  string  false  "department id"
// @Param        page        query  int     false  "page, from 1"
// @Param        page_size   query  int     false  "1–100 (default 20)"
// @Success      200 {object} Page
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Security     BearerToken
// @Router       /catalog-changes [get]
func (h *Handler) list(c echo.Context) error {
	page, size, err := web.Paging(c, 10000)
	if err != nil {
		return err
	}
	q := ListQuery{Status: c.QueryParam("status"), Department: strings.TrimSpace(c.QueryParam("department")), Page: page, PageSize: size}
	if raw := c.QueryParam("overdue"); raw != "" {
		if q.Overdue, err = strconv.ParseBool(raw); err != nil {
			return apperr.Field("overdue", "overdue must be true or false")
		}
	}
	out, err := h.Service.List(c.Request().Context(), authz.PrincipalFrom(c), q)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, out)
}

// get godoc
// @Summary      One catalog change notice, with its entries and history
// @Description  Another department's (or another region's) notice is 404.
// @Tags         catalog-changes
// @Produce      json
// @Param        id  path  int  true  "notice id"
// @Success      200 {object} NoticeJSON
// @Failure      404 {object} web.ErrorBody
// @Security     BearerToken
// @Router       /catalog-changes/{id} [get]
func (h *Handler) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	n, err := h.Service.Get(c.Request().Context(), authz.PrincipalFrom(c), id)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, n)
}

// requestExtension godoc
// @Summary      Ask the authority for more time (the department, once)
// @Description  Heilongjiang Interim Measures for Government Data Management, Art. 15: once per notice, before the due date, 1 to catalog_update_extension_max working days (5), with the special reason and its policy basis; the same-level authority approves or refuses. A second request is 409.
// @Tags         catalog-changes
// @Accept       json
// @Produce      json
// @Param        id    path  int             true  "notice id"
// @Param        body  body  ExtensionInput  true  "days, reason, basis"
// @Success      200 {object} NoticeJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "already asked, completed, or the deadline passed"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /catalog-changes/{id}/extension [post]
func (h *Handler) requestExtension(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ExtensionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.Service.RequestExtension(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, n)
}

// decideExtension godoc
// @Summary      Approve or refuse an extension (same-level authority)
// @Description  Approved: due_at = notice + days + extension working days, a new deadline round. A refusal states its reason; the original due date stands.
// @Tags         catalog-changes
// @Accept       json
// @Produce      json
// @Param        id    path  int            true  "notice id"
// @Param        body  body  DecisionInput  true  "approve | refuse"
// @Success      200 {object} NoticeJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "no request waiting"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /catalog-changes/{id}/extension/decision [post]
func (h *Handler) decideExtension(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in DecisionInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.Service.DecideExtension(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, n)
}

// confirm godoc
// @Summary      Confirm that an affected entry needs no change (the department)
// @Description  Our interpretation of Heilongjiang Interim Measures for Government Data Management, Art. 15: an entry named in the notice that the change does not affect is done when the department says why. The last entry done completes the notice.
// @Tags         catalog-changes
// @Accept       json
// @Produce      json
// @Param        id     path  int           true  "notice id"
// @Param        entry  path  string        true  "catalog entry id"
// @Param        body   body  ConfirmInput  true  "the reason"
// @Success      200 {object} NoticeJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody "the entry is already updated or confirmed"
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /catalog-changes/{id}/entries/{entry}/confirm [post]
func (h *Handler) confirm(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ConfirmInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	n, err := h.Service.ConfirmEntry(c.Request().Context(), authz.PrincipalFrom(c), c.RealIP(), id, c.Param("entry"), in)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, n)
}
