package web

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Infrastructure failures, however a handler wrapped them, get the status
// that tells a client what to do: 503 + Retry-After (try again), 507 (the
// disk is full), never 500.
func TestFaultStatuses(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	enospc := &fs.PathError{Op: "write", Path: "/data/tmp/put-1", Err: syscall.ENOSPC}
	tests := []struct {
		name   string
		err    error
		status int
		code   apperr.Code
	}{
		{"bad connection", apperr.Internalf(driver.ErrBadConn, "load session"), 503, apperr.Unavailable},
		{"invalid connection", apperr.Internalf(mysql.ErrInvalidConn, "list"), 503, apperr.Unavailable},
		{"refused", apperr.Internalf(fmt.Errorf("store: %w", refused), "count"), 503, apperr.Unavailable},
		{"gone away", apperr.Internalf(&mysql.MySQLError{Number: 2006, Message: "MySQL server has gone away"}, "x"), 503, apperr.Unavailable},
		{"too many connections", apperr.Internalf(&mysql.MySQLError{Number: 1040, Message: "Too many connections"}, "x"), 503, apperr.Unavailable},
		{"ping deadline", apperr.Internalf(context.DeadlineExceeded, "ping"), 503, apperr.Unavailable},
		{"sqlite busy", apperr.Internalf(errors.New("database is locked (5) (SQLITE_BUSY)"), "insert"), 503, apperr.Unavailable},
		{"unwrapped driver error", driver.ErrBadConn, 503, apperr.Unavailable},
		{"blob ENOSPC", apperr.Internalf(fmt.Errorf("blob: write: %w", enospc), "store file"), 507, apperr.InsufficientStorage},
		{"spool ENOSPC under a 400", apperr.Wrap(apperr.Invalid, enospc, "the upload was interrupted"), 507, apperr.InsufficientStorage},
		{"sqlite full", apperr.Internalf(errors.New("database or disk is full (13) (SQLITE_FULL)"), "insert"), 507, apperr.InsufficientStorage},
		{"mariadb table full", apperr.Internalf(&mysql.MySQLError{Number: 1114, Message: "The table 'resources' is full"}, "insert"), 507, apperr.InsufficientStorage},
		// A client's own broken upload stays what its handler said.
		{"client reset under a 400", apperr.Wrap(apperr.Invalid, &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}, "the upload was interrupted"), 400, apperr.Invalid},
		{"other internal", apperr.Internalf(errors.New("template: boom"), "render"), 500, apperr.Internal},
		{"search unavailable", apperr.New(apperr.Unavailable, "search unavailable"), 503, apperr.Unavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testEcho(Options{})
			e.GET("/api/v1/x", func(c echo.Context) error { return tc.err })
			e.GET("/x", func(c echo.Context) error { return tc.err })
			for _, lang := range []string{"en", "zh"} {
				r := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
				r.Header.Set("Accept-Language", lang)
				rec := serve(e, r)
				if rec.Code != tc.status {
					t.Fatalf("%s: status %d, want %d: %s", lang, rec.Code, tc.status, rec.Body)
				}
				d := errorOf(t, rec)
				if d.Code != tc.code {
					t.Errorf("%s: code %q, want %q", lang, d.Code, tc.code)
				}
				want := map[apperr.Code]map[string]string{
					apperr.Unavailable:         {"en": "service unavailable, try again later", "zh": "服务暂不可用，请稍后再试"},
					apperr.InsufficientStorage: {"en": "there is no storage space left to keep this: nothing was saved, try again later", "zh": "存储空间已满，未能保存，请稍后再试"},
					apperr.Internal:            {"en": "internal error", "zh": "服务器内部错误，请稍后再试"},
				}[tc.code][lang]
				if want != "" && d.Message != want {
					t.Errorf("%s: message %q, want %q", lang, d.Message, want)
				}
				for _, leak := range []string{"ENOSPC", "no space left", "refused", "2006", "SQLITE", "/data/tmp"} {
					if strings.Contains(strings.ToLower(rec.Body.String()), strings.ToLower(leak)) {
						t.Errorf("%s: the body leaks %q: %s", lang, leak, rec.Body)
					}
				}
				ra := rec.Header().Get("Retry-After")
				if tc.status == 503 && ra != "5" {
					t.Errorf("503 with Retry-After %q, want 5", ra)
				}
				if tc.status != 503 && ra != "" {
					t.Errorf("%d with Retry-After %q", tc.status, ra)
				}
			}
			if tc.status < 500 {
				return
			}
			// A page reader gets an HTML page with the same status.
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			r.Header.Set("Accept", "text/html")
			r.Header.Set("Accept-Language", "zh-CN")
			rec := serve(e, r)
			if rec.Code != tc.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
			}
			if !strings.Contains(rec.Body.String(), `<html lang="zh-CN">`) {
				t.Errorf("page not in the reader's language: %s", rec.Body)
			}
			if tc.status == 503 && (!strings.Contains(rec.Body.String(), "服务暂不可用，请稍后再试") || rec.Header().Get("Retry-After") != "5") {
				t.Errorf("503 page: %s (Retry-After %q)", rec.Body, rec.Header().Get("Retry-After"))
			}
		})
	}
}

