package publishing_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/publishing"
)

// TestPublishedJSONIsADraft: the public JSON of an entry, minus its ids and
// resources, creates a draft; the department is always the caller's.
func TestPublishedJSONIsADraft(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	var ids []string
	e.p.DB.Table("datasets").Where("open_type = ? AND department_id <> ?", "conditional", "hlj-scjgj").Order("id").Limit(1).Pluck("id", &ids)
	pub := e.must(e.p.Get(t, "/api/v1/datasets/"+ids[0]), 200, "public entry")
	delete(pub, "id")
	delete(pub, "resources")
	d := e.must(e.do("provider", "POST", "/api/v1/manage/datasets", pub), 201, "draft from public JSON")
	if d["department"].(map[string]any)["id"] != "hlj-scjgj" || d["title"] != pub["title"] {
		t.Fatalf("draft: %v", d)
	}
	w := d["working"].(map[string]any)["draft"].(map[string]any)
	if w["open_conditions"] != pub["open_conditions"] || len(w["data_items"].([]any)) != len(pub["data_items"].([]any)) {
		t.Fatalf("draft lost fields: %v", w)
	}
}

// TestUpdateSeedEntry: an entry loaded straight into the catalog gets its
// published state recorded as a version when it is first changed; its
// resources keep their ids and download links throughout.
func TestUpdateSeedEntry(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			var ids []string
			e.p.DB.Table("datasets").Where("open_type = ? AND department_id = ?", "unconditional", "hlj-scjgj").Order("id").Limit(1).Pluck("id", &ids)
			if len(ids) == 0 {
				t.Fatal("no unconditional entry of hlj-scjgj in the small seed")
			}
			dsID := ids[0]
			before := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")
			res0 := before["resources"].([]any)[0].(map[string]any)
			h := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID+"/history"), 200, "history")
			if len(h["items"].([]any)) != 1 {
				t.Fatalf("seed history: %v", h)
			}
			// A new file (matching the seed's data items) opens a version;
			// removing the old one too; the public keeps the old file.
			added := e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "新数据.csv", csvFor(before["data_items"].([]any))), 201, "upload")
			e.must(e.do("provider", "DELETE", "/api/v1/manage/resources/"+res0["id"].(string), nil), 204, "remove")
			if r := e.p.Get(t, res0["download_url"].(string)); r.Status != 200 {
				t.Fatalf("public download during the change: %d", r.Status)
			}
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"description": "更新后的说明。"}), 200, "patch")
			d := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
			w := d["working"].(map[string]any)
			if w["version"].(float64) != before["version"].(float64)+1 || len(w["resources"].([]any)) != len(before["resources"].([]any)) {
				t.Fatalf("working version: %v", w)
			}
			// The authority sees no draft, only the published entry.
			a := e.must(e.do("authority", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "authority view")
			if a["working"] != nil || a["status"] != "published" {
				t.Fatalf("authority sees the draft: %v", a["working"])
			}
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 409, "review a draft")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve")
			e.drain()
			after := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public after")
			if after["description"] != "更新后的说明。" || len(after["resources"].([]any)) != len(before["resources"].([]any)) || after["downloads"].(float64) != before["downloads"].(float64)+1 { // counters kept (one download above)
				t.Fatalf("after: %v", after)
			}
			if r := e.p.Get(t, res0["download_url"].(string)); r.Status != 404 {
				t.Fatalf("removed resource still served: %d", r.Status)
			}
			if r := e.p.Get(t, "/api/v1/resources/"+added["id"].(string)+"/download"); r.Status != 200 || string(r.Body) != string(csvFor(before["data_items"].([]any))) {
				t.Fatalf("new resource: %d", r.Status)
			}
			if len(before["resources"].([]any)) > 1 {
				kept := before["resources"].([]any)[1].(map[string]any)
				if r := e.p.Get(t, kept["download_url"].(string)); r.Status != 200 {
					t.Fatalf("kept resource: %d", r.Status)
				}
			}
			h = e.must(e.p.Get(t, "/api/v1/datasets/"+dsID+"/history"), 200, "history after")
			items := h["items"].([]any)
			if len(items) != 2 || !strings.Contains(strings.Join(toStrings(items[0].(map[string]any)["changes"]), ","), "description") {
				t.Fatalf("history: %v", h)
			}
		})
	}
}

