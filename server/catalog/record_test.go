package catalog_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/store"
)

// TestCatalogRecordJSON: every public entry of the demo catalog shows the
// full record (resource code, share type, conditions, method, declared
// formats) and its department's credit code; list items carry the share
// type and resource code; departments list their code.
func TestCatalogRecordJSON(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small"})
	var ids []string
	p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).Order("id").Pluck("id", &ids)
	if len(ids) < 10 {
		t.Fatalf("%d public entries", len(ids))
	}
	shares := map[string]bool{}
	for _, id := range ids {
		r := p.Get(t, "/api/v1/datasets/"+id)
		var raw map[string]any
		r.JSON(t, &raw)
		for _, k := range []string{"resource_code", "share_type", "share_conditions", "share_method", "formats"} {
			if _, ok := raw[k]; !ok {
				t.Fatalf("%s: no %q in %s", id, k, r.Body)
			}
		}
		var d catalog.DatasetJSON
		r.JSON(t, &d)
		if catalog.CheckResourceCode(d.ResourceCode, d.Classification) != "" || !d.ShareType.Valid() || len(d.Formats) == 0 {
			t.Errorf("%s: record %q %q %v", id, d.ResourceCode, d.ShareType, d.Formats)
		}
		if (d.ShareType == catalog.ShareUnconditional) != (d.ShareConditions == "") || (d.ShareType == catalog.NotShared) != (d.ShareMethod == "") {
			t.Errorf("%s: share %s with conditions %q, method %q", id, d.ShareType, d.ShareConditions, d.ShareMethod)
		}
		for _, res := range d.Resources {
			if !slices.Contains(d.Formats, res.Format) {
				t.Errorf("%s: resource format %s not declared in %v", id, res.Format, d.Formats)
			}
		}
		if !seed.ValidCreditCode(d.Department.Code) {
			t.Errorf("%s: department.code %q", id, d.Department.Code)
		}
		shares[string(d.ShareType)] = true
	}
	if !shares["unconditional"] || !shares["conditional"] {
		t.Errorf("share types seen: %v", shares)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	p.Get(t, "/api/v1/datasets?page_size=5").JSON(t, &list)
	for _, it := range list.Items {
		if it["share_type"] == "" || it["share_type"] == nil || it["resource_code"] == "" || it["resource_code"] == nil {
			t.Errorf("list item without the record: %v", it)
		}
	}
	var deps struct {
		Items []catalog.DepartmentJSON `json:"items"`
	}
	p.Get(t, "/api/v1/departments").JSON(t, &deps)
	for _, d := range deps.Items {
		if !seed.ValidCreditCode(d.Code) {
			t.Errorf("department %s: code %q", d.ID, d.Code)
		}
	}
}

