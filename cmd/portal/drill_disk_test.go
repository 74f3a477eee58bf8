package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"io/fs"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
)

// TestDrillDiskFull runs the portal with its data folder (SQLite
// database, blob store, upload spool) on a small tmpfs and fills it. An
// upload then answers 507 with a JSON error and leaves nothing behind: no
// resource row, no object, no temporary file. Downloads and pages still
// answer 200. Once space is freed, the same upload succeeds.
func TestDrillDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	mnt := drillTmpfs(t, "32m")
	dir := filepath.Join(mnt, "data")
	env := map[string]string{"PORTAL_DATA_DIR": dir}
	var res catalog.Resource
	var header, row []string
	drillPrepare(t, env, func(a *app.App) {
		if err := a.DB.Joins("JOIN datasets ON datasets.id = resources.dataset_id").
			Where("datasets.open_type = ? AND datasets.department_id = ?", catalog.Unconditional, "hlj-scjgj").
			Order("resources.size DESC").First(&res).Error; err != nil {
			t.Fatal(err)
		}
		var items []catalog.DataItem
		a.DB.Where("dataset_id = ?", res.DatasetID).Order("position").Find(&items)
		sample := map[string]string{"string": "示例", "integer": "1", "number": "1.5", "date": "2024-01-02", "datetime": "2024-01-02 03:04:05", "boolean": "true"}
		for _, it := range items {
			header = append(header, it.Name)
			row = append(row, sample[it.Type])
		}
	})
	csvOf := func(rows int) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(header)
		for i := 0; i < rows; i++ {
			w.Write(row)
		}
		w.Flush()
		return b.Bytes()
	}
	p := startPortal(t, dir, drillEnv(nil)...)
	provider := drillSignIn(t, p.url, "provider@demo.local")
	upload := func(content []byte) *drillResponse {
		t.Helper()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		part, _ := w.CreateFormFile("file", "新数据.csv")
		part.Write(content)
		w.Close()
		r, err := drillDo("POST", p.url+"/api/v1/manage/datasets/"+res.DatasetID+"/resources", &b,
			provider.Header("Content-Type", w.FormDataContentType(), "Accept-Language", "en"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	dbPath := filepath.Join(dir, "portal.db")
	rowsBefore := drillCountSQLite(t, dbPath, "version_resources")
	objectsBefore := drillObjects(t, filepath.Join(dir, "files", "sha256"))

	var st syscall.Statfs_t
	_ = syscall.Statfs(mnt, &st)
	used := (st.Blocks - st.Bfree) * uint64(st.Bsize)
	drillFill(t, mnt)
	filled := time.Now()

	// Uploads: a large file and a small one, both 507.
	for _, rows := range []int{40000, 2} {
		content := csvOf(rows)
		r := upload(content)
		if r.Status != 507 || r.ErrorCode() != "insufficient_storage" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("upload of %d bytes on a full disk: %d %s", len(content), r.Status, r.Body)
		} else {
			t.Logf("upload of %d bytes on a full disk: %d %s", len(content), r.Status, r.Body)
		}
	}
	if left := drillTempFiles(filepath.Join(dir, "spool"), filepath.Join(dir, "tmp"), filepath.Join(dir, "files", "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if got := drillObjects(t, filepath.Join(dir, "files", "sha256")); got != objectsBefore {
		t.Errorf("blob objects %d → %d after failed uploads", objectsBefore, got)
	}

	// Reads keep working on the full disk.
	dl, err := drillDo("GET", p.url+"/api/v1/resources/"+res.ID+"/download", nil, nil)
	if err != nil || dl.Status != 200 {
		t.Fatalf("download on a full disk: %v %v", dl, err)
	}
	if sum := sha256.Sum256(dl.Body); int64(len(dl.Body)) != res.Size || hex.EncodeToString(sum[:]) != res.SHA256 {
		t.Errorf("download on a full disk: %d bytes, want %d with its SHA-256", len(dl.Body), res.Size)
	}
	for _, path := range []string{"/", "/datasets/" + res.DatasetID, "/api/v1/datasets/" + res.DatasetID, "/api/v1/requests"} {
		r, err := drillDo("GET", p.url+path, nil, map[string]string{"Accept": "text/html,application/json"})
		if err != nil || r.Status != 200 {
			t.Errorf("GET %s on a full disk: %v %v", path, r, err)
		}
	}
	if !p.running() {
		t.Fatalf("the portal exited on a full disk:\n%s", p.log())
	}

	// Space freed: nothing was written meanwhile, and uploads work again.
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	if got := drillCountSQLite(t, dbPath, "version_resources"); got != rowsBefore {
		t.Errorf("resource rows %d → %d after failed uploads", rowsBefore, got)
	}
	if r := upload(csvOf(2)); r.Status != 201 {
		t.Errorf("upload after space was freed: %d %s", r.Status, r.Body)
	}
	t.Logf("tmpfs 32m, %d MiB used before filling; filled to ENOSPC; failed uploads and reads took %s", used>>20, time.Since(filled).Round(time.Millisecond))
}

// drillCountSQLite counts the rows of table in a SQLite file, read-only.
func drillCountSQLite(t *testing.T, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// drillObjects counts the files under dir.
func drillObjects(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// drillTempFiles lists the regular files under dirs (recursively: the
// upload spool keeps a folder per process), lock files aside.
func drillTempFiles(dirs ...string) []string {
	var out []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && d.Name() != ".lock" {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}
