package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/openapi"
	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/metrics"
)

// Every /api/v1 route the portal registers is described in the committed
// OpenAPI spec, with the same method, and the spec describes no route that
// does not exist. (make openapi-check proves the spec matches the
// annotations; this proves the annotations match the routes.)
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	p := apptest.New(t, apptest.Options{NoWorkers: true})
	p.Handler()
	var spec struct {
		BasePath string                                `json:"basePath"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON, &spec); err != nil {
		t.Fatalf("openapi/swagger.json: %v", err)
	}
	if spec.BasePath != "/api/v1" {
		t.Errorf("basePath %q", spec.BasePath)
	}
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	routes := map[string]bool{}
	var missing []string
	for _, r := range p.Router.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := param.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		method := strings.ToLower(r.Method)
		if _, ok := spec.Paths[path]["head"]; method == "head" && !ok {
			method = "get" // HEAD answers like GET; documenting the GET is enough
		}
		routes[method+" "+path] = true
		if _, ok := spec.Paths[path][method]; !ok {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	var extra []string
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !routes[method+" "+path] {
				extra = append(extra, strings.ToUpper(method)+" /api/v1"+path)
			}
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes without swag annotations in openapi/ (annotate the handler, @Router relative to /api/v1, then run make openapi):\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("openapi/ describes routes the portal does not have (fix the @Router line, then make openapi):\n  %s", strings.Join(extra, "\n  "))
	}
	if len(routes) < 10 {
		t.Errorf("only %d /api/v1 routes found", len(routes))
	}
}

func TestAPIDocs(t *testing.T) {
	p := apptest.New(t, apptest.Options{NoWorkers: true})
	page := p.Get(t, "/api/docs")
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /api/docs: %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	for _, want := range []string{"/static/js/apidocs.js", `data-spec-url="/api/docs/openapi.json"`} {
		if !bytes.Contains(page.Body, []byte(want)) {
			t.Errorf("docs page lacks %s", want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("docs page CSP %q", csp)
	}
	spec := p.Get(t, "/api/docs/swagger.json")
	if spec.Status != http.StatusOK || !bytes.Equal(spec.Body, openapi.JSON) || !strings.HasPrefix(spec.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET swagger.json: %d %s, %d bytes", spec.Status, spec.Header.Get("Content-Type"), len(spec.Body))
	}
	yaml := p.Get(t, "/api/docs/swagger.yaml")
	if yaml.Status != http.StatusOK || !bytes.Equal(yaml.Body, openapi.YAML) {
		t.Errorf("GET swagger.yaml: %d", yaml.Status)
	}
	for _, asset := range []string{"/static/js/apidocs.js", "/static/css/apidocs.css", "/static/i18n/apidocs.zh.json", "/static/i18n/apidocs.en.json"} {
		if r := p.Get(t, asset); r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("GET %s: %d", asset, r.Status)
		}
	}
	if r := p.Do(t, http.MethodPost, "/api/docs/swagger.json", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("POST swagger.json: %d", r.Status)
	}
}

// /readyz names the provisional years (no official holiday file:
// deadlines there count the statutory holidays only) but stays ready.
func TestReadyzCalendar(t *testing.T) {
	cases := []struct {
		name string
		now  time.Time
		want []string // substrings of warnings; nil = none
	}{
		{"covered year", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), nil},
		{"next year official (2027.json shipped)", time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), nil},
		{"next year within 90 days is provisional", time.Date(2027, 11, 20, 10, 0, 0, 0, time.UTC), []string{"no official holiday calendar for 2028: deadlines there use a provisional calendar"}},
		{"this year is provisional", time.Date(2031, 6, 1, 10, 0, 0, 0, time.UTC), []string{"no official holiday calendar for 2031"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			p := apptest.New(t, apptest.Options{NoWorkers: true, Now: func() time.Time { return now }})
			r := p.Get(t, "/readyz")
			var body struct {
				Ready    bool           `json:"ready"`
				Warnings []string       `json:"warnings"`
				Checks   map[string]any `json:"checks"`
			}
			r.JSON(t, &body)
			if r.Status != http.StatusOK || !body.Ready {
				t.Fatalf("readyz %d %s", r.Status, r.Body)
			}
			if body.Checks["database"] != "ok" || body.Checks["search"] != "ok" {
				t.Errorf("checks %v", body.Checks)
			}
			cal, _ := body.Checks["calendar"].(map[string]any)
			if cal == nil || cal["years"] == nil {
				t.Errorf("calendar check missing: %v", body.Checks)
			}
			if prov, _ := cal["provisional"].([]any); len(prov) != len(tc.want) {
				t.Errorf("provisional years %v, want %d", cal["provisional"], len(tc.want))
			}
			if body.Warnings == nil {
				t.Fatalf("warnings must be a list, got %s", r.Body)
			}
			if len(tc.want) == 0 && len(body.Warnings) != 0 {
				t.Errorf("unexpected warnings %v", body.Warnings)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(body.Warnings, "\n"), w) {
					t.Errorf("warnings %v lack %q", body.Warnings, w)
				}
			}
		})
	}
	// A deadline computed in a missing year is recorded and stays listed.
	p := apptest.New(t, apptest.Options{NoWorkers: true, Now: func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }})
	p.Calendar.AddWorkingDays(time.Date(2033, 5, 1, 0, 0, 0, 0, time.UTC), 5)
	var body struct {
		Warnings []string `json:"warnings"`
	}
	p.Get(t, "/readyz").JSON(t, &body)
	if len(body.Warnings) != 1 || !strings.Contains(body.Warnings[0], "2033") {
		t.Errorf("warnings %v", body.Warnings)
	}
}

// scrape reads the exposition as the metrics listener serves it (the
// public port needs PORTAL_METRICS_TOKEN: server/metrics tests that).
func scrape(t *testing.T, p *apptest.Portal) string {
	t.Helper()
	rec := httptest.NewRecorder()
	p.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	for _, path := range []string{"/api/v1/datasets?q=" + "数据", "/api/v1/datasets/no-such-dataset", "/api/v1/nope/" + "x1", "/wp-login.php"} {
		p.Get(t, path)
	}
	before := scrape(t, p)
	p.PostJSON(t, "/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong password here"}, nil)
	metrics.RegisterOverdue("test-domain", func(context.Context) (int64, error) { return 7, nil })
	metrics.OverdueItems.WithLabelValues("pushed-domain").Set(3)
	out := scrape(t, p)
	for _, want := range []string{
		`portal_http_request_duration_seconds_bucket{code="200",method="GET",route="/api/v1/datasets",le="0.005"}`,
		`portal_http_request_duration_seconds_count{code="404",method="GET",route="/api/v1/datasets/:id"}`,
		`portal_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"}`,
		`portal_search_duration_seconds_count{outcome="ok"}`,
		`portal_outbox_backlog `,
		`portal_overdue_items{domain="test-domain"} 7`,
		`portal_overdue_items{domain="pushed-domain"} 3`,
		`portal_login_failures_total{reason="bad_credentials"}`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(out, "no-such-dataset") || strings.Contains(out, "wp-login") {
		t.Error("raw paths leak into metric labels")
	}
	if got, was := counter(out, `portal_login_failures_total{reason="bad_credentials"}`), counter(before, `portal_login_failures_total{reason="bad_credentials"}`); got != was+1 {
		t.Errorf("login failures %v → %v, want +1", was, got)
	}

	// With PORTAL_METRICS_ADDR the main listener does not serve /metrics.
	q := apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"PORTAL_METRICS_ADDR": "127.0.0.1:0"}})
	if r := q.Get(t, "/metrics"); r.Status != http.StatusNotFound {
		t.Errorf("/metrics on the main listener with PORTAL_METRICS_ADDR: %d", r.Status)
	}
}

