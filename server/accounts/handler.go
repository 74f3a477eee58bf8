package accounts

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

// Handler serves the account, token and administration API.
type Handler struct {
	Service *Service
}

// Routes registers the routes, each with its permission.
func (h *Handler) Routes(r *web.Router) {
	r.POST("/api/v1/auth/register", authz.Public, h.register)
	r.POST("/api/v1/auth/login", authz.Public, h.login)
	r.POST("/api/v1/auth/password-reset", authz.Public, h.requestReset)
	r.POST("/api/v1/auth/password-reset/confirm", authz.Public, h.confirmReset)
	r.POST("/api/v1/auth/verify-email", authz.Public, h.verifyEmail)
	r.POST("/api/v1/auth/logout", authz.Me, h.logout)
	r.GET("/api/v1/auth/csrf", authz.Me, h.csrf)

	r.GET("/api/v1/me", authz.Me, h.me)
	r.PATCH("/api/v1/me", authz.Me, h.updateMe)
	r.POST("/api/v1/me/password", authz.Me, h.changePassword)
	r.POST("/api/v1/me/verify-email", authz.Me, h.resendVerification)
	r.GET("/api/v1/me/tokens", authz.TokensManage, h.listTokens)
	r.POST("/api/v1/me/tokens", authz.TokensManage, h.createToken)
	r.DELETE("/api/v1/me/tokens/:id", authz.TokensManage, h.revokeToken)
	r.GET("/api/v1/me/organisation/members", authz.OrganisationMembers, h.members)
	r.POST("/api/v1/me/organisation/members", authz.OrganisationMembers, h.addMember)

	r.GET("/api/v1/admin/users", authz.UsersAdmin, h.listUsers)
	r.POST("/api/v1/admin/users", authz.UsersAdmin, h.createUser)
	r.GET("/api/v1/admin/users/:id", authz.UsersAdmin, h.getUser)
	r.PATCH("/api/v1/admin/users/:id", authz.UsersAdmin, h.updateUser)
	r.GET("/api/v1/admin/roles", authz.UsersAdmin, h.roles)
	r.GET("/api/v1/admin/departments", authz.DepartmentsAdmin, h.listDepartments)
	r.POST("/api/v1/admin/departments", authz.DepartmentsAdmin, h.createDepartment)
	r.PATCH("/api/v1/admin/departments/:id", authz.DepartmentsAdmin, h.updateDepartment)
	r.GET("/api/v1/admin/audit", authz.AuditRead, h.listAudit)
}

// ---- JSON shapes ----

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OrganisationJSON is the organisation an account acts for.
type OrganisationJSON struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

// UserJSON is an account as the API shows it.
type UserJSON struct {
	ID           uint64             `json:"id"`
	Email        string             `json:"email"`
	Name         string             `json:"name"`
	Kind         Kind               `json:"kind"`
	Roles        []string           `json:"roles"`
	Assignments  []authz.Assignment `json:"assignments"`
	Department   *RefJSON           `json:"department"`
	Region       string             `json:"region,omitempty"`
	Organisation *OrganisationJSON  `json:"organisation"`
	OrgAdmin     bool               `json:"org_admin"`
	Disabled     bool               `json:"disabled"`
	// EmailVerified: the account may apply, report and rate (staff always).
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// MeJSON is the caller's own account.
type MeJSON struct {
	UserJSON
	AuthMethod authz.AuthMethod `json:"auth_method"`
	PasswordState
}

// PasswordState says when a staff password must be changed (000 Art 38);
// after that moment the account can only change it.
type PasswordState struct {
	PasswordExpiresAt *time.Time `json:"password_expires_at,omitempty"` // staff only
	PasswordExpired   bool       `json:"password_expired"`
}

func (h *Handler) passwordState(d *UserDetail) PasswordState {
	at, expired := h.Service.passwordState(&d.User)
	return PasswordState{PasswordExpiresAt: at, PasswordExpired: expired}
}

func userJSON(d *UserDetail) UserJSON {
	j := UserJSON{ID: d.ID, Email: d.Email, Name: d.Name, Kind: d.Kind, Roles: d.Roles(), Assignments: d.Assignments,
		Region: d.Region, OrgAdmin: d.OrgAdmin, Disabled: d.Disabled(), EmailVerified: d.Verified(), CreatedAt: d.CreatedAt}
	if j.Assignments == nil {
		j.Assignments = []authz.Assignment{}
	}
	if d.Department != nil {
		j.Department = &RefJSON{ID: d.Department.ID, Name: d.Department.Name}
	}
	if o := d.User.Organisation; o != nil {
		j.Organisation = &OrganisationJSON{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode}
	}
	return j
}

func principal(c echo.Context) (*authz.Principal, error) {
	p := authz.PrincipalFrom(c)
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "sign in required")
	}
	return p, nil
}