// TestDepartmentCode: the administrator records a department's 统一社会信用代码;
// a wrong check character or length is a 400 on the code and changes
// nothing; a valid one (lower case accepted) is stored upper case and shown
// as the provider code of the department's entries.
func TestDepartmentCode(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	p := apptest.New(t, apptest.Options{Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
	roles := apptest.NewRoles(p, func() time.Time { return now })
	// 11230000 + organisation code 00000001 (GB 11714 check 9) + GB 32100 check.
	body := "112300000000000198"
	check, _ := seed.CreditCodeCheckDigit(body[:17])
	good := body[:17] + string(check)
	other := byte('0')
	if check == '0' {
		other = '1'
	}
	bad := body[:17] + string(other)
	for _, c := range []struct {
		code string
		why  string
	}{{bad, "wrong check character"}, {good[:17], "17 characters"}, {good + "0", "19 characters"}, {"11230000I00000019" + string(check), "I is not in the set"}} {
		r := roles.Do(t, "admin", "POST", "/api/v1/admin/departments", map[string]any{"id": "hlj-test", "name": "黑龙江省测试局", "region_level": "province", "region": "黑龙江省", "code": c.code})
		var b struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &b)
		if r.Status != 400 || b.Error.Fields["code"] == "" {
			t.Errorf("%s: %d %s", c.why, r.Status, r.Body)
		}
	}
	if n := p.Count(t, "departments", "id = ?", "hlj-test"); n != 0 {
		t.Fatalf("a refused department was created")
	}
	r := roles.Do(t, "admin", "POST", "/api/v1/admin/departments", map[string]any{"id": "hlj-test", "name": "黑龙江省测试局", "region_level": "province", "region": "黑龙江省", "code": strings.ToLower(good)})
	if r.Status != 201 || r.Map(t)["code"] != good {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}

	// Patch: a bad code is refused and the stored one stays.
	var ds catalog.Dataset
	p.DB.Where("department_id = ? AND status = ?", "hlj-scjgj", catalog.StatusPublished).Where("open_type = ?", catalog.Unconditional).Order("id").First(&ds)
	var was string
	p.DB.Table("departments").Where("id = ?", "hlj-scjgj").Pluck("code", &was)
	if r := roles.Do(t, "admin", "PATCH", "/api/v1/admin/departments/hlj-scjgj", map[string]any{"code": bad}); r.Status != 400 {
		t.Fatalf("patch with a bad code: %d %s", r.Status, r.Body)
	}
	var now2 string
	p.DB.Table("departments").Where("id = ?", "hlj-scjgj").Pluck("code", &now2)
	if now2 != was || was == "" {
		t.Fatalf("code %q → %q after a refused patch", was, now2)
	}
	if r := roles.Do(t, "admin", "PATCH", "/api/v1/admin/departments/hlj-scjgj", map[string]any{"code": good}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	var d catalog.DatasetJSON
	p.Get(t, "/api/v1/datasets/"+ds.ID).JSON(t, &d)
	if d.Department.Code != good {
		t.Fatalf("provider code of %s: %q", ds.ID, d.Department.Code)
	}
}

// TestCatalogRecordMigration: migration 0050 gives existing entries the
// share type of their open type (their open conditions or reason as share
// conditions), "file" as the method of shared data and their resources'
// formats; 0051 does the same for stored drafts; nothing else changes.
func TestCatalogRecordMigration(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.OpenDB(t, engine)
			migs := app.Migrations()
			ids := make([]string, 0, len(migs))
			for _, m := range migs {
				ids = append(ids, m.ID)
			}
			sort.Strings(ids)
			before := ""
			for _, id := range ids {
				if id < "0050" {
					before = id
				}
			}
			if err := store.MigrateTo(db, migs, before); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
			exec := func(sql string, args ...any) {
				t.Helper()
				if err := db.Exec(sql, args...).Error; err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			exec("INSERT INTO departments (id, name, region_level, region, parent_id, created_at) VALUES ('d1', '黑龙江省测试厅', 'province', '黑龙江省', '', ?)", at)
			exec("INSERT INTO topics (id, name, name_en, sort_order) VALUES ('t1', '测试领域', '', 0)")
			for _, row := range [][]string{{"u1", "unconditional", "", ""}, {"c1", "conditional", "须签署承诺书", ""}, {"n1", "not_open", "", "涉及个人隐私"}} {
				exec("INSERT INTO datasets (id, title, description, department_id, topic_id, open_type, open_conditions, not_open_reason, usage_scope, update_frequency, classification, grade, tags, region, status, version, updated_at, created_at, downloads, api_calls) VALUES (?, ?, '', 'd1', 't1', ?, ?, ?, '', 'monthly', '基础数据', 'L1', '[]', '黑龙江省', 'published', 1, ?, ?, 0, 0)",
					row[0], "升级前 "+row[0], row[1], row[2], row[3], at, at)
			}
			for i, f := range []string{"CSV", "xlsx", "CSV"} {
				exec("INSERT INTO resources (id, dataset_id, position, name, format, media_type, size, sha256, `rows`, storage_key, created_at, updated_at) VALUES (?, 'c1', ?, 'f', ?, 'text/csv', 1, 'x', 0, 'k', ?, ?)",
					"r"+string(rune('0'+i)), i, f, at, at)
			}
			exec("INSERT INTO dataset_versions (dataset_id, number, department_id, status, title, snapshot, note, changes, created_by, created_at, updated_at) VALUES ('v1', 1, 'd1', 'draft', '草稿', ?, '', '', 0, ?, ?)",
				`{"title":"草稿","open_type":"conditional","open_conditions":"须签署承诺书","data_items":[]}`, at, at)
			if err := store.Migrate(db, migs); err != nil {
				t.Fatal(err)
			}
			var rows []catalog.Dataset
			db.Order("id").Find(&rows)
			got := map[string]catalog.Dataset{}
			for _, r := range rows {
				got[r.ID] = r
			}
			u, c, n := got["u1"], got["c1"], got["n1"]
			if u.ShareType != catalog.ShareUnconditional || u.ShareMethod != "file" || u.ShareConditions != "" || len(u.DeclaredFormats) != 0 {
				t.Errorf("unconditional: %+v", u)
			}
			if c.ShareType != catalog.ShareConditional || c.ShareMethod != "file" || c.ShareConditions != "须签署承诺书" || !slices.Equal(c.DeclaredFormats, []string{"CSV", "XLSX"}) {
				t.Errorf("conditional: %+v", c)
			}
			if n.ShareType != catalog.NotShared || n.ShareMethod != "" || n.ShareConditions != "涉及个人隐私" {
				t.Errorf("not open: %+v", n)
			}
			if !c.UpdatedAt.Equal(at) || c.Title != "升级前 c1" || c.ResourceCode != "" {
				t.Errorf("the migration changed other columns: %+v", c)
			}
			var snap string
			db.Table("dataset_versions").Where("dataset_id = ?", "v1").Pluck("snapshot", &snap)
			var m map[string]any
			if err := json.Unmarshal([]byte(snap), &m); err != nil || m["share_type"] != "conditional" || m["share_conditions"] != "须签署承诺书" || m["share_method"] != "file" || m["title"] != "草稿" {
				t.Errorf("draft snapshot: %s", snap)
			}
		})
	}
}
