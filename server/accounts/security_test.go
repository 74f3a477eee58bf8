package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/store"
)

// behindProxy starts a portal that believes X-Forwarded-For from the
// loopback test client, so a test can speak from many addresses.
func behindProxy(t *testing.T, engine, seed string, env map[string]string) (*apptest.Portal, *apptest.Clock, *outbox) {
	t.Helper()
	clk := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
	e := map[string]string{"PORTAL_TRUSTED_PROXIES": "127.0.0.0/8"}
	for k, v := range env {
		e[k] = v
	}
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: seed, Now: clk.Now, Env: e})
	box := &outbox{}
	p.Accounts.Mail = box
	return p, clk, box
}

func from(ip string, extra ...string) map[string]string {
	h := map[string]string{"X-Forwarded-For": ip, "Accept-Language": "en"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

func loginFrom(t *testing.T, p *apptest.Portal, ip, email, pw string) *apptest.Response {
	t.Helper()
	return p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": email, "password": pw}, from(ip))
}

func retryAfter(t *testing.T, r *apptest.Response) int {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q: %v", r.Header.Get("Retry-After"), err)
	}
	return n
}

func TestDefaultSecurityLimits(t *testing.T) {
	l := accounts.DefaultLimits()
	if l.PairFreeFailures != 5 || l.PairMaxDelay != 15*time.Minute || l.AccountSlowAfter != 20 || l.AccountDelay != 2*time.Second ||
		l.IPMaxAccounts != 100 || l.FailureWindow != time.Hour || l.RegisterPerIP != 5 || l.RegisterGlobal != 200 || l.RegisterWindow != time.Hour ||
		l.VerifyTTL != 24*time.Hour || l.VerifyResendGap != time.Minute || l.VerifyPerDay != 5 {
		t.Fatalf("defaults %+v", l)
	}
	// The configuration reaches the service.
	p, _, _ := behindProxy(t, "sqlite", "", map[string]string{"PORTAL_LOGIN_MAX_FAILURES": "7", "PORTAL_REGISTER_PER_IP": "9", "PORTAL_REGISTER_PER_HOUR": "90", "PORTAL_HASH_CONCURRENCY": "3"})
	if l := p.Accounts.Limits; l.PairFreeFailures != 7 || l.RegisterPerIP != 9 || l.RegisterGlobal != 90 || p.Accounts.Hashes().Size() != 3 {
		t.Fatalf("configured limits %+v, %d hashes", l, p.Accounts.Hashes().Size())
	}
}

// TestRegistrationLimits: the N+1-th sign-up from one address within the
// hour is refused with Retry-After, another address still signs up until
// the global cap, and both limits free up as the window moves on the
// injected clock; they hold for another replica on the same database.
func TestRegistrationLimits(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, _ := behindProxy(t, engine, "", map[string]string{"PORTAL_REGISTER_PER_IP": "3", "PORTAL_REGISTER_PER_HOUR": "5"})
			n := 0
			reg := func(ip string) *apptest.Response {
				n++
				body := map[string]string{"email": fmt.Sprintf("user%d@example.cn", n), "password": goodPassword, "name": "测试用户", "kind": "citizen"}
				return p.PostJSON(t, "/api/v1/auth/register", body, from(ip))
			}
			for i := range 3 {
				if r := reg("203.0.113.1"); r.Status != 201 {
					t.Fatalf("sign-up %d from A: %d %s", i+1, r.Status, r.Body)
				}
				clk.Advance(time.Minute)
			}
			r := reg("203.0.113.1")
			if r.Status != 429 || r.ErrorCode(t) != "rate_limited" || !strings.Contains(string(r.Body), "too many new accounts") {
				t.Fatalf("4th sign-up from A: %d %s", r.Status, r.Body)
			}
			// The first of the three leaves the window 60 min after it came: 57 min from now.
			if ra := retryAfter(t, r); ra != 57*60 {
				t.Fatalf("Retry-After %d, want %d", ra, 57*60)
			}
			var users int64
			p.DB.Table("users").Count(&users)
			if users != 3 {
				t.Fatalf("%d accounts after a refused sign-up", users)
			}
			// A bad form is still told what is wrong.
			if r := p.PostJSON(t, "/api/v1/auth/register", map[string]string{"email": "x"}, from("203.0.113.1")); r.Status != 400 {
				t.Fatalf("bad form from a limited address: %d", r.Status)
			}
			// Another address signs up, until the global cap of 5.
			for i := range 2 {
				if r := reg("198.51.100.2"); r.Status != 201 {
					t.Fatalf("sign-up %d from B: %d %s", i+1, r.Status, r.Body)
				}
			}
			r = reg("192.0.2.3")
			if r.Status != 429 || retryAfter(t, r) != 57*60 {
				t.Fatalf("6th sign-up in the hour (C): %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			// Another replica (or a restart) counts the same rows.
			rep := p.Replica(t)
			if r := rep.PostJSON(t, "/api/v1/auth/register", map[string]string{"email": "rep@example.cn", "password": goodPassword, "name": "测试用户", "kind": "citizen"}, from("192.0.2.3")); r.Status != 429 {
				t.Fatalf("replica: %d %s", r.Status, r.Body)
			}
			// 57 minutes on, A's first sign-up has left the window.
			clk.Advance(57 * time.Minute)
			if r := reg("203.0.113.1"); r.Status != 201 {
				t.Fatalf("A after the window: %d %s", r.Status, r.Body)
			}
			if r := reg("203.0.113.1"); r.Status != 429 {
				t.Fatalf("A again: %d %s", r.Status, r.Body)
			}
			p.DB.Table("users").Count(&users)
			if users != 6 {
				t.Fatalf("%d accounts, want 6", users)
			}
		})
	}
}

