package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
)

// The public read APIs answer any origin (never with credentials); the
// cookie routes get no CORS header and no preflight answer.
func TestCORS(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
			origin := map[string]string{"Origin": "https://elsewhere.example"}
			preflight := func(path, method string) *apptest.Response {
				return p.Do(t, http.MethodOptions, path, nil, map[string]string{
					"Origin": "https://elsewhere.example", "Access-Control-Request-Method": method,
					"Access-Control-Request-Headers": "content-type"})
			}
			// The public contract.
			r := preflight("/api/3/action/package_search", "GET")
			if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("preflight package_search: %d %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
			}
			for _, want := range []string{"GET", "HEAD", "POST"} {
				if !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), want) {
					t.Errorf("Allow-Methods %q lacks %s", r.Header.Get("Access-Control-Allow-Methods"), want)
				}
			}
			for _, want := range []string{"Authorization", "Content-Type", "X-App-Key", "X-Signature", "Range"} {
				if !strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), want) {
					t.Errorf("Allow-Headers lacks %s", want)
				}
			}
			if r.Header.Get("Access-Control-Max-Age") != "86400" || r.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("max-age %q credentials %q", r.Header.Get("Access-Control-Max-Age"), r.Header.Get("Access-Control-Allow-Credentials"))
			}
			if r := preflight("/api/3/action/package_show", "POST"); r.Status != http.StatusNoContent {
				t.Errorf("preflight POST action: %d", r.Status)
			}
			// Real requests carry ACAO and the exposed headers.
			for _, path := range []string{"/api/3/action/package_search?rows=1", "/api/v1/requests", "/catalog.ttl?page_size=1", "/announcements.atom"} {
				r := p.Do(t, "GET", path, nil, origin)
				if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
					!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") ||
					r.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Errorf("GET %s: %d ACAO %q expose %q", path, r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Expose-Headers"))
				}
			}
			r = p.Do(t, "POST", "/api/3/action/package_search", strings.NewReader(`{"rows":1}`), map[string]string{"Origin": "https://elsewhere.example", "Content-Type": "application/json"})
			if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("POST action: %d %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
			}
			// Cookie routes: no CORS at all, and the preflight is not answered.
			citizen := apptest.NewRoles(p, p.Now).As(t, "citizen")
			h := citizen.Header("Origin", "https://elsewhere.example")
			for _, path := range []string{"/api/v1/me", "/api/v1/me/tokens"} {
				r := p.Do(t, "GET", path, nil, h)
				if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("GET %s signed in: %d ACAO %q", path, r.Status, r.Header.Get("Access-Control-Allow-Origin"))
				}
			}
			for _, c := range []struct{ path, method string }{
				{"/api/v1/me", "GET"}, {"/api/v1/auth/login", "POST"}, {"/api/v1/me/tokens", "POST"},
				{"/api/v1/requests", "POST"}, {"/admin", "GET"},
			} {
				r := preflight(c.path, c.method)
				if r.Status == http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Methods") != "" {
					t.Errorf("preflight %s %s answered: %d %v", c.method, c.path, r.Status, r.Header)
				}
			}
			// Same-origin (no Origin) requests are untouched.
			if r := p.Get(t, "/api/3/action/package_search?rows=1"); r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Error("ACAO without Origin")
			}
		})
	}
}
