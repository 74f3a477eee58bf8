package apps_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apps"
	"github.com/hlj-opendata/portal/server/apptest"
)

// signer sends signed calls for one app.
type signer struct {
	p           *apptest.Portal
	clock       *apptest.Clock
	key, secret string
}

func nonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// headers signs method+target (path?query) with body at the clock's time.
func (s *signer) headers(method, target string, body []byte, n string) map[string]string {
	u, _ := url.Parse(target)
	ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
	return map[string]string{apps.HeaderKey: s.key, apps.HeaderTimestamp: ts, apps.HeaderNonce: n,
		apps.HeaderSignature: apps.Sign(s.secret, method, u.EscapedPath(), u.RawQuery, ts, n, body)}
}

func (s *signer) do(t *testing.T, method, target string, body []byte) *apptest.Response {
	t.Helper()
	return s.p.Do(t, method, target, bytes.NewReader(body), s.headers(method, target, body, nonce()))
}

func newApp(t *testing.T, p *apptest.Portal, sess *apptest.Session, body map[string]any) (id string, s *signer) {
	t.Helper()
	r := p.PostJSON(t, "/api/v1/me/apps", body, sess.Header())
	if r.Status != http.StatusCreated {
		t.Fatalf("create app: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	key, secret := m["app_key"].(string), m["app_secret"].(string)
	if !regexp.MustCompile(`^ak_[0-9a-f]{32}$`).MatchString(key) || len(secret) != 43 {
		t.Fatalf("key %q secret %q", key, secret)
	}
	return m["id"].(string), &signer{p: p, key: key, secret: secret}
}

func TestSignedCalls(t *testing.T) {
	apptest.OnEach(apptest.Engines(t), func(engine string) {
		t.Run(engine, func(t *testing.T) {
			clock := apptest.NewClock(apptest.CST("2026-12-05 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clock.Now,
				Env: map[string]string{"PORTAL_APP_QUOTA_SEARCH": "3/100"}})
			cit := p.SignInAs(t, "citizen")
			id, s := newApp(t, p, cit, map[string]any{"name": "我的应用", "description": "测试", "intended_use": "研究"})
			s.clock = clock

			// A good call: the owner's identity, quota headers.
			r := s.do(t, "GET", "/api/v1/datasets?page_size=2&q=%E5%8C%BB%E9%99%A2", nil)
			if r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "3" || r.Header.Get("X-RateLimit-Remaining") != "2" {
				t.Fatalf("good call: %d %v %s", r.Status, r.Header, r.Body)
			}
			if reset, _ := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64); reset != clock.Now().Truncate(time.Minute).Add(time.Minute).Unix() {
				t.Errorf("reset %s", r.Header.Get("X-RateLimit-Reset"))
			}
			// Query order: the client may sign its pairs in any order.
			h := s.headers("GET", "/api/v1/datasets?q=%E5%8C%BB%E9%99%A2&page_size=2", nil, nonce())
			if r := p.Do(t, "GET", "/api/v1/datasets?page_size=2&q=%E5%8C%BB%E9%99%A2", nil, h); r.Status != 200 {
				t.Fatalf("reordered query: %d %s", r.Status, r.Body)
			}
			// Replay of the same nonce: 401 with a challenge.
			h = s.headers("GET", "/api/v1/me", nil, "nonce-replay-1")
			if r := p.Do(t, "GET", "/api/v1/me", nil, h); r.Status != 200 {
				t.Fatalf("signed /me: %d %s", r.Status, r.Body)
			}
			if r := p.Do(t, "GET", "/api/v1/me", nil, h); r.Status != 401 || !strings.Contains(r.Header.Get("WWW-Authenticate"), "HMAC-SHA256") {
				t.Fatalf("replay: %d %v %s", r.Status, r.Header, r.Body)
			}
			// Bad signature, unknown key, stale and future timestamps.
			h = s.headers("GET", "/api/v1/datasets", nil, nonce())
			h[apps.HeaderSignature] = apps.Sign("wrong", "GET", "/api/v1/datasets", "", h[apps.HeaderTimestamp], h[apps.HeaderNonce], nil)
			if r := p.Do(t, "GET", "/api/v1/datasets", nil, h); r.Status != 401 {
				t.Fatalf("bad signature on a public route: %d %s", r.Status, r.Body)
			}
			h = s.headers("GET", "/api/v1/datasets", nil, nonce())
			h[apps.HeaderKey] = "ak_00000000000000000000000000000000"
			if r := p.Do(t, "GET", "/api/v1/datasets", nil, h); r.Status != 401 {
				t.Fatalf("unknown key: %d", r.Status)
			}
			for _, skew := range []time.Duration{-301 * time.Second, 301 * time.Second} {
				h = s.headers("GET", "/api/v1/me", nil, nonce())
				clock.Advance(skew)
				r := p.Do(t, "GET", "/api/v1/me", nil, h)
				clock.Advance(-skew)
				if r.Status != 401 {
					t.Fatalf("skew %s: %d", skew, r.Status)
				}
			}
			// A POST's body is signed: tampering is 401; the real one reaches the handler.
			body := []byte(`{"name":"签名改名"}`)
			h = s.headers("PATCH", "/api/v1/me/apps/"+id, body, nonce())
			h["Content-Type"] = "application/json"
			if r := p.Do(t, "PATCH", "/api/v1/me/apps/"+id, bytes.NewReader([]byte(`{"name":"篡改"}`)), h); r.Status != 401 {
				t.Fatalf("tampered body: %d %s", r.Status, r.Body)
			}
			h = s.headers("PATCH", "/api/v1/me/apps/"+id, body, nonce())
			h["Content-Type"] = "application/json"
			if r := p.Do(t, "PATCH", "/api/v1/me/apps/"+id, bytes.NewReader(body), h); r.Status != 200 || r.Map(t)["name"] != "签名改名" {
				t.Fatalf("signed PATCH (no CSRF needed): %d %s", r.Status, r.Body)
			}
			// Quota: 3 searches a minute; the 4th is 429 with Retry-After and
			// spends nothing; the next minute starts afresh.
			if r := s.do(t, "GET", "/api/v1/datasets", nil); r.Status != 200 || r.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("third search: %d %v", r.Status, r.Header)
			}
			r = s.do(t, "GET", "/api/v1/datasets", nil)
			if r.Status != 429 || r.Header.Get("Retry-After") == "" || r.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("over quota: %d %v", r.Status, r.Header)
			}
			clock.Advance(time.Minute)
			if r := s.do(t, "GET", "/api/v1/datasets", nil); r.Status != 200 || r.Header.Get("X-RateLimit-Remaining") != "2" {
				t.Fatalf("next minute: %d %v", r.Status, r.Header)
			}
			// Usage: today's searches and the 429 among the errors.
			u := p.Do(t, "GET", "/api/v1/me/apps/"+id+"/usage?days=7", nil, cit.Header())
			var us apps.Usage
			u.JSON(t, &us)
			if u.Status != 200 || len(us.Days) != 1 || us.Days[0].Family != "search" || us.Days[0].Calls != 5 || us.Days[0].Errors != 1 || len(us.RecentErrors) != 1 || us.RecentErrors[0].Status != 429 {
				t.Fatalf("usage: %d %s", u.Status, u.Body)
			}
			if q := us.Quota[3]; q.Family != "search" || q.PerMinute != 3 || q.UsedMinute != 1 || q.RemainingMinute != 2 {
				t.Errorf("quota state: %+v", q)
			}
			// Another citizen sees none of it.
			other := p.RegisterVerified(t, map[string]string{"email": "other@example.cn", "password": "Someone-elses-pw-9", "name": "别人", "kind": "citizen"})
			_ = other
			osess := p.SignIn(t, "other@example.cn", "Someone-elses-pw-9")
			for _, path := range []string{"/api/v1/me/apps/" + id, "/api/v1/me/apps/" + id + "/usage"} {
				if r := p.Do(t, "GET", path, nil, osess.Header()); r.Status != 404 {
					t.Errorf("other's %s: %d", path, r.Status)
				}
			}
			if r := p.Do(t, "DELETE", "/api/v1/me/apps/"+id, nil, osess.Header()); r.Status != 404 {
				t.Errorf("other's delete: %d", r.Status)
			}
			// Suspension by the authority: 401 at once; restore: works again.
			auth := p.SignInAs(t, "authority")
			if r := p.Do(t, "PATCH", "/api/v1/admin/apps/"+id, strings.NewReader(`{"status":"suspended","suspended_reason":"滥用"}`), auth.Header("Content-Type", "application/json")); r.Status != 200 || r.Map(t)["status"] != "suspended" {
				t.Fatalf("suspend: %d %s", r.Status, r.Body)
			}
			if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
				t.Fatalf("suspended app: %d", r.Status)
			}
			if r := p.Do(t, "PATCH", "/api/v1/admin/apps/"+id, strings.NewReader(`{"status":"active","quotas":[{"family":"search","per_minute":1,"per_day":5}]}`), auth.Header("Content-Type", "application/json")); r.Status != 200 {
				t.Fatalf("restore: %d %s", r.Status, r.Body)
			}
			if r := p.Do(t, "PATCH", "/api/v1/admin/apps/"+id, strings.NewReader(`{"quotas":[{"family":"nope","per_minute":1,"per_day":5}]}`), auth.Header("Content-Type", "application/json")); r.Status != 400 {
				t.Fatalf("bad family: %d", r.Status)
			}
			if r := p.Do(t, "GET", "/api/v1/admin/apps?q=%E7%AD%BE%E5%90%8D", nil, auth.Header()); r.Status != 200 || !strings.Contains(string(r.Body), "citizen@demo.local") {
				t.Fatalf("admin list: %d %s", r.Status, r.Body)
			}
			if r := p.Do(t, "GET", "/api/v1/admin/apps", nil, cit.Header()); r.Status != 403 {
				t.Fatalf("citizen on admin list: %d", r.Status)
			}
			// Rotation: the old secret stops at once.
			r = p.PostJSON(t, "/api/v1/me/apps/"+id+"/secret", nil, cit.Header())
			if r.Status != 200 {
				t.Fatalf("rotate: %d %s", r.Status, r.Body)
			}
			if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
				t.Fatalf("old secret: %d", r.Status)
			}
			s.secret = r.Map(t)["app_secret"].(string)
			if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 200 {
				t.Fatalf("new secret: %d %s", r.Status, r.Body)
			}
			// The secret is not stored in clear text.
			if n := p.Count(t, "apps", "secret_enc LIKE ?", "%"+s.secret+"%"); n != 0 {
				t.Errorf("secret stored in clear")
			}
			if n := p.Count(t, "audit_entries", "action LIKE ?", "app.%"); n < 4 {
				t.Errorf("audit entries: %d", n)
			}
			// Delete: the key is gone.
			if r := p.Do(t, "DELETE", "/api/v1/me/apps/"+id, nil, cit.Header()); r.Status != 204 {
				t.Fatalf("delete: %d", r.Status)
			}
			if r := s.do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
				t.Fatalf("deleted app: %d", r.Status)
			}
		})
	})
}