func applyBody(p *apptest.Portal) map[string]any {
	var item []string
	p.DB.Table("data_items").Where("dataset_id = ?", "ds-hrb-scjgj-002").Order("position").Limit(1).Pluck("name", &item)
	now := p.Now()
	return map[string]any{"dataset_id": "ds-hrb-scjgj-002", "purpose": "研究", "scenario": "统计分析", "basis": "合作协议", "data_items": item,
		"period_start": now.Format(time.DateOnly), "period_end": now.AddDate(0, 3, 0).Format(time.DateOnly), "security_measures": "加密存储", "contact": "0451-0000"}
}

// TestEmailVerification: a new account browses but may not apply or
// report until it opens the mailed link; the link works once and
// expires; resending is limited and voids older links.
func TestEmailVerification(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, box := portal(t, engine, "small")
			if r := register(t, p, "li.si@example.cn", "citizen", ""); r.Status != 201 || r.Map(t)["email_verified"] != false {
				t.Fatalf("register: %d %s", r.Status, r.Body)
			}
			msgs := box.messages()
			if len(msgs) != 1 || msgs[0].To != "li.si@example.cn" || !strings.Contains(msgs[0].Body, "/verify-email?token=") {
				t.Fatalf("verification mail: %+v", msgs)
			}
			tok := tokenIn(t, msgs[0].Body)
			var stored int64
			p.DB.Table("reset_tokens").Where("hash = ?", tok).Count(&stored)
			if stored != 0 {
				t.Fatal("verification token stored in clear")
			}
			s := p.SignIn(t, "li.si@example.cn", goodPassword)
			if _, b := me(t, p, s.Header()); b.EmailVerified {
				t.Fatal("a new account is verified before opening the link")
			}
			// Browsing works; applying and reporting do not.
			if r := p.Do(t, "GET", "/api/v1/datasets/ds-hrb-scjgj-002", nil, s.Header()); r.Status != 200 {
				t.Fatalf("browse: %d", r.Status)
			}
			for _, lang := range []string{"en", "zh-CN"} {
				r := p.PostJSON(t, "/api/v1/applications", applyBody(p), s.Header("Accept-Language", lang))
				want := map[string]string{"en": "verify your e-mail address first", "zh-CN": "请先验证您的邮箱"}[lang]
				if r.Status != 403 || r.ErrorCode(t) != "forbidden" || !strings.Contains(string(r.Body), want) {
					t.Fatalf("apply unverified (%s): %d %s", lang, r.Status, r.Body)
				}
			}
			r := p.PostJSON(t, "/api/v1/corrections", map[string]any{"dataset_id": "ds-hrb-scjgj-002", "description": "登记信息有误"}, s.Header("Accept-Language", "en"))
			if r.Status != 403 || !strings.Contains(string(r.Body), "verify your e-mail address first") {
				t.Fatalf("report unverified: %d %s", r.Status, r.Body)
			}
			var n int64
			p.DB.Table("applications").Count(&n)
			if n != 0 {
				t.Fatalf("%d applications stored", n)
			}
			// The link verifies, once; the open session may apply at once.
			verify := func(tok string) *apptest.Response {
				return p.PostJSON(t, "/api/v1/auth/verify-email", map[string]string{"token": tok}, nil)
			}
			if r := verify(tok); r.Status != 204 {
				t.Fatalf("verify: %d %s", r.Status, r.Body)
			}
			if _, b := me(t, p, s.Header()); !b.EmailVerified {
				t.Fatal("not verified after the link")
			}
			if r := verify(tok); r.Status != 400 || r.ErrorCode(t) != "invalid" {
				t.Fatalf("reused link: %d %s", r.Status, r.Body)
			}
			if r := p.PostJSON(t, "/api/v1/applications", applyBody(p), s.Header()); r.Status != 201 {
				t.Fatalf("apply verified: %d %s", r.Status, r.Body)
			}
			if r := p.PostJSON(t, "/api/v1/corrections", map[string]any{"dataset_id": "ds-hrb-scjgj-002", "description": "登记信息有误"}, s.Header()); r.Status != 201 {
				t.Fatalf("report verified: %d %s", r.Status, r.Body)
			}
			if r := p.PostJSON(t, "/api/v1/me/verify-email", nil, s.Header()); r.Status != 409 {
				t.Fatalf("resend when verified: %d %s", r.Status, r.Body)
			}
			// A password reset token is no verification token, nor the reverse.
			if r := verify("made-up"); r.Status != 400 {
				t.Fatalf("made-up token: %d", r.Status)
			}

			// Expiry: 24 hours.
			register(t, p, "wang.wu@example.cn", "citizen", "")
			late := tokenIn(t, box.messages()[1].Body)
			if r := p.PostJSON(t, "/api/v1/auth/password-reset/confirm", map[string]string{"token": late, "password": "Some-new-passphrase-1"}, nil); r.Status != 400 {
				t.Fatalf("verification token used as a reset token: %d", r.Status)
			}
			clk.Advance(24*time.Hour + time.Minute)
			if r := verify(late); r.Status != 400 {
				t.Fatalf("expired link: %d %s", r.Status, r.Body)
			}
			// Resend: one a minute, five a day (the sign-up mail counted
			// only within its day); a new mail voids the older links.
			w := p.SignIn(t, "wang.wu@example.cn", goodPassword)
			resend := func() *apptest.Response { return p.PostJSON(t, "/api/v1/me/verify-email", nil, w.Header()) }
			if r := resend(); r.Status != 202 {
				t.Fatalf("resend: %d %s", r.Status, r.Body)
			}
			first := tokenIn(t, box.messages()[2].Body)
			r = resend()
			if r.Status != 429 || retryAfter(t, r) != 60 {
				t.Fatalf("second resend at once: %d %q", r.Status, r.Header.Get("Retry-After"))
			}
			for i := range 4 {
				clk.Advance(time.Minute)
				if r := resend(); r.Status != 202 {
					t.Fatalf("resend %d: %d %s", i+2, r.Status, r.Body)
				}
			}
			clk.Advance(time.Minute)
			r = resend()
			// Five in the last day: the first of them is 5 minutes old.
			if r.Status != 429 || retryAfter(t, r) != int((24*time.Hour-5*time.Minute).Seconds()) {
				t.Fatalf("6th resend in a day: %d %q", r.Status, r.Header.Get("Retry-After"))
			}
			if got := len(box.messages()); got != 7 {
				t.Fatalf("%d mails, want 7", got)
			}
			if r := verify(first); r.Status != 400 {
				t.Fatalf("an older link after a resend: %d", r.Status)
			}
			if r := verify(tokenIn(t, box.messages()[6].Body)); r.Status != 204 {
				t.Fatalf("newest link: %d %s", r.Status, r.Body)
			}
			// Demo and staff accounts are verified.
			for _, role := range []string{"citizen", "org", "provider"} {
				if _, b := me(t, p, p.SignInAs(t, role).Header()); !b.EmailVerified {
					t.Errorf("demo %s not verified", role)
				}
			}
		})
	}
}

