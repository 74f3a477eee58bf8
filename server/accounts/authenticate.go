package accounts

import (
	"net/http"
	"net/url"
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

// AppCaller is the app a signed call came from (server/apps verifies it).
type AppCaller struct {
	UserID  uint64  // the app's owner
	AppID   string  // the app
	GrantID *string // the grant the app is tied to, if any
}

// AppVerifier checks signed app calls (X-App-Key …). It answers nil, nil
// for a request without X-App-Key, Unauthorized for one that does not hold.
type AppVerifier interface {
	VerifyApp(c echo.Context) (*AppCaller, error)
}

// AppAuthenticate is the WWW-Authenticate challenge of a refused signed call.
const AppAuthenticate = `HMAC-SHA256 realm="portal", error="invalid_signature"`

// Authenticate identifies the caller: a signed app call (X-App-Key) first,
// then an "Authorization: Bearer" API token, else the session cookie.
// Cookie requests that change state (anything but GET, HEAD, OPTIONS) must
// echo the session's CSRF token in X-CSRF-Token and, when they carry an
// Origin header, come from the portal's own origin; token and app requests
// need neither (a browser never adds those headers to a cross-site
// request on its own).
func (s *Service) Authenticate(c echo.Context) (*authz.Principal, error) {
	req := c.Request()
	m := MetaOf(c)
	if s.Apps != nil && req.Header.Get("X-App-Key") != "" {
		ac, err := s.Apps.VerifyApp(c)
		if err != nil {
			if apperr.Is(err, apperr.Unauthorized) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, AppAuthenticate)
			}
			return nil, err
		}
		u, err := s.activeUser(req.Context(), ac.UserID)
		if err != nil {
			if err == errSessionEnded {
				err = apperr.New(apperr.Unauthorized, "unknown app key")
			}
			return nil, err
		}
		p := s.principal(u, authz.ByApp, m)
		appID := ac.AppID
		p.AppID, p.TokenGrantID = &appID, ac.GrantID
		return p, nil
	}
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
	if unsafe && !s.sameOrigin(req) {
		return nil, apperr.New(apperr.Forbidden, "this request comes from another site (Origin %s)", truncOrigin(req.Header.Get("Origin")))
	}
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

// sameOrigin reports whether a cookie request's Origin, when it sends one,
// is the portal's own: PORTAL_BASE_URL's scheme and host, or without a
// base URL the host the request was sent to. A page of another site can
// make a browser send the cookie, but never a false Origin.
func (s *Service) sameOrigin(req *http.Request) bool {
	o := req.Header.Get("Origin")
	if o == "" {
		return true // older clients and same-origin GET-like forms; CSRF still holds
	}
	ou, err := url.Parse(o)
	if err != nil || ou.Host == "" {
		return false
	}
	if s.BaseURL != "" {
		bu, err := url.Parse(s.BaseURL)
		return err == nil && strings.EqualFold(ou.Scheme, bu.Scheme) && strings.EqualFold(ou.Host, bu.Host)
	}
	return strings.EqualFold(ou.Host, req.Host)
}

func truncOrigin(o string) string {
	if len(o) > 100 {
		return o[:100]
	}
	return o
}
