package devapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// connWriter stands for net/http's response writer: it records what its
// ReadFrom was handed. net/http passes an *os.File (bare or in an
// io.LimitedReader) on to the TCP connection's ReadFrom, which is sendfile(2).
type connWriter struct {
	*httptest.ResponseRecorder
	readFromSrc []io.Reader
}

func (w *connWriter) ReadFrom(src io.Reader) (int64, error) {
	w.readFromSrc = append(w.readFromSrc, src)
	return io.Copy(w.ResponseRecorder, src)
}

type osContent struct{ *os.File }

func (c osContent) OSFile() *os.File { return c.File }

// The stored original goes through Echo's response (status recorded for
// the request log and metrics) while its body reaches the connection's
// ReadFrom as a file, so the kernel copies it.
func TestOriginalBodyReachesSendfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.csv")
	body := strings.Repeat("a,b,c\n", 1000)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := Representation{ETag: `"x"`, LastModified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, tc := range []struct {
		rng    string
		status int
		length int64
	}{{"", 200, int64(len(body))}, {"bytes=100-199", 206, 100}, {"bytes=-10", 206, 10}} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cw := &connWriter{ResponseRecorder: httptest.NewRecorder()}
		resp := echo.NewResponse(cw, echo.New())
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		status, n, err := ServeRanges(&committing{resp}, req, osContent{f}, int64(len(body)), rep)
		f.Close()
		if err != nil || status != tc.status || n != tc.length || int64(cw.Body.Len()) != tc.length {
			t.Fatalf("%q: status %d n %d body %d err %v", tc.rng, status, n, cw.Body.Len(), err)
		}
		if !resp.Committed || resp.Status != tc.status || cw.Code != tc.status {
			t.Errorf("%q: echo status %d committed %v, sent %d", tc.rng, resp.Status, resp.Committed, cw.Code)
		}
		if len(cw.readFromSrc) != 1 {
			t.Fatalf("%q: ReadFrom called %d times: the body was copied through a buffer", tc.rng, len(cw.readFromSrc))
		}
		src := cw.readFromSrc[0]
		if lr, ok := src.(*io.LimitedReader); ok {
			src = lr.R
		}
		if _, ok := src.(*os.File); !ok {
			t.Errorf("%q: ReadFrom got %T, not a file: no sendfile", tc.rng, cw.readFromSrc[0])
		}
	}
}
