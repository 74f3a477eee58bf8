package frontend

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func newEcho() *echo.Echo {
	e := echo.New()
	r, err := NewRenderer(Options{})
	if err != nil {
		panic(err)
	}
	Register(e, r)
	return e
}

func get(t *testing.T, e *echo.Echo, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestPagesServed(t *testing.T) {
	e := newEcho()
	for _, p := range []string{"/login", "/developers", "/applications/app-1", "/console/datasets/%E4%B8%AD"} {
		rec := get(t, e, http.MethodGet, p)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q", p, got)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
		body := rec.Body.String()
		if strings.Contains(body, versionPlaceholder) {
			t.Errorf("GET %s: version placeholder left in page", p)
		}
		if !strings.Contains(body, "?v="+Version()) {
			t.Errorf("GET %s: asset URLs carry no ?v=%s", p, Version())
		}
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("GET %s: %d <h1>", p, n)
		}
	}
	if rec := get(t, e, http.MethodHead, "/login"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD /login: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	got := strings.Join(Pages(), ",") + ","
	for _, want := range []string{"/login", "/console/datasets/:id", "/api/docs"} {
		if !strings.Contains(got, want+",") {
			t.Errorf("Pages() = %v lacks %s", Pages(), want)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEcho()
	cases := map[string]string{
		"/static/css/site.css":    "text/css; charset=utf-8",
		"/static/js/api.js":       "text/javascript; charset=utf-8",
		"/static/i18n/zh.json":    "application/json; charset=utf-8",
		"/static/img/logo.svg":    "image/svg+xml",
		"/static/js/../js/api.js": "text/javascript; charset=utf-8",
	}
	for p, ct := range cases {
		rec := get(t, e, http.MethodGet, p+"?v="+Version())
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", p, got, ct)
		}
		if got := rec.Header().Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") || !strings.Contains(got, "immutable") {
			t.Errorf("GET %s?v=current: Cache-Control %q", p, got)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
	}
	rec := get(t, e, http.MethodGet, "/static/js/api.js?v=old")
	if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("stale version: Cache-Control %q", got)
	}
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/static/js/api.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	for _, p := range []string{"/static/", "/static/js/", "/static/js", "/static/nope.js", "/static/../pages/home.html", "/static/pages/home.html"} {
		if rec := get(t, e, http.MethodGet, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, rec.Code)
		}
	}
}

func walk(t *testing.T, ext string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ext) {
			b, err := fs.ReadFile(files, p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Pages built on the shared layout (skip link, header, main, footer).
var layoutPages = map[string]bool{"templates/layout.html": true}

// The pages must keep working under script-src 'self' / style-src 'self'.
// Vendored third-party files (static/vendor/) are not checked here.
func TestCSPFriendlyHTML(t *testing.T) {
	bad := []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`),      // inline script body
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),                 // inline handlers
		regexp.MustCompile(`(?i)\sstyle\s*=`),                    // style attributes
		regexp.MustCompile(`(?i)<style`),                         // style elements
		regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`), // anything off-site
	}
	for name, body := range walk(t, ".html") {
		for _, re := range bad {
			if m := re.FindString(body); m != "" && !strings.Contains(m, `type="application/ld+json"`) && // data, not script
				!(name == "templates/layout.html" && strings.Contains(body, "<style>{{.Style}}</style>") && strings.EqualFold(m, "<style")) { // hashed into the CSP (TestInlineStyleHash)
				t.Errorf("%s: CSP-unsafe markup %q", name, m)
			}
		}
		if layoutPages[name] && (!strings.Contains(body, `class="skip-link" href="#main"`) || !strings.Contains(body, `<main id="main"`)) {
			t.Errorf("%s: skip link or main landmark missing", name)
		}
	}
	for name, body := range walk(t, ".js") {
		if strings.HasPrefix(name, "static/vendor/") {
			continue // vendored as published; the browser test runs it under the CSP
		}
		for _, s := range []string{"eval(", "new Function", ".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write"} {
			if strings.Contains(body, s) {
				t.Errorf("%s: uses %s", name, s)
			}
		}
	}
}

func TestMessageCatalogs(t *testing.T) {
	load := func(name string) map[string]string {
		b, err := fs.ReadFile(files, "static/i18n/"+name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	zh, en := load("zh.json"), load("en.json")
	var missing []string
	pair := func(zh, en map[string]string, prefix string) {
		for k := range zh {
			if _, ok := en[k]; !ok {
				missing = append(missing, prefix+"en:"+k)
			}
		}
		for k := range en {
			if _, ok := zh[k]; !ok {
				missing = append(missing, prefix+"zh:"+k)
			}
		}
	}
	pair(zh, en, "")
	// Domain catalogs (<domain>.zh.json, <domain>.en.json) come in pairs and
	// merge over the shared one on the pages that name them.
	domains, _ := fs.Glob(files, "static/i18n/*.zh.json")
	for _, d := range domains {
		name := strings.TrimSuffix(path.Base(d), ".zh.json")
		dz, de := load(name+".zh.json"), load(name+".en.json")
		pair(dz, de, name+" ")
		for k, v := range dz {
			zh[k] = v
		}
	}
	// Every literal key the code and pages use must exist.
	used := map[string]bool{}
	for name, body := range walk(t, ".js") {
		if strings.HasPrefix(name, "static/vendor/") {
			continue
		}
		for _, m := range regexp.MustCompile(`\btn?\(\s*'([A-Za-z0-9_.]+)'`).FindAllStringSubmatch(body, -1) {
			used[m[1]] = true
		}
	}
	for _, body := range walk(t, ".html") {
		for _, m := range regexp.MustCompile(`data-i18n="([A-Za-z0-9_.]+)"`).FindAllStringSubmatch(body, -1) {
			used[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`\b(?:t|tn)\s+"([A-Za-z0-9_.]+)"`).FindAllStringSubmatch(body, -1) {
			used[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`data-i18n-attr="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			for _, pair := range strings.Split(m[1], ";") {
				if _, key, ok := strings.Cut(pair, ":"); ok {
					used[strings.TrimSpace(key)] = true
				}
			}
		}
	}
	for k := range used {
		if _, ok := zh[k]; !ok {
			missing = append(missing, "used:"+k)
		}
	}
	// Enumerations the API sends.
	for _, k := range []string{
		"enum.open_type.unconditional", "enum.open_type.conditional",
		"enum.update_frequency.realtime", "enum.update_frequency.irregular",
		"enum.grade.L1", "enum.grade.L4", "enum.region_level.county", "enum.type.boolean",
	} {
		if _, ok := zh[k]; !ok {
			missing = append(missing, "enum:"+k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("message keys missing: %v", missing)
	}
	if zh["site.name"] != "黑龙江省公共数据开放平台" {
		t.Errorf("zh site.name = %q", zh["site.name"])
	}
}
