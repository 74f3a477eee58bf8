package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/store"
)

// With the database gone, every route that needs it answers 503 with
// Retry-After (the sign-in check included: never 401 or 500), pages get
// an HTML 503, liveness stays up and readiness goes down.
func TestDatabaseDownIs503(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-11-23 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			roles := apptest.NewRoles(p, clk.Now)
			citizen := roles.As(t, "citizen")
			if r := p.Do(t, "GET", "/api/v1/me", nil, citizen.Header()); r.Status != 200 {
				t.Fatalf("me before: %d", r.Status)
			}
			if err := store.Close(p.DB); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name, method, path, body string
				header                   map[string]string
			}{
				{"signed-in read", "GET", "/api/v1/me", "", citizen.Header()},
				{"signed-in list", "GET", "/api/v1/me/tokens", "", citizen.Header()},
				{"signed-in write", "POST", "/api/v1/me/tokens", `{"name":"drill"}`, citizen.Header("Content-Type", "application/json")},
				{"anonymous read", "GET", "/api/v1/requests", "", nil},
				{"sign-in", "POST", "/api/v1/auth/login", `{"email":"citizen@demo.local","password":"x"}`, map[string]string{"Content-Type": "application/json"}},
				{"bearer token", "GET", "/api/v1/me", "", apptest.Bearer("hlj_0123456789abcdef0123456789abcdef0123")},
			} {
				var body *strings.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				}
				var r *apptest.Response
				if body != nil {
					r = p.Do(t, c.method, c.path, body, c.header)
				} else {
					r = p.Do(t, c.method, c.path, nil, c.header)
				}
				if r.Status != http.StatusServiceUnavailable || r.ErrorCode(t) != "unavailable" || r.Header.Get("Retry-After") != "5" {
					t.Errorf("%s: %d %s (Retry-After %q)", c.name, r.Status, r.Body, r.Header.Get("Retry-After"))
				}
			}
			page := p.Do(t, "GET", "/requests", nil, map[string]string{"Accept": "text/html", "Accept-Language": "zh-CN"})
			if page.Status != 503 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.Body), "服务暂不可用") {
				t.Errorf("page: %d %s %s", page.Status, page.Header.Get("Content-Type"), page.Body)
			}
			if r := p.Get(t, "/healthz"); r.Status != 200 {
				t.Errorf("healthz: %d", r.Status)
			}
			if r := p.Get(t, "/readyz"); r.Status != 503 {
				t.Errorf("readyz: %d %s", r.Status, r.Body)
			}
		})
	}
}

// Invalid UTF-8 in a JSON body is refused whole: nothing is stored (Go's
// decoder would have stored U+FFFD).
func TestInvalidUTF8StoresNothing(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-11-23 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			roles := apptest.NewRoles(p, clk.Now)
			h := roles.As(t, "citizen").Header("Content-Type", "application/json", "Accept-Language", "en")
			before := p.Count(t, "api_tokens", "")
			for _, body := range []string{"{\"name\":\"令牌\xff\"}", `{"name":"a\udc00"}`} {
				r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(body), h)
				if r.Status != 400 || !strings.Contains(string(r.Body), "the request is not valid UTF-8") {
					t.Errorf("%q: %d %s", body, r.Status, r.Body)
				}
			}
			r := p.Do(t, "GET", "/api/v1/requests?q=%FF", nil, h)
			if r.Status != 400 || r.ErrorCode(t) != "invalid" {
				t.Errorf("query: %d %s", r.Status, r.Body)
			}
			if after := p.Count(t, "api_tokens", ""); after != before {
				t.Errorf("tokens %d → %d", before, after)
			}
			if r := p.Do(t, "POST", "/api/v1/me/tokens", strings.NewReader(`{"name":"令牌"}`), h); r.Status != 201 {
				t.Errorf("valid token: %d %s", r.Status, r.Body)
			}
		})
	}
}
