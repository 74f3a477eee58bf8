package authz_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/web"
)

func newEnforcer(t *testing.T, db *gorm.DB) *authz.Enforcer {
	t.Helper()
	en, err := authz.NewEnforcer(context.Background(), db, nil, seed.DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func hasRule(policy [][]string, role, obj, act string) bool {
	for _, r := range policy {
		if len(r) >= 4 && r[0] == role && r[2] == obj && r[3] == act {
			return true
		}
	}
	return false
}

func newEnforcerWith(t *testing.T, db *gorm.DB, policy []byte) *authz.Enforcer {
	t.Helper()
	en, err := authz.NewEnforcer(context.Background(), db, nil, policy)
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func assign(t *testing.T, db *gorm.DB, en *authz.Enforcer, user uint64, as ...authz.Assignment) {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error { return en.SetAssignments(tx, user, as) }); err != nil {
		t.Fatal(err)
	}
	if err := en.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func principal(en *authz.Enforcer, id uint64) *authz.Principal {
	return &authz.Principal{UserID: id, Assignments: en.AssignmentsOf(id)}
}

// TestPolicyInDatabase runs casbin through gorm-adapter on each engine:
// default policy stored once, domains scope roles, changes reach another
// replica on its next poll.
func TestPolicyInDatabase(t *testing.T) {
	ctx := context.Background()
	want, err := authz.ParsePolicy(seed.DefaultPolicy)
	if err != nil || len(want) < 20 {
		t.Fatalf("default policy: %d rules, %v", len(want), err)
	}
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.MigratedDB(t, engine, authz.Migrations())
			en := newEnforcer(t, db)
			var n int64
			db.Table("casbin_rule").Where("ptype = 'p'").Count(&n)
			if int(n) != len(want) {
				t.Fatalf("stored %d p rules, want %d", n, len(want))
			}
			// A second start does not store the defaults again.
			replica := newEnforcer(t, db)
			db.Table("casbin_rule").Where("ptype = 'p'").Count(&n)
			if int(n) != len(want) {
				t.Fatalf("after restart %d p rules, want %d", n, len(want))
			}

			// A release adding a default rule: stored once, on the next start.
			extra := append(append([]byte{}, seed.DefaultPolicy...), []byte("\np, province, *, audit, read\n")...)
			en = newEnforcerWith(t, db, extra)
			db.Table("casbin_rule").Where("ptype = 'p'").Count(&n)
			if int(n) != len(want)+1 || !hasRule(en.Policy(), "province", "audit", "read") {
				t.Fatalf("new default rule: %d p rules, want %d", n, len(want)+1)
			}
			// An operator removes it: a restart does not bring it back.
			db.Table("casbin_rule").Where("ptype = 'p' AND v0 = 'province' AND v2 = 'audit'").Delete(nil)
			en = newEnforcerWith(t, db, extra)
			db.Table("casbin_rule").Where("ptype = 'p'").Count(&n)
			if int(n) != len(want) || hasRule(en.Policy(), "province", "audit", "read") {
				t.Fatalf("deleted default came back: %d p rules", n)
			}

			assign(t, db, en, 1, authz.Assignment{Role: authz.RoleProvider, Domain: authz.DepartmentDomain("hlj-a")})
			assign(t, db, en, 2, authz.Assignment{Role: authz.RoleAuthority, Domain: authz.RegionDomain("黑龙江省")})
			assign(t, db, en, 3, authz.Assignment{Role: authz.RoleAdmin, Domain: authz.Global})
			assign(t, db, en, 4, authz.Assignment{Role: authz.RoleCitizen, Domain: authz.Global})
			provider, authority, admin, citizen := principal(en, 1), principal(en, 2), principal(en, 3), principal(en, 4)

			tests := []struct {
				who    string
				p      *authz.Principal
				perm   authz.Permission
				domain string
				want   bool
			}{
				{"provider, own department", provider, authz.DatasetsManage, authz.DepartmentDomain("hlj-a"), true},
				{"provider, other department", provider, authz.DatasetsManage, authz.DepartmentDomain("hlj-b"), false},
				{"provider, global", provider, authz.DatasetsManage, authz.Global, false},
				{"provider cannot review", provider, authz.DatasetsReview, authz.DepartmentDomain("hlj-a"), false},
				{"authority reviews in its region", authority, authz.DatasetsReview, authz.RegionDomain("黑龙江省"), true},
				{"authority, other region", authority, authz.DatasetsReview, authz.RegionDomain("哈尔滨市"), false},
				{"authority decides revocations", authority, authz.RevocationsDecide, authz.RegionDomain("黑龙江省"), true},
				{"admin manages users", admin, authz.UsersAdmin, authz.Global, true},
				{"admin is no reviewer", admin, authz.DatasetsReview, authz.Global, false},
				{"admin reviews no applications", admin, authz.ApplicationsReview, authz.Global, false},
				{"citizen applies", citizen, authz.ApplicationsCreate, authz.Global, true},
				{"citizen manages tokens", citizen, authz.TokensManage, authz.Global, true},
				{"citizen is no admin", citizen, authz.UsersAdmin, authz.Global, false},
				{"anyone signed in: me", citizen, authz.Me, authz.Global, true},
				{"citizen by kind, no g row", &authz.Principal{UserID: 99, Kind: "citizen"}, authz.ApplicationsCreate, authz.Global, true},
				{"citizen by kind, in a department", &authz.Principal{UserID: 99, Kind: "citizen"}, authz.ApplicationsCreate, authz.DepartmentDomain("hlj-a"), false},
				{"organisation by kind: members", &authz.Principal{UserID: 98, Kind: "organisation"}, authz.OrganisationMembers, authz.Global, true},
				{"citizen by kind is no organisation", &authz.Principal{UserID: 99, Kind: "citizen"}, authz.OrganisationMembers, authz.Global, false},
				{"staff kind implies nothing", &authz.Principal{UserID: 97, Kind: "staff"}, authz.ApplicationsCreate, authz.Global, false},
				{"anonymous: public", nil, authz.CatalogRead, authz.Global, true},
				{"anonymous: me", nil, authz.Me, authz.Global, false},
			}
			for _, tc := range tests {
				if got := en.Allowed(tc.p, tc.perm, tc.domain); got != tc.want {
					t.Errorf("%s: Allowed(%s, %s) = %v, want %v", tc.who, tc.perm, tc.domain, got, tc.want)
				}
			}
			if d := en.Domains(provider, authz.DatasetsManage); len(d) != 1 || d[0] != "dept:hlj-a" {
				t.Errorf("provider domains = %v", d)
			}

			// The replica loaded before these changes: stale until it polls.
			if replica.AllowedAnywhere(principal(replica, 1), authz.DatasetsManage) {
				t.Fatal("replica saw a change without reloading")
			}
			reloaded, err := replica.Refresh(ctx)
			if err != nil || !reloaded {
				t.Fatalf("refresh: %v %v", reloaded, err)
			}
			if !replica.AllowedAnywhere(principal(replica, 1), authz.DatasetsManage) {
				t.Fatal("replica did not pick up the change")
			}
			if again, _ := replica.Refresh(ctx); again {
				t.Fatal("refresh without a change reloaded")
			}

			// A role change rolled back with its transaction changes nothing.
			v0, _ := authz.CurrentVersion(ctx, db)
			boom := errors.New("boom")
			err = db.Transaction(func(tx *gorm.DB) error {
				if err := en.SetAssignments(tx, 1, nil); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			en.Reload(ctx)
			if v1, _ := authz.CurrentVersion(ctx, db); v1 != v0 || len(en.AssignmentsOf(1)) != 1 {
				t.Fatalf("rolled-back change leaked: version %d→%d, roles %v", v0, v1, en.AssignmentsOf(1))
			}
			// Removing every role.
			assign(t, db, en, 1)
			if en.AllowedAnywhere(principal(en, 1), authz.DatasetsManage) || len(en.AssignmentsOf(1)) != 0 {
				t.Fatal("roles not removed")
			}
			if ids := en.UsersWithRole(authz.RoleAdmin); len(ids) != 1 || ids[0] != 3 {
				t.Fatalf("admins = %v", ids)
			}
		})
	}
}

type fakeAuthn struct {
	p   *authz.Principal
	err error
}

func (f fakeAuthn) Authenticate(echo.Context) (*authz.Principal, error) { return f.p, f.err }

func TestGuard(t *testing.T) {
	db := apptest.MigratedDB(t, "sqlite", authz.Migrations())
	en := newEnforcer(t, db)
	assign(t, db, en, 1, authz.Assignment{Role: authz.RoleCitizen, Domain: authz.Global})
	citizen := principal(en, 1)
	grantToken := *citizen
	g := "grant-1"
	grantToken.TokenGrantID = &g
	csrf := apperr.New(apperr.Forbidden, "missing or bad CSRF token")
	tests := []struct {
		name   string
		authn  fakeAuthn
		perm   authz.Permission
		status int
		seen   bool // the handler saw the principal
	}{
		{"public, anonymous", fakeAuthn{}, authz.Public, 200, false},
		{"public, signed in", fakeAuthn{p: citizen}, authz.CatalogRead, 200, true},
		{"public, bad CSRF: anonymous", fakeAuthn{p: citizen, err: csrf}, authz.CorrectionsSubmit, 200, false},
		{"me, anonymous", fakeAuthn{}, authz.Me, 401, false},
		{"me, signed in", fakeAuthn{p: citizen}, authz.Me, 200, true},
		{"me, bad CSRF", fakeAuthn{p: citizen, err: csrf}, authz.Me, 403, false},
		{"role permission held", fakeAuthn{p: citizen}, authz.ApplicationsCreate, 200, true},
		{"role permission not held", fakeAuthn{p: citizen}, authz.UsersAdmin, 403, false},
		{"role permission, anonymous", fakeAuthn{}, authz.UsersAdmin, 401, false},
		{"grant token outside its grant", fakeAuthn{p: &grantToken}, authz.ApplicationsCreate, 403, false},
		{"grant token on its grant", fakeAuthn{p: &grantToken}, authz.GrantsUse, 200, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := web.New(web.Options{Log: discard()})
			r := web.NewRouter(e, authz.Guard(tc.authn, en))
			seen := false
			r.GET("/x", tc.perm, func(c echo.Context) error {
				seen = authz.PrincipalFrom(c) != nil && authz.PrincipalFrom(c.Request().Context()) != nil
				return c.NoContent(200)
			})
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
			if rec.Code != tc.status || seen != tc.seen {
				t.Fatalf("status %d seen %v, want %d %v: %s", rec.Code, seen, tc.status, tc.seen, rec.Body)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a route with an unknown permission must not register")
		}
	}()
	web.NewRouter(web.New(web.Options{Log: discard()}), authz.Guard(fakeAuthn{}, en)).GET("/y", "datasets:mange", func(echo.Context) error { return nil })
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
