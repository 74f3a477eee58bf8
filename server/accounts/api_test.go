package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
)

func cookieOf(t *testing.T, r *apptest.Response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == accounts.SessionCookie {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return nil
}

type meBody struct {
	ID         uint64   `json:"id"`
	Email      string   `json:"email"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Roles      []string `json:"roles"`
	Department *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"department"`
	Organisation *struct {
		CreditCode string `json:"credit_code"`
	} `json:"organisation"`
	AuthMethod    string `json:"auth_method"`
	EmailVerified bool   `json:"email_verified"`
}

func me(t *testing.T, p *apptest.Portal, h map[string]string) (int, meBody) {
	t.Helper()
	r := p.Do(t, http.MethodGet, "/api/v1/me", nil, h)
	var b meBody
	if r.Status == 200 {
		r.JSON(t, &b)
	}
	return r.Status, b
}

// TestRegisterLoginLogout is the whole life of a session on each engine.
func TestRegisterLoginLogout(t *testing.T) {
	ctx := context.Background()
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, _, _ := portal(t, engine, "small")
			versionBefore, _ := authz.CurrentVersion(ctx, p.DB)
			if r := register(t, p, "Zhang.San@Example.cn", "citizen", ""); r.Status != 201 {
				t.Fatalf("register: %d %s", r.Status, r.Body)
			}
			// A public account's role comes with its kind: the policy is untouched.
			var rules int64
			var newID uint64
			if p.DB.Table("users").Where("email = ?", "zhang.san@example.cn").Pluck("id", &newID); newID == 0 {
				t.Fatal("the registered account is not stored under its lower-cased e-mail")
			}
			p.DB.Table("casbin_rule").Where("v0 = ?", fmt.Sprintf("u:%d", newID)).Count(&rules)
			if v, _ := authz.CurrentVersion(ctx, p.DB); rules != 0 || v != versionBefore {
				t.Fatalf("registration changed the policy: %d rules, version %d → %d", rules, versionBefore, v)
			}
			if r := register(t, p, "zhang.san@example.cn", "citizen", ""); r.Status != 409 || r.ErrorCode(t) != "conflict" {
				t.Fatalf("duplicate e-mail: %d %s", r.Status, r.Body)
			}
			// Wrong password and unknown account look the same.
			for _, email := range []string{"zhang.san@example.cn", "nobody@example.cn"} {
				r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": email, "password": "wrong-password-123"}, map[string]string{"Accept-Language": "en"})
				if r.Status != 401 || !strings.Contains(string(r.Body), "wrong e-mail address or password") {
					t.Fatalf("bad login %s: %d %s", email, r.Status, r.Body)
				}
			}
			r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": "ZHANG.SAN@example.cn", "password": goodPassword}, nil)
			if r.Status != 200 {
				t.Fatalf("login: %d %s", r.Status, r.Body)
			}
			ck := cookieOf(t, r)
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" || len(ck.Value) < 43 {
				t.Errorf("cookie attributes: %+v", ck)
			}
			csrf := r.Map(t)["csrf_token"].(string)
			sess := &apptest.Session{Cookie: ck.Value, CSRF: csrf}

			status, b := me(t, p, sess.Header())
			if status != 200 || b.Email != "zhang.san@example.cn" || b.Kind != "citizen" || len(b.Roles) != 1 || b.Roles[0] != "citizen" || b.Department != nil || b.AuthMethod != "cookie" {
				t.Fatalf("me: %d %+v", status, b)
			}
			if status, _ := me(t, p, nil); status != 401 {
				t.Fatalf("me anonymous: %d", status)
			}
			// The session id is stored hashed only.
			var stored int64
			p.DB.Table("sessions").Where("id_hash = ?", ck.Value).Count(&stored)
			if stored != 0 {
				t.Fatal("raw session id stored")
			}
			// GET /auth/csrf gives the same token back.
			if r := p.Do(t, "GET", "/api/v1/auth/csrf", nil, map[string]string{"Cookie": "portal_session=" + ck.Value}); r.Status != 200 || r.Map(t)["csrf_token"] != csrf {
				t.Fatalf("csrf: %d %s", r.Status, r.Body)
			}
			// PATCH /me changes the name.
			r = p.Do(t, "PATCH", "/api/v1/me", strings.NewReader(`{"name":"张三"}`), sess.Header("Content-Type", "application/json"))
			if r.Status != 200 || r.Map(t)["name"] != "张三" {
				t.Fatalf("patch me: %d %s", r.Status, r.Body)
			}
			// Logout ends the session on the server: the same cookie no longer works.
			if r := p.Do(t, "POST", "/api/v1/auth/logout", nil, sess.Header()); r.Status != 204 {
				t.Fatalf("logout: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, sess.Header()); status != 401 {
				t.Fatalf("me after logout: %d", status)
			}
			var n int64
			p.DB.Table("sessions").Count(&n)
			if n != 0 {
				t.Fatalf("%d sessions left after logout", n)
			}
			// The events are in the audit trail, and the chain holds.
			for _, action := range []string{audit.Register, audit.LoginFailed, audit.LoginOK, audit.Logout, audit.UserUpdated} {
				es, err := audit.List(ctx, p.DB, audit.Query{Action: action})
				if err != nil || len(es) == 0 {
					t.Errorf("no %s in the audit trail (%v)", action, err)
				}
			}
			if broken, err := audit.Verify(ctx, p.DB); err != nil || broken != nil {
				t.Fatalf("audit chain: %v %v", broken, err)
			}
		})
	}
}

