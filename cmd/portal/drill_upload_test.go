package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
)

// TestDrillUploadKill9 kills the portal (SIGKILL) in the middle of a large
// upload: no resource row and no stored object come of it, its spool file
// stays behind; the portal started again on the same data folder removes
// it at start, counts it in portal_spool_swept_files_total and logs it.
func TestDrillUploadKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	env := map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_METRICS_TOKEN": "drill-metrics-token"}
	var datasetID string
	var header, row []string
	drillPrepare(t, env, func(a *app.App) {
		var res catalog.Resource
		if err := a.DB.Joins("JOIN datasets ON datasets.id = resources.dataset_id").
			Where("datasets.open_type = ? AND datasets.department_id = ?", catalog.Unconditional, "hlj-scjgj").
			First(&res).Error; err != nil {
			t.Fatal(err)
		}
		datasetID = res.DatasetID
		var items []catalog.DataItem
		a.DB.Where("dataset_id = ?", res.DatasetID).Order("position").Find(&items)
		sample := map[string]string{"string": "示例", "integer": "1", "number": "1.5", "date": "2024-01-02", "datetime": "2024-01-02 03:04:05", "boolean": "true"}
		for _, it := range items {
			header = append(header, it.Name)
			row = append(row, sample[it.Type])
		}
	})
	dbPath := filepath.Join(dir, "portal.db")
	spool := filepath.Join(dir, "spool")
	rowsBefore := drillCountSQLite(t, dbPath, "version_resources")
	objectsBefore := drillObjects(t, filepath.Join(dir, "files", "sha256"))

	p := startPortal(t, dir, drillEnv(env)...)
	provider := drillSignIn(t, p.url, "provider@demo.local")

	// A 200 MB upload, of which 24 MB are sent before the kill.
	const declared, sent = 200 << 20, 24 << 20
	u, _ := url.Parse(p.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	boundary := "drillboundary0123456789"
	w := bufio.NewWriterSize(conn, 1<<20)
	fmt.Fprintf(w, "POST /api/v1/manage/datasets/%s/resources HTTP/1.1\r\nHost: %s\r\n", datasetID, u.Host)
	for k, v := range provider.Header("Content-Type", "multipart/form-data; boundary="+boundary, "Accept-Language", "en") {
		fmt.Fprintf(w, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", declared)
	fmt.Fprintf(w, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"大文件.csv\"\r\nContent-Type: text/csv\r\n\r\n", boundary)
	fmt.Fprintf(w, "%s\n", strings.Join(header, ","))
	line := strings.Repeat("x", 99) + "\n"
	for n := 0; n < sent; n += len(line) {
		if _, err := w.WriteString(line); err != nil {
			t.Fatalf("sending the upload: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// Wait until the portal has spooled most of what was sent.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, size := spoolUploads(t, spool); size >= sent/2 {
			break
		}
		if time.Now().After(deadline) {
			files, size := spoolUploads(t, spool)
			t.Fatalf("spool holds %d files, %d bytes after 30 s\n%s", files, size, p.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	files, size := spoolUploads(t, spool)
	t.Logf("killed mid-upload: %d spool files, %d bytes left", files, size)
	if files == 0 || size < sent/2 {
		t.Fatalf("spool after kill -9: %d files, %d bytes", files, size)
	}
	if got := drillCountSQLite(t, dbPath, "version_resources"); got != rowsBefore {
		t.Errorf("resource rows %d → %d after the killed upload", rowsBefore, got)
	}
	if got := drillObjects(t, filepath.Join(dir, "files", "sha256")); got != objectsBefore {
		t.Errorf("blob objects %d → %d after the killed upload", objectsBefore, got)
	}

	// Started again: the spool is swept at start.
	start := time.Now()
	p2 := startPortal(t, dir, drillEnv(env)...)
	p2.waitLog(t, "upload spool swept", 30*time.Second)
	t.Logf("start and sweep took %s", time.Since(start).Round(time.Millisecond))
	if f, b := spoolUploads(t, spool); f != 0 {
		t.Fatalf("spool after restart: %d files, %d bytes", f, b)
	}
	r, err := drillDo("GET", p2.url+"/metrics", nil, map[string]string{"Authorization": "Bearer drill-metrics-token"})
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("metrics: %v %v", r, err)
	}
	got := map[string]float64{}
	for _, m := range regexp.MustCompile(`(?m)^(portal_spool_swept_(?:files|bytes)_total) (\S+)$`).FindAllStringSubmatch(string(r.Body), -1) {
		got[m[1]], _ = strconv.ParseFloat(m[2], 64)
	}
	if got["portal_spool_swept_files_total"] != float64(files) || got["portal_spool_swept_bytes_total"] != float64(size) {
		t.Errorf("metrics %v, want %d files and %d bytes", got, files, size)
	}
	// Uploads work with the new process's spool and leave nothing in it.
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("file", "小文件.csv")
	fmt.Fprintf(part, "%s\n%s\n", strings.Join(header, ","), strings.Join(row, ","))
	mw.Close()
	provider = drillSignIn(t, p2.url, "provider@demo.local")
	r, err = drillDo("POST", p2.url+"/api/v1/manage/datasets/"+datasetID+"/resources", &b,
		provider.Header("Content-Type", mw.FormDataContentType(), "Accept-Language", "en"))
	if err != nil || r.Status != http.StatusCreated {
		t.Fatalf("upload after restart: %v %v", r, err)
	}
	if f, _ := spoolUploads(t, spool); f != 0 {
		t.Fatalf("spool after an upload: %d files", f)
	}
}

// spoolUploads counts the files in the upload spool (not the lock files).
func spoolUploads(t *testing.T, dir string) (files int, bytes int64) {
	t.Helper()
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != ".lock" {
			if info, err := d.Info(); err == nil {
				files++
				bytes += info.Size()
			}
		}
		return nil
	})
	return files, bytes
}