func TestAppValidation(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	cit := p.SignInAs(t, "citizen")
	for _, body := range []map[string]any{{"name": ""}, {"name": strings.Repeat("名", 81)}, {"name": "x", "description": strings.Repeat("x", 2001)}, {"name": "x", "grant_id": "no-such-grant"}} {
		r := p.PostJSON(t, "/api/v1/me/apps", body, cit.Header())
		if r.Status != 400 && r.Status != 404 {
			t.Errorf("%v: %d", body, r.Status)
		}
	}
	if n := p.Count(t, "apps", "1 = 1"); n != 0 {
		t.Errorf("bad input created %d apps", n)
	}
	for i := 0; i < apps.MaxAppsPerUser; i++ {
		if r := p.PostJSON(t, "/api/v1/me/apps", map[string]any{"name": fmt.Sprint("app ", i)}, cit.Header()); r.Status != 201 {
			t.Fatalf("app %d: %d", i, r.Status)
		}
	}
	if r := p.PostJSON(t, "/api/v1/me/apps", map[string]any{"name": "one too many"}, cit.Header()); r.Status != 409 {
		t.Errorf("21st app: %d", r.Status)
	}
	if r := p.Do(t, "GET", "/api/v1/me/apps/x/usage?days=91", nil, cit.Header()); r.Status != 400 {
		t.Errorf("days=91: %d", r.Status)
	}
}

