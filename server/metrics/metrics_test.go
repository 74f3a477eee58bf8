package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"
)

func counterValue(t *testing.T, reason string) float64 {
	t.Helper()
	var m dto.Metric
	if err := LoginFailures.WithLabelValues(reason).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func scrape(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestScrapeTimeSources(t *testing.T) {
	SetOutboxBacklog(func(context.Context) (int64, error) { return 42, nil })
	RegisterOverdue("corrections", func(context.Context) (int64, error) { return 2, nil })
	RegisterOverdue("broken", func(context.Context) (int64, error) { return 0, errors.New("db down") })
	out := scrape(t)
	for _, want := range []string{"portal_outbox_backlog 42", `portal_overdue_items{domain="corrections"} 2`, `portal_metrics_source_errors_total{source="overdue_broken"} 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, `domain="broken"`) {
		t.Error("a failing source must not report a value")
	}
	// A later registration replaces the earlier one.
	RegisterOverdue("corrections", func(context.Context) (int64, error) { return 5, nil })
	if out := scrape(t); !strings.Contains(out, `portal_overdue_items{domain="corrections"} 5`) {
		t.Error("re-registration did not replace the count")
	}
	SetOutboxBacklog(func(context.Context) (int64, error) { return 0, errors.New("closed") })
	if out := scrape(t); strings.Contains(out, "portal_outbox_backlog ") {
		t.Error("a failing backlog source must not report a value")
	}
}

func TestMiddlewareLabelsAndLoginFailures(t *testing.T) {
	e := echo.New()
	e.Pre(Middleware())
	e.POST(LoginRoute, func(c echo.Context) error {
		switch c.QueryParam("r") {
		case "bad":
			return c.NoContent(http.StatusUnauthorized)
		case "slow":
			return c.NoContent(http.StatusTooManyRequests)
		}
		return c.NoContent(http.StatusOK)
	})
	e.GET("/api/v1/things/:id", func(c echo.Context) error { return echo.ErrNotFound })
	bad := counterValue(t, "bad_credentials")
	slow := counterValue(t, "throttled")
	for _, target := range []string{LoginRoute + "?r=bad", LoginRoute + "?r=bad", LoginRoute + "?r=slow", LoginRoute} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, target, nil))
	}
	if got := counterValue(t, "bad_credentials") - bad; got != 2 {
		t.Errorf("bad_credentials +%v, want +2", got)
	}
	if got := counterValue(t, "throttled") - slow; got != 1 {
		t.Errorf("throttled +%v, want +1", got)
	}
	for _, p := range []string{"/api/v1/things/1", "/api/v1/things/2", "/random/scanner/path"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	out := scrape(t)
	for _, want := range []string{
		`portal_http_request_duration_seconds_count{code="404",method="GET",route="/api/v1/things/:id"} 2`,
		`portal_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
		`portal_http_request_duration_seconds_count{code="401",method="POST",route="/api/v1/auth/login"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}