// retryAfter sets Retry-After when err says when to try again (sign-in
// throttle, sign-up limits, a busy password hasher) and returns err.
func retryAfter(c echo.Context, err error) error {
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((rl.RetryAfter+time.Second-1)/time.Second)))
	}
	return err
}

// pathID reads a numeric :id; anything else is a missing object.
func pathID(c echo.Context) (uint64, error) {
	return web.PathID(c, apperr.New(apperr.NotFound, "not found"))
}

// ---- sign-up, sign-in ----

type registerRequest struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	Kind       Kind   `json:"kind"`
	CreditCode string `json:"credit_code"`
}

// register godoc
// @Summary      Create a citizen or organisation account
// @Description  Mails a link to verify the address (POST /auth/verify-email); until then the account may browse but not apply, report or rate. Sign-ups are limited per client address and in all per hour: 429 with Retry-After.
// @Tags         accounts
// @Accept       json
// @Produce      json
// @Param        body body registerRequest true "kind: citizen | organisation; credit_code for organisations"
// @Success      201 {object} UserJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Failure      429 {object} web.ErrorBody "too many sign-ups from this address or in all; see Retry-After"
// @Failure      503 {object} web.ErrorBody "too many passwords being checked at once; see Retry-After"
// @Router       /auth/register [post]
func (h *Handler) register(c echo.Context) error {
	var req registerRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.Service.Register(c.Request().Context(), RegisterInput{Email: req.Email, Password: req.Password, Name: req.Name, Kind: req.Kind, CreditCode: req.CreditCode}, MetaOf(c))
	if err != nil {
		return retryAfter(c, err)
	}
	d, err := h.Service.User(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, userJSON(d))
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginJSON answers a sign-in.
type LoginJSON struct {
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      UserJSON  `json:"user"`
	PasswordState
}

// login godoc
// @Summary      Sign in with e-mail and password
// @Description  Sets the portal_session cookie and returns the CSRF token that state-changing requests send in X-CSRF-Token. After a few failures for one account from one address that address waits (429 with Retry-After, growing from 1 s to 15 min); an account failing from many addresses slows to one attempt every few seconds; see docs/authentication.md.
// @Tags         accounts
// @Accept       json
// @Produce      json
// @Param        body body loginRequest true "credentials"
// @Success      200 {object} LoginJSON
// @Failure      401 {object} web.ErrorBody
// @Failure      429 {object} web.ErrorBody
// @Router       /auth/login [post]
func (h *Handler) login(c echo.Context) error {
	var req loginRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	old := ""
	if ck, err := c.Request().Cookie(SessionCookie); err == nil {
		old = ck.Value
	}
	res, err := h.Service.Login(c.Request().Context(), req.Email, req.Password, old, MetaOf(c))
	if err != nil {
		return retryAfter(c, err)
	}
	h.Service.setCookie(c, res.SessionID, res.ExpiresAt)
	d, err := h.Service.User(c.Request().Context(), res.User.ID)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, LoginJSON{CSRFToken: res.CSRF, ExpiresAt: res.ExpiresAt, User: userJSON(d), PasswordState: h.passwordState(d)})
}

// logout godoc
// @Summary  Sign out: the session ends on the server
// @Tags     accounts
// @Success  204
// @Router   /auth/logout [post]
func (h *Handler) logout(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	if err := h.Service.Logout(c.Request().Context(), p, MetaOf(c)); err != nil {
		return err
	}
	if p.Method == authz.ByCookie {
		h.Service.clearCookie(c)
	}
	return c.NoContent(http.StatusNoContent)
}

// csrf godoc
// @Summary  The CSRF token of the current session (for a page that lost it)
// @Tags     accounts
// @Produce  json
// @Success  200 {object} map[string]string
// @Router   /auth/csrf [get]
func (h *Handler) csrf(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	ck, cerr := c.Request().Cookie(SessionCookie)
	if p.Method != authz.ByCookie || cerr != nil {
		return apperr.New(apperr.Invalid, "only cookie sessions use a CSRF token")
	}
	return web.JSON(c, http.StatusOK, map[string]string{"csrf_token": csrfFor(ck.Value)})
}

