package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hlj-opendata/portal/server/apperr"
)

// TestClientGone: a request whose client went away (its context cancelled
// while the database works, or a broken pipe while writing) is logged as
// "client gone" at INFO, answered with no body and no 500; an unrelated
// cancellation on a live request is still an internal error.
func TestClientGone(t *testing.T) {
	db, err := gorm.Open(sqlite.Open(":memory:"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	slow := func(c echo.Context) error {
		var n int64
		// Takes a second or so: the client hangs up meanwhile. (This driver
		// may finish the statement; database/sql then reports the cancel.)
		err := db.WithContext(c.Request().Context()).
			Raw("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i < 3000000) SELECT COUNT(*) FROM r").Scan(&n).Error
		if err != nil {
			return apperr.Internalf(err, "count")
		}
		return c.JSON(http.StatusOK, n)
	}
	cases := []struct {
		name    string
		handler echo.HandlerFunc
		cancel  bool // the client hangs up while the handler works
		gone    bool
	}{
		{"database query cancelled", slow, true, true},
		{"context cancelled", func(c echo.Context) error {
			<-c.Request().Context().Done()
			return apperr.Internalf(fmt.Errorf("search: %w", c.Request().Context().Err()), "list")
		}, true, true},
		{"broken pipe", func(c echo.Context) error {
			return fmt.Errorf("write answer: %w", &os.SyscallError{Syscall: "write", Err: syscall.EPIPE})
		}, false, true},
		{"connection reset", func(c echo.Context) error {
			return fmt.Errorf("write answer: %w", syscall.ECONNRESET)
		}, false, true},
		{"cancelled inside, client still there", func(c echo.Context) error {
			return apperr.Internalf(context.Canceled, "a job the server cancelled")
		}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			e := testEcho(Options{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			e.GET("/work", tc.handler)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			rec := serve(e, httptest.NewRequest(http.MethodGet, "/work", nil).WithContext(ctx))
			out := logs.String()
			if !tc.gone {
				if rec.Code != http.StatusInternalServerError || !strings.Contains(out, "level=ERROR") || strings.Contains(out, "client gone") {
					t.Fatalf("status %d, log:\n%s\nwant a 500 logged at ERROR", rec.Code, out)
				}
				return
			}
			if rec.Code != StatusClientClosed || rec.Body.Len() != 0 {
				t.Errorf("status %d body %q, want %d and no body", rec.Code, rec.Body.String(), StatusClientClosed)
			}
			if strings.Contains(out, "level=ERROR") || !strings.Contains(out, `level=INFO msg="client gone"`) {
				t.Errorf("log:\n%s\nwant \"client gone\" at INFO and no ERROR", out)
			}
		})
	}
}
