package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/publishing"
	"github.com/hlj-opendata/portal/server/store"
)

// smallDisk mounts a tmpfs of size at a fresh folder, unmounted when the
// test ends. In CI it must work; elsewhere it needs root.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("CI") == "" {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// A full disk: Put fails with an error the HTTP layer answers 507 to,
// leaves neither a temporary file nor an object, and what is stored
// still reads.
func TestLocalPutOnFullDisk(t *testing.T) {
	dir := smallDisk(t, "1m")
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	small := randomBytes(100 << 10)
	kept, err := l.Put(ctx, bytes.NewReader(small), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Put(ctx, bytes.NewReader(randomBytes(2<<20)), 0)
	if err == nil || !store.IsStorageFull(err) {
		t.Fatalf("Put on a full disk: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %d", len(left))
	}
	var objects []string
	filepath.WalkDir(filepath.Join(dir, "sha256"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			objects = append(objects, p)
		}
		return nil
	})
	if len(objects) != 1 {
		t.Errorf("objects after the failed Put: %v", objects)
	}
	obj, err := l.Open(ctx, kept.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if got, _ := io.ReadAll(obj); !bytes.Equal(got, small) {
		t.Error("the stored object no longer reads back")
	}
}

// fullStore is a blob store whose writes fail as on a full disk, after
// reading part of the content.
type fullStore struct{ blob.Store }

func (fullStore) Put(ctx context.Context, r io.Reader, max int64) (blob.Stored, error) {
	_, _ = io.CopyN(io.Discard, r, 4096)
	return blob.Stored{}, fmt.Errorf("blob: write: %w", &fs.PathError{Op: "write", Path: "/data/files/tmp/put-1", Err: syscall.ENOSPC})
}

// A provider's upload into a full blob store: 507 with a clear message,
// no resource row, no spool file left, and downloads still work.
func TestUploadIntoFullStoreIs507(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(apptest.CST("2026-11-23 10:00"))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
			p.Publishing.Blobs = fullStore{p.Blobs}

			var res catalog.Resource
			if err := p.DB.Joins("JOIN datasets ON datasets.id = resources.dataset_id").
				Where("datasets.open_type = ? AND datasets.department_id = ?", catalog.Unconditional, "hlj-scjgj").
				Order("resources.id").First(&res).Error; err != nil {
				t.Fatal(err)
			}
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
			w.WriteAll([][]string{header, row, row})

			var before, after int64
			p.DB.Model(&publishing.VersionResource{}).Count(&before)
			roles := apptest.NewRoles(p, clk.Now)
			r := roles.Upload(t, "provider", "/api/v1/manage/datasets/"+res.DatasetID+"/resources", "新数据.csv", b.Bytes())
			if r.Status != 507 || r.ErrorCode(t) != "insufficient_storage" {
				t.Fatalf("upload into a full store: %d %s", r.Status, r.Body)
			}
			if msg, _ := r.Map(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "存储空间已满") {
				t.Errorf("message %q", msg)
			}
			p.DB.Model(&publishing.VersionResource{}).Count(&after)
			if after != before {
				t.Errorf("resource rows %d → %d after a failed upload", before, after)
			}
			// The spool may keep a folder per process (with its lock): only
			// files count.
			var left []string
			filepath.WalkDir(filepath.Join(p.Config.DataDir, "tmp"), func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() && d.Name() != ".lock" {
					left = append(left, path)
				}
				return nil
			})
			if len(left) != 0 {
				t.Errorf("spool files left: %v", left)
			}
			if dl := p.Get(t, "/api/v1/resources/"+res.ID+"/download"); dl.Status != 200 || int64(len(dl.Body)) != res.Size {
				t.Errorf("download while the store is full: %d, %d bytes", dl.Status, len(dl.Body))
			}
		})
	}
}
