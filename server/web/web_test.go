package web

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func testEcho(o Options) *echo.Echo {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := New(o)
	e.GET("/page", func(c echo.Context) error { return c.String(http.StatusOK, "<p>hi</p>") })
	e.GET("/ip", func(c echo.Context) error { return c.String(http.StatusOK, c.RealIP()) })
	e.GET("/file", func(c echo.Context) error {
		return ServeAttachment(c, "报表/2024 \"final\".html", "text/html", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), strings.NewReader("0123456789"))
	})
	e.GET("/raw-attachment", func(c echo.Context) error {
		c.Response().Header().Set("Content-Disposition", ContentDisposition("a.csv"))
		return c.Blob(http.StatusOK, "text/csv", []byte("a,b\n"))
	})
	return e
}

func serve(e *echo.Echo, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	return rec
}

func TestSecurityHeaders(t *testing.T) {
	e := testEcho(Options{})
	rec := serve(e, httptest.NewRequest(http.MethodGet, "/page", nil))
	want := map[string]string{
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "strict-origin-when-cross-origin",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

func TestHSTS(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name   string
		opts   Options
		remote string
		xfp    string
		tls    bool
		want   bool
	}{
		{"plain http", Options{}, "192.0.2.1:1234", "", false, false},
		{"https public URL", Options{TLS: true}, "192.0.2.1:1234", "", false, true},
		{"TLS connection", Options{}, "192.0.2.1:1234", "", true, true},
		{"forwarded https from a trusted proxy", Options{TrustedProxies: proxy}, "10.1.2.3:5555", "https", false, true},
		{"forwarded https from anyone else", Options{TrustedProxies: proxy}, "192.0.2.1:1234", "https", false, false},
		{"forwarded https, no proxy trusted", Options{}, "10.1.2.3:5555", "https", false, false},
		{"forwarded http from a trusted proxy", Options{TrustedProxies: proxy}, "10.1.2.3:5555", "http", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := testEcho(tc.opts)
			r := httptest.NewRequest(http.MethodGet, "/page", nil)
			r.RemoteAddr = tc.remote
			if tc.xfp != "" {
				r.Header.Set("X-Forwarded-Proto", tc.xfp)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			got := serve(e, r).Header().Get("Strict-Transport-Security")
			if (got != "") != tc.want {
				t.Errorf("HSTS = %q, want present=%v", got, tc.want)
			}
			if tc.want && !strings.Contains(got, "max-age=31536000") {
				t.Errorf("HSTS = %q", got)
			}
		})
	}
}

// The client address (login throttling, audit) comes from X-Forwarded-For
// only when the TCP peer is a trusted proxy.
func TestClientAddress(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     string
		want    string
	}{
		{"direct", nil, "192.0.2.7:1000", "", "192.0.2.7"},
		{"spoofed header, no proxy trusted", nil, "192.0.2.7:1000", "203.0.113.9", "192.0.2.7"},
		{"loopback is not trusted by default", nil, "127.0.0.1:1000", "203.0.113.9", "127.0.0.1"},
		{"trusted proxy", proxy, "10.0.0.2:1000", "203.0.113.9", "203.0.113.9"},
		{"trusted proxy, client prepends a fake", proxy, "10.0.0.2:1000", "198.51.100.1, 203.0.113.9", "203.0.113.9"},
		{"untrusted peer with a header", proxy, "192.0.2.7:1000", "203.0.113.9", "192.0.2.7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := testEcho(Options{TrustedProxies: tc.trusted})
			r := httptest.NewRequest(http.MethodGet, "/ip", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := serve(e, r).Body.String(); got != tc.want {
				t.Errorf("client address %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAttachments(t *testing.T) {
	e := testEcho(Options{})
	rec := serve(e, httptest.NewRequest(http.MethodGet, "/file", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "0123456789" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	h := rec.Header()
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, "/") || !strings.Contains(cd, "filename*=UTF-8''%E6%8A%A5%E8%A1%A8_2024%20%22final%22.html") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := h.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("an HTML upload must not be served as HTML: %q", ct)
	}
	if h.Get("Content-Security-Policy") != attachmentCSP || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("CSP %q nosniff %q", h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
	}
	r := httptest.NewRequest(http.MethodGet, "/file", nil)
	r.Header.Set("Range", "bytes=2-4")
	if rec := serve(e, r); rec.Code != http.StatusPartialContent || rec.Body.String() != "234" {
		t.Errorf("range: %d %q", rec.Code, rec.Body.String())
	}
	// Any handler's attachment gets the sandbox policy, not the page policy.
	rec = serve(e, httptest.NewRequest(http.MethodGet, "/raw-attachment", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != attachmentCSP {
		t.Errorf("attachment CSP %q", got)
	}
	if got := ContentDisposition(""); !strings.Contains(got, `filename=download`) {
		t.Errorf("empty name: %q", got)
	}
}

// Every answer carries a request id, and the JSON request log line has it:
// a caller's short id is kept (a proxy's trace id), anything else replaced.
func TestRequestIDs(t *testing.T) {
	var logs strings.Builder
	e := testEcho(Options{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	cases := []struct {
		name, sent string
		keep       bool
	}{
		{"none", "", false},
		{"proxy trace id", "abc-123_x.y:z", true},
		{"too long", strings.Repeat("a", 65), false},
		{"log injection", "x\n{\"msg\":\"forged\"}", false},
		{"spaces", "a b", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			r := httptest.NewRequest(http.MethodGet, "/page", nil)
			if tc.sent != "" {
				r.Header.Set("X-Request-Id", tc.sent)
			}
			id := serve(e, r).Header().Get("X-Request-Id")
			if tc.keep && id != tc.sent {
				t.Errorf("id %q, want the caller's %q", id, tc.sent)
			}
			if !tc.keep && (id == "" || id == tc.sent || !validRequestID(id)) {
				t.Errorf("id %q for sent %q", id, tc.sent)
			}
			line := logs.String()
			if !strings.Contains(line, `"msg":"request"`) || !strings.Contains(line, `"request_id":"`+id+`"`) || !strings.Contains(line, `"route":"/page"`) || strings.Count(line, "\n") != 1 {
				t.Errorf("request log %q lacks the id %q", line, id)
			}
		})
	}
}

// TestPathID: a malformed or zero id is the caller's not-found error, so it
// looks exactly like a missing object.
func TestPathID(t *testing.T) {
	notFound := errors.New("not found")
	e := echo.New()
	for raw, want := range map[string]uint64{"12": 12, "18446744073709551615": 18446744073709551615, "0": 0, "-1": 0, "x": 0, "1.5": 0, "": 0, "18446744073709551616": 0} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
		c.SetParamNames("id")
		c.SetParamValues(raw)
		got, err := PathID(c, notFound)
		if want == 0 && (err != notFound || got != 0) {
			t.Errorf("PathID(%q) = %d, %v; want the not-found error", raw, got, err)
		}
		if want != 0 && (err != nil || got != want) {
			t.Errorf("PathID(%q) = %d, %v; want %d", raw, got, err, want)
		}
	}
}