// TestOriginCheck: a cookie request that changes state from another
// origin is 403 even with its CSRF token; same origin and no Origin pass.
func TestOriginCheck(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", Env: map[string]string{"PORTAL_BASE_URL": "http://portal.example"}})
	cit := p.SignInAs(t, "citizen")
	for _, c := range []struct {
		origin string
		want   int
	}{{"https://evil.example", 403}, {"http://portal.example.evil.example", 403}, {"http://portal.example", 201}, {"", 201}} {
		h := cit.Header()
		if c.origin != "" {
			h["Origin"] = c.origin
		}
		r := p.PostJSON(t, "/api/v1/me/apps", map[string]string{"name": "origin " + c.origin}, h)
		if r.Status != c.want {
			t.Errorf("Origin %q: %d, want %d (%s)", c.origin, r.Status, c.want, r.Body)
		}
	}
	if n := p.Count(t, "apps", "1 = 1"); n != 2 {
		t.Errorf("apps: %d, want 2", n)
	}
}

// TestDocExample: the worked example of docs/app-keys.md is what the
// implementation computes.
func TestDocExample(t *testing.T) {
	b, err := os.ReadFile("../../docs/app-keys.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	get := func(name string) string {
		m := regexp.MustCompile("(?m)^- " + name + ": `([^`]*)`").FindStringSubmatch(doc)
		if m == nil {
			t.Fatalf("docs/app-keys.md: no %s", name)
		}
		return m[1]
	}
	body := []byte(get("body"))
	sts := apps.StringToSign(get("method"), get("path"), get("query"), get("timestamp"), get("nonce"), body)
	if !strings.Contains(doc, "```\n"+sts+"\n```") {
		t.Errorf("the string to sign in the doc is not\n%s", sts)
	}
	if sig := apps.Sign(get("secret"), get("method"), get("path"), get("query"), get("timestamp"), get("nonce"), body); get("X-Signature") != sig {
		t.Errorf("doc signature %q, implementation %q", get("X-Signature"), sig)
	}
}
