package publishing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
)

// TestCatalogRecordValidation: a draft with a malformed resource code, a
// class that contradicts its classification, conditional sharing without
// conditions, not-shared without a reason, no share method or an unknown
// format is a 400 naming the field, on create and on patch, and changes
// nothing.
func TestCatalogRecordValidation(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			cases := []struct {
				name  string
				set   map[string]any
				field string
			}{
				{"bad resource code", map[string]any{"resource_code": "13-001-000101"}, "resource_code"},
				{"resource code without sequence", map[string]any{"resource_code": "113001"}, "resource_code"},
				{"zero item", map[string]any{"resource_code": "100001/000101"}, "resource_code"},
				{"class contradicts classification", map[string]any{"resource_code": "213001/000101"}, "resource_code"},
				{"conditional share without conditions", map[string]any{"share_type": "conditional", "share_conditions": ""}, "share_conditions"},
				{"not shared without reason", map[string]any{"share_type": "not_shared", "share_conditions": "  "}, "share_conditions"},
				{"unknown share type", map[string]any{"share_type": "partial"}, "share_type"},
				{"no share type", map[string]any{"share_type": ""}, "share_type"},
				{"no share method", map[string]any{"share_method": ""}, "share_method"},
				{"unknown share method", map[string]any{"share_method": "email"}, "share_method"},
				{"unknown format", map[string]any{"formats": []string{"CSV", "PDF"}}, "formats"},
			}
			for _, c := range cases {
				d := draft("校验测试目录")
				for k, v := range c.set {
					d[k] = v
				}
				r := e.do("provider", "POST", "/api/v1/manage/datasets", d)
				if r.Status != 400 || fields(t, r)[c.field] == "" {
					t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
				}
			}
			if n := e.count("dataset_versions", ""); n != 0 {
				t.Fatalf("bad drafts created %d versions", n)
			}

			// The same on patch: the stored draft stays as it was.
			d := e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("校验测试目录")), 201, "create")
			dsID := id(d)
			var before string
			e.p.DB.Table("dataset_versions").Where("dataset_id = ?", dsID).Pluck("snapshot", &before)
			for _, c := range cases {
				r := e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, c.set)
				if r.Status != 400 || fields(t, r)[c.field] == "" {
					t.Errorf("patch %s: %d %s", c.name, r.Status, r.Body)
				}
			}
			var after string
			e.p.DB.Table("dataset_versions").Where("dataset_id = ?", dsID).Pluck("snapshot", &after)
			if after != before {
				t.Fatalf("a refused patch changed the draft:\n%s\n%s", before, after)
			}

			// Not shared: the reason is kept, the method dropped.
			got := e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{
				"share_type": "not_shared", "share_conditions": "依据《中华人民共和国统计法》不予共享", "share_method": "api", "formats": []string{" csv", "CSV", "xlsx"},
			}), 200, "not shared")
			dr := got["working"].(map[string]any)["draft"].(map[string]any)
			if dr["share_type"] != "not_shared" || dr["share_method"] != "" || dr["share_conditions"] == "" || fmt.Sprint(dr["formats"]) != "[CSV XLSX]" {
				t.Fatalf("normalised draft: %v", dr)
			}
		})
	}
}