func counter(exposition, series string) float64 {
	for _, line := range strings.Split(exposition, "\n") {
		if strings.HasPrefix(line, series+" ") {
			var v float64
			_, _ = fmt.Sscan(strings.TrimPrefix(line, series+" "), &v)
			return v
		}
	}
	return 0
}

func TestHSTSBehindProxy(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		xfp  string
		want bool
	}{
		{"http public URL", map[string]string{"PORTAL_BASE_URL": "http://portal.example"}, "", false},
		{"https public URL", map[string]string{"PORTAL_BASE_URL": "https://data.hlj.example"}, "", true},
		{"trusted proxy says https", map[string]string{"PORTAL_TRUSTED_PROXIES": "127.0.0.0/8"}, "https", true},
		{"untrusted peer says https", map[string]string{"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8"}, "https", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{NoWorkers: true, Env: tc.env})
			h := map[string]string{}
			if tc.xfp != "" {
				h["X-Forwarded-Proto"] = tc.xfp
			}
			r := p.Do(t, http.MethodGet, "/api/v1/site", nil, h)
			if got := r.Header.Get("Strict-Transport-Security"); (got != "") != tc.want {
				t.Errorf("HSTS %q, want present=%v", got, tc.want)
			}
		})
	}
}

// Stored files go out as attachments, sandboxed if a browser renders them.
func TestDownloadsAreSandboxedAttachments(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	var list struct {
		Items []struct {
			ID       string `json:"id"`
			OpenType string `json:"open_type"`
		} `json:"items"`
	}
	p.Get(t, "/api/v1/datasets?open_type=unconditional&page_size=1").JSON(t, &list)
	if len(list.Items) == 0 {
		t.Fatal("no unconditional dataset in the small seed")
	}
	var ds struct {
		Resources []struct {
			DownloadURL *string `json:"download_url"`
		} `json:"resources"`
	}
	p.Get(t, "/api/v1/datasets/"+list.Items[0].ID).JSON(t, &ds)
	if len(ds.Resources) == 0 || ds.Resources[0].DownloadURL == nil {
		t.Fatalf("no download URL: %+v", ds)
	}
	r := p.Get(t, *ds.Resources[0].DownloadURL)
	if r.Status != http.StatusOK || len(r.Body) == 0 {
		t.Fatalf("download: %d", r.Status)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if csp := r.Header.Get("Content-Security-Policy"); csp != "default-src 'none'; sandbox" {
		t.Errorf("download CSP %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("download without nosniff")
	}
}

// TestOverdueMetric: an application past its 5-working-day deadline shows
// in portal_overdue_items for the authority's dashboards (000 Art 42).
func TestOverdueMetric(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	clock := func() time.Time { return now }
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clock})
	var dataset string
	p.DB.Table("datasets").Where("open_type = ? AND department_id = ?", "conditional", seed.DemoProviderDepartment).Order("id").Limit(1).Pluck("id", &dataset)
	var items []string
	p.DB.Table("data_items").Where("dataset_id = ?", dataset).Order("position").Limit(2).Pluck("name", &items)
	s := p.SignInAs(t, "citizen")
	r := p.PostJSON(t, "/api/v1/applications", map[string]any{
		"dataset_id": dataset, "purpose": "研究", "scenario": "统计分析", "basis": "数据使用协议",
		"data_items": items, "period_start": "2026-03-02", "period_end": "2026-05-31",
		"security_measures": "加密存储，专人访问", "contact": "张三 0451-12345678",
	}, s.Header())
	if r.Status != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	// A data request naming no department waits on the authority's routing.
	r = p.PostJSON(t, "/api/v1/requests", map[string]any{"title": "全省市场主体年报汇总数据",
		"description": "全省市场主体年报公示信息，按季度汇总，含行业分类与注册资本区间", "intended_use": "企业信用研究"}, s.Header())
	if r.Status != http.StatusCreated {
		t.Fatalf("request: %d %s", r.Status, r.Body)
	}
	for _, domain := range []string{"applications", "requests"} {
		if got := counter(scrape(t, p), `portal_overdue_items{domain="`+domain+`"}`); got != 0 {
			t.Fatalf("%s overdue before the deadline: %v", domain, got)
		}
	}
	now = now.AddDate(0, 0, 14)
	for _, domain := range []string{"applications", "requests"} {
		if got := counter(scrape(t, p), `portal_overdue_items{domain="`+domain+`"}`); got != 1 {
			t.Fatalf("%s overdue after the deadline: %v, want 1", domain, got)
		}
	}
}
