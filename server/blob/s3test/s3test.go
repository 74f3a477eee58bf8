// Package s3test runs an in-process S3 server (gofakes3 with its in-memory
// backend) on a loopback httptest server, so the S3 store is tested over
// the real S3 protocol: signed requests, HEAD, ranged GET, PUT, multipart.
package s3test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Epoch is the fake server's clock: every object's LastModified.
var Epoch = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// Request is one request the server answered.
type Request struct {
	Method, Path, Query, Range string
	Status                     int
}

// Server is a fake S3 service with one bucket.
type Server struct {
	URL       string // http://127.0.0.1:port
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	Backend   *s3mem.Backend

	mu       sync.Mutex
	requests []Request
}

// New starts a fake S3 server holding an empty bucket; it stops when the
// test ends. Requests not signed with AccessKey are refused (gofakes3 does
// not check signatures itself), so a test proves the credentials reached
// the client.
func New(t testing.TB, bucket string) *Server {
	t.Helper()
	clock := gofakes3.FixedTimeSource(Epoch)
	backend := s3mem.New(s3mem.WithTimeSource(clock))
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("s3test: create bucket: %v", err)
	}
	faker := gofakes3.New(backend,
		gofakes3.WithTimeSource(clock),
		gofakes3.WithTimeSkewLimit(0), // the clock is fixed; requests are signed with the real time
		gofakes3.WithLogger(gofakes3.DiscardLog()),
	)
	s := &Server{Bucket: bucket, Region: "cn-north-1", AccessKey: "portal-test-key", SecretKey: "portal-test-secret", Backend: backend}
	inner := faker.Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Logged when the status goes out, before a streamed body ends.
		rec := &statusRecorder{ResponseWriter: w, log: func(status int) {
			s.mu.Lock()
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Range: r.Header.Get("Range"), Status: status})
			s.mu.Unlock()
		}}
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+s.AccessKey+"/") {
			rec.Header().Set("Content-Type", "application/xml")
			rec.WriteHeader(http.StatusForbidden)
			_, _ = rec.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
			return
		}
		inner.ServeHTTP(rec, r)
		rec.WriteHeader(http.StatusOK) // logs a handler that wrote nothing
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// BlobURL is the PORTAL_BLOB_URL that points at this server.
func (s *Server) BlobURL() string {
	q := url.Values{"endpoint": {s.URL}, "region": {s.Region}, "use_path_style": {"true"}}
	return "s3://" + s.Bucket + "?" + q.Encode()
}

// Env is the portal configuration that stores files here.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"PORTAL_BLOB_URL":        s.BlobURL(),
		"PORTAL_BLOB_ACCESS_KEY": s.AccessKey,
		"PORTAL_BLOB_SECRET_KEY": s.SecretKey,
	}
}

// Keys lists the objects in the bucket, sorted.
func (s *Server) Keys(t testing.TB) []string {
	t.Helper()
	list, err := s.Backend.ListBucket(s.Bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatalf("s3test: list: %v", err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	return keys
}

// Requests returns the requests answered so far and forgets them.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

type statusRecorder struct {
	http.ResponseWriter
	log   func(status int)
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.wrote {
		return
	}
	r.wrote = true
	r.log(code)
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
