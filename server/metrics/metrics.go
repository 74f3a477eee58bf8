// Package metrics holds the portal's Prometheus metrics and the hooks the
// domains call to feed them. Everything is registered on Registry, which
// /metrics serves (on PORTAL_METRICS_ADDR when set, else on the main
// listener).
//
// Domains feed it in one of two ways:
//
//	metrics.OverdueItems.WithLabelValues("applications").Set(n) // push a value
//	metrics.RegisterOverdue("applications", countOverdue)       // or be asked at each scrape
//	metrics.LoginFailed("bad_password")                         // count an event
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every portal metric plus the Go runtime and process ones.
var Registry = prometheus.NewRegistry()

var (
	// RequestDuration is the latency of HTTP requests by route template
	// (e.g. /api/v1/datasets/:id, never the raw path), method and status.
	RequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "portal",
		Name:      "http_request_duration_seconds",
		Help:      "Latency of HTTP requests by route template, method and status code.",
		Buckets:   []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method", "code"})

	// SearchDuration is the latency of search-engine queries (embedded or
	// Meilisearch), by outcome ("ok", "error").
	SearchDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "portal",
		Name:      "search_duration_seconds",
		Help:      "Latency of search index queries by outcome.",
		Buckets:   []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"outcome"})

	// OverdueItems is how many items of a domain are past their legal
	// deadline (applications, corrections, data requests …). Set it, or
	// register a counting function with RegisterOverdue.
	OverdueItems = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "portal",
		Name:      "overdue_items",
		Help:      "Items past their deadline, by domain.",
	}, []string{"domain"})

	// LoginFailures counts failed sign-ins by reason; accounts calls
	// LoginFailed.
	LoginFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "portal",
		Name:      "login_failures_total",
		Help:      "Failed sign-in attempts by reason.",
	}, []string{"reason"})

	outboxBacklog = prometheus.NewDesc("portal_outbox_backlog",
		"Outbox events not yet applied (search indexing, mail copies).", nil, nil)
	scrapeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "portal",
		Name:      "metrics_source_errors_total",
		Help:      "Scrape-time sources (outbox backlog, overdue counters) that failed.",
	}, []string{"source"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		RequestDuration, SearchDuration, LoginFailures,
		sources{},
	)
}

// LoginRoute is the sign-in route whose 401/403 and 429 answers Middleware
// counts as login failures ("bad_credentials", "throttled"). A domain that
// calls LoginFailed itself sets it to "" so nothing is counted twice.
var LoginRoute = "/api/v1/auth/login"

// LoginFailed counts one failed sign-in. Keep reason to a few fixed words
// ("bad_password", "unknown_account", "throttled", "disabled").
func LoginFailed(reason string) { LoginFailures.WithLabelValues(reason).Inc() }

// CountFunc counts something at scrape time. It gets a context that ends
// after a few seconds.
type CountFunc func(ctx context.Context) (int64, error)

var (
	mu      sync.Mutex
	backlog CountFunc
	overdue = map[string]CountFunc{}
)

// SetOutboxBacklog sets how the outbox backlog is counted (the app wires
// it; the last call wins).
func SetOutboxBacklog(f CountFunc) {
	mu.Lock()
	defer mu.Unlock()
	backlog = f
}

// RegisterOverdue makes portal_overdue_items{domain=…} come from count at
// each scrape. A later call for the same domain replaces the earlier one.
func RegisterOverdue(domain string, count CountFunc) {
	mu.Lock()
	defer mu.Unlock()
	overdue[domain] = count
}

// sources collects the scrape-time values: the outbox backlog and the
// overdue gauges (registered counters are refreshed, then OverdueItems is
// collected as a whole so pushed values show too).
type sources struct{}

func (sources) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxBacklog
	OverdueItems.Describe(ch)
	scrapeErrors.Describe(ch)
}

func (sources) Collect(ch chan<- prometheus.Metric) {
	mu.Lock()
	b := backlog
	funcs := make(map[string]CountFunc, len(overdue))
	for k, v := range overdue {
		funcs[k] = v
	}
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if b != nil {
		if n, err := b(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(outboxBacklog, prometheus.GaugeValue, float64(n))
		} else {
			scrapeErrors.WithLabelValues("outbox").Inc()
		}
	}
	for domain, f := range funcs {
		if n, err := f(ctx); err == nil {
			OverdueItems.WithLabelValues(domain).Set(float64(n))
		} else {
			scrapeErrors.WithLabelValues("overdue_" + domain).Inc()
		}
	}
	OverdueItems.Collect(ch)
	scrapeErrors.Collect(ch) // after this scrape's failures are counted
}

// Handler serves Registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}

// Echo serves Registry from an Echo route.
func Echo() echo.HandlerFunc { return echo.WrapHandler(Handler()) }

// Middleware times every request under its route template. Install it
// with e.Pre so it sees the final status (the error handler has run by the
// time the chain returns). Requests that match no route are labelled
// "unmatched" so scanners cannot blow up the number of series.
func Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			route := c.Path()
			if route == "" || route == "/api/*" || route == "/*" {
				route = "unmatched"
			}
			status := c.Response().Status
			if err != nil && !c.Response().Committed {
				// Not answered yet (an Echo without the portal's error
				// logging middleware): label with the status it will get.
				status = http.StatusInternalServerError
				var he *echo.HTTPError
				if errors.As(err, &he) {
					status = he.Code
				}
			}
			RequestDuration.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
			if route == LoginRoute && c.Request().Method == http.MethodPost {
				switch {
				case status == http.StatusTooManyRequests:
					LoginFailed("throttled")
				case status == http.StatusUnauthorized || status == http.StatusForbidden:
					LoginFailed("bad_credentials")
				}
			}
			return err
		}
	}
}

// ObserveSearch records one search query's latency.
func ObserveSearch(d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	SearchDuration.WithLabelValues(outcome).Observe(d.Seconds())
}
