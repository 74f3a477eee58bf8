package app

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/respcache"
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
	a.PageCache.SetVersion(a.Versions.Peek)
	a.ResponseCache = respcache.New(a.Versions, a.Config.ResponseCacheMB<<20, time.Minute)
	c := a.ResponseCache
	c.Cacheable = func(c echo.Context) bool {
		if cachedRoutes[c.Path()] {
			return true
		}
		return ckanRoutes[c.Path()] && ckanCached[c.Param("action")]
	}
	c.Follow = func(c echo.Context) bool { return followedPages[c.Path()] }
	// A dataset answer stops being true when its withdrawal takes effect.
	c.Until = func(c echo.Context) time.Time {
		id := ""
		switch {
		case c.Path() == "/api/v1/datasets/:id":
			id = c.Param("id")
		case ckanRoutes[c.Path()] && c.Param("action") == "package_show":
			id = c.QueryParam("id")
		}
		if id == "" || a.Revocations == nil {
			return time.Time{}
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		at, found, err := a.Revocations.NextEffective(ctx, id)
		if err != nil {
			return a.Now() // unknown: do not keep it
		}
		if !found {
			return time.Time{}
		}
		return at
	}
	// CKAN answers from the cache still count against the developer rate limit.
	c.OnHit = func(c echo.Context) func(echo.HandlerFunc) echo.HandlerFunc {
		if ckanRoutes[c.Path()] {
			return a.Limits.Middleware
		}
		return nil
	}
}