func TestRegistrationRules(t *testing.T) {
	p, _, _ := portal(t, "sqlite", "")
	validCode := accounts.DemoCreditCode
	badCheck := validCode[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", validCode[17])+1)%31])
	tests := []struct {
		name      string
		body      map[string]string
		status    int
		badFields []string
	}{
		{"short password", map[string]string{"email": "a@example.cn", "password": "Sh0rt-pass", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"common: password1234", map[string]string{"email": "a@example.cn", "password": "password1234", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"common: 123456789012", map[string]string{"email": "a@example.cn", "password": "123456789012", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"common: qwertyuiop12", map[string]string{"email": "a@example.cn", "password": "qwertyuiop12", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"common: 1qaz2wsx3edc", map[string]string{"email": "a@example.cn", "password": "1qaz2wsx3edc", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"common with decoration", map[string]string{"email": "a@example.cn", "password": "Woaini1314!!", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"repeated characters", map[string]string{"email": "a@example.cn", "password": "abababababab", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"contains the e-mail", map[string]string{"email": "wangfang@example.cn", "password": "wangfang-2026-xyz", "name": "甲", "kind": "citizen"}, 400, []string{"password"}},
		{"bad e-mail and kind", map[string]string{"email": "not-an-email", "password": goodPassword, "name": "", "kind": "robot"}, 400, []string{"email", "name", "kind"}},
		{"organisation without code", map[string]string{"email": "o@example.cn", "password": goodPassword, "name": "某公司", "kind": "organisation"}, 400, []string{"credit_code"}},
		{"organisation, wrong check digit", map[string]string{"email": "o@example.cn", "password": goodPassword, "name": "某公司", "kind": "organisation", "credit_code": badCheck}, 400, []string{"credit_code"}},
		{"organisation, letters in division", map[string]string{"email": "o@example.cn", "password": goodPassword, "name": "某公司", "kind": "organisation", "credit_code": "91AB0100MA1DEM0C0X"}, 400, []string{"credit_code"}},
		{"citizen with a credit code", map[string]string{"email": "c@example.cn", "password": goodPassword, "name": "乙", "kind": "citizen", "credit_code": validCode}, 400, []string{"credit_code"}},
		{"long Chinese passphrase", map[string]string{"email": "c@example.cn", "password": "我家门前有两棵枣树另一棵也是", "name": "乙", "kind": "citizen"}, 201, nil},
		{"organisation", map[string]string{"email": "o@example.cn", "password": goodPassword, "name": "某公司", "kind": "organisation", "credit_code": strings.ToLower(validCode)}, 201, nil},
		{"organisation registered twice", map[string]string{"email": "o2@example.cn", "password": goodPassword, "name": "某公司", "kind": "organisation", "credit_code": validCode}, 409, []string{"credit_code"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.PostJSON(t, "/api/v1/auth/register", tc.body, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			var e struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			r.JSON(t, &e)
			for _, f := range tc.badFields {
				if e.Error.Fields[f] == "" {
					t.Errorf("no message for field %s: %s", f, r.Body)
				}
			}
		})
	}
	var org accounts.Organisation
	if err := p.DB.Where("credit_code = ?", validCode).Take(&org).Error; err != nil {
		t.Fatal(err)
	}
	if !seed.ValidCreditCode(org.CreditCode) {
		t.Fatalf("stored credit code %q", org.CreditCode)
	}
	s := p.SignIn(t, "o@example.cn", goodPassword)
	if _, b := me(t, p, s.Header()); b.Kind != "organisation" || b.Organisation == nil || b.Organisation.CreditCode != validCode {
		t.Fatalf("organisation me: %+v", b)
	}
}

func TestPasswordHashing(t *testing.T) {
	h, err := accounts.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with the OWASP parameters", h)
	}
	h2, _ := accounts.HashPassword(goodPassword)
	if h == h2 {
		t.Fatal("same salt twice")
	}
	if !accounts.CheckPassword(h, goodPassword) || accounts.CheckPassword(h, goodPassword+"x") || accounts.CheckPassword("!invited", "") {
		t.Fatal("CheckPassword")
	}
	if accounts.NeedsRehash(h) || !accounts.NeedsRehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g") {
		t.Fatal("NeedsRehash")
	}
	for range 20 {
		if pw := accounts.GeneratePassword(); accounts.CheckPasswordPolicy("p", pw, "", "") != nil || len(pw) != 20 {
			t.Fatalf("generated %q", pw)
		}
	}
}

// TestSessionRotationAndTimeouts: a new sign-in ends the session the
// browser still had; idle and absolute limits follow the injected clock.
func TestSessionRotationAndTimeouts(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, _ := portal(t, engine, "small")
			a := p.SignInAs(t, "citizen")
			// Sign in again from the same browser (it sends cookie A).
			r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": apptest.DemoEmail("citizen"), "password": apptest.DemoPassword}, map[string]string{"Cookie": "portal_session=" + a.Cookie})
			if r.Status != 200 {
				t.Fatalf("second login: %d %s", r.Status, r.Body)
			}
			b := &apptest.Session{Cookie: cookieOf(t, r).Value, CSRF: r.Map(t)["csrf_token"].(string)}
			if b.Cookie == a.Cookie || b.CSRF == a.CSRF {
				t.Fatal("session id not rotated")
			}
			if status, _ := me(t, p, a.Header()); status != 401 {
				t.Fatalf("old cookie after a new login: %d", status)
			}
			if status, _ := me(t, p, b.Header()); status != 200 {
				t.Fatalf("new cookie: %d", status)
			}
			// A request on a public route with a dead cookie is anonymous, and the cookie is cleared.
			r = p.Do(t, "GET", "/api/v1/site", nil, a.Header())
			if r.Status != 200 || !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
				t.Fatalf("dead cookie on a public route: %d %q", r.Status, r.Header.Get("Set-Cookie"))
			}

			// Idle timeout: 30 minutes without a request.
			clk.Advance(29 * time.Minute)
			if status, _ := me(t, p, b.Header()); status != 200 {
				t.Fatalf("after 29 idle minutes: %d", status)
			}
			clk.Advance(29 * time.Minute) // the request above counted as activity
			if status, _ := me(t, p, b.Header()); status != 200 {
				t.Fatalf("active session: %d", status)
			}
			clk.Advance(31 * time.Minute)
			if status, _ := me(t, p, b.Header()); status != 401 {
				t.Fatalf("after 31 idle minutes: %d", status)
			}

			// Absolute timeout: 12 hours after sign-in, however active.
			c := p.SignInAs(t, "citizen")
			for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
				clk.Advance(20 * time.Minute)
				if status, _ := me(t, p, c.Header()); status != 200 {
					t.Fatalf("active session after %s: %d", elapsed+20*time.Minute, status)
				}
			}
			clk.Advance(20 * time.Minute)
			if status, _ := me(t, p, c.Header()); status != 401 {
				t.Fatalf("after 12 hours: %d", status)
			}
		})
	}
}

// TestCSRF: state-changing cookie requests need X-CSRF-Token; token
// requests need none; GETs need none.
func TestCSRF(t *testing.T) {
	p, _, _ := portal(t, "sqlite", "small")
	s := p.SignInAs(t, "citizen")
	cookie := map[string]string{"Cookie": "portal_session=" + s.Cookie, "Content-Type": "application/json"}
	wrong := map[string]string{"Cookie": "portal_session=" + s.Cookie, "Content-Type": "application/json", "X-CSRF-Token": otherToken(s.CSRF)}
	other := p.SignInAs(t, "org")
	crossed := map[string]string{"Cookie": "portal_session=" + s.Cookie, "Content-Type": "application/json", "X-CSRF-Token": other.CSRF}
	body := `{"name":"csrf test"}`
	for name, h := range map[string]map[string]string{"missing": cookie, "wrong": wrong, "another session's": crossed} {
		for _, route := range [][2]string{{"POST", "/api/v1/me/tokens"}, {"PATCH", "/api/v1/me"}, {"POST", "/api/v1/auth/logout"}, {"DELETE", "/api/v1/me/tokens/1"}} {
			h["Accept-Language"] = "en"
			r := p.Do(t, route[0], route[1], strings.NewReader(body), h)
			if r.Status != 403 || !strings.Contains(string(r.Body), `{"error":{"code":"forbidden","message":"missing or bad CSRF token"`) {
				t.Errorf("%s token, %s %s: %d %s", name, route[0], route[1], r.Status, r.Body)
			}
		}
	}
	if status, _ := me(t, p, cookie); status != 200 {
		t.Fatalf("GET needs no CSRF token: %d", status)
	}
	r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(body), s.Header("Content-Type", "application/json"))
	if r.Status != 201 {
		t.Fatalf("with the token: %d %s", r.Status, r.Body)
	}
	tok := r.Map(t)["token"].(string)
	h := apptest.Bearer(tok)
	h["Content-Type"] = "application/json"
	if r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(`{"name":"by token"}`), h); r.Status != 201 {
		t.Fatalf("bearer request without CSRF: %d %s", r.Status, r.Body)
	}
}