// TestLoginThrottle: an address guessing one account waits 1 s, 2 s,
// 4 s … up to 15 min; the owner from another address signs in, an open
// session keeps working, and a password reset ends the throttle.
func TestLoginThrottle(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, box := behindProxy(t, engine, "small", nil)
			citizen := apptest.DemoEmail("citizen")
			const attacker, home = "203.0.113.66", "198.51.100.7"
			open := p.SignInAs(t, "citizen")
			for i := range 5 {
				if r := loginFrom(t, p, attacker, citizen, "wrong-password-"+strconv.Itoa(i)); r.Status != 401 {
					t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
				}
			}
			// The 6th failure starts the delay; each next one doubles it.
			want := []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900}
			for i, w := range want {
				if r := loginFrom(t, p, attacker, citizen, "wrong-password-x"); r.Status != 401 {
					t.Fatalf("attempt after waiting (%d): %d %s", i, r.Status, r.Body)
				}
				// During the delay even the right password is refused.
				r := loginFrom(t, p, attacker, citizen, apptest.DemoPassword)
				if r.Status != 429 || r.ErrorCode(t) != "rate_limited" || retryAfter(t, r) != w {
					t.Fatalf("delay %d: %d Retry-After %q, want %d", i, r.Status, r.Header.Get("Retry-After"), w)
				}
				// An open session keeps working throughout.
				if status, _ := me(t, p, open.Header()); status != 200 {
					t.Fatalf("open session during the attack: %d", status)
				}
				clk.Advance(time.Duration(w) * time.Second)
			}
			// 17 failures within 47 minutes: below the account's slow-down (20).
			// The owner from home, the open session: untouched.
			if r := loginFrom(t, p, home, citizen, apptest.DemoPassword); r.Status != 200 {
				t.Fatalf("owner from another address: %d %s", r.Status, r.Body)
			}
			if status, _ := me(t, p, open.Header()); status != 200 {
				t.Fatalf("open session: %d", status)
			}
			// Signing in at home forgets home's failures only.
			loginFrom(t, p, attacker, citizen, "wrong-password-y")
			if r := loginFrom(t, p, attacker, citizen, apptest.DemoPassword); r.Status != 429 {
				t.Fatalf("attacker after the owner signed in: %d", r.Status)
			}
			// A password reset ends the throttle of the account.
			if r := p.PostJSON(t, "/api/v1/auth/password-reset", map[string]string{"email": citizen}, nil); r.Status != 202 {
				t.Fatalf("reset request: %d", r.Status)
			}
			tok := tokenIn(t, box.messages()[0].Body)
			if r := p.PostJSON(t, "/api/v1/auth/password-reset/confirm", map[string]string{"token": tok, "password": "After-the-reset-2026"}, from(attacker)); r.Status != 204 {
				t.Fatalf("reset: %d %s", r.Status, r.Body)
			}
			if r := loginFrom(t, p, attacker, citizen, "After-the-reset-2026"); r.Status != 200 {
				t.Fatalf("after the reset: %d %s", r.Status, r.Body)
			}
			var rows int64
			p.DB.Model(&accounts.LoginFailure{}).Count(&rows)
			if rows != 0 {
				t.Fatalf("%d failures kept after the reset", rows)
			}
			// Old failures leave the table after the window.
			loginFrom(t, p, attacker, "someone@example.cn", "wrong-password-z")
			clk.Advance(61 * time.Minute)
			loginFrom(t, p, attacker, "someone-else@example.cn", "wrong-password-z")
			p.DB.Model(&accounts.LoginFailure{}).Count(&rows)
			if rows != 1 {
				t.Fatalf("%d failure rows, want only the newest", rows)
			}
		})
	}
}

