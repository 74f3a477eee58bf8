package upload_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/upload"
)

// TestSpoolSweep: the folder of a process that is gone is removed whole
// at once; a live process's folder (its lock held) is left alone; in this
// process's folder only stale files no open upload uses go.
func TestSpoolSweep(t *testing.T) {
	root := t.TempDir()
	rc := &upload.Receiver{TempDir: root, Limits: upload.DefaultLimits(1 << 20)}
	other := &upload.Receiver{TempDir: root, Limits: upload.DefaultLimits(1 << 20)} // another live process
	open, err := rc.Receive(context.Background(), strings.NewReader("a,b\n1,2\n"), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	ownDir := spoolFileDir(t, root, open)
	theirs, err := other.Receive(context.Background(), strings.NewReader("a,b\n1,2\n"), "b.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	old := time.Now().Add(-2 * time.Hour)
	// A process killed mid-upload: its folder, its lock (free now), its file.
	dead := filepath.Join(root, "p-dead")
	write(t, filepath.Join(dead, ".lock"), 0, time.Now())
	write(t, filepath.Join(dead, "upload-1"), 1000, time.Now())
	write(t, filepath.Join(dead, "upload-norm-2"), 500, time.Now())
	// In this process: a stale file nobody uses, and the open upload made to look old.
	write(t, filepath.Join(ownDir, "upload-stale"), 300, old)
	for _, p := range spoolFiles(t, root) {
		if filepath.Dir(p) == ownDir && !strings.HasSuffix(p, "upload-stale") {
			os.Chtimes(p, old, old)
		}
	}
	// Loose files: one stale, one fresh.
	write(t, filepath.Join(root, "profile-run-1"), 70, old)
	write(t, filepath.Join(root, "profile-run-2"), 70, time.Now())

	res, err := rc.Sweep(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 4 || res.Bytes != 1870 || res.Folders != 1 {
		t.Fatalf("swept %+v, want 4 files, 1870 bytes, 1 folder", res)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("dead folder: %v", err)
	}
	left := spoolFiles(t, root)
	if len(left) != 3 { // the open upload, the other process's, the fresh loose file
		t.Fatalf("left %v", left)
	}
	r, err := open.Open()
	if err != nil {
		t.Fatalf("the open upload was swept: %v", err)
	}
	r.Close()
	if r, err := theirs.Open(); err != nil {
		t.Fatalf("the other process's upload was swept: %v", err)
	} else {
		r.Close()
	}
	open.Close()
	res, err = rc.Sweep(time.Now(), time.Hour)
	if err != nil || res.Files != 0 {
		t.Fatalf("second sweep: %+v %v", res, err)
	}
	if n := leftovers(t, rc); n != 2 {
		t.Fatalf("%d files left, want 2", n)
	}
}

// spoolFiles lists the files in the spool but the lock files.
func spoolFiles(t *testing.T, root string) []string {
	var out []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Name() != ".lock" {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// spoolFileDir is the folder the spool files of f are in (f is the only
// upload of its receiver).
func spoolFileDir(t *testing.T, root string, f *upload.File) string {
	for _, p := range spoolFiles(t, root) {
		if strings.Contains(p, "upload-") {
			dir := filepath.Dir(p)
			if dir != root {
				return dir
			}
		}
	}
	t.Fatal("no spool folder")
	return ""
}

func write(t *testing.T, p string, n int, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, make([]byte, n), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