// otherToken changes a token's first character, which (unlike the last
// character of unpadded base64) carries six full bits: the result is
// always a different token.
func otherToken(tok string) string {
	if tok[0] == 'A' {
		return "B" + tok[1:]
	}
	return "A" + tok[1:]
}

// Sign-in throttling, registration limits and e-mail verification are
// tested in security_test.go.

// TestAPITokens: shown once, stored as SHA-256, usable as Bearer on API
// routes, revocable and expiring.
func TestAPITokens(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, _ := portal(t, engine, "small")
			s := p.SignInAs(t, "citizen")
			h := s.Header("Content-Type", "application/json")
			r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(`{"name":"数据脚本"}`), h)
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			created := r.Map(t)
			tok := created["token"].(string)
			if !strings.HasPrefix(tok, "hlj_") || len(tok) < 40 || !strings.HasPrefix(tok, created["prefix"].(string)) {
				t.Fatalf("token %q, prefix %v", tok, created["prefix"])
			}
			var hashes []string
			p.DB.Table("api_tokens").Pluck("hash", &hashes)
			if len(hashes) != 1 || hashes[0] == tok || len(hashes[0]) != 64 {
				t.Fatalf("stored %v", hashes)
			}
			list := p.Do(t, "GET", "/api/v1/me/tokens", nil, s.Header())
			if list.Status != 200 || strings.Contains(string(list.Body), tok) || !strings.Contains(string(list.Body), `"prefix":"`+tok[:12]+`"`) {
				t.Fatalf("list shows the secret or no prefix: %s", list.Body)
			}
			status, b := me(t, p, apptest.Bearer(tok))
			if status != 200 || b.Email != apptest.DemoEmail("citizen") || b.AuthMethod != "token" {
				t.Fatalf("bearer me: %d %+v", status, b)
			}
			// Bearer works on public routes too, and a bad token there is just anonymous.
			if r := p.Do(t, "GET", "/api/v1/datasets", nil, apptest.Bearer("hlj_nope")); r.Status != 200 {
				t.Fatalf("public route with a bad token: %d", r.Status)
			}
			if r := p.Do(t, "GET", "/api/v1/me", nil, apptest.Bearer("hlj_nope")); r.Status != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
				t.Fatalf("bad token: %d %v", r.Status, r.Header)
			}
			if r := p.Do(t, "GET", "/api/v1/me/tokens", nil, apptest.Bearer(tok)); !strings.Contains(string(r.Body), `"last_used_at":"`) {
				t.Fatalf("last_used_at not recorded: %s", r.Body)
			}
			// Someone else's token is not found, like a missing one.
			id := strconv.FormatFloat(created["id"].(float64), 'f', 0, 64)
			other := p.SignInAs(t, "org")
			if r := p.Do(t, "DELETE", "/api/v1/me/tokens/"+id, nil, other.Header()); r.Status != 404 {
				t.Fatalf("revoke someone else's token: %d", r.Status)
			}
			if r := p.Do(t, "DELETE", "/api/v1/me/tokens/"+id, nil, s.Header()); r.Status != 204 {
				t.Fatalf("revoke: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, apptest.Bearer(tok)); status != 401 {
				t.Fatalf("revoked token: %d", status)
			}
			// Expiry.
			exp := clk.Now().Add(time.Hour).Format(time.RFC3339)
			r = p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(`{"name":"short","expires_at":"`+exp+`"}`), h)
			if r.Status != 201 {
				t.Fatalf("create expiring: %d %s", r.Status, r.Body)
			}
			short := r.Map(t)["token"].(string)
			if status, _ := me(t, p, apptest.Bearer(short)); status != 200 {
				t.Fatalf("fresh token: %d", status)
			}
			clk.Advance(61 * time.Minute)
			if status, _ := me(t, p, apptest.Bearer(short)); status != 401 {
				t.Fatalf("expired token: %d", status)
			}
			past := clk.Now().Add(-time.Minute).Format(time.RFC3339)
			s = p.SignInAs(t, "citizen")
			if r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(`{"name":"x","expires_at":"`+past+`"}`), s.Header("Content-Type", "application/json")); r.Status != 400 {
				t.Fatalf("expiry in the past: %d", r.Status)
			}
			// Staff hold no token permission by default.
			prov := p.SignInAs(t, "provider")
			if r := p.Do(t, "GET", "/api/v1/me/tokens", nil, prov.Header()); r.Status != 403 {
				t.Fatalf("provider tokens: %d", r.Status)
			}
			for _, action := range []string{audit.TokenCreated, audit.TokenRevoked} {
				if es, _ := audit.List(context.Background(), p.DB, audit.Query{Action: action}); len(es) == 0 {
					t.Errorf("no %s audit entry", action)
				}
			}
		})
	}
}

