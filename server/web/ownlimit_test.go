package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestOwnBodyLimit: a route marked OwnBodyLimit reads a body larger than
// the global limit; other routes still get 413.
func TestOwnBodyLimit(t *testing.T) {
	e := New(Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "1K"})
	r := NewRouter(e, nil)
	count := func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, strconv.Itoa(len(b)))
	}
	r.POST("/own/:id", Public, count, OwnBodyLimit)
	r.POST("/plain/:id", Public, count)
	for _, tc := range []struct {
		path   string
		status int
	}{{"/own/1", http.StatusOK}, {"/plain/1", http.StatusRequestEntityTooLarge}} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(strings.Repeat("x", 5000))))
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.path, rec.Code, tc.status, rec.Body)
		}
		if tc.status == http.StatusOK && rec.Body.String() != "5000" {
			t.Errorf("%s read %s bytes", tc.path, rec.Body)
		}
	}
}
