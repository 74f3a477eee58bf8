package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/blob/s3test"
)

// harness is one Store with ways to look behind it: the keys it holds
// and the folder where it stages Puts.
type harness struct {
	store  blob.Store
	keys   func(t *testing.T) []string
	tmpDir string
}

func localHarness(t *testing.T) harness {
	dir := t.TempDir()
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return harness{store: l, tmpDir: filepath.Join(dir, "tmp"), keys: func(t *testing.T) []string {
		var keys []string
		err := filepath.WalkDir(filepath.Join(dir, "sha256"), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				keys = append(keys, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		return keys
	}}
}

func s3Harness(t *testing.T) (harness, *s3test.Server) {
	fake := s3test.New(t, "portal-files")
	tmp := filepath.Join(t.TempDir(), "staging")
	s, err := blob.OpenS3(context.Background(), blob.S3Config{
		Bucket: fake.Bucket, Endpoint: fake.URL, Region: fake.Region, PathStyle: true,
		AccessKey: fake.AccessKey, SecretKey: fake.SecretKey, TmpDir: tmp,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	return harness{store: s, tmpDir: tmp, keys: func(t *testing.T) []string { return fake.Keys(t) }}, fake
}

// TestStoresConform runs the same behaviour against every Store, so the
// local folder and the S3 bucket stay interchangeable.
func TestStoresConform(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) harness
	}{
		{"local", localHarness},
		{"s3", func(t *testing.T) harness { h, _ := s3Harness(t); return h }},
	} {
		t.Run(tc.name, func(t *testing.T) { conformance(t, tc.open) })
	}
}

func content(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func keyOf(b []byte) string { s := sum(b); return "sha256/" + s[:2] + "/" + s }

func noTemp(t *testing.T, h harness) {
	t.Helper()
	entries, err := os.ReadDir(h.tmpDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("staging folder keeps %d files, first %s", len(entries), entries[0].Name())
	}
}

func conformance(t *testing.T, open func(t *testing.T) harness) {
	ctx := context.Background()

	t.Run("put open exists", func(t *testing.T) {
		h := open(t)
		data := content(70_000, 1)
		st, err := h.store.Put(ctx, bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := blob.Stored{Key: keyOf(data), Size: int64(len(data)), SHA256: sum(data)}
		if st != want || !blob.ValidKey(st.Key) {
			t.Fatalf("stored %+v, want %+v", st, want)
		}
		if ok, err := h.store.Exists(ctx, st.Key); !ok || err != nil {
			t.Errorf("Exists = %v, %v", ok, err)
		}
		obj, err := h.store.Open(ctx, st.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		got, err := io.ReadAll(obj)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(data))
		}
		if obj.Size() != int64(len(data)) || obj.ModTime().IsZero() {
			t.Errorf("Size %d ModTime %v", obj.Size(), obj.ModTime())
		}
		if keys := h.keys(t); !slices.Equal(keys, []string{st.Key}) {
			t.Errorf("keys %v", keys)
		}
		noTemp(t, h)
	})

	t.Run("same content is stored once", func(t *testing.T) {
		h := open(t)
		data := []byte("region,count\n哈尔滨,12\n")
		first, err := h.store.Put(ctx, bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		second, err := h.store.Put(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil || second != first {
			t.Fatalf("second put %+v %v, want %+v", second, err, first)
		}
		other, err := h.store.Put(ctx, strings.NewReader("other"), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{first.Key, other.Key}
		slices.Sort(want)
		if keys := h.keys(t); !slices.Equal(keys, want) {
			t.Errorf("keys %v, want %v", keys, want)
		}
		noTemp(t, h)
	})

	t.Run("empty content", func(t *testing.T) {
		h := open(t)
		st, err := h.store.Put(ctx, strings.NewReader(""), 10)
		if err != nil || st.Size != 0 || st.Key != keyOf(nil) {
			t.Fatalf("%+v %v", st, err)
		}
		obj, err := h.store.Open(ctx, st.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		if n, err := obj.Read(make([]byte, 8)); n != 0 || err != io.EOF || obj.Size() != 0 {
			t.Errorf("read %d %v size %d", n, err, obj.Size())
		}
	})

	t.Run("seek and read ranges", func(t *testing.T) {
		h := open(t)
		data := content(100_000, 2)
		st, err := h.store.Put(ctx, bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := h.store.Open(ctx, st.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		size := int64(len(data))
		for _, step := range []struct {
			name   string
			offset int64
			whence int
			n      int
			pos    int64 // position after the seek
		}{
			{"size by seeking to the end", 0, io.SeekEnd, 0, size},
			{"back to the start", 0, io.SeekStart, 10, 0},
			{"middle", 40_000, io.SeekStart, 5_000, 40_000},
			{"relative forward", 1_000, io.SeekCurrent, 64, 46_000},
			{"relative back", -100, io.SeekCurrent, 100, 45_964},
			{"last bytes", -7, io.SeekEnd, 7, size - 7},
			{"first byte again", 0, io.SeekStart, 1, 0},
		} {
			pos, err := obj.Seek(step.offset, step.whence)
			if err != nil || pos != step.pos {
				t.Fatalf("%s: seek = %d, %v; want %d", step.name, pos, err, step.pos)
			}
			got := make([]byte, step.n)
			if _, err := io.ReadFull(obj, got); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if !bytes.Equal(got, data[pos:pos+int64(step.n)]) {
				t.Errorf("%s: wrong bytes at %d", step.name, pos)
			}
		}
		// ReadAt-style access (what the download handler's adapter does):
		// seek to where the last read ended, read the next piece.
		var got []byte
		buf := make([]byte, 3_000)
		for off := int64(50_000); off < 62_000; off += int64(len(buf)) {
			if _, err := obj.Seek(off, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(obj, buf); err != nil {
				t.Fatal(err)
			}
			got = append(got, buf...)
		}
		if !bytes.Equal(got, data[50_000:62_000]) {
			t.Error("sequential pieces differ")
		}
		if _, err := obj.Seek(size, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if n, err := obj.Read(buf); n != 0 || err != io.EOF {
			t.Errorf("read at the end: %d %v", n, err)
		}
		if _, err := obj.Seek(-1, io.SeekStart); err == nil {
			t.Error("negative seek accepted")
		}
	})

	t.Run("too large leaves nothing", func(t *testing.T) {
		h := open(t)
		for _, tc := range []struct {
			name string
			n    int
			max  int64
		}{{"one byte over", 1001, 1000}, {"far over", 300_000, 4096}} {
			_, err := h.store.Put(ctx, bytes.NewReader(content(tc.n, 3)), tc.max)
			if !errors.Is(err, blob.ErrTooLarge) {
				t.Errorf("%s: err %v, want ErrTooLarge", tc.name, err)
			}
		}
		if ok, _ := h.store.Exists(ctx, keyOf(content(1001, 3))); ok {
			t.Error("oversize content exists")
		}
		if keys := h.keys(t); len(keys) != 0 {
			t.Errorf("keys %v", keys)
		}
		noTemp(t, h)
		exact := content(1000, 3)
		if st, err := h.store.Put(ctx, bytes.NewReader(exact), 1000); err != nil || st.Size != 1000 {
			t.Errorf("exactly max: %+v %v", st, err)
		}
	})

	t.Run("failed or cancelled input leaves nothing", func(t *testing.T) {
		h := open(t)
		broken := io.MultiReader(bytes.NewReader(content(5000, 4)), errReader{})
		if _, err := h.store.Put(ctx, broken, 0); err == nil {
			t.Error("a reader that fails was stored")
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := h.store.Put(cancelled, bytes.NewReader(content(5000, 5)), 0); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled put: %v", err)
		}
		if keys := h.keys(t); len(keys) != 0 {
			t.Errorf("keys %v", keys)
		}
		noTemp(t, h)
	})

	t.Run("missing and malformed keys", func(t *testing.T) {
		h := open(t)
		for _, key := range []string{
			keyOf([]byte("never stored")),
			"../../etc/passwd",
			"sha256/zz/" + strings.Repeat("0", 64),
			"sha256/00/" + strings.Repeat("A", 64),
			"",
		} {
			if _, err := h.store.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open(%q): %v, want ErrNotFound", key, err)
			}
			if ok, err := h.store.Exists(ctx, key); ok || err != nil {
				t.Errorf("Exists(%q) = %v, %v", key, ok, err)
			}
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }
