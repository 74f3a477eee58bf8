package web

import (
	"sort"

	"github.com/labstack/echo/v4"
)

// Permission names what a route requires. Every route declares one; the
// access middleware (accounts) denies anything it does not know.
type Permission string

// Public is for routes anyone, signed in or not, may call.
const Public Permission = "public"

// Route is one registered route and its permission.
type Route struct {
	Method, Path string
	Permission   Permission
}

// Router registers routes on Echo and records each route's permission.
type Router struct {
	e      *echo.Echo
	routes map[string]Route // key: method + " " + path
	guard  func(Permission) echo.MiddlewareFunc
}

// NewRouter wraps e. guard, when set, builds the middleware that enforces
// a permission; it is attached to every route at registration.
func NewRouter(e *echo.Echo, guard func(Permission) echo.MiddlewareFunc) *Router {
	return &Router{e: e, routes: map[string]Route{}, guard: guard}
}

// Add registers a handler with its permission.
func (r *Router) Add(method, path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	if perm == "" {
		panic("web: route " + method + " " + path + " declares no permission")
	}
	for _, m := range mw {
		if isOwnBodyLimit(m) {
			ownLimitRoutes.Store(method+" "+path, true)
		}
	}
	if r.guard != nil {
		mw = append([]echo.MiddlewareFunc{r.guard(perm)}, mw...)
	}
	r.e.Add(method, path, h, mw...)
	r.routes[method+" "+path] = Route{Method: method, Path: path, Permission: perm}
}

// GET registers a GET route (HEAD is answered by Echo for GET routes).
func (r *Router) GET(path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add("GET", path, perm, h, mw...)
}

// POST registers a POST route.
func (r *Router) POST(path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add("POST", path, perm, h, mw...)
}

// PATCH registers a PATCH route.
func (r *Router) PATCH(path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add("PATCH", path, perm, h, mw...)
}

// PUT registers a PUT route.
func (r *Router) PUT(path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add("PUT", path, perm, h, mw...)
}

// DELETE registers a DELETE route.
func (r *Router) DELETE(path string, perm Permission, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	r.Add("DELETE", path, perm, h, mw...)
}

// Routes lists every registered route, sorted, for the authorization
// matrix test and the docs.
func (r *Router) Routes() []Route {
	out := make([]Route, 0, len(r.routes))
	for _, rt := range r.routes {
		out = append(out, rt)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Echo returns the underlying Echo.
func (r *Router) Echo() *echo.Echo { return r.e }
