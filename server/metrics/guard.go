package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Guarded serves Registry on the public listener (no PORTAL_METRICS_ADDR)
// to a scraper that sends "Authorization: Bearer <token>"; others get 401.
// Without a token the route answers 404 as if it did not exist: metrics
// name routes and counts, and the public port is open to anyone.
func Guarded(token string) echo.HandlerFunc {
	if token == "" {
		return func(echo.Context) error { return echo.ErrNotFound }
	}
	serve := Echo()
	want := sha256.Sum256([]byte(token))
	return func(c echo.Context) error {
		scheme, got, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		// Hashing first makes the comparison constant-time whatever the
		// length of what was sent.
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return apperr.New(apperr.Unauthorized, "metrics need the bearer token set in PORTAL_METRICS_TOKEN")
		}
		// The API-token check before this handler flags any unknown bearer.
		c.Response().Header().Del(echo.HeaderWWWAuthenticate)
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return serve(c)
	}
}
