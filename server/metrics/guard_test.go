package metrics_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
)

const metricsToken = "0123456789abcdef0123456789abcdef"

// /metrics on the public port: absent without PORTAL_METRICS_TOKEN,
// behind the bearer token with it, absent when PORTAL_METRICS_ADDR moves
// it to its own listener.
func TestMetricsOnThePublicPort(t *testing.T) {
	exposition := func(r *apptest.Response) bool { return strings.Contains(string(r.Body), "go_goroutines ") }

	p := apptest.New(t, apptest.Options{NoWorkers: true})
	for _, h := range []map[string]string{nil, apptest.Bearer(metricsToken), apptest.Bearer("")} {
		if r := p.Do(t, "GET", "/metrics", nil, h); r.Status != http.StatusNotFound || exposition(r) {
			t.Errorf("no token configured, %v: %d", h, r.Status)
		}
	}

	p = apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"PORTAL_METRICS_TOKEN": metricsToken}})
	for name, h := range map[string]map[string]string{
		"no header":    nil,
		"wrong token":  apptest.Bearer(metricsToken[1:] + "x"),
		"prefix":       apptest.Bearer(metricsToken[:16]),
		"longer":       apptest.Bearer(metricsToken + "0"),
		"empty":        apptest.Bearer(""),
		"basic scheme": {"Authorization": "Basic " + metricsToken},
		"no scheme":    {"Authorization": metricsToken},
	} {
		r := p.Do(t, "GET", "/metrics", nil, h)
		if r.Status != http.StatusUnauthorized || exposition(r) || r.Header.Get("WWW-Authenticate") != `Bearer realm="metrics"` {
			t.Errorf("%s: %d %q", name, r.Status, r.Header.Get("WWW-Authenticate"))
		}
	}
	for _, h := range []map[string]string{apptest.Bearer(metricsToken), {"Authorization": "bearer " + metricsToken}} {
		r := p.Do(t, "GET", "/metrics", nil, h)
		if r.Status != http.StatusOK || !exposition(r) || r.Header.Get("WWW-Authenticate") != "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("right token %v: %d %v", h, r.Status, r.Header)
		}
	}

	p = apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"PORTAL_METRICS_TOKEN": metricsToken, "PORTAL_METRICS_ADDR": "127.0.0.1:0"}})
	if r := p.Do(t, "GET", "/metrics", nil, apptest.Bearer(metricsToken)); r.Status != http.StatusNotFound || exposition(r) {
		t.Errorf("with PORTAL_METRICS_ADDR the public port answers %d", r.Status)
	}
}