// TestCatalogRecordPublished: declared formats are checked against the
// files at submission (a format without a file, a file of an undeclared
// format: 400, nothing submitted); once approved, the public JSON, the
// list, DCAT and CKAN carry the record, and a later change of the share
// type is in the change history.
func TestCatalogRecordPublished(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			title := "全省共享属性测试目录"
			d := draft(title)
			d["formats"] = []string{"CSV", "XLSX"}
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", d), 201, "create"))
			e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业.csv", []byte(goodCSV)), 201, "upload")

			r := e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil)
			if f := fields(t, r); r.Status != 400 || !strings.Contains(f["formats"], "XLSX") {
				t.Fatalf("declared XLSX without a file: %d %s", r.Status, r.Body)
			}
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"formats": []string{"JSON"}}), 200, "declare JSON")
			r = e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil)
			if f := fields(t, r); r.Status != 400 || !strings.Contains(f["resources[0]"], "CSV") || !strings.Contains(f["formats"], "JSON") {
				t.Fatalf("CSV file, JSON declared: %d %s", r.Status, r.Body)
			}
			if n := e.count("dataset_versions", "dataset_id = ? AND status = ?", dsID, "draft"); n != 1 {
				t.Fatalf("a refused submission changed the status: %d drafts", n)
			}
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"formats": []string{"csv"}}), 200, "declare CSV")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve")
			e.drain()

			pub := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")
			dept := pub["department"].(map[string]any)
			if pub["resource_code"] != "113001/000101" || pub["share_type"] != "conditional" || pub["share_conditions"] != "仅限履行市场监管职责使用。" ||
				pub["share_method"] != "api" || fmt.Sprint(pub["formats"]) != "[CSV]" {
				t.Fatalf("public record: %v", pub)
			}
			code, _ := dept["code"].(string)
			if !seed.ValidCreditCode(code) {
				t.Fatalf("department.code %q", code)
			}
			list := e.must(e.p.Get(t, "/api/v1/datasets?department=hlj-scjgj&sort=updated&page_size=100"), 200, "list")
			found := false
			for _, it := range list["items"].([]any) {
				m := it.(map[string]any)
				if m["id"] == dsID {
					found = m["share_type"] == "conditional" && m["resource_code"] == "113001/000101" && fmt.Sprint(m["formats"]) == "[CSV]"
				}
			}
			if !found {
				t.Fatalf("list item without the record")
			}

			ld := e.p.Get(t, "/dataset/"+dsID+".jsonld")
			for _, want := range []string{"113001/000101", "shareType", "conditional", "shareMethod", "declaredFormat", "file-type/CSV", "creditCode", code} {
				if ld.Status != 200 || !strings.Contains(string(ld.Body), want) {
					t.Fatalf("DCAT lacks %q: %d %s", want, ld.Status, ld.Body)
				}
			}
			ck := e.must(e.p.Get(t, "/api/3/action/package_show?id="+dsID), 200, "ckan")
			extras := map[string]string{}
			for _, x := range ck["result"].(map[string]any)["extras"].([]any) {
				kv := x.(map[string]any)
				extras[kv["key"].(string)] = kv["value"].(string)
			}
			if extras["resource_code"] != "113001/000101" || extras["share_type"] != "conditional" || extras["share_method"] != "api" ||
				extras["share_conditions"] == "" || extras["formats"] != "CSV" || extras["provider_code"] != code {
				t.Fatalf("CKAN extras: %v", extras)
			}

			// A later change of the share type is listed in the history.
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"share_type": "unconditional", "share_method": "database"}), 200, "change")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit v2")
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve v2")
			var h struct {
				Items []struct {
					Version int      `json:"version"`
					Changes []string `json:"changes"`
				} `json:"items"`
			}
			e.p.Get(t, "/api/v1/datasets/"+dsID+"/history").JSON(t, &h)
			ok := false
			for _, it := range h.Items {
				if it.Version == 2 && slices.Contains(it.Changes, "share_type") && slices.Contains(it.Changes, "share_method") && slices.Contains(it.Changes, "share_conditions") {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("history: %+v", h.Items)
			}
			pub = e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public v2")
			if pub["share_type"] != "unconditional" || pub["share_conditions"] != "" || pub["share_method"] != "database" {
				t.Fatalf("public v2: %v", pub)
			}
		})
	}
}

// TestImportCatalogRecord: the template names the record's columns, and a
// bad share type, resource code or format is reported by row in a dry run
// that creates nothing.
func TestImportCatalogRecord(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	tpl := e.do("provider", "GET", "/api/v1/manage/import/template", nil)
	header := strings.SplitN(strings.TrimPrefix(string(tpl.Body), "\uFEFF"), "\n", 2)[0]
	for _, col := range []string{"共享类型", "共享条件", "共享方式", "信息资源代码", "数据格式"} {
		if !strings.Contains(header, col) {
			t.Fatalf("template header %q lacks %s", header, col)
		}
	}
	rows := [][]string{
		{"目录名称", "描述", "领域", "开放类型", "共享类型", "共享条件", "共享方式", "更新频率", "分类", "信息资源代码", "分级", "数据格式", "数据项"},
		{"全省药店名录", "药店。", "health", "无条件开放", "部分共享", "", "接口", "每月", "基础数据", "104001/000007", "一级", "CSV", "name|名称|字符串|是"},
		{"全省诊所名录", "诊所。", "health", "无条件开放", "有条件共享", "", "接口", "每月", "基础数据", "1040/7", "一级", "PDF", "name|名称|字符串|是"},
	}
	r := e.uploadTo("provider", "/api/v1/manage/import?dry_run=true", "目录.csv", csvOf(rows))
	f := fields(t, r)
	for _, k := range []string{"rows[2].share_type", "rows[3].share_conditions", "rows[3].resource_code", "rows[3].formats"} {
		if r.Status != 400 || f[k] == "" {
			t.Fatalf("dry run: %d, no %s in %v", r.Status, k, f)
		}
	}
	if e.count("dataset_versions", "") != 0 {
		t.Fatal("a refused import created drafts")
	}
}
