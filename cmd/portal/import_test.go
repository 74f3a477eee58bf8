package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/store"
)

// TestImportCatalogCommand imports a GB18030 template from the command
// line: a bad file creates nothing and lists problems by row and column,
// a good one creates drafts with a progress bar.
func TestImportCatalogCommand(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("PORTAL_DATA_DIR", dir)
			t.Setenv("PORTAL_LOG_LEVEL", "error")
			t.Setenv("PORTAL_SEED", "none")
			t.Setenv("PORTAL_DB_DSN", "sqlite://"+filepath.Join(dir, "portal.db"))
			if engine == "mysql" {
				t.Setenv("PORTAL_DB_DSN", apptest.NewMySQLDatabase(t))
			}
			if code, out, _ := runCLI(t, "", "import", "--help"); code != 0 || !strings.Contains(out, "--department") {
				t.Fatalf("import --help: %d %s", code, out)
			}
			if code, _, _ := runCLI(t, "", "import", "catalog", "x.csv"); code != exitUsage {
				t.Fatalf("no department: %d", code)
			}
			if code, _, errs := runCLI(t, "", "migrate"); code != 0 {
				t.Fatalf("migrate: %s", errs)
			}
			cfg, err := config.FromEnv()
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Create(&catalog.Department{ID: "hlj-scjgj", Name: "黑龙江省市场监督管理局", RegionLevel: "province", Region: "黑龙江省"})
			db.Create(&catalog.Topic{ID: "economy", Name: "经济建设"})
			defer store.Close(db)

			header := "目录名称,描述,领域,开放类型,开放条件,使用范围和用途,共享类型,共享方式,更新频率,分类,分级,数据项\n"
			good := header +
				"全省企业登记信息,企业登记。,经济建设,无条件开放,,,无条件共享,接口,每日,基础数据,一级,reg_no|注册号|字符串|是\n" +
				"全省企业年报,年报。,economy,有条件开放,签署承诺书,征信用途,无条件共享,文件下载,每年,基础数据,二级,reg_no|注册号|字符串|是;year|年度|整数|是\n"
			bad := strings.Replace(good, "签署承诺书", "", 1)
			write := func(name, text string) string {
				gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(gb), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			code, _, errs := runCLI(t, "", "import", "catalog", write("bad.csv", bad), "--department", "hlj-scjgj")
			if code != exitFail || !strings.Contains(errs, "rows[3].open_conditions") || !strings.Contains(errs, "nothing was imported") {
				t.Fatalf("bad file: %d %s", code, errs)
			}
			var n int64
			db.Table("dataset_versions").Count(&n)
			if n != 0 {
				t.Fatalf("bad file created %d drafts", n)
			}
			code, _, errs = runCLI(t, "", "import", "catalog", "--department", "nope", write("good.csv", good))
			if code != exitFail || !strings.Contains(errs, "not found") {
				t.Fatalf("unknown department: %d %s", code, errs)
			}
			code, out, errs := runCLI(t, "", "import", "catalog", write("good.csv", good), "--department=hlj-scjgj", "--dry-run")
			if code != 0 || !strings.Contains(out, "2 draft entries checked") {
				t.Fatalf("dry run: %d %s %s", code, out, errs)
			}
			code, out, errs = runCLI(t, "", "import", "catalog", write("good.csv", good), "--department", "hlj-scjgj")
			if code != 0 || !strings.Contains(out, "2 draft entries created") || !strings.Contains(out, "全省企业年报") {
				t.Fatalf("import: %d %s %s", code, out, errs)
			}
			if !strings.Contains(errs, "create [##############################] 2/2") {
				t.Errorf("no progress bar: %q", errs)
			}
			db.Table("dataset_versions").Where("status = ? AND department_id = ?", "draft", "hlj-scjgj").Count(&n)
			if n != 2 {
				t.Fatalf("%d drafts", n)
			}
			db.Table("audit_entries").Where("action = ? AND actor = ?", "catalog.imported", "cli").Count(&n)
			if n != 1 {
				t.Fatalf("import not audited as cli: %d", n)
			}
		})
	}
}
