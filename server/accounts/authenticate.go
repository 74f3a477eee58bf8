package accounts

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
)

// Principal is the signed-in caller (see authz.Principal).
type Principal = authz.Principal

// PrincipalFrom returns the signed-in caller of a request, nil for an
// anonymous visitor. from is the echo.Context or the request's
// context.Context. Domain services use it for ownership checks.
func PrincipalFrom(from any) *Principal { return authz.PrincipalFrom(from) }

var _ authz.Authenticator = (*Service)(nil)

// Authenticate identifies the caller: an "Authorization: Bearer" API token
// first, else the session cookie. Cookie requests that change state
// (anything but GET, HEAD, OPTIONS) must echo the session's CSRF token in
// X-CSRF-Token; token requests need none (a browser never adds the header
// to a cross-site request on its own).
func (s *Service) Authenticate(c echo.Context) (*authz.Principal, error) {
	req := c.Request()
	m := MetaOf(c)
	if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			p, u, err := s.tokenPrincipal(req.Context(), strings.TrimSpace(tok), m)
			if apperr.Is(err, apperr.Unauthorized) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
			}
			s.markPasswordAge(c, u)
			return p, err
		}
	}
	ck, err := req.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	unsafe := req.Method != http.MethodGet && req.Method != http.MethodHead && req.Method != http.MethodOptions
	p, u, err := s.sessionPrincipal(req.Context(), ck.Value, unsafe, req.Header.Get(CSRFHeader), m)
	if err == errSessionEnded || (err != nil && apperr.Is(err, apperr.Unauthorized)) {
		s.clearCookie(c) // stop sending a dead session
	}
	s.markPasswordAge(c, u)
	return p, err
}

// MetaOf reads the caller's address and user agent. The address is the
// TCP peer unless the Echo has an IPExtractor for a trusted proxy: a
// client-chosen X-Forwarded-For must not reset its login throttle.
func MetaOf(c echo.Context) Meta {
	ip := c.RealIP()
	if c.Echo().IPExtractor == nil {
		ip = echo.ExtractIPDirect()(c.Request())
	}
	return Meta{IP: ip, UserAgent: c.Request().UserAgent()}
}

func (s *Service) secure(c echo.Context) bool {
	return c.IsTLS() || c.Scheme() == "https" || strings.HasPrefix(s.BaseURL, "https://")
}

// setCookie writes the session cookie: HttpOnly (no script reads it),
// SameSite=Lax (not sent on cross-site POSTs), Secure over TLS.
func (s *Service) setCookie(c echo.Context, sessionID string, expires time.Time) {
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: sessionID, Path: "/",
		Expires: expires, MaxAge: int(expires.Sub(s.now()).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
	})
}

func (s *Service) clearCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
}