// TestAccountSlowDown: failures from many addresses slow an account to
// one attempt per 2 s, never lock it: its owner gets in after the pause,
// and a signed-in owner changes the password meanwhile.
func TestAccountSlowDown(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, _ := behindProxy(t, engine, "small", nil)
			citizen := apptest.DemoEmail("citizen")
			open := p.SignInAs(t, "citizen")
			for i := range 20 {
				if r := loginFrom(t, p, fmt.Sprintf("203.0.113.%d", i+1), citizen, "wrong-password-1"); r.Status != 401 {
					t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
				}
			}
			r := loginFrom(t, p, "198.51.100.7", citizen, apptest.DemoPassword)
			if r.Status != 429 || retryAfter(t, r) != 2 {
				t.Fatalf("during the slow-down: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			// Another account is not slowed.
			if r := loginFrom(t, p, "198.51.100.7", apptest.DemoEmail("org"), apptest.DemoPassword); r.Status != 200 {
				t.Fatalf("another account: %d", r.Status)
			}
			// The open session changes the password (its own address has no failures).
			if r := p.PostJSON(t, "/api/v1/me/password", map[string]string{"current_password": apptest.DemoPassword, "new_password": "Slowed-but-open-2026"}, open.Header()); r.Status != 204 {
				t.Fatalf("change password during the slow-down: %d %s", r.Status, r.Body)
			}
			clk.Advance(2 * time.Second)
			if r := loginFrom(t, p, "198.51.100.7", citizen, "Slowed-but-open-2026"); r.Status != 200 {
				t.Fatalf("owner after the pause: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestOfficeBehindOneAddress: 50 colleagues behind one NAT mistyping a
// few times each lock nobody out; failing on many distinct accounts
// (credential stuffing) makes that address wait.
func TestOfficeBehindOneAddress(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, clk, _ := behindProxy(t, engine, "small", nil)
			const office = "192.0.2.10"
			for i := range 50 {
				for j := range 3 {
					if r := loginFrom(t, p, office, fmt.Sprintf("staff%02d@example.cn", i), "typo-password-"+strconv.Itoa(j)); r.Status != 401 {
						t.Fatalf("colleague %d, typo %d: %d %s", i, j, r.Status, r.Body)
					}
				}
				clk.Advance(10 * time.Second)
			}
			if r := loginFrom(t, p, office, apptest.DemoEmail("citizen"), apptest.DemoPassword); r.Status != 200 {
				t.Fatalf("a colleague signs in from the office: %d %s", r.Status, r.Body)
			}
			// Stuffing: more distinct accounts than IPMaxAccounts (60 here).
			p.Accounts.Limits.IPMaxAccounts = 60
			for i := range 10 {
				if r := loginFrom(t, p, office, fmt.Sprintf("victim%02d@example.cn", i), "leaked-password"); r.Status != 401 {
					t.Fatalf("stuffing attempt %d: %d", i, r.Status)
				}
			}
			r := loginFrom(t, p, office, apptest.DemoEmail("org"), apptest.DemoPassword)
			// The office's first failure (500 s ago) leaves the window in 3100 s.
			if r.Status != 429 || retryAfter(t, r) != 3600-500 {
				t.Fatalf("after 60 distinct accounts: %d %q", r.Status, r.Header.Get("Retry-After"))
			}
			if r := loginFrom(t, p, "198.51.100.9", apptest.DemoEmail("org"), apptest.DemoPassword); r.Status != 200 {
				t.Fatalf("another address: %d", r.Status)
			}
		})
	}
}

// TestHashCapOverHTTP: with every hashing slot taken and no queue, sign-in
// and sign-up answer 503 with Retry-After at once; freed, they work.
func TestHashCapOverHTTP(t *testing.T) {
	p, _, _ := portal(t, "sqlite", "small")
	p.Accounts.SetHashes(accounts.NewHashLimiter(1, 0, time.Minute))
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- p.Accounts.Hashes().Do(context.Background(), func() { close(held); <-release })
	}()
	<-held
	r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": apptest.DemoEmail("citizen"), "password": apptest.DemoPassword}, nil)
	if r.Status != http.StatusServiceUnavailable || r.ErrorCode(t) != "unavailable" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("login while hashing is full: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	r = register(t, p, "busy@example.cn", "citizen", "")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("register while hashing is full: %d %s", r.Status, r.Body)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": apptest.DemoEmail("citizen"), "password": apptest.DemoPassword}, nil); r.Status != 200 {
		t.Fatalf("login after: %d %s", r.Status, r.Body)
	}
	// A refused attempt counted no failure.
	var rows int64
	p.DB.Model(&accounts.LoginFailure{}).Count(&rows)
	if rows != 0 {
		t.Fatalf("%d failures", rows)
	}
}

