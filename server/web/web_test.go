package web

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
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

// localizedEcho serves the kinds of errors a client can meet.
func localizedEcho() *echo.Echo {
	e := testEcho(Options{BodyLimit: "1K"})
	e.GET("/api/v1/page", func(c echo.Context) error {
		_, err := QueryInt(c, "page", 1, 1, 50)
		return err
	})
	e.POST("/api/v1/apply", func(c echo.Context) error {
		var v apperr.Validation
		v.Add("purpose", "%s is required", "purpose")
		v.Add("period_end", "period_end is in the past")
		v.Add("zzz", "a message no catalog knows")
		return v.Err()
	})
	e.POST("/api/v1/body", func(c echo.Context) error {
		var x map[string]any
		return DecodeJSON(c, &x)
	})
	e.GET("/api/v1/field", func(c echo.Context) error {
		return apperr.Field("dataset_ids", fmt.Sprintf("not catalog entries of this department: %s", "a, b"))
	})
	e.GET("/api/v1/boom", func(c echo.Context) error { return errors.New("disk on fire") })
	e.GET("/api/v1/busy", func(c echo.Context) error {
		return apperr.New(apperr.Unavailable, "this resource's table is being loaded; try again shortly")
	})
	e.GET("/api/v1/written", func(c echo.Context) error {
		return WriteError(c, http.StatusServiceUnavailable, ErrorDetail{Code: "use_not_recorded",
			Message: "the use of this data could not be recorded, so nothing was sent; try again later",
			Fields:  map[string]string{"file": "the file is larger than 2 MB"}})
	})
	return e
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	var b ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("decode %q: %v", rec.Body, err)
	}
	return b.Error
}

func TestErrorsInTheReadersLanguage(t *testing.T) {
	e := localizedEcho()
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		lang                     string // Content-Language
		message                  string
		fields                   map[string]string
	}{
		{"Chinese by default", "GET", "/api/v1/page?page=0", "", nil, 400, "zh-CN",
			"page 必须是 1 到 50 之间的整数", map[string]string{"page": "page 必须是 1 到 50 之间的整数"}},
		{"Accept-Language en", "GET", "/api/v1/page?page=0", "", map[string]string{"Accept-Language": "en-US,en;q=0.9"}, 400, "en",
			"page must be a whole number from 1 to 50", map[string]string{"page": "page must be a whole number from 1 to 50"}},
		{"Accept-Language zh", "GET", "/api/v1/page?page=0", "", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, 400, "zh-CN",
			"page 必须是 1 到 50 之间的整数", nil},
		{"?lang=en beats Accept-Language", "GET", "/api/v1/page?page=0&lang=en", "", map[string]string{"Accept-Language": "zh-CN"}, 400, "en",
			"page must be a whole number from 1 to 50", nil},
		{"cookie beats Accept-Language", "GET", "/api/v1/page?page=0", "", map[string]string{"Accept-Language": "en", "Cookie": "lang=zh"}, 400, "zh-CN",
			"page 必须是 1 到 50 之间的整数", nil},
		{"field messages, with the field's name as a term", "POST", "/api/v1/apply", "", nil, 400, "zh-CN",
			"提交的内容有误，请检查后重试", map[string]string{"purpose": "请填写申请用途", "period_end": "使用期限的结束日期已过", "zzz": "a message no catalog knows"}},
		{"field messages in English", "POST", "/api/v1/apply", "", map[string]string{"Accept-Language": "en"}, 400, "en",
			"validation failed", map[string]string{"purpose": "purpose is required", "period_end": "period_end is in the past"}},
		{"a field message rendered before", "GET", "/api/v1/field", "", nil, 400, "zh-CN",
			"以下不是该部门的目录：a, b", map[string]string{"dataset_ids": "以下不是该部门的目录：a, b"}},
		{"decoding errors", "POST", "/api/v1/body", "{", map[string]string{"Content-Type": "application/json"}, 400, "zh-CN", "JSON 格式有误", nil},
		{"empty body", "POST", "/api/v1/body", "", map[string]string{"Content-Type": "application/json"}, 400, "zh-CN", "请求内容为空", nil},
		{"too large (Echo's body limit)", "POST", "/api/v1/body", "[" + strings.Repeat(" ", 2048) + "]", map[string]string{"Content-Type": "application/json"}, 413, "zh-CN", "请求内容过大", nil},
		{"unknown route (Echo)", "GET", "/api/v1/nope", "", nil, 404, "zh-CN", "未找到", nil},
		{"unknown route in English", "GET", "/api/v1/nope", "", map[string]string{"Accept-Language": "en"}, 404, "en", "Not Found", nil},
		{"undeclared method", "DELETE", "/api/v1/page", "", nil, 404, "zh-CN", "未找到", nil},
		{"internal errors say nothing more", "GET", "/api/v1/boom", "", nil, 500, "zh-CN", "服务器内部错误，请稍后再试", nil},
		{"internal errors in English", "GET", "/api/v1/boom", "", map[string]string{"Accept-Language": "en"}, 500, "en", "internal error", nil},
		{"unavailable", "GET", "/api/v1/busy", "", nil, 503, "zh-CN", "服务暂不可用，请稍后再试", nil},
		{"written by a handler", "GET", "/api/v1/written", "", nil, 503, "zh-CN",
			"本次数据使用未能记录，因此没有发送数据，请稍后再试", map[string]string{"file": "文件不能超过 2 MB"}},
		{"written by a handler, English", "GET", "/api/v1/written?lang=en", "", nil, 503, "en",
			"the use of this data could not be recorded, so nothing was sent; try again later", map[string]string{"file": "the file is larger than 2 MB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			rec := serve(e, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Content-Language"); got != tc.lang {
				t.Errorf("Content-Language %q, want %q", got, tc.lang)
			}
			if vary := strings.Join(rec.Header().Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language", vary)
			}
			d := errorOf(t, rec)
			if d.Message != tc.message {
				t.Errorf("message %q, want %q", d.Message, tc.message)
			}
			for k, want := range tc.fields {
				if d.Fields[k] != want {
					t.Errorf("fields[%s] = %q, want %q", k, d.Fields[k], want)
				}
			}
		})
	}
}

// Vary names Accept-Language once, also when a handler set it already.
func TestVaryOnce(t *testing.T) {
	e := localizedEcho()
	e.GET("/api/v1/vary", func(c echo.Context) error {
		c.Response().Header().Add("Vary", "Accept-Language")
		return apperr.New(apperr.NotFound, "dataset not found")
	})
	rec := serve(e, httptest.NewRequest(http.MethodGet, "/api/v1/vary", nil))
	if got := rec.Header().Values("Vary"); len(got) != 1 {
		t.Errorf("Vary %q, want Accept-Language once", got)
	}
	if d := errorOf(t, rec); d.Message != "未找到该数据集" {
		t.Errorf("message %q", d.Message)
	}
}
