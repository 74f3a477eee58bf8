// Package site renders the portal's public pages on the server, in the
// reader's language, so their content is in the first response (for
// crawlers, link previews, screen readers on slow phones and readers
// without JavaScript); the page scripts then enhance them. It also serves
// the 404 page, /sitemap.xml and /robots.txt.
//
// Pages are rendered per request from the same services as the API.
// Pages that many readers open and that change rarely (dataset,
// department, topic and announcement pages) are kept rendered in Cache for
// CacheTTL, and dropped at once when the outbox reports a change on this
// replica; the live parts (counts, the dispute flag, the reader's menu) are
// filled in by script.
package site

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/locale"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/stats"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the public pages.
type Handler struct {
	R           *frontend.Renderer
	DB          *gorm.DB
	Catalog     *catalog.Service
	Corrections *corrections.Service
	Revocations *revocations.Service
	Requests    *requests.Service
	Stats       *stats.Service
	BaseURL     string // PORTAL_BASE_URL ("" uses the request's host)
	Now         func() time.Time
	Log         *slog.Logger
	Cache       *Cache
}

// Routes registers the public pages. Each page file adds its own.
func (h *Handler) Routes(r *web.Router) {
	if h.Cache == nil {
		h.Cache = NewCache(CacheEntries, CacheTTL)
	}
	h.homeRoutes(r)
	h.catalogRoutes(r)
	h.datasetRoutes(r)
	h.announcementRoutes(r)
	h.requestRoutes(r)
	h.statsRoutes(r)
	h.sitemapRoutes(r)
}

// origin is scheme://host for absolute URLs when no base URL is set.
func (h *Handler) origin(c echo.Context) string {
	if h.BaseURL != "" {
		return ""
	}
	return frontend.Origin(c)
}

// base is the absolute URL prefix of this portal.
func (h *Handler) base(c echo.Context) string {
	if h.BaseURL != "" {
		return h.BaseURL
	}
	return frontend.Origin(c)
}

// view starts the view of a page at the request's own path.
func (h *Handler) view(c echo.Context) *frontend.View {
	return &frontend.View{Lang: locale.FromRequest(c.Request()), Origin: h.origin(c), Path: c.Request().URL.Path}
}

// page renders name with v and answers status.
func (h *Handler) page(c echo.Context, status int, name string, v *frontend.View) error {
	b, err := h.R.Render(name, v)
	if err != nil {
		return err
	}
	frontend.PageHeaders(c, v.Lang)
	h.R.AllowStyle(c, name)
	return frontend.ServeHTML(c, status, b, frontend.ETag(b))
}

// cached answers from the cache under key, rendering with build on a miss.
// build returns the status and the view; only 200 and 410 are kept.
func (h *Handler) cached(c echo.Context, key, name string, build func() (int, *frontend.View, error)) error {
	return h.cachedUntil(c, key, name, func() (int, *frontend.View, time.Time, error) {
		status, v, err := build()
		return status, v, time.Time{}, err
	})
}

// cachedUntil is cached for pages that know when they stop being true (a
// dataset whose revocation takes effect at a set time): build also returns
// that time, and the kept page is dropped then (zero: no such time).
func (h *Handler) cachedUntil(c echo.Context, key, name string, build func() (int, *frontend.View, time.Time, error)) error {
	l := locale.FromRequest(c.Request())
	full := key + "\x00" + l + "\x00" + h.origin(c)
	if e := h.Cache.Get(full); e != nil {
		frontend.PageHeaders(c, l)
		h.R.AllowStyle(c, e.Page)
		return frontend.ServeHTMLGz(c, e.Status, e.Body, e.Gz(), e.ETag)
	}
	status, v, until, err := build()
	if err != nil {
		return err
	}
	v.Lang = l
	b, err := h.R.Render(name, v)
	if err != nil {
		return err
	}
	e := &Entry{Page: name, Status: status, Body: b, ETag: frontend.ETag(b), Until: until}
	if status == http.StatusOK || status == http.StatusGone {
		h.Cache.Put(full, e)
	}
	frontend.PageHeaders(c, l)
	h.R.AllowStyle(c, name)
	return frontend.ServeHTMLGz(c, e.Status, e.Body, e.Gz(), e.ETag)
}

// NotFound renders the 404 page: in the reader's language, with a search
// box and the main entry points.
func (h *Handler) NotFound(c echo.Context) error {
	v := h.view(c)
	v.Path = "" // no canonical URL for a page that does not exist
	v.NoIndex = true
	v.Data = struct{ Path string }{Path: truncate(c.Request().URL.Path, 200)}
	return h.page(c, http.StatusNotFound, "notfound", v)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
