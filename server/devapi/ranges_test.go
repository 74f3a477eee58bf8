package devapi

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RFC 9110 §13–14 cases against a 100-byte representation.
func TestRangesAndConditionals(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 10))
	lm := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	rep := Representation{ETag: `"abc"`, LastModified: lm}
	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		status  int
		body    string   // expected single body (when not multipart)
		parts   []string // expected multipart bodies, in order
		crange  string   // expected Content-Range
	}{
		{name: "whole", status: 200, body: string(body)},
		{name: "first ten", headers: map[string]string{"Range": "bytes=0-9"}, status: 206, body: "0123456789", crange: "bytes 0-9/100"},
		{name: "open end", headers: map[string]string{"Range": "bytes=95-"}, status: 206, body: "56789", crange: "bytes 95-99/100"},
		{name: "suffix", headers: map[string]string{"Range": "bytes=-3"}, status: 206, body: "789", crange: "bytes 97-99/100"},
		{name: "suffix longer than file", headers: map[string]string{"Range": "bytes=-500"}, status: 206, body: string(body), crange: "bytes 0-99/100"},
		{name: "last beyond end is clamped", headers: map[string]string{"Range": "bytes=98-1000"}, status: 206, body: "89", crange: "bytes 98-99/100"},
		{name: "suffix -0 is unsatisfiable", headers: map[string]string{"Range": "bytes=-0"}, status: 416, crange: "bytes */100"},
		{name: "start past end", headers: map[string]string{"Range": "bytes=100-"}, status: 416, crange: "bytes */100"},
		{name: "one satisfiable among unsatisfiable", headers: map[string]string{"Range": "bytes=200-300, 0-1"}, status: 206, body: "01", crange: "bytes 0-1/100"},
		{name: "two ranges in asked order", headers: map[string]string{"Range": "bytes=50-52, 0-1"}, status: 206, parts: []string{"012", "01"}},
		{name: "overlapping ranges coalesce", headers: map[string]string{"Range": "bytes=0-4, 2-6, 3-9"}, status: 206, body: "0123456789", crange: "bytes 0-9/100"},
		{name: "adjacent and separate", headers: map[string]string{"Range": "bytes=0-1,2-3,90-91"}, status: 206, parts: []string{"0123", "01"}},
		{name: "too many ranges", headers: map[string]string{"Range": "bytes=" + strings.Repeat("1-1,3-3,", 17) + "5-5"}, status: 416},
		{name: "unknown unit is ignored", headers: map[string]string{"Range": "items=0-1"}, status: 200, body: string(body)},
		{name: "bad syntax is ignored", headers: map[string]string{"Range": "bytes=a-b"}, status: 200, body: string(body)},
		{name: "last before first is ignored", headers: map[string]string{"Range": "bytes=9-1"}, status: 200, body: string(body)},
		{name: "empty list elements", headers: map[string]string{"Range": "bytes=,0-1,"}, status: 206, body: "01"},
		{name: "HEAD with range", method: "HEAD", headers: map[string]string{"Range": "bytes=0-1"}, status: 200},
		{name: "If-Range same etag", headers: map[string]string{"Range": "bytes=0-1", "If-Range": `"abc"`}, status: 206, body: "01"},
		{name: "If-Range other etag", headers: map[string]string{"Range": "bytes=0-1", "If-Range": `"old"`}, status: 200, body: string(body)},
		{name: "If-Range weak etag never matches", headers: map[string]string{"Range": "bytes=0-1", "If-Range": `W/"abc"`}, status: 200, body: string(body)},
		{name: "If-Range same date", headers: map[string]string{"Range": "bytes=0-1", "If-Range": date(lm)}, status: 206, body: "01"},
		{name: "If-Range older date", headers: map[string]string{"Range": "bytes=0-1", "If-Range": date(lm.Add(-time.Hour))}, status: 200, body: string(body)},
		{name: "If-None-Match match", headers: map[string]string{"If-None-Match": `"x", "abc"`}, status: 304},
		{name: "If-None-Match weak match", headers: map[string]string{"If-None-Match": `W/"abc"`}, status: 304},
		{name: "If-None-Match star", headers: map[string]string{"If-None-Match": "*"}, status: 304},
		{name: "If-None-Match other", headers: map[string]string{"If-None-Match": `"zzz"`}, status: 200, body: string(body)},
		{name: "If-Modified-Since same", headers: map[string]string{"If-Modified-Since": date(lm)}, status: 304},
		{name: "If-Modified-Since older", headers: map[string]string{"If-Modified-Since": date(lm.Add(-time.Second))}, status: 200, body: string(body)},
		{name: "If-None-Match wins over If-Modified-Since", headers: map[string]string{"If-None-Match": `"zzz"`, "If-Modified-Since": date(lm)}, status: 200, body: string(body)},
		{name: "If-Match other fails", headers: map[string]string{"If-Match": `"zzz"`}, status: 412},
		{name: "If-Match weak fails strong comparison", headers: map[string]string{"If-Match": `W/"abc"`}, status: 412},
		{name: "If-Match same", headers: map[string]string{"If-Match": `"abc"`, "Range": "bytes=0-0"}, status: 206, body: "0"},
		{name: "If-Unmodified-Since older fails", headers: map[string]string{"If-Unmodified-Since": date(lm.Add(-time.Hour))}, status: 412},
		{name: "304 beats Range", headers: map[string]string{"If-None-Match": `"abc"`, "Range": "bytes=0-1"}, status: 304},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			r := httptest.NewRequest(method, "/x", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			w.Header().Set("Content-Type", "text/csv")
			switch Evaluate(r, rep) {
			case NotModified:
				w.WriteHeader(304)
			case PreconditionFailed:
				w.WriteHeader(412)
			default:
				if _, _, err := ServeRanges(w, r, bytes.NewReader(body), int64(len(body)), rep); err != nil {
					t.Fatal(err)
				}
			}
			res := w.Result()
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%q)", res.StatusCode, tc.status, got)
			}
			if tc.crange != "" && res.Header.Get("Content-Range") != tc.crange {
				t.Errorf("Content-Range %q, want %q", res.Header.Get("Content-Range"), tc.crange)
			}
			if tc.status == 206 || tc.status == 200 {
				if cl := res.Header.Get("Content-Length"); cl == "" {
					t.Error("no Content-Length")
				}
			}
			if tc.parts != nil {
				mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
				if err != nil || mt != "multipart/byteranges" {
					t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
				}
				if res.Header.Get("Content-Length") != strconv.Itoa(len(got)) {
					t.Errorf("Content-Length %s, body %d", res.Header.Get("Content-Length"), len(got))
				}
				mr := multipart.NewReader(bytes.NewReader(got), params["boundary"])
				var parts []string
				for {
					p, err := mr.NextPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if p.Header.Get("Content-Range") == "" || p.Header.Get("Content-Type") != "text/csv" {
						t.Errorf("part headers %v", p.Header)
					}
					b, _ := io.ReadAll(p)
					parts = append(parts, string(b))
				}
				if strings.Join(parts, "|") != strings.Join(tc.parts, "|") {
					t.Errorf("parts %q, want %q", parts, tc.parts)
				}
				return
			}
			if method == "GET" && tc.body != "" && string(got) != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
			if method == "HEAD" && len(got) != 0 {
				t.Errorf("HEAD sent a body")
			}
		})
	}
}

func TestJSONNumberAndEscaping(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "-1.5e3": true, "01": false, "1.": false, "NaN": false, "0x10": false, "1e": false, "": false, "12345678901234567890": true} {
		if IsJSONNumber(s) != want {
			t.Errorf("IsJSONNumber(%q) = %v", s, !want)
		}
	}
	got := string(appendJSONString(nil, "a\"b\\c\n\x01中\u2028"))
	if got != `"a\"b\\c\n\u0001中\u2028"` {
		t.Errorf("escaped %s", got)
	}
}