// TestPasswordChangeAndReset: change needs the current password and ends
// the other sessions; reset links are mailed, single use, and expire.
func TestPasswordChangeAndReset(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, box := portal(t, engine, "small")
			email := apptest.DemoEmail("citizen")
			a, b := p.SignInAs(t, "citizen"), p.SignInAs(t, "citizen")
			change := func(s *apptest.Session, cur, next string) *apptest.Response {
				return p.PostJSON(t, "/api/v1/me/password", map[string]string{"current_password": cur, "new_password": next}, s.Header())
			}
			if r := change(a, "wrong-current-pass", "a-New-password-2026"); r.Status != 400 {
				t.Fatalf("wrong current password: %d", r.Status)
			}
			if r := change(a, apptest.DemoPassword, "password1234"); r.Status != 400 {
				t.Fatalf("common new password: %d", r.Status)
			}
			if r := change(a, apptest.DemoPassword, "a-New-password-2026"); r.Status != 204 {
				t.Fatalf("change: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, a.Header()); status != 200 {
				t.Fatalf("own session after change: %d", status)
			}
			if status, _ := me(t, p, b.Header()); status != 401 {
				t.Fatalf("other session after change: %d", status)
			}
			p.SignIn(t, email, "a-New-password-2026")

			// Reset: unknown addresses get the same answer and no mail.
			if r := p.PostJSON(t, "/api/v1/auth/password-reset", map[string]string{"email": "nobody@example.cn"}, nil); r.Status != 202 || len(box.messages()) != 0 {
				t.Fatalf("unknown address: %d, %d mails", r.Status, len(box.messages()))
			}
			if r := p.PostJSON(t, "/api/v1/auth/password-reset", map[string]string{"email": email}, nil); r.Status != 202 {
				t.Fatalf("reset request: %d", r.Status)
			}
			msgs := box.messages()
			if len(msgs) != 1 || msgs[0].To != email {
				t.Fatalf("mails: %+v", msgs)
			}
			tok := tokenIn(t, msgs[0].Body)
			var stored int64
			p.DB.Table("reset_tokens").Where("hash = ?", tok).Count(&stored)
			if stored != 0 {
				t.Fatal("reset token stored in clear")
			}
			confirm := func(tok, pw string) *apptest.Response {
				return p.PostJSON(t, "/api/v1/auth/password-reset/confirm", map[string]string{"token": tok, "password": pw}, nil)
			}
			if r := confirm(tok, "qwertyuiop12"); r.Status != 400 {
				t.Fatalf("weak password on reset: %d", r.Status)
			}
			s := p.SignIn(t, email, "a-New-password-2026")
			if r := confirm(tok, "Reset-password-0001"); r.Status != 204 {
				t.Fatalf("confirm: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, s.Header()); status != 401 {
				t.Fatal("sessions survive a reset")
			}
			if r := confirm(tok, "Reset-password-0002"); r.Status != 400 {
				t.Fatalf("second use: %d", r.Status)
			}
			p.SignIn(t, email, "Reset-password-0001")

			// Expiry: 60 minutes.
			p.PostJSON(t, "/api/v1/auth/password-reset", map[string]string{"email": email}, nil)
			late := tokenIn(t, box.messages()[1].Body)
			clk.Advance(61 * time.Minute)
			if r := confirm(late, "Reset-password-0003"); r.Status != 400 {
				t.Fatalf("expired link: %d", r.Status)
			}
			if r := confirm("made-up", "Reset-password-0003"); r.Status != 400 {
				t.Fatalf("made-up token: %d", r.Status)
			}
		})
	}
}

