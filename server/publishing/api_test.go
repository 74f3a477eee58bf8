package publishing_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/publishing"
)

// TestPublishFlow: create → upload → submit → return with comment →
// resubmit → approve → public list and search; then an update goes
// through review while the old version stays public.
func TestPublishFlow(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, nil)
			title := "全省测试企业登记信息"
			d := e.must(e.do("provider", "POST", "/api/v1/manage/datasets", draft(title)), 201, "create")
			dsID := id(d)
			if d["status"] != "draft" || d["department"].(map[string]any)["id"] != "hlj-scjgj" {
				t.Fatalf("created: %v", d)
			}
			// Not public, not visible to another department or the authority yet.
			e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 404, "public before approval")
			e.must(e.do("provider2", "GET", "/api/v1/manage/datasets/"+dsID, nil), 404, "other department")
			e.must(e.do("authority", "GET", "/api/v1/manage/datasets/"+dsID, nil), 404, "authority sees no draft")

			// Submitting without a resource is refused with a field error.
			r := e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil)
			if r.Status != 400 || fields(t, r)["resources"] == "" {
				t.Fatalf("submit without resources: %d %s", r.Status, r.Body)
			}
			res := e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业.csv", []byte(goodCSV)), 201, "upload")
			if res["rows"].(float64) != 2 || res["format"] != "CSV" || len(res["sha256"].(string)) != 64 {
				t.Fatalf("uploaded: %v", res)
			}

			d = e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", map[string]string{"note": "首次发布"}), 200, "submit")
			w := d["working"].(map[string]any)
			// 001 Art 17: 2 working days from Monday → Wednesday 23:59:59 China time.
			if w["status"] != "submitted" || w["review_due"] != "2026-11-25T15:59:59Z" {
				t.Fatalf("submitted: %v", w)
			}
			if n := e.count("notices", "kind = ?", publishing.NoticeSubmitted); n != 1 {
				t.Fatalf("authority notices: %d", n)
			}
			// Under review: no changes.
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"title": "x"}), 409, "patch under review")

			// The authority's queue.
			q := e.must(e.do("authority", "GET", "/api/v1/manage/datasets?status=submitted", nil), 200, "queue")
			if q["total"].(float64) != 1 || q["items"].([]any)[0].(map[string]any)["id"] != dsID {
				t.Fatalf("queue: %v", q)
			}
			// Return needs a comment.
			r = e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "return"})
			if r.Status != 400 || fields(t, r)["comment"] == "" {
				t.Fatalf("return without comment: %d %s", r.Status, r.Body)
			}
			e.advance(24 * time.Hour) // Tuesday
			d = e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "return", "comment": "请补充数据项说明。"}), 200, "return")
			w = d["working"].(map[string]any)
			// 000 Art 12: fixes within 5 working days from Tuesday → next Tuesday.
			if w["status"] != "returned" || w["fix_due"] != "2026-12-01T15:59:59Z" {
				t.Fatalf("returned: %v", w)
			}
			var returned notify.Notice
			if err := e.p.DB.Where("kind = ?", publishing.NoticeReturned).Take(&returned).Error; err != nil || !strings.Contains(returned.Body, "请补充数据项说明") {
				t.Fatalf("provider notice: %v %+v", err, returned)
			}
			// The provider sees the comment, fixes and resubmits.
			d = e.must(e.do("provider", "GET", "/api/v1/manage/datasets/"+dsID, nil), 200, "get")
			if rv := d["reviews"].([]any); len(rv) != 1 || rv[0].(map[string]any)["comment"] != "请补充数据项说明。" {
				t.Fatalf("reviews: %v", d["reviews"])
			}
			fix := draft(title)
			fix["data_items"].([]map[string]any)[0]["description"] = "统一社会信用代码"
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"data_items": fix["data_items"]}), 200, "fix")
			e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", nil), 200, "resubmit")
			d = e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve"}), 200, "approve")
			if d["status"] != "published" || d["published_version"].(float64) != 1 || d["working"] != nil {
				t.Fatalf("approved: %v", d)
			}
			e.drain()

			pub := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public")
			if pub["title"] != title || pub["open_conditions"] == "" || len(pub["resources"].([]any)) != 1 {
				t.Fatalf("public: %v", pub)
			}
			if fr := pub["freshness"].(map[string]any); fr["on_schedule"] != true || fr["next_update_due"] == nil {
				t.Fatalf("freshness: %v", fr)
			}
			list := e.must(e.p.Get(t, "/api/v1/datasets?q="+url.QueryEscape("测试企业登记")), 200, "search")
			if !containsID(list, dsID) {
				t.Fatalf("not found by search: %v", list["total"])
			}
			list = e.must(e.p.Get(t, "/api/v1/datasets?department=hlj-scjgj&page_size=100"), 200, "list")
			if !containsID(list, dsID) {
				t.Fatal("not in the public list")
			}

			// Update: a new version under review; the public keeps version 1.
			e.must(e.do("provider", "PATCH", "/api/v1/manage/datasets/"+dsID, map[string]any{"title": title + "（更新）"}), 200, "update")
			e.must(e.upload("provider", "/api/v1/manage/datasets/"+dsID+"/resources", "企业2.csv", []byte(goodCSV+"91230100MA3,牡丹江木业有限公司,5,3,2021-03-04\n")), 201, "upload v2")
			d = e.must(e.do("provider", "POST", "/api/v1/manage/datasets/"+dsID+"/submit", map[string]string{"note": "更名并新增一个文件"}), 200, "submit v2")
			if w := d["working"].(map[string]any); w["version"].(float64) != 2 || len(w["resources"].([]any)) != 2 {
				t.Fatalf("version 2: %v", w)
			}
			e.drain()
			pub = e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public during review")
			if pub["title"] != title || len(pub["resources"].([]any)) != 1 || pub["version"].(float64) != 1 {
				t.Fatalf("public changed before approval: %v %v", pub["title"], pub["version"])
			}
			e.advance(time.Hour)
			e.must(e.do("authority", "POST", "/api/v1/manage/datasets/"+dsID+"/review", map[string]string{"decision": "approve", "comment": "同意"}), 200, "approve v2")
			e.drain()
			pub = e.must(e.p.Get(t, "/api/v1/datasets/"+dsID), 200, "public v2")
			if pub["title"] != title+"（更新）" || len(pub["resources"].([]any)) != 2 || pub["version"].(float64) != 2 {
				t.Fatalf("public v2: %v", pub)
			}
			h := e.must(e.p.Get(t, "/api/v1/datasets/"+dsID+"/history"), 200, "history")
			items := h["items"].([]any)
			if len(items) != 2 {
				t.Fatalf("history: %v", h)
			}
			v2 := items[0].(map[string]any)
			if v2["version"].(float64) != 2 || v2["note"] != "更名并新增一个文件" || !strings.Contains(strings.Join(toStrings(v2["changes"]), ","), "title") || !strings.Contains(strings.Join(toStrings(v2["changes"]), ","), "resources") {
				t.Fatalf("history v2: %v", v2)
			}
			if v1 := items[1].(map[string]any); v1["note"] != "首次发布" || toStrings(v1["changes"])[0] != "created" {
				t.Fatalf("history v1 (resubmitted without a note keeps the first): %v", v1)
			}
			if n := e.count("dataset_versions", "dataset_id = ?", dsID); n != 2 {
				t.Fatalf("versions kept: %d", n)
			}
			if n := e.count("audit_entries", "object_id = ? AND action IN ?", dsID, []string{publishing.ActionSubmitted, publishing.ActionApproved, publishing.ActionReturned}); n != 6 {
				t.Fatalf("audit entries: %d", n)
			}
		})
	}
}

func containsID(list map[string]any, id string) bool {
	for _, it := range list["items"].([]any) {
		if it.(map[string]any)["id"] == id {
			return true
		}
	}
	return false
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