// TestScopes: another department's entries and another region's reviews
// are hidden (404); roles without the console get 403.
func TestScopes(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	// provider2 (哈尔滨市交通运输局) submits: the provincial authority does
	// not review the city's entries.
	d := draft("哈尔滨公交线路")
	dsID := id(e.must(e.do("provider2", "POST", "/api/v1/manage/datasets", d), 201, "create"))
	e.must(e.upload("provider2", "/api/v1/manage/datasets/"+dsID+"/resources", "a.csv", []byte(goodCSV)), 201, "upload")
	e.must(e.do("provider2", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
	e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 404, "other region")
	e.must(e.do("authority", "GET", "/api/v1/manage/datasets/"+dsID, nil), 404, "other region get")
	q := e.must(e.do("authority", "GET", "/api/v1/manage/datasets?status=submitted", nil), 200, "queue")
	if q["total"].(float64) != 0 {
		t.Fatalf("queue shows another region's entry: %v", q)
	}
	for _, role := range []string{"provider"} {
		e.must(e.do(role, "GET", "/api/v1/manage/datasets/"+dsID, nil), 404, role+" get")
		e.must(e.do(role, "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"title": "x"}), 404, role+" patch")
		e.must(e.upload(role, "/api/v1/manage/datasets/"+dsID+"/resources", "a.csv", []byte(goodCSV)), 404, role+" upload")
		e.must(e.do(role, "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 404, role+" submit")
	}
	for _, role := range []string{"citizen", "organisation", "province", "admin"} {
		e.must(e.do(role, "GET", "/api/v1/manage/datasets", nil), 403, role+" list")
	}
	// A provider's list holds its own department only.
	l := e.must(e.do("provider", "GET", "/api/v1/manage/datasets?page_size=100", nil), 200, "list")
	for _, it := range l["items"].([]any) {
		if it.(map[string]any)["department"].(map[string]any)["id"] != "hlj-scjgj" {
			t.Fatalf("list shows %v", it)
		}
	}
	e.must(e.do("provider", "GET", "/api/v1/manage/datasets?status=nope", nil), 400, "bad status")
}

// TestFreshness: the update frequency sets the next update due; overdue
// entries are reported once to the provider and the authority.
func TestFreshness(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	d := draft("每日更新的目录")
	d["update_frequency"] = "daily"
	dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", d), 201, "create"))
	e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "a.csv", []byte(goodCSV)), 201, "upload")
	e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
	e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve")
	fr := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")["freshness"].(map[string]any)
	// Approved Monday 10:00: next update due Tuesday 23:59:59 China time.
	if fr["next_update_due"] != "2026-11-24T15:59:59Z" || fr["on_schedule"] != true {
		t.Fatalf("freshness: %v", fr)
	}
	ctx := context.Background()
	res, err := e.p.Publishing.CheckFreshness(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e.count("freshness_flags", "dataset_id = ?", dsID) != 0 {
		t.Fatal("flagged while on schedule")
	}
	e.advance(48 * time.Hour) // Wednesday 10:00
	fr = e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")["freshness"].(map[string]any)
	if fr["on_schedule"] != false {
		t.Fatalf("freshness after two days: %v", fr)
	}
	res, err = e.p.Publishing.CheckFreshness(ctx)
	if err != nil || res.Flagged == 0 {
		t.Fatalf("check: %+v %v", res, err)
	}
	if e.count("freshness_flags", "dataset_id = ?", dsID) != 1 {
		t.Fatal("not flagged")
	}
	var notices []notify.Notice
	e.p.DB.Where("kind = ? AND body LIKE ?", publishing.NoticeOverdue, "%每日更新的目录%").Find(&notices)
	if len(notices) != 2 { // the provider and the authority
		t.Fatalf("%d overdue notices", len(notices))
	}
	again, err := e.p.Publishing.CheckFreshness(ctx)
	if err != nil || again.Flagged != 0 || again.Notified != 0 {
		t.Fatalf("second run reported again: %+v %v", again, err)
	}
	l := e.must(e.do("provider", "GET", "/api/v1/manage/datasets?overdue=true&page_size=100", nil), 200, "overdue list")
	if !containsID(l, dsID) {
		t.Fatal("overdue list lacks the entry")
	}
}

// TestImport: the template round-trips; a file with a bad row creates
// nothing and says which row and column; a good file creates drafts.
func TestImport(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			r := e.do("provider", "GET", "/api/v1/manage/import/template", nil)
			if r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF目录名称,")) {
				t.Fatalf("CSV template: %d %.80q", r.Status, r.Body)
			}
			// The template's own example row imports (dry run).
			res := e.must(e.uploadTo("provider", "/api/v1/manage/import?dry_run=true", "模板.csv", r.Body), 200, "template dry run")
			if res["count"].(float64) != 1 || e.count("dataset_versions", "") != 0 {
				t.Fatalf("dry run: %v", res)
			}
			x := e.do("provider", "GET", "/api/v1/manage/import/template?format=xlsx", nil)
			if x.Status != 200 {
				t.Fatalf("XLSX template: %d", x.Status)
			}
			if _, err := excelize.OpenReader(bytes.NewReader(x.Body)); err != nil {
				t.Fatalf("XLSX template does not open: %v", err)
			}
			e.must(e.uploadTo("provider", "/api/v1/manage/import?dry_run=1", "模板.xlsx", x.Body), 200, "XLSX template dry run")

			rows := [][]string{
				{"目录名称", "描述", "领域", "开放类型", "开放条件", "使用范围和用途", "不予开放理由", "共享类型", "共享条件", "共享方式", "更新频率", "分类", "信息资源代码", "分级", "标签", "数据格式", "数据项"},
				{"全省药店名录", "药店名称与地址。", "health", "无条件开放", "", "", "", "无条件共享", "", "文件下载", "每月", "基础数据", "104001/000007", "一级", "药店，医疗", "csv，xlsx", "name|名称|字符串|是|\naddress|地址|字符串||"},
				{"全省企业年报", "企业年报信息。", "信用服务", "有条件开放", "", "限征信用途", "", "有条件共享", "限信用监管使用", "接口", "每年", "基础数据", "", "二级", "", "CSV", "reg_no|注册号|字符串|是"},
				{"内部人员名单", "仅内部使用。", "经济建设", "不予开放", "", "", "", "不予共享", "", "", "不定期", "部门数据", "", "四级", "", "", "name|姓名|文本|是"},
				{"坏数据项", "x", "economy", "unconditional", "", "", "", "unconditional", "", "api", "daily", "基础数据", "", "L1", "", "", "a|甲|text"},
			}
			bad := csvOf(rows)
			r = e.uploadTo("provider", "/api/v1/manage/import", "目录.csv", bad)
			f := fields(t, r)
			if r.Status != 400 || f["rows[3].open_conditions"] == "" || f["rows[4].not_open_reason"] == "" || f["rows[4].share_conditions"] == "" || f["rows[5].data_items[0].type"] == "" {
				t.Fatalf("bad import: %d %v", r.Status, f)
			}
			if f["rows[2].title"] != "" || e.count("dataset_versions", "") != 0 {
				t.Fatalf("a good row reported, or something was created: %v", f)
			}
			rows[2][4] = "签署数据安全承诺书"
			rows[3][6] = "涉及个人隐私"
			rows[3][8] = "依据《中华人民共和国个人信息保护法》不予共享"
			rows = rows[:4]
			res = e.must(e.uploadTo("provider", "/api/v1/manage/import", "目录.csv", csvOf(rows)), 201, "import")
			if res["count"].(float64) != 3 || e.count("dataset_versions", "status = ? AND department_id = ?", "draft", "hlj-scjgj") != 3 {
				t.Fatalf("import: %v", res)
			}
			l := e.must(e.do("provider", "GET", "/api/v1/manage/datasets?status=draft", nil), 200, "drafts")
			if l["total"].(float64) != 3 {
				t.Fatalf("drafts: %v", l)
			}
			first := res["entries"].([]any)[0].(map[string]any)
			got := e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+first["id"].(string), nil), 200, "imported")
			dr := got["working"].(map[string]any)["draft"].(map[string]any)
			if dr["open_type"] != "unconditional" || dr["grade"] != "L1" || dr["update_frequency"] != "monthly" || len(dr["tags"].([]any)) != 2 || len(dr["data_items"].([]any)) != 2 || dr["region"] != "黑龙江省" {
				t.Fatalf("imported draft: %v", dr)
			}
			if dr["share_type"] != "unconditional" || dr["share_method"] != "file" || dr["resource_code"] != "104001/000007" || fmt.Sprint(dr["formats"]) != "[CSV XLSX]" {
				t.Fatalf("imported catalog record: %v", dr)
			}
			if e.count("audit_entries", "action = ?", publishing.ActionImported) != 1 {
				t.Fatal("import not audited")
			}
		})
	}
}

