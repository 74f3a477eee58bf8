package authz

import (
	"context"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"
)

// AuthMethod is how a request proved who it is.
type AuthMethod string

const (
	ByCookie AuthMethod = "cookie" // session cookie; state changes need the CSRF token
	ByToken  AuthMethod = "token"  // Authorization: Bearer <API token>
	ByApp    AuthMethod = "app"    // signed app call (X-App-Key, X-Signature; server/apps)
)

// Principal is the signed-in caller of one request. Domain services read it
// for ownership checks (my application, my department's dataset).
type Principal struct {
	UserID         uint64
	Email          string
	Name           string
	Kind           string       // citizen | organisation | staff
	Assignments    []Assignment // roles and the domain each is held in
	DepartmentID   string       // staff of a department ("" otherwise)
	Region         string       // authority: the region it oversees
	OrganisationID *uint64      // organisation accounts
	OrgAdmin       bool         // may add members to its organisation
	EmailVerified  bool         // proved its e-mail address (accounts.RequireVerified)
	Method         AuthMethod
	SessionHash    string  // cookie sessions: SHA-256 of the session id
	TokenID        *uint64 // token requests
	TokenGrantID   *string // grant-scoped tokens reach only that grant's data (later issue)
	AppID          *string // signed app calls: the app (quotas are charged to it)
	IP             string
}

// Subject is the casbin subject of the user ("u:42").
func (p *Principal) Subject() string { return Subject(p.UserID) }

// Subject is the casbin subject of a user id.
func Subject(userID uint64) string { return "u:" + strconv.FormatUint(userID, 10) }

// Roles lists the distinct role names the principal holds, sorted.
func (p *Principal) Roles() []string {
	out := []string{}
	for _, a := range p.Assignments {
		if !slices.Contains(out, a.Role) {
			out = append(out, a.Role)
		}
	}
	slices.Sort(out)
	return out
}

// Has reports whether the principal holds role in any domain.
func (p *Principal) Has(role string) bool {
	if p == nil {
		return false
	}
	for _, a := range p.Assignments {
		if a.Role == role {
			return true
		}
	}
	return false
}

// QuotaChargedKey is set on the echo.Context once an app's quota paid for
// the request, so devapi.Limiter does not count it a second time.
const QuotaChargedKey = "authz.quota_charged"

type ctxKey struct{}

const echoKey = "authz.principal"

// WithPrincipal records p as the caller of the request behind c (on the
// Echo context and on the request's context.Context).
func WithPrincipal(c echo.Context, p *Principal) {
	c.Set(echoKey, p)
	req := c.Request()
	c.SetRequest(req.WithContext(context.WithValue(req.Context(), ctxKey{}, p)))
}

// PrincipalFrom returns the signed-in caller, nil for anonymous visitors.
// from is an echo.Context or a context.Context (the request's).
func PrincipalFrom(from any) *Principal {
	switch v := from.(type) {
	case echo.Context:
		if p, ok := v.Get(echoKey).(*Principal); ok {
			return p
		}
		return PrincipalFrom(v.Request().Context())
	case context.Context:
		p, _ := v.Value(ctxKey{}).(*Principal)
		return p
	}
	return nil
}

// ContextWith returns ctx carrying p (background jobs and tests).
func ContextWith(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}