// TestMigrationVerifiesExistingAccounts: accounts made before the rule
// count as verified; the failure table gets its account and address.
func TestMigrationVerifiesExistingAccounts(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.OpenDB(t, engine)
			if err := store.MigrateTo(db, accounts.Migrations(), "0055_password_rotation_from"); err != nil {
				t.Fatal(err)
			}
			created := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
			if err := db.Exec("INSERT INTO users (email, name, kind, password_hash, org_admin, region, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"old@example.cn", "老用户", "citizen", "!", false, "", created, created, created).Error; err != nil {
				t.Fatal(err)
			}
			if err := store.Migrate(db, accounts.Migrations()); err != nil {
				t.Fatal(err)
			}
			var u accounts.User
			if err := db.Where("email = ?", "old@example.cn").Take(&u).Error; err != nil {
				t.Fatal(err)
			}
			if u.EmailVerifiedAt == nil || !u.EmailVerifiedAt.Equal(created) || !u.Verified() {
				t.Fatalf("existing account after the migration: verified at %v", u.EmailVerifiedAt)
			}
			if err := db.Create(&accounts.LoginFailure{Account: "a", IP: "192.0.2.1", FailedAt: created}).Error; err != nil {
				t.Fatalf("new failure row: %v", err)
			}
			if err := db.Create(&accounts.RegistrationAttempt{IP: "192.0.2.1", AttemptedAt: created}).Error; err != nil {
				t.Fatalf("registration row: %v", err)
			}
		})
	}
}
