package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// CORS headers for the public read APIs. Public data may be read from any
// origin, but never with credentials: "*" makes browsers refuse to expose
// a response to a credentialed (cookie) request, so a page elsewhere can
// never read a signed-in user's data through these headers.
const (
	corsAllowHeaders  = "Authorization, Content-Type, X-App-Key, X-Timestamp, X-Nonce, X-Signature, Accept-Language, Range"
	corsExposeHeaders = "ETag, Link, Content-Range, Content-Disposition, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, RateLimit, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Total-Count, X-Request-Id"
	corsMaxAge        = "86400"
)

// CORSMethods returns the methods a cross-origin caller may use on path
// for a route registered with perm, or nil when the route is not a public
// read API. Only Public routes qualify; of those: the CKAN API /api/3
// (GET, HEAD, POST: CKAN clients POST JSON to actions without
// credentials), GET/HEAD on /api/v1 except sign-in and the caller's own
// account, the DCAT export and the feeds.
func CORSMethods(path string, perm Permission) []string {
	if perm != Public {
		return nil
	}
	read := []string{http.MethodGet, http.MethodHead}
	switch {
	case path == "/api/3" || strings.HasPrefix(path, "/api/3/") || path == "/api/util/status":
		return []string{http.MethodGet, http.MethodHead, http.MethodPost}
	case strings.HasPrefix(path, "/api/v1/auth") || strings.HasPrefix(path, "/api/v1/me"):
		// Session endpoints: cookie territory, same origin only.
		return nil
	case strings.HasPrefix(path, "/api/v1/"):
		return read
	case strings.HasPrefix(path, "/catalog.") || strings.HasPrefix(path, "/dataset/") || path == "/ns/portal":
		return read // DCAT
	case strings.HasSuffix(path, ".atom") || strings.HasSuffix(path, ".rss") || strings.HasSuffix(path, "/feed"):
		return read // feeds
	}
	return nil
}

// CORS answers preflights and adds Access-Control-* headers for the
// routes CORSMethods allows. It runs before routing (Echo.Pre) because
// no OPTIONS routes exist: it finds the route the request (or, for a
// preflight, the announced method) would reach and reads the permission
// the Router recorded for it. Everything else gets no CORS header at
// all, and its preflight falls through to the router (404/405), so a
// browser blocks the cross-origin call.
func CORS(r *Router) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Header.Get(echo.HeaderOrigin) == "" {
				return next(c)
			}
			method := req.Method
			preflight := method == http.MethodOptions && req.Header.Get(echo.HeaderAccessControlRequestMethod) != ""
			if preflight {
				method = strings.ToUpper(req.Header.Get(echo.HeaderAccessControlRequestMethod))
			}
			allowed := r.corsMethods(req, method)
			if !contains(allowed, method) {
				return next(c)
			}
			h := c.Response().Header()
			h.Set(echo.HeaderAccessControlAllowOrigin, "*")
			h.Add(echo.HeaderVary, echo.HeaderOrigin)
			if preflight {
				h.Set(echo.HeaderAccessControlAllowMethods, strings.Join(allowed, ", "))
				h.Set(echo.HeaderAccessControlAllowHeaders, corsAllowHeaders)
				h.Set(echo.HeaderAccessControlMaxAge, corsMaxAge)
				return c.NoContent(http.StatusNoContent)
			}
			h.Set(echo.HeaderAccessControlExposeHeaders, corsExposeHeaders)
			return next(c)
		}
	}
}

// corsMethods finds the registered route for method and the request path.
func (r *Router) corsMethods(req *http.Request, method string) []string {
	if method == http.MethodHead {
		method = http.MethodGet // Echo answers HEAD through the GET route
	}
	path := req.URL.RawPath
	if path == "" {
		path = req.URL.Path
	}
	ctx := r.e.NewContext(req, nil)
	r.e.Router().Find(method, path, ctx)
	rt, ok := r.routes[method+" "+ctx.Path()]
	if !ok {
		return nil
	}
	return CORSMethods(rt.Path, rt.Permission)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
