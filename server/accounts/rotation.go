package accounts

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// PasswordExpired is the error code of the 403 answered to a staff account
// whose password is older than the profile allows (000 Art 38).
const PasswordExpired apperr.Code = "password_expired"

// passwordExpiredKey holds, on the Echo context, when the caller's
// password expired (set by Authenticate).
const passwordExpiredKey = "accounts.password_expired_at"

// markPasswordAge notes on the request that the authenticated account's
// password has expired.
func (s *Service) markPasswordAge(c echo.Context, u *User) {
	if u == nil {
		return
	}
	if at, ok := u.PasswordExpiresAt(s.Limits.StaffPasswordMaxAgeDays); ok && !s.now().Before(at) {
		c.Set(passwordExpiredKey, at)
	}
}

// passwordChangeRoutes stay open to an account whose password expired:
// the change itself, signing out, reading /me (the page shows why) and
// the session's CSRF token.
var passwordChangeRoutes = map[string]bool{
	"POST /api/v1/me/password": true,
	"POST /api/v1/auth/logout": true,
	"GET /api/v1/me":           true,
	"GET /api/v1/auth/csrf":    true,
	"HEAD /api/v1/me":          true,
	"HEAD /api/v1/auth/csrf":   true,
}

// PasswordRotation wraps the router's guard: a staff account whose
// password expired (000 Art 38: 定期更换密码) can only change it. Every
// other signed-in API answers 403 password_expired, for its sessions and
// its API tokens alike. On public routes a session of such an account is
// treated as anonymous (public data stays public), a token is refused.
func (s *Service) PasswordRotation(guard func(web.Permission) echo.MiddlewareFunc) func(web.Permission) echo.MiddlewareFunc {
	return func(perm web.Permission) echo.MiddlewareFunc {
		check := guard(perm)
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return check(func(c echo.Context) error {
				if _, expired := c.Get(passwordExpiredKey).(time.Time); !expired {
					return next(c)
				}
				p := authz.PrincipalFrom(c)
				if p == nil || passwordChangeRoutes[c.Request().Method+" "+c.Path()] {
					return next(c)
				}
				if authz.IsPublic(perm) && p.Method == authz.ByCookie {
					authz.WithPrincipal(c, nil)
					return next(c)
				}
				return s.passwordExpiredAnswer(c)
			})
		}
	}
}

func (s *Service) passwordExpiredMessage() string {
	return fmt.Sprintf("your password has expired: staff passwords are changed every %d days; change it before you continue", s.Limits.StaffPasswordMaxAgeDays)
}

func (s *Service) passwordExpiredAnswer(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusForbidden)
	}
	return web.WriteError(c, http.StatusForbidden, web.ErrorDetail{
		Code: PasswordExpired, Message: s.passwordExpiredMessage(), RequestID: h.Get(echo.HeaderXRequestID)})
}

// passwordState is what /me and sign-in say about the password's age.
func (s *Service) passwordState(u *User) (expiresAt *time.Time, expired bool) {
	at, ok := u.PasswordExpiresAt(s.Limits.StaffPasswordMaxAgeDays)
	if !ok {
		return nil, false
	}
	return &at, !s.now().Before(at)
}