// TestRoleChangeWithoutRestart: an administrator's change applies to the
// very next request here, and on another replica after its next poll.
func TestRoleChangeWithoutRestart(t *testing.T) {
	ctx := context.Background()
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, _, _ := portal(t, engine, "small")
			replica := p.Replica(t)
			admin := p.SignInAs(t, "admin")
			staff := p.PostJSON(t, "/api/v1/admin/users", map[string]any{"email": "li.si@hlj.gov.cn", "name": "李四", "roles": []string{"provider"}, "department_id": seed.DemoProviderDepartment}, admin.Header())
			if staff.Status != 201 {
				t.Fatalf("create staff: %d %s", staff.Status, staff.Body)
			}
			var created struct {
				User struct {
					ID         uint64              `json:"id"`
					Department struct{ ID string } `json:"department"`
				} `json:"user"`
				Password string `json:"password"`
			}
			staff.JSON(t, &created)
			if created.Password == "" || created.User.Department.ID != seed.DemoProviderDepartment {
				t.Fatalf("created: %s", staff.Body)
			}
			replica.Policy.Refresh(ctx)
			s := p.SignIn(t, "li.si@hlj.gov.cn", created.Password)
			_, b := me(t, p, s.Header())
			if len(b.Roles) != 1 || b.Roles[0] != "provider" || b.Department == nil || b.Department.ID != seed.DemoProviderDepartment {
				t.Fatalf("staff me: %+v", b)
			}
			if r := p.Do(t, "GET", "/api/v1/admin/users", nil, s.Header()); r.Status != 403 {
				t.Fatalf("provider on admin route: %d", r.Status)
			}
			id := strconv.FormatUint(created.User.ID, 10)
			r := p.Do(t, "PATCH", "/api/v1/admin/users/"+id, strings.NewReader(`{"roles":["provider","admin"]}`), admin.Header("Content-Type", "application/json"))
			if r.Status != 200 {
				t.Fatalf("set roles: %d %s", r.Status, r.Body)
			}
			if r := p.Do(t, "GET", "/api/v1/admin/users", nil, s.Header()); r.Status != 200 {
				t.Fatalf("same session after the change: %d", r.Status)
			}
			// The replica still runs the old policy until it polls.
			rs := replica.Do(t, "GET", "/api/v1/admin/users", nil, s.Header())
			if rs.Status != 403 {
				t.Fatalf("replica before polling: %d", rs.Status)
			}
			if reloaded, err := replica.Policy.Refresh(ctx); err != nil || !reloaded {
				t.Fatalf("replica refresh: %v %v", reloaded, err)
			}
			if rs := replica.Do(t, "GET", "/api/v1/admin/users", nil, s.Header()); rs.Status != 200 {
				t.Fatalf("replica after polling: %d", rs.Status)
			}
			// Invalid changes.
			for _, body := range []string{`{"roles":["citizen"]}`, `{"roles":["provider"],"department_id":"no-such-dept"}`, `{"roles":["wizard"]}`, `{"roles":["provider"],"department_id":""}`} {
				if r := p.Do(t, "PATCH", "/api/v1/admin/users/"+id, strings.NewReader(body), admin.Header("Content-Type", "application/json")); r.Status != 400 {
					t.Errorf("%s: %d %s", body, r.Status, r.Body)
				}
			}
			// An administrator cannot lock themself out.
			_, ab := me(t, p, admin.Header())
			adminID := strconv.FormatUint(ab.ID, 10)
			for _, body := range []string{`{"disabled":true}`, `{"roles":["province"]}`} {
				if r := p.Do(t, "PATCH", "/api/v1/admin/users/"+adminID, strings.NewReader(body), admin.Header("Content-Type", "application/json")); r.Status != 409 {
					t.Errorf("self %s: %d %s", body, r.Status, r.Body)
				}
			}
			// Disabling ends the account's sessions at once.
			if r := p.Do(t, "PATCH", "/api/v1/admin/users/"+id, strings.NewReader(`{"disabled":true}`), admin.Header("Content-Type", "application/json")); r.Status != 200 {
				t.Fatalf("disable: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, s.Header()); status != 401 {
				t.Fatalf("disabled account: %d", status)
			}
			if r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": "li.si@hlj.gov.cn", "password": created.Password}, nil); r.Status != 401 {
				t.Fatalf("disabled login: %d", r.Status)
			}
			// Searching users by role and text.
			r = p.Do(t, "GET", "/api/v1/admin/users?role=provider&q=demo.local", nil, admin.Header())
			var list struct {
				Total int `json:"total"`
			}
			r.JSON(t, &list)
			if r.Status != 200 || list.Total != 2 {
				t.Fatalf("search: %d %s", r.Status, r.Body)
			}
			for q, want := range map[string]int{"li.si": 1, "%": 0, "_": 0, "李四": 1, "LI.SI@HLJ": 1} {
				r := p.Do(t, "GET", "/api/v1/admin/users?q="+url.QueryEscape(q), nil, admin.Header())
				r.JSON(t, &list)
				if r.Status != 200 || list.Total != want {
					t.Errorf("search %q: %d total %d, want %d", q, r.Status, list.Total, want)
				}
			}
			if r := p.Do(t, "GET", "/api/v1/admin/users/999999", nil, admin.Header()); r.Status != 404 {
				t.Fatalf("missing user: %d", r.Status)
			}
			if es, _ := audit.List(ctx, p.DB, audit.Query{Action: audit.RoleChange, ObjectID: id}); len(es) != 2 {
				t.Fatalf("role change audit entries: %d", len(es))
			}
		})
	}
}