type resetRequest struct {
	Email string `json:"email"`
}

// requestReset godoc
// @Summary      Mail a password reset link
// @Description  Answers 202 whether or not the address has an account.
// @Tags         accounts
// @Accept       json
// @Success      202 {object} map[string]string
// @Router       /auth/password-reset [post]
func (h *Handler) requestReset(c echo.Context) error {
	var req resetRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.Service.RequestReset(c.Request().Context(), req.Email, MetaOf(c)); err != nil {
		return err
	}
	return web.JSON(c, http.StatusAccepted, map[string]string{"status": "if this address has an account, a reset link is on its way"})
}

type confirmResetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// confirmReset godoc
// @Summary  Choose a new password with a reset or invitation link
// @Tags     accounts
// @Accept   json
// @Success  204
// @Failure  400 {object} web.ErrorBody
// @Router   /auth/password-reset/confirm [post]
func (h *Handler) confirmReset(c echo.Context) error {
	var req confirmResetRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.Service.ConfirmReset(c.Request().Context(), req.Token, req.Password, MetaOf(c)); err != nil {
		return retryAfter(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

type verifyEmailRequest struct {
	Token string `json:"token"`
}

// verifyEmail godoc
// @Summary      Verify the e-mail address with the link mailed at sign-up
// @Description  The page /verify-email?token=… posts the token here. It works once and expires after 24 hours.
// @Tags         accounts
// @Accept       json
// @Success      204
// @Failure      400 {object} web.ErrorBody "invalid, used or expired link"
// @Router       /auth/verify-email [post]
func (h *Handler) verifyEmail(c echo.Context) error {
	var req verifyEmailRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.Service.ConfirmEmail(c.Request().Context(), req.Token, MetaOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// resendVerification godoc
// @Summary      Mail a new verification link to the caller
// @Description  At most one a minute and five a day (429 with Retry-After); 409 when the address is already verified. Earlier links stop working.
// @Tags         accounts
// @Success      202 {object} map[string]string
// @Failure      409 {object} web.ErrorBody
// @Failure      429 {object} web.ErrorBody
// @Router       /me/verify-email [post]
func (h *Handler) resendVerification(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	if err := h.Service.ResendVerification(c.Request().Context(), p, MetaOf(c)); err != nil {
		return retryAfter(c, err)
	}
	return web.JSON(c, http.StatusAccepted, map[string]string{"status": "a verification link is on its way"})
}

// ---- the caller's account ----

// me godoc
// @Summary      The signed-in account
// @Description  Staff accounts also get password_expires_at; once password_expired is true, every other signed-in API answers 403 password_expired until the password is changed (Heilongjiang Interim Measures for Government Data Management, Art. 38).
// @Tags     accounts
// @Produce  json
// @Success  200 {object} MeJSON
// @Failure  401 {object} web.ErrorBody
// @Router   /me [get]
func (h *Handler) me(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	d, err := h.Service.Me(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, MeJSON{UserJSON: userJSON(d), AuthMethod: p.Method, PasswordState: h.passwordState(d)})
}

type updateMeRequest struct {
	Name *string `json:"name"`
}

// updateMe godoc
// @Summary  Change the display name
// @Tags     accounts
// @Accept   json
// @Produce  json
// @Success  200 {object} MeJSON
// @Router   /me [patch]
func (h *Handler) updateMe(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	var req updateMeRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, err := h.Service.Me(c.Request().Context(), p)
	if req.Name != nil && err == nil {
		d, err = h.Service.UpdateName(c.Request().Context(), p, *req.Name, MetaOf(c))
	}
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, MeJSON{UserJSON: userJSON(d), AuthMethod: p.Method, PasswordState: h.passwordState(d)})
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword godoc
// @Summary      Change the password; other sessions end
// @Description  Also open to a staff account whose password expired (Heilongjiang Interim Measures for Government Data Management, Art. 38): changing it lifts the 403 password_expired of the other APIs.
// @Tags     accounts
// @Accept   json
// @Success  204
// @Failure  400 {object} web.ErrorBody
// @Router   /me/password [post]
func (h *Handler) changePassword(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	err = h.Service.ChangePassword(c.Request().Context(), p, req.CurrentPassword, req.NewPassword, MetaOf(c))
	if err != nil {
		return retryAfter(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- API tokens ----

// TokenJSON is a token in lists: never the secret.
type TokenJSON struct {
	ID         uint64     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	GrantID    *string    `json:"grant_id"`
}

// NewTokenJSON is a created token: Token is shown this once.
type NewTokenJSON struct {
	Token string `json:"token"`
	TokenJSON
}

func tokenJSON(t *APIToken) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, GrantID: t.GrantID}
}

// listTokens godoc
// @Summary  The caller's API tokens (prefix only)
// @Tags     tokens
// @Produce  json
// @Success  200 {object} map[string][]TokenJSON
// @Router   /me/tokens [get]
func (h *Handler) listTokens(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	ts, err := h.Service.Tokens(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]TokenJSON, len(ts))
	for i := range ts {
		out[i] = tokenJSON(&ts[i])
	}
	return web.JSON(c, http.StatusOK, map[string]any{"items": out})
}

type createTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
	// GrantID scopes the token to one of the caller's active grants.
	GrantID *string `json:"grant_id"`
}

// createToken godoc
// @Summary      Create an API token
// @Description  The token is in this answer only; the portal keeps its SHA-256. Send it as "Authorization: Bearer <token>". With `grant_id` (one of your active grants) the token reaches only that grant's data: downloads and rows of its dataset, limited to the approved fields (public routes stay public); every route that needs sign-in answers 403 to it.
// @Tags         tokens
// @Accept       json
// @Produce      json
// @Param        body body createTokenRequest true "name, optional expires_at and grant_id"
// @Success      201 {object} NewTokenJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody "grant_id is not one of your grants"
// @Failure      409 {object} web.ErrorBody "too many live tokens, or the grant is not active"
// @Router       /me/tokens [post]
func (h *Handler) createToken(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	var req createTokenRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	t, err := h.Service.CreateToken(c.Request().Context(), p, req.Name, req.ExpiresAt, req.GrantID, MetaOf(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, NewTokenJSON{Token: t.Secret, TokenJSON: tokenJSON(&t.Token)})
}

// revokeToken godoc
// @Summary  Revoke an API token at once
// @Tags     tokens
// @Param    id path int true "token id"
// @Success  204
// @Failure  404 {object} web.ErrorBody
// @Router   /me/tokens/{id} [delete]
func (h *Handler) revokeToken(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.Service.RevokeToken(c.Request().Context(), p, id, MetaOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- organisation members ----

// MemberJSON is a member account of an organisation.
type MemberJSON struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	OrgAdmin  bool      `json:"org_admin"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func memberJSON(u *User) MemberJSON {
	return MemberJSON{ID: u.ID, Email: u.Email, Name: u.Name, OrgAdmin: u.OrgAdmin, Disabled: u.Disabled(), CreatedAt: u.CreatedAt}
}

// members godoc
// @Summary  Member accounts of the caller's organisation
// @Tags     accounts
// @Produce  json
// @Success  200 {object} map[string][]MemberJSON
// @Router   /me/organisation/members [get]
func (h *Handler) members(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	us, err := h.Service.Members(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]MemberJSON, len(us))
	for i := range us {
		out[i] = memberJSON(&us[i])
	}
	return web.JSON(c, http.StatusOK, map[string]any{"items": out})
}

type addMemberRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// addMember godoc
// @Summary      Add a colleague (organisation administrator only)
// @Description  Creates the account and mails an invitation link to choose a password.
// @Tags         accounts
// @Accept       json
// @Produce      json
// @Success      201 {object} MemberJSON
// @Failure      403 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Router       /me/organisation/members [post]
func (h *Handler) addMember(c echo.Context) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	var req addMemberRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.Service.AddMember(c.Request().Context(), p, req.Email, req.Name, MetaOf(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, memberJSON(u))
}

// ---- administration ----

// UserListJSON is a page of accounts.
type UserListJSON struct {
	Total    int64      `json:"total"`
	Page     int        `json:"page"`
	PageSize int        `json:"page_size"`
	Items    []UserJSON `json:"items"`
}

// listUsers godoc
// @Summary  Find accounts
// @Tags     admin
// @Produce  json
// @Param    q          query string false "part of the e-mail address or name"
// @Param    role       query string false "role"
// @Param    kind       query string false "citizen | organisation | staff"
// @Param    department query string false "department id"
// @Param    page       query int    false "page, from 1"
// @Param    page_size  query int    false "1–100, default 20"
// @Success  200 {object} UserListJSON
// @Router   /admin/users [get]
func (h *Handler) listUsers(c echo.Context) error {
	page, size, err := web.Paging(c, 100000)
	if err != nil {
		return err
	}
	q := UserQuery{Q: strings.TrimSpace(c.QueryParam("q")), Role: c.QueryParam("role"), Kind: Kind(c.QueryParam("kind")), DepartmentID: c.QueryParam("department"), Page: page, PageSize: size}
	users, total, err := h.Service.Users(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := UserListJSON{Total: total, Page: page, PageSize: size, Items: make([]UserJSON, len(users))}
	for i := range users {
		out.Items[i] = userJSON(&users[i])
	}
	return web.JSON(c, http.StatusOK, out)
}

// getUser godoc
// @Summary  One account
// @Tags     admin
// @Produce  json
// @Param    id path int true "user id"
// @Success  200 {object} UserJSON
// @Failure  404 {object} web.ErrorBody
// @Router   /admin/users/{id} [get]
func (h *Handler) getUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.Service.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, userJSON(d))
}

type createUserRequest struct {
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Roles        []string `json:"roles"`
	DepartmentID string   `json:"department_id"`
	Region       string   `json:"region"`
	Password     string   `json:"password"`
}

// CreatedUserJSON is a new staff account; Password is set (once) when the
// portal generated it.
type CreatedUserJSON struct {
	User     UserJSON `json:"user"`
	Password string   `json:"password,omitempty"`
}

// createUser godoc
// @Summary  Create a staff account (provider, authority, province, admin)
// @Tags     admin
// @Accept   json
// @Produce  json
// @Success  201 {object} CreatedUserJSON
// @Failure  400 {object} web.ErrorBody
// @Failure  409 {object} web.ErrorBody
// @Router   /admin/users [post]
func (h *Handler) createUser(c echo.Context) error {
	var req createUserRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, pw, err := h.Service.CreateStaff(c.Request().Context(), authz.PrincipalFrom(c), StaffInput{Email: req.Email, Name: req.Name, Password: req.Password, Roles: req.Roles, DepartmentID: req.DepartmentID, Region: req.Region}, MetaOf(c))
	if err != nil {
		return retryAfter(c, err)
	}
	return web.JSON(c, http.StatusCreated, CreatedUserJSON{User: userJSON(d), Password: pw})
}

type updateUserRequest struct {
	Roles        *[]string `json:"roles"`
	DepartmentID *string   `json:"department_id"`
	Region       *string   `json:"region"`
	Disabled     *bool     `json:"disabled"`
	Name         *string   `json:"name"`
}

// updateUser godoc
// @Summary      Set an account's roles, department, region, name or disabled state
// @Description  Takes effect on the next request, on every replica within a few seconds.
// @Tags         admin
// @Accept       json
// @Produce      json
// @Param        id path int true "user id"
// @Success      200 {object} UserJSON
// @Failure      400 {object} web.ErrorBody
// @Failure      404 {object} web.ErrorBody
// @Failure      409 {object} web.ErrorBody
// @Router       /admin/users/{id} [patch]
func (h *Handler) updateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req updateUserRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, err := h.Service.UpdateUser(c.Request().Context(), authz.PrincipalFrom(c), id, RoleChange(req), MetaOf(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, userJSON(d))
}

// RoleJSON is a role and the permissions the policy gives it.
type RoleJSON struct {
	Role        string   `json:"role"`
	Domain      string   `json:"domain"` // department | region | global
	Permissions []string `json:"permissions"`
}

// roles godoc
// @Summary  Roles and their permissions (from the loaded policy)
// @Tags     admin
// @Produce  json
// @Success  200 {object} map[string][]RoleJSON
// @Router   /admin/roles [get]
func (h *Handler) roles(c echo.Context) error {
	domain := map[string]string{authz.RoleProvider: "department", authz.RoleProviderHead: "department", authz.RoleAuthority: "region"}
	out := make([]RoleJSON, 0, len(authz.Roles))
	policy := h.Service.Policy.Policy()
	for _, r := range authz.Roles {
		j := RoleJSON{Role: r, Domain: "global", Permissions: []string{}}
		if d, ok := domain[r]; ok {
			j.Domain = d
		}
		for _, p := range policy {
			if len(p) >= 4 && p[0] == r {
				j.Permissions = append(j.Permissions, p[2]+":"+p[3])
			}
		}
		slices.Sort(j.Permissions)
		out = append(out, j)
	}
	return web.JSON(c, http.StatusOK, map[string]any{"items": out})
}

// DepartmentJSON is a department for administrators.
type DepartmentJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	RegionLevel string    `json:"region_level"`
	Region      string    `json:"region"`
	ParentID    string    `json:"parent_id"`
	Code        string    `json:"code"`
	CreatedAt   time.Time `json:"created_at"`
}

func departmentJSON(d *Department) DepartmentJSON {
	return DepartmentJSON{ID: d.ID, Name: d.Name, RegionLevel: d.RegionLevel, Region: d.Region, ParentID: d.ParentID, Code: d.Code, CreatedAt: d.CreatedAt}
}

// listDepartments godoc
// @Summary  Every department
// @Tags     admin
// @Produce  json
// @Success  200 {object} map[string][]DepartmentJSON
// @Router   /admin/departments [get]
func (h *Handler) listDepartments(c echo.Context) error {
	ds, err := h.Service.Departments(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]DepartmentJSON, len(ds))
	for i := range ds {
		out[i] = departmentJSON(&ds[i])
	}
	return web.JSON(c, http.StatusOK, map[string]any{"items": out})
}

type departmentRequest struct {
	ID          string  `json:"id"`
	Name        *string `json:"name"`
	RegionLevel *string `json:"region_level"`
	Region      *string `json:"region"`
	ParentID    *string `json:"parent_id"`
	Code        *string `json:"code"`
}

// createDepartment godoc
// @Summary  Add a department (its id is a permanent slug)
// @Tags     admin
// @Accept   json
// @Produce  json
// @Success  201 {object} DepartmentJSON
// @Failure  400 {object} web.ErrorBody
// @Failure  409 {object} web.ErrorBody
// @Router   /admin/departments [post]
func (h *Handler) createDepartment(c echo.Context) error {
	var req departmentRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, err := h.Service.CreateDepartment(c.Request().Context(), authz.PrincipalFrom(c), DepartmentInput(req), MetaOf(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusCreated, departmentJSON(d))
}

// updateDepartment godoc
// @Summary  Rename or move a department
// @Tags     admin
// @Accept   json
// @Produce  json
// @Param    id path string true "department id"
// @Success  200 {object} DepartmentJSON
// @Failure  404 {object} web.ErrorBody
// @Router   /admin/departments/{id} [patch]
func (h *Handler) updateDepartment(c echo.Context) error {
	var req departmentRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.ID != "" && req.ID != c.Param("id") {
		return apperr.New(apperr.Invalid, "a department's id never changes")
	}
	d, err := h.Service.UpdateDepartment(c.Request().Context(), authz.PrincipalFrom(c), c.Param("id"), DepartmentInput(req), MetaOf(c))
	if err != nil {
		return err
	}
	return web.JSON(c, http.StatusOK, departmentJSON(d))
}

// AuditEntryJSON is one audit record.
type AuditEntryJSON struct {
	Seq        uint64          `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    *uint64         `json:"actor_id"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Details    json.RawMessage `json:"details"`
	IP         string          `json:"ip"`
	Hash       string          `json:"hash"`
}

// listAudit godoc
// @Summary  The audit trail, newest first
// @Tags     admin
// @Produce  json
// @Param    action      query string false "action, e.g. auth.login_failed"
// @Param    object_type query string false "object type"
// @Param    object_id   query string false "object id"
// @Param    actor_id    query int    false "user id of the actor"
// @Param    before      query int    false "entries before this seq (paging)"
// @Param    limit       query int    false "1–500, default 100"
// @Success  200 {object} map[string][]AuditEntryJSON
// @Router   /admin/audit [get]
func (h *Handler) listAudit(c echo.Context) error {
	limit, err := web.QueryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	actorID, err := web.QueryInt(c, "actor_id", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	before, err := web.QueryInt(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	es, err := audit.List(c.Request().Context(), h.Service.DB, audit.Query{Action: c.QueryParam("action"), ObjectType: c.QueryParam("object_type"), ObjectID: c.QueryParam("object_id"), ActorID: uint64(actorID), Before: uint64(before), Limit: limit})
	if err != nil {
		return apperr.Internalf(err, "list audit entries")
	}
	out := make([]AuditEntryJSON, len(es))
	for i, e := range es {
		out[i] = AuditEntryJSON{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Details: json.RawMessage(e.Details), IP: e.IP, Hash: e.Hash}
	}
	return web.JSON(c, http.StatusOK, map[string]any{"items": out})
}
