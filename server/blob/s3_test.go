package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/blob/s3test"
)

func summary(reqs []s3test.Request) []string {
	var out []string
	for _, r := range reqs {
		s := r.Method + " " + r.Path
		if r.Range != "" {
			s += " " + r.Range
		}
		out = append(out, s+" "+http.StatusText(r.Status))
	}
	return out
}

// TestS3Conversation pins the requests behind each operation: a Put asks
// before it uploads, a duplicate is never uploaded again, Open is one HEAD
// and reads are ranged GETs that stream while the reader moves forward.
func TestS3Conversation(t *testing.T) {
	ctx := context.Background()
	h, fake := s3Harness(t)
	fake.Requests()
	data := content(200_000, 9)
	key := keyOf(data)
	path := "/" + fake.Bucket + "/" + key

	var obj blob.Object
	defer func() {
		if obj != nil {
			obj.Close()
		}
	}()
	for _, step := range []struct {
		name string
		do   func(t *testing.T)
		want []string
	}{
		{"put", func(t *testing.T) {
			if st, err := h.store.Put(ctx, bytes.NewReader(data), 0); err != nil || st.Key != key {
				t.Fatalf("%+v %v", st, err)
			}
		}, []string{"HEAD " + path + " Not Found", "PUT " + path + " OK"}},
		{"duplicate put", func(t *testing.T) {
			if st, err := h.store.Put(ctx, bytes.NewReader(data), 0); err != nil || st.Key != key {
				t.Fatalf("%+v %v", st, err)
			}
		}, []string{"HEAD " + path + " OK"}},
		{"open", func(t *testing.T) {
			var err error
			if obj, err = h.store.Open(ctx, key); err != nil {
				t.Fatal(err)
			}
			if !obj.ModTime().Equal(s3test.Epoch) || obj.Size() != int64(len(data)) {
				t.Errorf("ModTime %v Size %d, want %v %d", obj.ModTime(), obj.Size(), s3test.Epoch, len(data))
			}
		}, []string{"HEAD " + path + " OK"}},
		{"seek and read pieces in order", func(t *testing.T) {
			buf := make([]byte, 32<<10)
			for off := int64(1000); off < 150_000; off += int64(len(buf)) {
				if _, err := obj.Seek(off, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(obj, buf); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf, data[off:off+int64(len(buf))]) {
					t.Fatalf("bytes at %d differ", off)
				}
			}
		}, []string{"GET " + path + " bytes=1000- Partial Content"}},
		{"jump back to the start", func(t *testing.T) {
			obj.Seek(0, io.SeekStart)
			got, err := io.ReadAll(obj)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, %v", len(got), err)
			}
		}, []string{"GET " + path + " OK"}},
		{"size by seeking to the end costs nothing", func(t *testing.T) {
			if n, _ := obj.Seek(0, io.SeekEnd); n != int64(len(data)) {
				t.Fatalf("end at %d", n)
			}
		}, nil},
		{"exists", func(t *testing.T) {
			if ok, err := h.store.Exists(ctx, key); !ok || err != nil {
				t.Fatalf("%v %v", ok, err)
			}
		}, []string{"HEAD " + path + " OK"}},
	} {
		step.do(t)
		if got := summary(fake.Requests()); !slices.Equal(got, step.want) {
			t.Errorf("%s: %q, want %q", step.name, got, step.want)
		}
	}
}

// TestS3LargeFileMultipart: past the SDK's 16 MiB threshold the upload is
// multipart, which S3 only shows once it is completed.
func TestS3LargeFileMultipart(t *testing.T) {
	ctx := context.Background()
	h, fake := s3Harness(t)
	data := content(17<<20, 11)
	fake.Requests()
	st, err := h.store.Put(ctx, bytes.NewReader(data), 32<<20)
	if err != nil || st.Key != keyOf(data) || st.Size != int64(len(data)) {
		t.Fatalf("%+v %v", st, err)
	}
	var parts int
	var completed bool
	for _, r := range fake.Requests() {
		parts += boolInt(r.Method == "PUT" && strings.Contains(r.Query, "partNumber="))
		completed = completed || (r.Method == "POST" && strings.Contains(r.Query, "uploadId="))
	}
	if parts < 2 || !completed {
		t.Errorf("%d parts, completed %v: not a multipart upload", parts, completed)
	}
	obj, err := h.store.Open(ctx, st.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil || sum(got) != st.SHA256 {
		t.Errorf("read back %d bytes (%v), sha256 %s", len(got), err, sum(got))
	}
	noTemp(t, h)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// brokenPut answers every PUT the way S3 answers a body cut short, after
// reading part of it: the upload fails on the wire.
type brokenPut struct{ next http.RoundTripper }

func (b brokenPut) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPut {
		return b.next.RoundTrip(r)
	}
	if r.Body != nil {
		io.CopyN(io.Discard, r.Body, 1000)
		r.Body.Close()
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>IncompleteBody</Code><Message>You did not provide the number of bytes specified by the Content-Length HTTP header</Message></Error>`
	return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// TestS3FailuresLeaveNothing: an upload cut off on the wire, wrong
// credentials and a missing bucket all fail Put (or Check) with an error
// and leave neither an object nor a staged file.
func TestS3FailuresLeaveNothing(t *testing.T) {
	ctx := context.Background()
	fake := s3test.New(t, "portal-files")
	good := blob.S3Config{Bucket: fake.Bucket, Endpoint: fake.URL, Region: fake.Region, PathStyle: true, AccessKey: fake.AccessKey, SecretKey: fake.SecretKey}
	for _, tc := range []struct {
		name  string
		edit  func(c *blob.S3Config)
		check string // what Check says, "" = fine
	}{
		{"upload cut off", func(c *blob.S3Config) { c.HTTPClient = &http.Client{Transport: brokenPut{http.DefaultTransport}} }, ""},
		{"unknown access key", func(c *blob.S3Config) { c.AccessKey = "someone-else" }, "not reachable"},
		{"missing bucket", func(c *blob.S3Config) { c.Bucket = "no-such-bucket" }, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.TmpDir = filepath.Join(t.TempDir(), "staging")
			tc.edit(&c)
			s, err := blob.OpenS3(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Check(ctx); (err == nil) != (tc.check == "") || (err != nil && !strings.Contains(err.Error(), tc.check)) {
				t.Errorf("Check: %v, want %q", err, tc.check)
			}
			if _, err := s.Put(ctx, bytes.NewReader(content(40_000, 12)), 0); err == nil || errors.Is(err, blob.ErrTooLarge) {
				t.Errorf("Put: %v", err)
			}
			if keys := fake.Keys(t); len(keys) != 0 {
				t.Errorf("objects left: %v", keys)
			}
			noTemp(t, harness{tmpDir: c.TmpDir})
		})
	}
}

// TestS3ObjectGoneAfterOpen: a read after the object vanished says so.
func TestS3ObjectGoneAfterOpen(t *testing.T) {
	ctx := context.Background()
	h, fake := s3Harness(t)
	st, err := h.store.Put(ctx, strings.NewReader("name,value\na,1\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := h.store.Open(ctx, st.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if _, err := fake.Backend.DeleteObject(fake.Bucket, st.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(obj); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("read: %v, want ErrNotFound", err)
	}
}
