package upload_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
)

// TestHostileWorkbooksThroughAPI: the resource upload and the bulk import
// refuse hostile workbooks with 413/400 within seconds, and nothing is
// stored: no version, no resource row, no object, no spool file.
func TestHostileWorkbooksThroughAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 5 MB bomb")
	}
	// Both are refused before the first row: the header check cannot stop
	// the pass early.
	open := sheetXML("")
	open = open[:len(open)-len(`</sheetData></worksheet>`)]
	bomb, _, crc := bombStream(open, []byte(`<x/>`), 2<<30)
	lyingBomb := book(t, zpart{method: zip.Deflate, raw: bomb, declared: 150 << 20, crc: crc}, nil)
	var tag strings.Builder
	tag.WriteString(`<row r="1"><c r="A1" x="`)
	for tag.Len() < 4<<20 {
		tag.WriteString("zzzzzzzz")
	}
	tag.WriteString(`"/></row>`)
	giantTag := book(t, zpart{method: zip.Store, body: sheetXML(tag.String())}, nil)

	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := apptest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, calendar.Zone))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true, Env: map[string]string{"PORTAL_MAX_UPLOAD_MB": "8"}})
			roles := apptest.NewRoles(p, clk.Now)
			var ids []string
			if err := p.DB.Table("datasets").Where("department_id = ?", "hlj-scjgj").Order("id").Limit(1).Pluck("id", &ids).Error; err != nil || len(ids) != 1 {
				t.Fatalf("a dataset of the provider's department: %v %v", ids, err)
			}
			objects := func() (n int) {
				filepath.WalkDir(filepath.Join(p.Config.DataDir, "files"), func(_ string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						n++
					}
					return nil
				})
				return n
			}
			spooled := func() (n int) {
				filepath.WalkDir(filepath.Join(p.Config.DataDir, "spool"), func(_ string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() && d.Name() != ".lock" {
						n++
					}
					return nil
				})
				return n
			}
			versions, resources, objs := p.Count(t, "dataset_versions", ""), p.Count(t, "version_resources", ""), objects()
			cases := []struct {
				name, path, file string
				content          []byte
				status           int
				code, says       string
			}{
				{"bomb as a resource", "/api/v1/manage/datasets/" + ids[0] + "/resources", "bomb.xlsx", lyingBomb, 413, "too_large", "expands more than 100 times"},
				{"bomb as an import", "/api/v1/manage/import", "bomb.xlsx", lyingBomb, 413, "too_large", "expands more than 100 times"},
				{"bomb as an import (dry run)", "/api/v1/manage/import?dry_run=true", "bomb.xlsx", lyingBomb, 413, "too_large", "expands more than 100 times"},
				{"giant tag as a resource", "/api/v1/manage/datasets/" + ids[0] + "/resources", "tag.xlsx", giantTag, 400, "invalid", "cell or tag longer than 512 KB"},
				{"giant tag as an import", "/api/v1/manage/import", "tag.xlsx", giantTag, 400, "invalid", "cell or tag longer than 512 KB"},
			}
			for _, c := range cases {
				start := time.Now()
				var b bytes.Buffer
				w := multipart.NewWriter(&b)
				part, _ := w.CreateFormFile("file", c.file)
				part.Write(c.content)
				w.Close()
				r := p.Do(t, http.MethodPost, c.path, &b, roles.As(t, "provider").Header("Content-Type", w.FormDataContentType(), "Accept-Language", "en"))
				took := time.Since(start)
				t.Logf("%s: %d in %v", c.name, r.Status, took.Round(time.Millisecond))
				if r.Status != c.status || r.ErrorCode(t) != c.code || !strings.Contains(string(r.Body), c.says) {
					t.Errorf("%s: %d %.300s", c.name, r.Status, r.Body)
				}
				if took > 10*time.Second {
					t.Errorf("%s took %v", c.name, took)
				}
			}
			if n := p.Count(t, "dataset_versions", ""); n != versions {
				t.Errorf("versions %d → %d", versions, n)
			}
			if n := p.Count(t, "version_resources", ""); n != resources {
				t.Errorf("resource rows %d → %d", resources, n)
			}
			if n := objects(); n != objs {
				t.Errorf("stored files %d → %d", objs, n)
			}
			if n := spooled(); n != 0 {
				t.Errorf("%d spool files left", n)
			}
		})
	}
}
