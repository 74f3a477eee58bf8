package frontend

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGzipAssetsAndPages(t *testing.T) {
	e := newEcho()
	plain := get(t, e, http.MethodGet, "/static/css/site.css")
	req := httptest.NewRequest(http.MethodGet, "/static/css/site.css", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("site.css not compressed: %v", rec.Header())
	}
	if rec.Body.Len() >= plain.Body.Len()/2 {
		t.Errorf("compressed %d bytes of %d", rec.Body.Len(), plain.Body.Len())
	}
	if !bytes.Equal(gunzip(t, rec.Body.Bytes()), plain.Body.Bytes()) {
		t.Fatal("gzip body differs from the plain one")
	}
	if rec.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Error("compressed and plain bodies share an ETag")
	}
	// 304 for the compressed validator.
	req = httptest.NewRequest(http.MethodGet, "/static/css/site.css", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	e.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusNotModified {
		t.Errorf("If-None-Match on gzip ETag: %d", rec2.Code)
	}
	// q=0 refuses gzip.
	req = httptest.NewRequest(http.MethodGet, "/static/css/site.css", nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0")
	rec3 := httptest.NewRecorder()
	e.ServeHTTP(rec3, req)
	if rec3.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
	// A page shell.
	req = httptest.NewRequest(http.MethodGet, "/login", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec4 := httptest.NewRecorder()
	e.ServeHTTP(rec4, req)
	if rec4.Header().Get("Content-Encoding") != "gzip" || !bytes.Contains(gunzip(t, rec4.Body.Bytes()), []byte("<main")) {
		t.Errorf("page not served compressed: %v", rec4.Header())
	}
}

func TestLanguageOfShells(t *testing.T) {
	e := newEcho()
	for _, c := range []struct{ target, accept, cookie, want, h1 string }{
		{"/login", "", "", `<html lang="zh-CN">`, "登录"},
		{"/login", "en-US,en;q=0.9", "", `<html lang="en">`, "Log in"},
		{"/login?lang=zh", "en", "", `<html lang="zh-CN">`, "登录"},
		{"/login", "en", "lang=zh", `<html lang="zh-CN">`, "登录"},
		{"/login?lang=en", "", "", `<html lang="en">`, "Log in"},
	} {
		req := httptest.NewRequest(http.MethodGet, c.target, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		if c.cookie != "" {
			req.Header.Set("Cookie", c.cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		body := rec.Body.String()
		if !strings.Contains(body, c.want) || !strings.Contains(body, c.h1) {
			t.Errorf("%s (Accept-Language %q, cookie %q): want %s and %q", c.target, c.accept, c.cookie, c.want, c.h1)
		}
		if strings.Contains(c.target, "lang=") != strings.Contains(rec.Header().Get("Set-Cookie"), "lang=") {
			t.Errorf("%s: Set-Cookie %q", c.target, rec.Header().Get("Set-Cookie"))
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
			t.Errorf("%s: Vary %q", c.target, rec.Header().Get("Vary"))
		}
	}
}

func TestInlineStyleHash(t *testing.T) {
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'")
			return next(c)
		}
	})
	r, err := NewRenderer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	Register(e, r)
	for _, target := range []string{"/login", "/console", "/developers?lang=en"} {
		rec := get(t, e, http.MethodGet, target)
		body := rec.Body.String()
		i, j := strings.Index(body, "<style>"), strings.Index(body, "</style>")
		if i < 0 || j < i {
			t.Fatalf("%s: no inline stylesheet", target)
		}
		css := body[i+len("<style>") : j]
		if !strings.Contains(css, ".site-header") {
			t.Errorf("%s: the inline stylesheet lacks site.css", target)
		}
		sum := sha256.Sum256([]byte(css))
		want := "style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q does not admit the inline stylesheet (%s)", target, csp, want)
		}
		if strings.Contains(body, `rel="stylesheet"`) {
			t.Errorf("%s: still links a render-blocking stylesheet", target)
		}
	}
}
