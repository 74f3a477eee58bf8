// Package ckan answers CKAN's Action API (/api/3/action/…) over the public
// catalog so CKAN clients and harvesters work unchanged: departments are
// organizations, topics are groups, open type and conditions are fields
// and extras. Conditional entries appear with resources pointing to the
// application page; not_open, draft and revoked entries never appear.
package ckan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the CKAN-compatible API.
type Handler struct {
	DB       *gorm.DB
	Dev      *devapi.Service
	BaseURL  string // PORTAL_BASE_URL; the request's host when empty
	SiteName string
	Log      *slog.Logger
	Now      func() time.Time
	// Index answers package_search's plain full-text queries (searchIndex);
	// nil sends every query to SQL.
	Index search.Index

	resIDs resourceIDs // resource UUID → portal id (resource_show, datastore_search)
}

// CKANVersion is the CKAN API version the answers follow.
const CKANVersion = "2.10.4"

// MaxRows caps package_search rows (CKAN's ckan.search.rows_max).
const MaxRows = 1000

type action func(c echo.Context, p params) (any, error)

func (h *Handler) actions() map[string]action {
	return map[string]action{
		"package_search":                      h.packageSearch,
		"package_show":                        h.packageShow,
		"package_list":                        h.packageList,
		"current_package_list_with_resources": h.currentPackages,
		"organization_list":                   h.organizationList,
		"organization_show":                   h.organizationShow,
		"group_list":                          h.groupList,
		"group_show":                          h.groupShow,
		"tag_list":                            h.tagList,
		"license_list":                        h.licenseList,
		"resource_show":                       h.resourceShowByID,
		"status_show":                         h.statusShow,
		"datastore_search":                    h.datastoreByUUID,
		"help_show":                           h.helpShow,
		"tag_show":                            h.tagShow,
		"package_autocomplete":                h.packageAutocomplete,
		"format_autocomplete":                 h.formatAutocomplete,
		"organization_autocomplete":           h.organizationAutocomplete,
		"resource_search":                     h.resourceSearch,
		"package_activity_list":               h.packageActivityList,
		"recently_changed_packages_activity_list": h.recentlyChangedPackages,
		"group_package_show":                      h.groupPackageShow,
	}
}

// Routes registers the CKAN routes (public; GET and POST as CKAN does).
// mw (rate limits) runs inside the CKAN error envelope.
func (h *Handler) Routes(r *web.Router, mw ...echo.MiddlewareFunc) {
	all := append([]echo.MiddlewareFunc{h.envelopeErrors}, mw...)
	for _, prefix := range []string{"/api/3/action/:action", "/api/action/:action"} {
		r.GET(prefix, authz.Public, h.dispatch, all...)
		r.POST(prefix, authz.Public, h.dispatch, all...)
	}
	r.GET("/api/util/status", authz.Public, h.utilStatus, all...)
	r.GET("/api/3", authz.Public, h.apiVersion, all...)
}