func TestOrganisationMembers(t *testing.T) {
	p, _, box := portal(t, "sqlite", "small")
	org := p.SignInAs(t, "org")
	r := p.PostJSON(t, "/api/v1/me/organisation/members", map[string]string{"email": "colleague@example.cn", "name": "王五"}, org.Header())
	if r.Status != 201 {
		t.Fatalf("add member: %d %s", r.Status, r.Body)
	}
	if r := p.PostJSON(t, "/api/v1/me/organisation/members", map[string]string{"email": apptest.DemoEmail("citizen"), "name": "x"}, org.Header()); r.Status != 409 {
		t.Fatalf("existing account: %d", r.Status)
	}
	msgs := box.messages()
	if len(msgs) != 1 || msgs[0].To != "colleague@example.cn" {
		t.Fatalf("invitation: %+v", msgs)
	}
	if r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": "colleague@example.cn", "password": ""}, nil); r.Status != 401 {
		t.Fatalf("invited account before choosing a password: %d", r.Status)
	}
	if r := p.PostJSON(t, "/api/v1/auth/password-reset/confirm", map[string]string{"token": tokenIn(t, msgs[0].Body), "password": "Wang-wu-passphrase-9"}, nil); r.Status != 204 {
		t.Fatalf("accept invitation: %d %s", r.Status, r.Body)
	}
	member := p.SignIn(t, "colleague@example.cn", "Wang-wu-passphrase-9")
	_, b := me(t, p, member.Header())
	// The invitation came by mail: the member's address is verified.
	if b.Kind != "organisation" || b.Organisation == nil || b.Organisation.CreditCode != accounts.DemoCreditCode || !b.EmailVerified {
		t.Fatalf("member: %+v", b)
	}
	r = p.Do(t, "GET", "/api/v1/me/organisation/members", nil, member.Header())
	if r.Status != 200 || strings.Count(string(r.Body), `"email"`) != 2 {
		t.Fatalf("members: %d %s", r.Status, r.Body)
	}
	if r := p.PostJSON(t, "/api/v1/me/organisation/members", map[string]string{"email": "third@example.cn", "name": "赵六"}, member.Header()); r.Status != 403 {
		t.Fatalf("non-admin member adds: %d", r.Status)
	}
	if r := p.Do(t, "GET", "/api/v1/me/organisation/members", nil, p.SignInAs(t, "citizen").Header()); r.Status != 403 {
		t.Fatalf("citizen: %d", r.Status)
	}
}