// csvFor is a one-row CSV matching public data items.
func csvFor(items []any) []byte {
	sample := map[string]string{"string": "示例", "integer": "1", "number": "1.5", "date": "2024-01-02", "datetime": "2024-01-02 03:04:05", "boolean": "true"}
	var header, row []string
	for _, it := range items {
		m := it.(map[string]any)
		header = append(header, m["name"].(string))
		row = append(row, sample[m["type"].(string)])
	}
	return csvOf([][]string{header, row})
}

func csvOf(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// TestReviewDeadlineOverWeekend: submitted on a Friday, due Tuesday.
func TestReviewDeadlineOverWeekend(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	e.advance(4 * 24 * time.Hour) // Friday 2026-11-27
	dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("周五提交")), 201, "create"))
	e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "a.csv", []byte(goodCSV)), 201, "upload")
	d := e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit")
	if due := d["working"].(map[string]any)["review_due"]; due != "2026-12-01T15:59:59Z" {
		t.Fatalf("review due %v", due)
	}
	e.advance(5 * 24 * time.Hour) // Wednesday: one working day late
	q := e.must(e.do("authority", "GET", "/api/v1/manage/datasets?status=submitted", nil), 200, "queue")
	if left := q["items"].([]any)[0].(map[string]any)["days_left"]; left != -1.0 {
		t.Fatalf("days_left %v", left)
	}
}

