package authz

import (
	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/web"
)

// Authenticator identifies the caller of a request (accounts.Service).
type Authenticator interface {
	// Authenticate returns nil, nil for an anonymous request. An error is a
	// credential that does not hold (Unauthorized) or a cookie request that
	// changes state without its CSRF token (Forbidden).
	Authenticate(c echo.Context) (*Principal, error)
}

// Guard returns the middleware factory for web.NewRouter: every route gets
// the check for the permission it declares.
//
//   - public permissions pass; a valid credential still identifies the
//     caller, an invalid one (or a cookie without its CSRF token on a state
//     change) is simply treated as anonymous;
//   - otherwise no credential → 401, a credential without the permission in
//     any domain → 403.
//
// An unknown permission panics at registration: a typo must not open or
// close a route silently.
func Guard(authn Authenticator, en *Enforcer) func(web.Permission) echo.MiddlewareFunc {
	return func(perm web.Permission) echo.MiddlewareFunc {
		if !Known(perm) {
			panic("authz: route declares unknown permission " + string(perm))
		}
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				p, err := authn.Authenticate(c)
				if IsPublic(perm) {
					if err == nil && p != nil {
						WithPrincipal(c, p)
					}
					return next(c)
				}
				if err != nil {
					return err
				}
				if p == nil {
					return apperr.New(apperr.Unauthorized, "sign in required")
				}
				WithPrincipal(c, p)
				if p.TokenGrantID != nil && perm != GrantsUse {
					// A grant-scoped token reaches its grant's data only.
					return apperr.New(apperr.Forbidden, "this token is limited to one grant")
				}
				if !en.AllowedAnywhere(p, perm) {
					return apperr.New(apperr.Forbidden, "not allowed")
				}
				return next(c)
			}
		}
	}
}

// NotFound answers every request no route matched (the catch-all under
// /api/): undeclared routes are never reachable.
func NotFound(c echo.Context) error {
	return apperr.New(apperr.NotFound, "not found")
}