func TestAdminDepartments(t *testing.T) {
	p, _, _ := portal(t, "sqlite", "small")
	admin := p.SignInAs(t, "admin")
	h := admin.Header("Content-Type", "application/json")
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/api/v1/admin/departments", `{"id":"hrb-sjj","name":"哈尔滨市数据局","region_level":"city","region":"哈尔滨市"}`, 201},
		{"POST", "/api/v1/admin/departments", `{"id":"hrb-sjj","name":"重复","region_level":"city","region":"哈尔滨市"}`, 409},
		{"POST", "/api/v1/admin/departments", `{"id":"Bad Slug","name":"x","region_level":"town","region":""}`, 400},
		{"POST", "/api/v1/admin/departments", `{"id":"hrb-x","name":"x","region_level":"city","region":"哈尔滨市","parent_id":"missing"}`, 400},
		{"PATCH", "/api/v1/admin/departments/hrb-sjj", `{"name":"哈尔滨市政务服务和数据局"}`, 200},
		{"PATCH", "/api/v1/admin/departments/hrb-sjj", `{"id":"renamed"}`, 400},
		{"PATCH", "/api/v1/admin/departments/none-such", `{"name":"x"}`, 404},
		{"PATCH", "/api/v1/admin/departments/" + seed.DemoProviderDepartment, `{"name":"黑龙江省市场监督管理局（改）"}`, 200},
	}
	for _, tc := range tests {
		if r := p.Do(t, tc.method, tc.path, strings.NewReader(tc.body), h); r.Status != tc.status {
			t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, r.Status, r.Body)
		}
	}
	r := p.Do(t, "GET", "/api/v1/admin/departments", nil, admin.Header())
	if !strings.Contains(string(r.Body), "哈尔滨市政务服务和数据局") {
		t.Fatalf("list: %s", r.Body)
	}
	// Renaming a department queues its datasets for re-indexing.
	var queued int64
	p.DB.Table("outbox_events").Where("kind = 'dataset'").Count(&queued)
	var datasets int64
	p.DB.Table("datasets").Where("department_id = ?", seed.DemoProviderDepartment).Count(&datasets)
	if datasets == 0 || queued < datasets {
		t.Fatalf("queued %d events for %d datasets", queued, datasets)
	}
	if r := p.Do(t, "GET", "/api/v1/admin/departments", nil, p.SignInAs(t, "authority").Header()); r.Status != 403 {
		t.Fatalf("authority on departments: %d", r.Status)
	}
	r = p.Do(t, "GET", "/api/v1/admin/audit?action=department.save", nil, admin.Header())
	if r.Status != 200 || strings.Count(string(r.Body), `"seq"`) != 3 {
		t.Fatalf("audit list: %d %s", r.Status, r.Body)
	}
}

