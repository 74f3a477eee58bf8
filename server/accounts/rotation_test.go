package accounts_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/store"
)

type ageBody struct {
	Email             string     `json:"email"`
	PasswordExpiresAt *time.Time `json:"password_expires_at"`
	PasswordExpired   bool       `json:"password_expired"`
}

// TestStaffPasswordRotation: a staff password must be changed every 90
// calendar days (000 Art 38, profile staff_password_max_age_days). On day
// 89 the provider works; on day 91 every signed-in API but the password
// change, sign-out, /me and the CSRF token answers 403 password_expired,
// for its session and its API token; public data stays public to the
// session. Changing the password lifts the block. Citizens are not
// subject to it.
func TestStaffPasswordRotation(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			start := apptest.CST("2026-03-02 10:00")
			clk := apptest.NewClock(start)
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			var provider accounts.User
			p.DB.Where("email = ?", apptest.DemoEmail("provider")).Take(&provider)
			// A token of the provider (staff hold none through the API; an
			// older grant of the role may have left one).
			raw := "hlj_rotation-test-token-0123456789abcdefghij"
			sum := sha256.Sum256([]byte(raw))
			if err := p.DB.Create(&accounts.APIToken{UserID: provider.ID, Name: "旧脚本", Prefix: raw[:12], Hash: hex.EncodeToString(sum[:]), CreatedAt: start.UTC()}).Error; err != nil {
				t.Fatal(err)
			}
			token := apptest.Bearer(raw)
			const console = "/api/v1/revocations"
			getMe := func(h map[string]string) (int, ageBody) {
				t.Helper()
				r := p.Do(t, "GET", "/api/v1/me", nil, h)
				var b ageBody
				if r.Status == 200 {
					r.JSON(t, &b)
				}
				return r.Status, b
			}

			// Day 89: nothing yet.
			clk.Set(start.AddDate(0, 0, 89))
			s := p.SignInAs(t, "provider")
			for _, h := range []map[string]string{s.Header(), token} {
				if r := p.Do(t, "GET", console, nil, h); r.Status != 200 {
					t.Fatalf("day 89: %d %s", r.Status, r.Body)
				}
			}
			if st, b := getMe(s.Header()); st != 200 || b.PasswordExpired || b.PasswordExpiresAt == nil || !b.PasswordExpiresAt.Equal(start.AddDate(0, 0, 90)) {
				t.Errorf("day 89 /me: %d %+v, want expiry %v", st, b, start.AddDate(0, 0, 90))
			}

			// Day 91: sign-in works and says so; only the password change is open.
			clk.Set(start.AddDate(0, 0, 91))
			login := p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": apptest.DemoEmail("provider"), "password": apptest.DemoPassword}, nil)
			if login.Status != 200 || login.Map(t)["password_expired"] != true {
				t.Fatalf("sign-in after expiry: %d %s", login.Status, login.Body)
			}
			s = p.SignInAs(t, "provider")
			for _, c := range []struct {
				name, method, path, body string
				h                        map[string]string
			}{
				{"console API", "GET", console, "", s.Header()},
				{"console API, token", "GET", console, "", token},
				{"overdue board", "GET", "/api/v1/applications/overdue", "", s.Header()},
				{"change the name", "PATCH", "/api/v1/me", `{"name":"改名"}`, s.Header("Content-Type", "application/json")},
				{"notifications", "GET", "/api/v1/me/notifications", "", s.Header()},
				{"public data with the token", "GET", "/api/v1/datasets", "", token},
			} {
				var body *strings.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				}
				var r *apptest.Response
				if body != nil {
					r = p.Do(t, c.method, c.path, body, c.h)
				} else {
					r = p.Do(t, c.method, c.path, nil, c.h)
				}
				if r.Status != http.StatusForbidden || r.ErrorCode(t) != "password_expired" {
					t.Errorf("day 91, %s: %d %.200s, want 403 password_expired", c.name, r.Status, r.Body)
				}
			}
			var name string
			p.DB.Table("users").Where("id = ?", provider.ID).Pluck("name", &name)
			if name == "改名" {
				t.Error("a refused request changed the name")
			}
			for _, h := range []map[string]string{s.Header(), token} {
				if st, b := getMe(h); st != 200 || !b.PasswordExpired {
					t.Errorf("day 91 /me: %d %+v", st, b)
				}
			}
			if r := p.Do(t, "GET", "/api/v1/auth/csrf", nil, s.Header()); r.Status != 200 {
				t.Errorf("csrf: %d", r.Status)
			}
			if r := p.Do(t, "GET", "/api/v1/datasets", nil, s.Header()); r.Status != 200 {
				t.Errorf("public data with the session: %d", r.Status)
			}
			other := p.SignInAs(t, "provider")
			if r := p.Do(t, "POST", "/api/v1/auth/logout", nil, other.Header()); r.Status != 204 {
				t.Errorf("sign-out: %d %s", r.Status, r.Body)
			}

			// The change lifts the block, for the session and the token.
			next := "Rotated-Passphrase-2026"
			if r := p.PostJSON(t, "/api/v1/me/password", map[string]string{"current_password": apptest.DemoPassword, "new_password": next}, s.Header()); r.Status != 204 {
				t.Fatalf("change the expired password: %d %s", r.Status, r.Body)
			}
			for _, h := range []map[string]string{s.Header(), token} {
				if r := p.Do(t, "GET", console, nil, h); r.Status != 200 {
					t.Errorf("after the change: %d %s", r.Status, r.Body)
				}
			}
			if st, b := getMe(s.Header()); st != 200 || b.PasswordExpired || b.PasswordExpiresAt == nil || !b.PasswordExpiresAt.Equal(start.AddDate(0, 0, 181)) {
				t.Errorf("after the change /me: %d %+v", st, b)
			}

			// A citizen's password has no age limit.
			c := p.SignInAs(t, "citizen")
			if r := p.Do(t, "GET", "/api/v1/applications", nil, c.Header()); r.Status != 200 {
				t.Errorf("citizen on day 91: %d %s", r.Status, r.Body)
			}
			if st, b := getMe(c.Header()); st != 200 || b.PasswordExpired || b.PasswordExpiresAt != nil {
				t.Errorf("citizen /me: %d %+v", st, b)
			}
		})
	}
}

// TestPasswordRotationMigration: accounts that exist when migration 0055
// runs count their password's age from it; their last change is kept.
func TestPasswordRotationMigration(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			all := accounts.Migrations()
			db := apptest.MigratedDB(t, engine, all[:1])
			changed := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := db.Exec("INSERT INTO users (email, name, kind, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				"old@demo.local", "老账户", "staff", "x", changed, changed, changed).Error; err != nil {
				t.Fatal(err)
			}
			before := time.Now().Add(-time.Second)
			if err := store.Migrate(db, all); err != nil {
				t.Fatal(err)
			}
			var u accounts.User
			if err := db.Where("email = ?", "old@demo.local").Take(&u).Error; err != nil {
				t.Fatal(err)
			}
			if !u.PasswordChangedAt.Equal(changed) || u.PasswordRotationFrom == nil || u.PasswordRotationFrom.Before(before) {
				t.Fatalf("after 0055: changed %v, rotation from %v (migration ran after %v)", u.PasswordChangedAt, u.PasswordRotationFrom, before)
			}
			at, ok := u.PasswordExpiresAt(90)
			if !ok || !at.Equal(u.PasswordRotationFrom.AddDate(0, 0, 90)) {
				t.Errorf("expiry %v %v, want 90 days after the migration", at, ok)
			}
		})
	}
}