func (h *Handler) base(c echo.Context) string {
	if h.BaseURL != "" {
		return h.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// envelope is CKAN's answer shape.
type envelope struct {
	Help    string `json:"help"`
	Success bool   `json:"success"`
	Result  any    `json:"result,omitempty"`
	Error   any    `json:"error,omitempty"`
}

func (h *Handler) help(c echo.Context, name string) string {
	return h.base(c) + "/api/3/action/help_show?name=" + name
}

func (h *Handler) dispatch(c echo.Context) error {
	name := c.Param("action")
	act, ok := h.actions()[name]
	if !ok {
		return &ckanError{status: http.StatusBadRequest, typ: "Bad Request", msg: "Bad request - Action name not known: " + name}
	}
	p, err := readParams(c)
	if err != nil {
		return err
	}
	res, err := act(c, p)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, envelope{Help: h.help(c, name), Success: true, Result: res})
}

// ckanError is an error already in CKAN's terms.
type ckanError struct {
	status int
	typ    string
	msg    string
	fields map[string][]string
}

func (e *ckanError) Error() string { return e.typ + ": " + e.msg }

func validation(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &ckanError{status: http.StatusBadRequest, typ: "Validation Error", msg: msg, fields: map[string][]string{field: {msg}}}
}

// envelopeErrors turns every error, the portal's own included (rate
// limits, bad ids), into CKAN's error envelope.
func (h *Handler) envelopeErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var ce *ckanError
		if !errors.As(err, &ce) {
			ce = &ckanError{status: http.StatusInternalServerError, typ: "Internal Server Error", msg: "internal error"}
			var ae *apperr.Error
			if errors.As(err, &ae) {
				switch ae.Code {
				case apperr.NotFound, apperr.Gone:
					ce = &ckanError{status: 404, typ: "Not Found Error", msg: "Not found: " + ae.Message}
				case apperr.Invalid:
					ce = &ckanError{status: 400, typ: "Validation Error", msg: ae.Message, fields: map[string][]string{}}
					for f, m := range ae.Fields {
						ce.fields[f] = []string{m}
					}
				case apperr.Unauthorized, apperr.Forbidden:
					ce = &ckanError{status: 403, typ: "Authorization Error", msg: "Access denied: " + ae.Message}
				case apperr.RateLimited:
					ce = &ckanError{status: 429, typ: "Rate Limit Error", msg: ae.Message}
				case apperr.Unavailable:
					ce = &ckanError{status: 503, typ: "Service Unavailable", msg: ae.Message}
				case apperr.TooLarge:
					ce = &ckanError{status: 413, typ: "Validation Error", msg: ae.Message}
				default:
					h.Log.Error("ckan action failed", "path", c.Request().URL.Path, "err", err)
				}
			} else {
				h.Log.Error("ckan action failed", "path", c.Request().URL.Path, "err", err)
			}
		}
		body := map[string]any{"message": ce.msg, "__type": ce.typ}
		for f, m := range ce.fields {
			body[f] = m
		}
		name := c.Param("action")
		if name == "" {
			name = "status_show"
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(ce.status, envelope{Help: h.help(c, name), Success: false, Error: body})
	}
}

// params are an action's arguments: the query string for GET, a JSON
// object or a form for POST.
type params map[string]any

func readParams(c echo.Context) (params, error) {
	p := params{}
	for k, v := range c.QueryParams() {
		if len(v) > 0 {
			p[k] = v[len(v)-1]
		}
	}
	if c.Request().Method != http.MethodPost {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		form, err := c.FormParams()
		if err != nil {
			return nil, validation("body", "malformed form body")
		}
		for k, v := range form {
			if len(v) > 0 {
				p[k] = v[len(v)-1]
			}
		}
	default:
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return nil, apperr.New(apperr.TooLarge, "request body too large")
		}
		if len(strings.TrimSpace(string(b))) == 0 {
			return p, nil
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil {
			return nil, validation("body", "the body must be a JSON object")
		}
		for k, v := range body {
			p[k] = v
		}
	}
	return p, nil
}

