// Package frontend holds the portal's web frontend, embedded in the binary:
// page templates (pages/*.html, one layout in templates/layout.html), plain
// CSS and ES modules (static/, no build step) and the zh/en message
// catalogs (static/i18n/), which the server uses too.
//
// Every page is rendered by Go's html/template into the one layout, in the
// reader's language, so its content is in the first response; scripts then
// enhance it. A page file starts with a front-matter line
// {{/*page {...} */}} (see PageMeta) and holds the contents of <main>.
// Signed-in consoles are client-rendered: their shells are rendered once
// per language at start-up. Public pages with live data (home, catalog,
// dataset, ...) are rendered per request by server/site with Render.
//
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
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed pages static templates
var files embed.FS

// versionPlaceholder is replaced by Version() in text assets and pages.
const versionPlaceholder = "__V__"

// staticRoutes are the client-rendered pages (consoles, forms) and the page
// file each one serves. Public pages whose content is rendered per request
// are registered by server/site instead.
var staticRoutes = []struct {
	route string
	page  string
}{
	{"/corrections/new", "correction-new"},
	{"/corrections/track", "correction-track"},
	{"/console/corrections", "console-corrections"},
	{"/requests/new", "request-new"},
	{"/console/requests", "console-requests"},
	{"/console/changes", "console-changes"},
	{"/review/changes", "console-changes"},
	{"/apply", "apply"},
	{"/applications/:id", "application"},
	{"/account/applications", "applications-mine"},
	{"/account/grants", "grants"},
	{"/console/applications", "review-queue"},
	{"/console/grants", "grants-manage"},
	{"/review/overdue", "overdue"},
	{"/login", "login"},
	{"/register", "register"},
	{"/forgot-password", "forgot-password"},
	{"/reset-password", "reset-password"},
	{"/verify-email", "verify-email"},
	{"/account", "account"},
	{"/account/tokens", "account-tokens"},
	{"/account/apps", "account-apps"},
	{"/account/organisation", "account-organisation"},
	{"/account/notifications", "account-notifications"},
	{"/admin/users", "admin-users"},
	{"/admin/departments", "admin-departments"},
	{"/admin/apps", "admin-apps"},
	{"/console/revocations", "revocations-request"},
	{"/review/revocations", "revocations-review"},
	{"/review/filings", "filings"},
	{"/developers", "developers"},
	{"/api/docs", "apidocs"},
	{"/console", "console"},
	{"/console/datasets/new", "catalog-entry"},
	{"/console/datasets/:id", "catalog-entry"},
	{"/console/import", "catalog-import"},
	{"/review", "review"},
	{"/review/datasets/:id", "catalog-entry"},
}

// Pages lists the page routes Register adds (Echo route syntax).
func Pages() []string {
	out := make([]string, len(staticRoutes))
	for i, p := range staticRoutes {
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

	gzOnce sync.Once
	gzBody []byte // nil: not worth compressing
}

var (
	version string
	assets  map[string]*asset // "/static/css/site.css" -> asset
	sources map[string][]byte // "pages/home.html" -> text with __V__ replaced
)

func init() {
	var err error
	version, assets, sources, err = load(files)
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

func load(fsys fs.FS) (string, map[string]*asset, map[string][]byte, error) {
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
	src := map[string][]byte{}
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
		switch {
		case strings.HasPrefix(n, "static/"):
			st["/"+n] = newAsset(b, ct)
		case strings.HasPrefix(n, "pages/"), strings.HasPrefix(n, "templates/"):
			src[n] = b
		}
	}
	for _, p := range staticRoutes {
		if src["pages/"+p.page+".html"] == nil {
			return "", nil, nil, fs.ErrNotExist
		}
	}
	return v, st, src, nil
}

func newAsset(b []byte, ctype string) *asset {
	sum := sha256.Sum256(b)
	return &asset{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// Register adds the client-rendered page routes (GET and HEAD) and
// /static/* to e. Pages are rendered by r in the reader's language.
func Register(e *echo.Echo, r *Renderer) {
	methods := []string{http.MethodGet, http.MethodHead}
	for _, p := range staticRoutes {
		name := p.page
		e.Match(methods, p.route, func(c echo.Context) error {
			return r.ServeShell(c, name)
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
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := a.body, a.etag
	if compressible(a.ctype) {
		h.Add("Vary", "Accept-Encoding")
		if z := a.gz(); z != nil && acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
			// Ranges of a compressed body make no sense to clients; the
			// plain one keeps them.
			if c.Request().Header.Get("Range") == "" {
				body, etag = z, gzETag(a.etag)
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(body))
	return nil
}

// gzETag marks the validator of a compressed body apart from the plain one.
func gzETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gz"` }

// Asset returns an embedded asset's body by its URL path (e.g.
// "/static/img/logo.svg"), nil when there is none.
func Asset(p string) []byte {
	if a := assets[p]; a != nil {
		return a.body
	}
	return nil
}
