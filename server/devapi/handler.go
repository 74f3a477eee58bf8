package devapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the developer API: downloads and rows.
type Handler struct {
	S *Service
}

// Routes registers the developer routes. Both are public: unconditional
// data needs no login (000 Art 34 ¶2); conditional data is checked
// against the caller's grant in the service.
func (h *Handler) Routes(r *web.Router, mw ...echo.MiddlewareFunc) {
	r.GET("/api/v1/resources/:id/download", authz.Public, h.download, mw...)
	// HEAD: size, validators and Accept-Ranges for download managers.
	r.Add(http.MethodHead, "/api/v1/resources/:id/download", authz.Public, h.download, mw...)
	r.GET("/api/v1/resources/:id/rows", authz.Public, h.rows, mw...)
	r.GET("/api/v1/resources/:id/preview", authz.Public, h.preview, mw...)
}

// Preview limits: a page of the dataset page's table.
const (
	DefaultPreviewLimit = 50
	MaxPreviewLimit     = 100
)

var previewQuery = map[string]bool{"filters": true, "sort": true, "limit": true, "offset": true}

// PreviewPage is one page of a resource's preview: records are arrays of
// the fields' values in field order.
type PreviewPage struct {
	ResourceID string            `json:"resource_id"`
	Fields     []RowField        `json:"fields"`
	Records    []json.RawMessage `json:"records"`
	Total      int64             `json:"total"`
	Limit      int               `json:"limit"`
	Offset     int               `json:"offset"`
}

// preview godoc
// @Summary      Preview a resource's rows
// @Description  The first rows of a tabular (CSV) resource for the dataset page, from the same tables and with the same grant rules as the rows API: conditionally open data only for grant holders and only their approved fields. `filters` is the rows API's JSON object; `sort` is "field" or "-field" (comma-separated). Records are arrays in the order of `fields`.
// @Tags         developers
// @Produce      json
// @Param        id       path   string  true   "resource id"
// @Param        filters  query  string  false  "JSON object, e.g. {\"district\":\"道里区\"}"
// @Param        sort     query  string  false  "e.g. -beds"
// @Param        limit    query  int     false  "1–100, default 50"
// @Param        offset   query  int     false  "0–10000"
// @Success      200 {object} PreviewPage
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      429 {object} web.ErrorBody
// @Failure      503 {object} web.ErrorBody "table being loaded (Retry-After)"
// @Router       /resources/{id}/preview [get]
func (h *Handler) preview(c echo.Context) error {
	qp := c.QueryParams()
	var v apperr.Validation
	for name, vals := range qp {
		if !previewQuery[name] {
			v.Add(name, "unknown parameter %q", name)
		} else if len(vals) > 1 {
			v.Add(name, "%s may be given once", name)
		}
	}
	q := RowQuery{Limit: DefaultPreviewLimit, Arrays: true}
	var err error
	if q.Filters, err = ParseFilters(qp.Get("filters")); err != nil {
		v.Add("filters", "%s", err.Error())
	}
	if q.Sort, err = ParseSort(qp.Get("sort")); err != nil {
		v.Add("sort", "%s", err.Error())
	}
	if qp.Has("limit") {
		if q.Limit, err = atoiRange(qp.Get("limit"), 1, MaxPreviewLimit); err != nil {
			v.Add("limit", "limit must be a whole number from 1 to %d", MaxPreviewLimit)
		}
	}
	if qp.Has("offset") {
		if q.Offset, err = atoiRange(qp.Get("offset"), 0, MaxRowOffset); err != nil {
			v.Add("offset", "offset must be a whole number from 0 to %d", MaxRowOffset)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	page, err := h.S.Rows(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), q)
	if err != nil {
		return refuseUnrecorded(c, err)
	}
	b, err := json.Marshal(PreviewPage{ResourceID: page.ResourceID, Fields: page.Fields, Records: page.Records, Total: page.Total, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return apperr.Internalf(err, "encode preview")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, b)
}

var rowsQuery = map[string]bool{"filters": true, "q": true, "fields": true, "sort": true, "limit": true, "offset": true, "cursor": true}

// ParseRowQuery reads and validates the row-API parameters of a request.
func ParseRowQuery(get func(string) string, has func(string) bool) (RowQuery, error) {
	var v apperr.Validation
	q := RowQuery{Q: strings.TrimSpace(get("q")), Cursor: get("cursor"), Limit: DefaultRowLimit}
	var err error
	if q.Filters, err = ParseFilters(get("filters")); err != nil {
		v.Add("filters", "%s", err.Error())
	}
	if len([]rune(q.Q)) > 100 {
		v.Add("q", "q is longer than 100 characters")
	}
	if f := strings.TrimSpace(get("fields")); f != "" {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" && name != "_id" {
				q.Fields = append(q.Fields, name)
			}
		}
	}
	if q.Sort, err = ParseSort(get("sort")); err != nil {
		v.Add("sort", "%s", err.Error())
	}
	if has("limit") {
		if q.Limit, err = atoiRange(get("limit"), 0, MaxRowLimit); err != nil {
			v.Add("limit", "limit must be a whole number from 0 to %d", MaxRowLimit)
		}
	}
	if has("offset") {
		if q.Offset, err = atoiRange(get("offset"), 0, MaxRowOffset); err != nil {
			v.Add("offset", "offset must be a whole number from 0 to %d; page deeper with the cursor", MaxRowOffset)
		}
	}
	return q, v.Err()
}

