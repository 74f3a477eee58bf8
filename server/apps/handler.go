package apps

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the developer's and the authority's app API.
type Handler struct {
	S *Service
}

// Routes registers the app routes. Developers need the token permission
// (an app is a stronger kind of API token); the authority's routes are
// for signed-in accounts and the service admits the data authority only.
func (h *Handler) Routes(r *web.Router) {
	r.GET("/api/v1/me/apps", authz.TokensManage, h.list)
	r.POST("/api/v1/me/apps", authz.TokensManage, h.create)
	r.GET("/api/v1/me/apps/:id", authz.TokensManage, h.get)
	r.PATCH("/api/v1/me/apps/:id", authz.TokensManage, h.update)
	r.POST("/api/v1/me/apps/:id/secret", authz.TokensManage, h.rotate)
	r.DELETE("/api/v1/me/apps/:id", authz.TokensManage, h.remove)
	r.GET("/api/v1/me/apps/:id/usage", authz.TokensManage, h.usage)
	r.GET("/api/v1/admin/apps", authz.Me, h.adminList)
	r.PATCH("/api/v1/admin/apps/:id", authz.Me, h.adminUpdate)
	r.GET("/api/v1/admin/apps/:id/usage", authz.Me, h.adminUsage)
}

// AppJSON is an app as the API shows it: never its secret.
type AppJSON struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Description     string        `json:"description"`
	IntendedUse     string        `json:"intended_use"`
	AppKey          string        `json:"app_key"`
	GrantID         *string       `json:"grant_id"`
	GrantTitle      *string       `json:"grant_title"`
	Status          string        `json:"status"`
	SuspendedReason string        `json:"suspended_reason"`
	CreatedAt       time.Time     `json:"created_at"`
	LastUsedAt      *time.Time    `json:"last_used_at"`
	Quotas          []FamilyQuota `json:"quotas"`
	Owner           *Owner        `json:"owner,omitempty"`
}

// NewAppJSON is a created app with its secret, shown this once.
type NewAppJSON struct {
	AppJSON
	AppSecret string `json:"app_secret"`
}

// SecretJSON is a rotated secret, shown this once.
type SecretJSON struct {
	AppSecret string `json:"app_secret"`
}

// AppList is a list of apps.
type AppList struct {
	Items []AppJSON `json:"items"`
	Total *int64    `json:"total,omitempty"`
}

func (h *Handler) views(c echo.Context, as []App, owners map[uint64]Owner) ([]AppJSON, error) {
	ids := make([]string, len(as))
	for i := range as {
		ids[i] = as[i].ID
	}
	qs, err := h.S.QuotasOf(c.Request().Context(), ids...)
	if err != nil {
		return nil, err
	}
	out := make([]AppJSON, len(as))
	for i, a := range as {
		v := AppJSON{ID: a.ID, Name: a.Name, Description: a.Description, IntendedUse: a.IntendedUse, AppKey: a.AppKey, GrantID: a.GrantID,
			Status: a.Status, SuspendedReason: a.SuspendedReason, CreatedAt: a.CreatedAt, LastUsedAt: a.LastUsedAt, Quotas: []FamilyQuota{}}
		if h.S.GrantTitle != nil && a.GrantID != nil {
			if t := h.S.GrantTitle(c.Request().Context(), *a.GrantID); t != "" {
				v.GrantTitle = &t
			}
		}
		for _, f := range Families {
			l := qs[a.ID][f]
			v.Quotas = append(v.Quotas, FamilyQuota{Family: f, PerMinute: l.PerMinute, PerDay: l.PerDay})
		}
		if owners != nil {
			o := owners[a.UserID]
			v.Owner = &o
		}
		out[i] = v
	}
	return out, nil
}

func (h *Handler) one(c echo.Context, status int, a *App) error {
	vs, err := h.views(c, []App{*a}, nil)
	if err != nil {
		return err
	}
	return web.JSON(c, status, vs[0])
}

// list godoc
// @Summary   The caller's apps
// @Tags      apps
// @Produce   json
// @Security  Session
// @Success   200 {object} AppList
// @Failure   401 {object} web.ErrorBody
// @Router    /me/apps [get]
func (h *Handler) list(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	as, err := h.S.List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	vs, err := h.views(c, as, nil)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, AppList{Items: vs})
}

// create godoc
// @Summary      Create an app (数据接口)
// @Description  Returns the app key and its secret; the secret is in this answer only (and in a rotation's). Sign calls with them as docs/app-keys.md describes. With `grant_id` (one of your active grants) the app reaches that grant's data only, like a grant-scoped token. Needs a verified e-mail; at most 20 apps an account.
// @Tags         apps
// @Accept       json
// @Produce      json
// @Security     Session
// @Param        body body Input true "name (1–80), description and intended_use (≤ 2000), optional grant_id"
// @Success      201 {object} NewAppJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      403 {object} web.ErrorBody "e-mail not verified"
// @Failure      404 {object} web.ErrorBody "grant not yours"
// @Failure      409 {object} web.ErrorBody "too many apps, or the grant is not active"
// @Router       /me/apps [post]
func (h *Handler) create(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	a, secret, err := h.S.Create(c.Request().Context(), authz.PrincipalFrom(c), in, accounts.MetaOf(c).IP)
	if err != nil {
		return err
	}
	vs, err := h.views(c, []App{*a}, nil)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, NewAppJSON{AppJSON: vs[0], AppSecret: secret})
}