func TestRejectInvalidUTF8(t *testing.T) {
	e := testEcho(Options{BodyLimit: "1K"})
	var reached int
	var got map[string]any
	e.POST("/api/v1/json", func(c echo.Context) error {
		reached++
		got = nil
		if err := DecodeJSON(c, &got); err != nil {
			return err
		}
		return c.NoContent(http.StatusCreated)
	})
	e.POST("/api/v1/form", func(c echo.Context) error {
		reached++
		if _, err := c.FormParams(); err != nil {
			return err
		}
		return c.NoContent(http.StatusCreated)
	})
	e.GET("/api/v1/items/:name", func(c echo.Context) error {
		reached++
		return c.NoContent(http.StatusOK)
	})
	e.POST("/api/v1/upload", func(c echo.Context) error {
		reached++
		b, _ := io.ReadAll(c.Request().Body)
		return c.String(http.StatusCreated, fmt.Sprint(len(b)))
	}, OwnBodyLimit)
	ownLimitRoutes.Store("POST /api/v1/upload", true)

	multi := func(field, value string) (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField(field, value)
		_ = w.Close()
		return b.String(), w.FormDataContentType()
	}
	goodMulti, goodMultiCT := multi("title", "水质监测")
	badMulti, badMultiCT := multi("title", "水质\xff")
	fileMulti := func() (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		f, _ := w.CreateFormFile("file", "a.bin")
		f.Write([]byte("\xff\xfe binary"))
		_ = w.Close()
		return b.String(), w.FormDataContentType()
	}
	fileBody, fileCT := fileMulti()

	tests := []struct {
		name, method, target, ct, body string
		status                         int
		field                          string
	}{
		{"JSON valid", "POST", "/api/v1/json", "application/json", `{"title":"水质监测 \ud83d\ude00"}`, 201, ""},
		{"JSON raw invalid byte", "POST", "/api/v1/json", "application/json", "{\"title\":\"水质\xff\"}", 400, ""},
		{"JSON truncated rune", "POST", "/api/v1/json", "application/json", "{\"title\":\"\xe6\xb0\"}", 400, ""},
		{"JSON without content type", "POST", "/api/v1/json", "", "{\"title\":\"\xc0\xaf\"}", 400, ""},
		{"JSON lone surrogate escape", "POST", "/api/v1/json", "application/json", `{"title":"a\ud800b"}`, 400, ""},
		{"JSON lone low surrogate", "POST", "/api/v1/json", "application/json", `{"title":"\udc00"}`, 400, ""},
		{"JSON escaped backslash is not an escape", "POST", "/api/v1/json", "application/json", `{"title":"\\ud800"}`, 201, ""},
		{"query invalid", "GET", "/api/v1/items/a?q=%FF", "", "", 400, "q"},
		{"query key invalid", "GET", "/api/v1/items/a?%FF=1", "", "", 400, ""},
		{"query valid Chinese", "GET", "/api/v1/items/a?q=%E6%B0%B4", "", "", 200, ""},
		{"path invalid", "GET", "/api/v1/items/%FF", "", "", 400, ""},
		{"form invalid escape", "POST", "/api/v1/form", "application/x-www-form-urlencoded", "title=%FF&x=1", 400, "title"},
		{"form invalid raw byte", "POST", "/api/v1/form", "application/x-www-form-urlencoded", "title=\xff", 400, ""},
		{"form valid", "POST", "/api/v1/form", "application/x-www-form-urlencoded", "title=%E6%B0%B4", 201, ""},
		{"multipart text field invalid", "POST", "/api/v1/form", badMultiCT, badMulti, 400, "title"},
		{"multipart text field valid", "POST", "/api/v1/form", goodMultiCT, goodMulti, 201, ""},
		// File contents are the upload's business: its body is not read here.
		{"upload route body untouched", "POST", "/api/v1/upload", fileCT, fileBody, 201, ""},
		{"too large stays 413", "POST", "/api/v1/json", "application/json", `{"t":"` + strings.Repeat("x", 2000) + `"}`, 413, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reached = 0
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			r.Header.Set("Accept-Language", "en")
			rec := serve(e, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status >= 400 && reached != 0 {
				t.Errorf("the handler ran for a refused request")
			}
			if tc.status != 400 {
				if tc.name == "upload route body untouched" && rec.Body.String() != fmt.Sprint(len(fileBody)) {
					t.Errorf("the upload handler read %s bytes, want %d", rec.Body, len(fileBody))
				}
				return
			}
			d := errorOf(t, rec)
			if d.Code != apperr.Invalid || d.Message != "the request is not valid UTF-8" {
				t.Errorf("error %+v", d)
			}
			if tc.field != "" && d.Fields[tc.field] != tc.field+" is not valid UTF-8" {
				t.Errorf("fields %v, want %s named", d.Fields, tc.field)
			}
		})
	}

	// In Chinese too.
	r := httptest.NewRequest("GET", "/api/v1/items/a?q=%FF", nil)
	r.Header.Set("Accept-Language", "zh-CN")
	rec := serve(e, r)
	if d := errorOf(t, rec); rec.Code != 400 || d.Message != "请求内容不是有效的 UTF-8 编码" || d.Fields["q"] != "q 含有无效的字符（不是 UTF-8 编码）" {
		t.Errorf("zh: %d %+v", rec.Code, d)
	}
	// A valid body reaches the handler whole.
	r = httptest.NewRequest("POST", "/api/v1/json", strings.NewReader(`{"title":"水质监测"}`))
	r.Header.Set("Content-Type", "application/json")
	if rec := serve(e, r); rec.Code != 201 || got["title"] != "水质监测" {
		t.Errorf("valid body: %d %v", rec.Code, got)
	}
}

func TestCheckUTF8(t *testing.T) {
	if err := CheckUTF8("name", "数据.csv"); err != nil {
		t.Fatal(err)
	}
	err := CheckUTF8("name", "\xffdata.csv")
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields["name"] != "name is not valid UTF-8" {
		t.Fatalf("%v", err)
	}
}