// rows godoc
// @Summary      Query a resource's rows (DataStore-like)
// @Description  Rows of a tabular resource, loaded into the database. `filters` is a JSON object: a value (equals), a list (any of), null (empty), or operators {"gt","gte","lt","lte","ne","eq"} typed by the data item (numbers, dates YYYY-MM-DD, datetimes, booleans). `q` searches every readable value. `sort` is "field", "-field" or "field desc", comma-separated (≤5). `limit` ≤ 1000 (default 100), `offset` ≤ 10000; page deeper with `cursor` (the `next_cursor` of the previous page, row order only). Filters, q and sort are refused on tables above the scan limit. Conditional data: only a grant's approved fields are readable, searchable, sortable.
// @Tags         developers
// @Produce      json
// @Param        id       path   string  true   "resource id"
// @Param        filters  query  string  false  "JSON object, e.g. {\"district\":\"道里区\",\"beds\":{\"gte\":100}}"
// @Param        q        query  string  false  "full-text over the values (≤100 characters)"
// @Param        fields   query  string  false  "comma-separated field names"
// @Param        sort     query  string  false  "e.g. -beds,name"
// @Param        limit    query  int     false  "0–1000, default 100"
// @Param        offset   query  int     false  "0–10000"
// @Param        cursor   query  string  false  "next_cursor of the previous page"
// @Success      200 {object} RowPage
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      429 {object} web.ErrorBody
// @Failure      503 {object} web.ErrorBody "table being loaded, query too slow, or use_not_recorded: a grant's use could not be recorded, nothing was sent (Retry-After)"
// @Router       /resources/{id}/rows [get]
func (h *Handler) rows(c echo.Context) error {
	qp := c.QueryParams()
	var v apperr.Validation
	for name, vals := range qp {
		if !rowsQuery[name] {
			v.Add(name, "unknown parameter %q", name)
		} else if len(vals) > 1 {
			v.Add(name, "%s may be given once", name)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	q, err := ParseRowQuery(qp.Get, qp.Has)
	if err != nil {
		return err
	}
	page, err := h.S.Rows(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), q)
	if err != nil {
		return refuseUnrecorded(c, err)
	}
	b, err := json.Marshal(page)
	if err != nil {
		return apperr.Internalf(err, "encode rows")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, b)
}

func atoiRange(s string, lo, hi int) (int, error) {
	n, ok := digits(strings.TrimSpace(s))
	if !ok || n < int64(lo) || n > int64(hi) {
		return 0, apperr.New(apperr.Invalid, "out of range")
	}
	return int(n), nil
}