// get godoc
// @Summary   One of the caller's apps
// @Tags      apps
// @Produce   json
// @Security  Session
// @Param     id path string true "app id"
// @Success   200 {object} AppJSON
// @Failure   404 {object} web.ErrorBody
// @Router    /me/apps/{id} [get]
func (h *Handler) get(c echo.Context) error {
	a, err := h.S.Get(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"))
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, a)
}

// update godoc
// @Summary   Change an app's name, description, intended use or grant
// @Description  `grant_id` "" unties the app from its grant.
// @Tags      apps
// @Accept    json
// @Produce   json
// @Security  Session
// @Param     id   path string true "app id"
// @Param     body body Input true "fields to change"
// @Success   200 {object} AppJSON
// @Failure   400 {object} web.ErrorBody
// @Failure   404 {object} web.ErrorBody
// @Router    /me/apps/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	a, err := h.S.Update(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), in, accounts.MetaOf(c).IP)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, a)
}

// rotate godoc
// @Summary   Give an app a new secret
// @Description  The old secret stops working at once; the new one is in this answer only.
// @Tags      apps
// @Produce   json
// @Security  Session
// @Param     id path string true "app id"
// @Success   200 {object} SecretJSON
// @Failure   404 {object} web.ErrorBody
// @Router    /me/apps/{id}/secret [post]
func (h *Handler) rotate(c echo.Context) error {
	secret, err := h.S.Rotate(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), accounts.MetaOf(c).IP)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, SecretJSON{AppSecret: secret})
}

// remove godoc
// @Summary   Delete an app; its key stops working at once
// @Tags      apps
// @Security  Session
// @Param     id path string true "app id"
// @Success   204
// @Failure   404 {object} web.ErrorBody
// @Router    /me/apps/{id} [delete]
func (h *Handler) remove(c echo.Context) error {
	if err := h.S.Delete(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), accounts.MetaOf(c).IP); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func days(c echo.Context) (int, error) { return web.QueryInt(c, "days", 30, 1, 90) }

// usage godoc
// @Summary   An app's calls per day and family, its quotas now and its last errors
// @Tags      apps
// @Produce   json
// @Security  Session
// @Param     id   path  string true  "app id"
// @Param     days query int    false "1–90, default 30 (China days, today included)"
// @Success   200 {object} Usage
// @Failure   400 {object} web.ErrorBody
// @Failure   404 {object} web.ErrorBody
// @Router    /me/apps/{id}/usage [get]
func (h *Handler) usage(c echo.Context) error {
	n, err := days(c)
	if err != nil {
		return err
	}
	u, err := h.S.Usage(c.Request().Context(), c.Param("id"), authz.PrincipalFrom(c).UserID, n)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, u)
}

// adminList godoc
// @Summary   Every app, for the data authority
// @Tags      apps
// @Produce   json
// @Security  Session
// @Param     q         query string false "name, app key or owner e-mail contains"
// @Param     status    query string false "active | suspended"
// @Param     page      query int    false "from 1"
// @Param     page_size query int    false "1–100, default 20"
// @Success   200 {object} AppList
// @Failure   400 {object} web.ErrorBody
// @Failure   403 {object} web.ErrorBody
// @Router    /admin/apps [get]
func (h *Handler) adminList(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	if err := requireAuthority(p); err != nil {
		return err
	}
	page, size, err := web.Paging(c, 10_000)
	if err != nil {
		return err
	}
	as, owners, total, err := h.S.AdminList(c.Request().Context(), p, c.QueryParam("q"), c.QueryParam("status"), page, size)
	if err != nil {
		return err
	}
	vs, err := h.views(c, as, owners)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, AppList{Items: vs, Total: &total})
}

// adminUpdate godoc
// @Summary   Suspend or restore an app, set its quotas (data authority)
// @Description  A suspended app's signed calls answer 401 at once. Quotas per family (downloads, rows, ckan, search): calls per minute and per China day, 0 = no limit; families left out keep their limits.
// @Tags      apps
// @Accept    json
// @Produce   json
// @Security  Session
// @Param     id   path string     true "app id"
// @Param     body body AdminInput true "status, suspended_reason, quotas"
// @Success   200 {object} AppJSON
// @Failure   400 {object} web.ErrorBody
// @Failure   403 {object} web.ErrorBody
// @Failure   404 {object} web.ErrorBody
// @Router    /admin/apps/{id} [patch]
func (h *Handler) adminUpdate(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	if err := requireAuthority(p); err != nil {
		return err
	}
	var in AdminInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	a, err := h.S.AdminUpdate(c.Request().Context(), p, c.Param("id"), in, accounts.MetaOf(c).IP)
	if err != nil {
		return err
	}
	return h.one(c, http.StatusOK, a)
}

// adminUsage godoc
// @Summary   An app's usage, for the data authority
// @Tags      apps
// @Produce   json
// @Security  Session
// @Param     id   path  string true  "app id"
// @Param     days query int    false "1–90, default 30"
// @Success   200 {object} Usage
// @Failure   403 {object} web.ErrorBody
// @Failure   404 {object} web.ErrorBody
// @Router    /admin/apps/{id}/usage [get]
func (h *Handler) adminUsage(c echo.Context) error {
	if err := requireAuthority(authz.PrincipalFrom(c)); err != nil {
		return err
	}
	n, err := days(c)
	if err != nil {
		return err
	}
	u, err := h.S.Usage(c.Request().Context(), c.Param("id"), 0, n)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, u)
}