func (p params) str(name string) string {
	switch v := p[name].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (p params) has(name string) bool { _, ok := p[name]; return ok }

func (p params) int(name string, def, lo, hi int) (int, error) {
	s := strings.TrimSpace(p.str(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, validation(name, "Invalid integer")
	}
	if n < lo {
		return 0, validation(name, "Must be a natural number")
	}
	if hi > 0 && n > hi {
		n = hi
	}
	return n, nil
}

func (p params) bool(name string, def bool) (bool, error) {
	s := strings.ToLower(strings.TrimSpace(p.str(name)))
	switch s {
	case "":
		return def, nil
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, validation(name, "Value must be one of: true, false")
}

// list reads a list given as a JSON array (value or string) or a
// comma-separated string.
func (p params) list(name string) ([]string, error) {
	switch v := p[name].(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, validation(name, "must be a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	}
	s := strings.TrimSpace(p.str(name))
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "[") {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, validation(name, "must be a JSON list of strings")
		}
		return out, nil
	}
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out, nil
}

func (h *Handler) utilStatus(c echo.Context) error {
	return c.JSON(http.StatusOK, h.status(c))
}

func (h *Handler) apiVersion(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]int{"version": 3})
}

func (h *Handler) status(c echo.Context) map[string]any {
	return map[string]any{
		"site_title": h.SiteName, "site_url": h.base(c), "site_description": "黑龙江省公共数据开放平台 CKAN 兼容接口",
		"ckan_version": CKANVersion, "api_version": 3, "error_emails_to": nil, "locale_default": "zh_Hans_CN",
		"extensions": []string{"datastore", "dcat"},
	}
}

func (h *Handler) statusShow(c echo.Context, _ params) (any, error) { return h.status(c), nil }

var actionHelp = map[string]string{
	"package_search":                      "Search datasets. q, fq (organization:, groups:, tags:, res_format:, license_id:, open_type:, metadata_modified:[from TO to], AND/OR/NOT, -negation), sort, rows (≤1000), start, facet, facet.field, facet.limit, facet.mincount. include_private is ignored: only public entries exist here.",
	"package_show":                        "One dataset by id or name.",
	"package_list":                        "Names of every public dataset; limit, offset.",
	"current_package_list_with_resources": "Datasets with resources, most recently modified first; limit, offset, page.",
	"organization_list":                   "Departments; all_fields, sort (name, title, package_count), limit, offset.",
	"organization_show":                   "One department; include_datasets.",
	"group_list":                          "Topics; all_fields, sort, limit, offset.",
	"group_show":                          "One topic; include_datasets.",
	"tag_list":                            "Tags of public datasets; query, all_fields.",
	"license_list":                        "The portal's usage terms by open type.",
	"resource_show":                       "One resource by id: the UUID package dicts show, or portal_id.",
	"status_show":                         "Site and API version.",
	"datastore_search":                    "Rows of a tabular resource: resource_id, filters (object), q, fields, sort, limit (≤1000), offset. Conditional data needs an approved grant (Authorization: Bearer token).",
	"help_show":                           "This text.",
	"tag_show":                            "One tag of public datasets: id (the tag), include_datasets (at most 100, newest first).",
	"package_autocomplete":                "Datasets whose title or name contains q: q, limit (default 10, ≤100). [{name, title, match_field, match_displayed}].",
	"format_autocomplete":                 "Resource formats containing q, most used first: q, limit (default 5, ≤100).",
	"organization_autocomplete":           "Departments whose name or id contains q: q, limit (default 20, ≤100). [{id, name, title}].",
	"resource_search":                     "Resources of public datasets: query \"field:term\" or a list of them (name, format, mimetype; case-insensitive substring, all must match), order_by, offset, limit (≤1000). {count, results}.",
	"package_activity_list":               "A dataset's history, newest first: id, limit (default 31, ≤100), offset (≤1000). Approved versions: \"new package\", then \"changed package\".",
	"recently_changed_packages_activity_list": "The newest activities over all public datasets: limit (default 31, ≤100), offset (≤1000).",
	"group_package_show":                      "A topic's datasets, newest first: id, limit (default 20, ≤1000).",
}

func (h *Handler) helpShow(_ echo.Context, p params) (any, error) {
	name := p.str("name")
	if t, ok := actionHelp[name]; ok {
		return t, nil
	}
	return nil, &ckanError{status: 404, typ: "Not Found Error", msg: "Action function not found"}
}

func (h *Handler) licenseList(c echo.Context, _ params) (any, error) {
	out := make([]license, len(licenses))
	for i, l := range licenses {
		l.URL = h.base(c) + l.URL
		out[i] = l
	}
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ = catalog.Unconditional
