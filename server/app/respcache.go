package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/respcache"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/store"
)

// cachedRoutes are the public reads the response cache answers (route
// templates as echo routed them).
var cachedRoutes = map[string]bool{
	"/api/v1/site":            true,
	"/api/v1/catalog/summary": true,
	"/api/v1/datasets":        true, // list, search and facets
	"/api/v1/datasets/:id":    true,
	"/api/v1/departments":     true,
	"/api/v1/topics":          true,
	// The catalog page: rendered from the index like the API list, the
	// same for every anonymous reader of a language.
	"/datasets": true,
}

// ckanRoutes are the CKAN action routes; ckanCached the actions whose
// answers only change with the catalog (not rows, activity or status).
var (
	ckanRoutes = map[string]bool{"/api/3/action/:action": true, "/api/action/:action": true}
	ckanCached = map[string]bool{
		"package_show": true, "package_search": true, "package_list": true,
		"current_package_list_with_resources": true, "organization_list": true,
		"organization_show": true, "group_list": true, "group_show": true,
		"group_package_show": true, "tag_list": true, "tag_show": true,
		"license_list": true, "resource_show": true, "resource_search": true,
		"package_autocomplete": true, "format_autocomplete": true, "organization_autocomplete": true,
	}
)

// followedPages are the server-rendered pages whose own cache (server/site)
// follows the catalog version: the middleware keeps the version current.
var followedPages = map[string]bool{
	"/": true, "/datasets/:id": true, "/departments/:id": true, "/topics/:id": true, "/announcements/:id": true,
}

// openResponseCache makes the catalog version and the response cache, and
// makes every outbox kind that changes public reads bump the version once
// it is applied. Call it after every such handler is in place.
func (a *App) openResponseCache() {
	a.Versions = &respcache.Versions{DB: a.DB, MaxAge: a.Config.CacheVersionMaxAge, Now: a.Now}
	for _, kind := range []string{"dataset", quality.KindQuality, quality.KindProfile} {
		if h := a.Outbox.Handlers[kind]; h != nil {
			a.Outbox.Handlers[kind] = a.Versions.AfterChange(h)
		}
	}
	a.PageCache.SetVersion(a.Versions.PeekIndexed) // pages show what the index shows
	a.ResponseCache = respcache.New(a.Versions, a.Config.ResponseCacheMB<<20, time.Minute)
	c := a.ResponseCache
	c.Cacheable = func(c echo.Context) bool {
		if cachedRoutes[c.Path()] {
			return true
		}
		return ckanRoutes[c.Path()] && ckanCached[c.Param("action")]
	}
	c.Follow = func(c echo.Context) bool { return followedPages[c.Path()] }
	// Reads enforce withdrawals by the clock: no answer outlives the next one.
	c.Until = a.nextWithdrawal
	// CKAN answers from the cache still count against the developer rate limit.
	c.OnHit = func(c echo.Context) func(echo.HandlerFunc) echo.HandlerFunc {
		if ckanRoutes[c.Path()] {
			return a.Limits.Middleware
		}
		return nil
	}
}

// writeRoutes are the API writes that change what public reads show before
// (or without) an outbox event: dispute flags, revocation notices,
// departments, entries approved in /manage (the API reads the database at
// once). Once one succeeds, the catalog version goes up; the indexed
// version, which the rendered pages follow, waits for the outbox.
var writeRoutes = []string{
	"/api/v1/corrections", "/api/v1/revocations", "/api/v1/announcements/", "/api/v1/admin/departments", "/api/v1/manage/",
}

// bumpAfterWrites bumps the catalog version after a successful write on
// writeRoutes, on this replica at once and on the others within the
// version max age.
func (a *App) bumpAfterWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := c.Request().Method
		if m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || !isWriteRoute(c.Path()) {
			return next(c)
		}
		err := next(c)
		if err == nil && c.Response().Status < 400 {
			if _, berr := a.Versions.Bump(context.WithoutCancel(c.Request().Context()), false); berr != nil {
				// Cached reads then lag until the next bump or their expiry (a minute).
				a.Log.Warn("catalog version not bumped after a write", "path", c.Path(), "err", berr)
			}
		}
		return err
	}
}

func isWriteRoute(p string) bool {
	for _, w := range writeRoutes {
		if strings.HasPrefix(p, w) {
			return true
		}
	}
	return false
}

// withdrawals remembers when the next approved withdrawal takes effect,
// per catalog version (an approval is a write, so it bumps the version).
type withdrawals struct {
	mu      sync.Mutex
	version uint64
	at      time.Time // zero: none pending
	ok      bool
}

// nextWithdrawal is when the next approved revocation (of any entry or
// resource) takes effect; an answer stored now expires then at the latest.
// It reads the revocations table itself (an adapter: revocations.Service
// only answers per dataset).
func (a *App) nextWithdrawal(c echo.Context) time.Time {
	now := a.Now()
	v := a.Versions.Peek()
	w := &a.withdrawals
	w.mu.Lock()
	if w.ok && w.version == v && (w.at.IsZero() || now.Before(w.at)) {
		at := w.at
		w.mu.Unlock()
		return at
	}
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	var next []time.Time
	err := a.DB.WithContext(ctx).Model(&revocations.Revocation{}).
		Where("status = ? AND effective_at > ?", revocations.Approved, store.DBTime(now)).
		Order("effective_at ASC").Limit(1).Pluck("effective_at", &next).Error
	if err != nil {
		return now // unknown: store nothing
	}
	at := time.Time{}
	if len(next) > 0 {
		at = next[0]
	}
	w.mu.Lock()
	w.version, w.at, w.ok = v, at, true
	w.mu.Unlock()
	return at
}
