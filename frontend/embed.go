// Package frontend holds the portal's static web frontend (plain HTML, CSS
// and ES modules, no build step) embedded in the binary, and registers the
// routes that serve it.
//
// Pages live in pages/*.html and are served with Cache-Control: no-cache.
// Assets live in static/ and are served under /static/. Every occurrence of
// the placeholder __V__ in an HTML, JS or CSS file is replaced at start-up by
// a short hash of the whole embedded tree, so asset URLs such as
// /static/js/api.js?v=__V__ change whenever any file changes; a request that
// carries the current version gets a year-long immutable cache, any other
// request gets no-cache (revalidated by ETag).
package frontend

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed pages static
var files embed.FS

// versionPlaceholder is replaced by Version() in text assets and pages.
const versionPlaceholder = "__V__"

// page routes and the embedded HTML file each one serves.
var pageRoutes = []struct {
	route string
	file  string
}{
	{"/", "pages/home.html"},
	{"/datasets", "pages/datasets.html"},
	{"/datasets/:id", "pages/dataset.html"},
	{"/corrections/new", "pages/correction-new.html"},
	{"/corrections/track", "pages/correction-track.html"},
	{"/console/corrections", "pages/console-corrections.html"},
	{"/requests", "pages/requests.html"},
	{"/requests/new", "pages/request-new.html"},
	{"/console/requests", "pages/console-requests.html"},
	{"/console/changes", "pages/console-changes.html"},
	{"/review/changes", "pages/console-changes.html"},
	{"/stats", "pages/stats.html"},
	{"/apply", "pages/apply.html"},
	{"/applications/:id", "pages/application.html"},
	{"/account/applications", "pages/applications-mine.html"},
	{"/account/grants", "pages/grants.html"},
	{"/console/applications", "pages/review-queue.html"},
	{"/console/grants", "pages/grants-manage.html"},
	{"/review/overdue", "pages/overdue.html"},
	{"/login", "pages/login.html"},
	{"/register", "pages/register.html"},
	{"/forgot-password", "pages/forgot-password.html"},
	{"/reset-password", "pages/reset-password.html"},
	{"/account", "pages/account.html"},
	{"/account/tokens", "pages/account-tokens.html"},
	{"/account/organisation", "pages/account-organisation.html"},
	{"/account/notifications", "pages/account-notifications.html"},
	{"/admin/users", "pages/admin-users.html"},
	{"/admin/departments", "pages/admin-departments.html"},
	{"/announcements", "pages/announcements.html"},
	{"/announcements/:id", "pages/announcement.html"},
	{"/console/revocations", "pages/revocations-request.html"},
	{"/review/revocations", "pages/revocations-review.html"},
	{"/review/filings", "pages/filings.html"},
	{"/developers", "pages/developers.html"},
	{"/api/docs", "pages/apidocs.html"},
	{"/console", "pages/console.html"},
	{"/console/datasets/new", "pages/catalog-entry.html"},
	{"/console/datasets/:id", "pages/catalog-entry.html"},
	{"/console/import", "pages/catalog-import.html"},
	{"/review", "pages/review.html"},
	{"/review/datasets/:id", "pages/catalog-entry.html"},
}

// Pages lists the page routes Register adds (Echo route syntax).
func Pages() []string {
	out := make([]string, len(pageRoutes))
	for i, p := range pageRoutes {
		out[i] = p.route
	}
	return out
}

// StaticPrefix is the URL prefix of the embedded assets.
const StaticPrefix = "/static/"

type asset struct {
	body  []byte
	ctype string
	etag  string
}

var (
	version string
	assets  map[string]*asset // "/static/css/site.css" -> asset
	pages   map[string]*asset // "pages/home.html" -> asset
)

func init() {
	var err error
	version, assets, pages, err = load(files)
	if err != nil {
		panic("frontend: " + err.Error())
	}
}

// Version is the cache-busting version appended to asset URLs (?v=...).
func Version() string { return version }

var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".ico":   "image/x-icon",
	".webp":  "image/webp",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
	".map":   "application/json; charset=utf-8",
}

func isText(ext string) bool {
	switch ext {
	case ".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt":
		return true
	}
	return false
}

func load(fsys fs.FS) (string, map[string]*asset, map[string]*asset, error) {
	raw := map[string][]byte{}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		raw[p] = b
		names = append(names, p)
		return nil
	})
	if err != nil {
		return "", nil, nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(raw[n])
		h.Write([]byte{0})
	}
	v := hex.EncodeToString(h.Sum(nil))[:12]

	st := map[string]*asset{}
	pg := map[string]*asset{}
	for _, n := range names {
		ext := strings.ToLower(path.Ext(n))
		ct, ok := contentTypes[ext]
		if !ok {
			ct = "application/octet-stream"
		}
		b := raw[n]
		if isText(ext) {
			b = bytes.ReplaceAll(b, []byte(versionPlaceholder), []byte(v))
		}
		sum := sha256.Sum256(b)
		a := &asset{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		switch {
		case strings.HasPrefix(n, "static/"):
			st["/"+n] = a
		case strings.HasPrefix(n, "pages/"):
			pg[n] = a
		}
	}
	for _, p := range pageRoutes {
		if pg[p.file] == nil {
			return "", nil, nil, fs.ErrNotExist
		}
	}
	return v, st, pg, nil
}

// Register adds the page routes (GET and HEAD) and /static/* to e.
func Register(e *echo.Echo) {
	methods := []string{http.MethodGet, http.MethodHead}
	for _, p := range pageRoutes {
		a := pages[p.file]
		e.Match(methods, p.route, func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Cache-Control", "no-cache")
			return serve(c, a)
		})
	}
	e.Match(methods, StaticPrefix+"*", func(c echo.Context) error {
		a := assets[path.Clean(c.Request().URL.Path)]
		if a == nil || strings.HasSuffix(c.Request().URL.Path, "/") {
			return echo.ErrNotFound
		}
		h := c.Response().Header()
		if v := c.QueryParam("v"); v != "" && v == version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		return serve(c, a)
	})
}

func serve(c echo.Context, a *asset) error {
	h := c.Response().Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(a.body))
	return nil
}