func (e *env) uploadTo(role, path, name string, content []byte) *apptest.Response {
	return e.upload(role, path, name, content)
}

var _ = http.MethodGet

// TestReviewAndFixDeadlines: the authority is reminded the working day
// before its review is due and the lateness is escalated (to the
// provincial authority too); a late fix is escalated to the provider and
// the authority; each step happens once per round.
func TestReviewAndFixDeadlines(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			ctx := context.Background()
			run := func(what string, reminded, escalated int) {
				t.Helper()
				res, err := e.p.Publishing.RunDeadlines(ctx)
				if err != nil || res.Reminded != reminded || res.Escalated != escalated {
					t.Fatalf("%s: %+v %v, want %d reminded %d escalated", what, res, err, reminded, escalated)
				}
			}
			dsID := id(e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft("期限测试")), 201, "create"))
			e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "a.csv", []byte(goodCSV)), 201, "upload")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "submit") // Monday; due Wednesday
			run("Monday", 0, 0)
			e.advance(24 * time.Hour) // Tuesday: one working day left
			run("Tuesday", 1, 0)
			run("Tuesday again", 0, 0)
			if n := e.count("notices", "kind = ?", publishing.NoticeDueSoon); n != 1 {
				t.Fatalf("%d reminders", n)
			}
			e.advance(48 * time.Hour) // Thursday: one working day late
			run("Thursday", 0, 1)
			run("Thursday again", 0, 0)
			if n := e.count("notices", "kind = ?", publishing.NoticeEscalated); n != 2 { // the authority and the province
				t.Fatalf("%d escalation notices", n)
			}
			if n := e.count("audit_entries", "action = ? AND object_id = ?", publishing.ActionEscalated, dsID); n != 1 {
				t.Fatalf("%d escalations audited", n)
			}
			// Returned Thursday: fixes due the next Thursday; late on Friday.
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "return", "comment": "补充说明"}), 200, "return")
			e.advance(8 * 24 * time.Hour)
			run("a week later", 0, 1)
			if n := e.count("notices", "kind = ?", publishing.NoticeEscalated); n != 4 { // + the provider and the authority
				t.Fatalf("%d escalation notices", n)
			}
			// Resubmitted Friday: a new round of the review clock, due
			// Tuesday; reminded on Monday.
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "resubmit")
			e.advance(72 * time.Hour)
			run("the new round", 1, 0)
		})
	}
}