// TestDemoAccountsFirstStart: demo mode creates one account per role once;
// without PORTAL_DEMO_PASSWORD the generated password is printed once.
func TestDemoAccountsFirstStart(t *testing.T) {
	ctx := context.Background()
	p := apptest.New(t, apptest.Options{Env: map[string]string{"PORTAL_DEMO_PASSWORD": ""}})
	cat := seed.Demo()
	cat.Datasets = nil
	if err := p.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	var out []string
	say := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	created, err := p.SeedDemoAccounts(ctx, say)
	if err != nil || !created {
		t.Fatalf("first start: %v %v", created, err)
	}
	all := strings.Join(out, "\n")
	m := regexp.MustCompile(`demo password \(shown once[^)]*\): (\S+)`).FindStringSubmatch(all)
	if m == nil || strings.Count(all, "@demo.local") != 8 {
		t.Fatalf("output: %s", all)
	}
	for _, role := range apptest.DemoRoles {
		s := p.SignIn(t, apptest.DemoEmail(role), m[1])
		_, b := me(t, p, s.Header())
		wantRole := map[string]string{"provider2": "provider"}[role]
		if wantRole == "" {
			wantRole = role
		}
		if len(b.Roles) != 1 || b.Roles[0] != wantRole {
			t.Errorf("%s: roles %v", role, b.Roles)
		}
		switch role {
		case "provider":
			if b.Department == nil || b.Department.ID != seed.DemoProviderDepartment {
				t.Errorf("provider department %+v", b.Department)
			}
		case "provider2":
			if b.Department == nil || b.Department.ID != seed.DemoProvider2Department {
				t.Errorf("provider2 department %+v", b.Department)
			}
		}
	}
	out = nil
	if created, err := p.SeedDemoAccounts(ctx, say); err != nil || created || len(out) != 0 {
		t.Fatalf("second start: %v %v %v", created, err, out)
	}
	// A weak demo password is refused rather than used.
	q := apptest.New(t, apptest.Options{Env: map[string]string{"PORTAL_DEMO_PASSWORD": "demo"}})
	if err := q.Catalog.LoadCatalog(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := q.SeedDemoAccounts(ctx, nil); err == nil || !strings.Contains(err.Error(), "PORTAL_DEMO_PASSWORD") {
		t.Fatalf("weak demo password: %v", err)
	}
}

// TestSecureCookieBehindTLS: with an https PORTAL_BASE_URL (TLS ends at a
// proxy) the session cookie is Secure even on a plain-HTTP hop.
func TestSecureCookieBehindTLS(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", Env: map[string]string{"PORTAL_BASE_URL": "https://data.example.gov.cn"}})
	r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": apptest.DemoEmail("citizen"), "password": apptest.DemoPassword}, nil)
	if ck := cookieOf(t, r); r.Status != 200 || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", ck)
	}
}
