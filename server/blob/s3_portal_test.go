package blob_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/blob/s3test"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/outbox"
)

// TestPortalOnS3 starts the portal with PORTAL_BLOB_URL pointing at a
// fake S3 service: the seed's files go to the bucket (none to the data
// folder), downloads with Range headers come back byte-exact through
// ranged GETs, and a provider's upload lands in the bucket too.
func TestPortalOnS3(t *testing.T) {
	fake := s3test.New(t, "hlj-portal-files")
	clk := apptest.NewClock(apptest.CST("2026-11-23 10:00"))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: clk.Now, Env: fake.Env()})
	if _, ok := p.Blobs.(*blob.S3); !ok {
		t.Fatalf("store is %T, want *blob.S3", p.Blobs)
	}

	var want []string
	p.DB.Model(&catalog.Resource{}).Distinct("storage_key").Order("storage_key").Pluck("storage_key", &want)
	if got := fake.Keys(t); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("bucket holds %d objects, the catalog %d files", len(got), len(want))
	}
	files := filepath.Join(p.Config.DataDir, "files")
	if _, err := os.Stat(filepath.Join(files, "sha256")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("files stored locally as well: %v", err)
	}

	// The largest file of an open entry of the provider's department.
	var res catalog.Resource
	err := p.DB.Joins("JOIN datasets ON datasets.id = resources.dataset_id").
		Where("datasets.open_type = ? AND datasets.department_id = ?", catalog.Unconditional, "hlj-scjgj").
		Order("resources.size DESC").First(&res).Error
	if err != nil || res.Size < 2000 {
		t.Fatalf("no sizeable open resource in the small seed: %v %d", err, res.Size)
	}
	dl := "/api/v1/resources/" + res.ID + "/download"
	whole := p.Get(t, dl)
	if whole.Status != 200 || int64(len(whole.Body)) != res.Size || sum(whole.Body) != res.SHA256 {
		t.Fatalf("whole file: %d, %d bytes, sha256 %s; want %d bytes, %s", whole.Status, len(whole.Body), sum(whole.Body), res.Size, res.SHA256)
	}
	body := whole.Body
	size := int64(len(body))
	// The start-up sweep profiles the seeded files in the background
	// (server/quality), reading them from the bucket too: let it finish so
	// only this test's GETs are counted.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n, err := outbox.Backlog(context.Background(), p.DB); err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox did not drain in 60 s")
		}
	}
	// The sweep may queue its profiles just after the outbox looked empty:
	// wait until the bucket has seen no GET for a second (bounded).
	for deadline, quiet := time.Now().Add(60*time.Second), 0; quiet < 10; time.Sleep(100 * time.Millisecond) {
		busy := false
		for _, q := range fake.Requests() {
			busy = busy || q.Method == "GET"
		}
		if n, err := outbox.Backlog(context.Background(), p.DB); busy || err != nil || n > 0 {
			quiet = 0
		} else {
			quiet++
		}
		if time.Now().After(deadline) {
			t.Fatal("background reads of the bucket did not stop in 60 s")
		}
	}
	for _, tc := range []struct {
		rng        string
		start, end int64 // inclusive
		get        string
	}{
		{"bytes=100-1099", 100, 1099, "bytes=100-"},
		{"bytes=1000-", 1000, size - 1, "bytes=1000-"},
		{"bytes=-50", size - 50, size - 1, "bytes=" + strconv.FormatInt(size-50, 10) + "-"},
		{"bytes=0-0", 0, 0, ""},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			r := p.Do(t, "GET", dl, nil, map[string]string{"Range": tc.rng})
			wantRange := "bytes " + strconv.FormatInt(tc.start, 10) + "-" + strconv.FormatInt(tc.end, 10) + "/" + strconv.FormatInt(size, 10)
			if r.Status != 206 || r.Header.Get("Content-Range") != wantRange || !bytes.Equal(r.Body, body[tc.start:tc.end+1]) {
				t.Fatalf("%d %q, %d bytes; want 206 %q", r.Status, r.Header.Get("Content-Range"), len(r.Body), wantRange)
			}
			var gets []string
			for _, q := range fake.Requests() {
				if q.Method == "GET" {
					gets = append(gets, q.Range)
				}
			}
			if !slices.Equal(gets, []string{tc.get}) {
				t.Errorf("S3 GETs with Range %q, want one with %q", gets, tc.get)
			}
		})
	}

	t.Run("two ranges", func(t *testing.T) {
		r := p.Do(t, "GET", dl, nil, map[string]string{"Range": "bytes=0-9,500-599"})
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Status != 206 || err != nil || mt != "multipart/byteranges" {
			t.Fatalf("%d %q", r.Status, r.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
		for _, want := range [][]byte{body[0:10], body[500:600]} {
			part, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(part); !bytes.Equal(got, want) {
				t.Errorf("part %s: %q", part.Header.Get("Content-Range"), got)
			}
		}
	})

	t.Run("provider upload goes to the bucket", func(t *testing.T) {
		var items []catalog.DataItem
		p.DB.Where("dataset_id = ?", res.DatasetID).Order("position").Find(&items)
		sample := map[string]string{"string": "示例", "integer": "1", "number": "1.5", "date": "2024-01-02", "datetime": "2024-01-02 03:04:05", "boolean": "true"}
		var header, row []string
		for _, it := range items {
			header = append(header, it.Name)
			row = append(row, sample[it.Type])
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.WriteAll([][]string{header, row})
		roles := apptest.NewRoles(p, clk.Now)
		r := roles.Upload(t, "provider", "/api/v1/manage/datasets/"+res.DatasetID+"/resources", "新数据.csv", b.Bytes())
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		sha, _ := r.Map(t)["sha256"].(string)
		if len(sha) != 64 || !slices.Contains(fake.Keys(t), "sha256/"+sha[:2]+"/"+sha) {
			t.Errorf("uploaded sha256 %q is not in the bucket", sha)
		}
		if left, _ := os.ReadDir(filepath.Join(files, "tmp")); len(left) != 0 {
			t.Errorf("staging files left: %d", len(left))
		}
		if _, err := os.Stat(filepath.Join(files, "sha256")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("upload stored locally as well: %v", err)
		}
	})
}

// TestPortalRefusesUnreachableBucket: a bucket that is not there stops
// start-up with a message naming the variable.
func TestPortalRefusesUnreachableBucket(t *testing.T) {
	fake := s3test.New(t, "hlj-portal-files")
	env := fake.Env()
	env["PORTAL_BLOB_URL"] = strings.Replace(env["PORTAL_BLOB_URL"], "s3://hlj-portal-files", "s3://not-created", 1)
	env["PORTAL_DATA_DIR"] = t.TempDir()
	env["PORTAL_SEED"] = "none"
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err == nil {
		a.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "PORTAL_BLOB_URL") || !strings.Contains(err.Error(), "not-created") {
		t.Errorf("open: %v", err)
	}
}
