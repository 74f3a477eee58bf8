package quality_test

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/profile"
	"github.com/hlj-opendata/portal/server/quality"
)

// profileJSON is the public profile body.
type profileJSON struct {
	ResourceID    string `json:"resource_id"`
	SHA256        string `json:"sha256"`
	Rows          int64  `json:"rows"`
	DuplicateRows int64  `json:"duplicate_rows"`
	Columns       []struct {
		ID              string   `json:"id"`
		Label           string   `json:"label"`
		DeclaredType    string   `json:"declared_type"`
		Domain          string   `json:"domain"`
		Empty           int64    `json:"empty"`
		Invalid         int64    `json:"invalid"`
		InvalidRule     string   `json:"invalid_rule"`
		InvalidExamples []int64  `json:"invalid_examples"`
		InvalidValues   []string `json:"invalid_values"`
		Top             []any    `json:"top"`
	} `json:"columns"`
	Undeclared []string  `json:"undeclared_columns"`
	Missing    []string  `json:"missing_columns"`
	ProfiledAt time.Time `json:"profiled_at"`
}

func (p *profileJSON) column(t *testing.T, id string) int {
	t.Helper()
	for i, c := range p.Columns {
		if c.ID == id {
			return i
		}
	}
	t.Fatalf("no column %s in %+v", id, p.Columns)
	return -1
}

// defective is 100 rows with known defects: invalid credit codes at rows
// 12, 40 and 77, a capital that is no number at row 5, row 90 repeating
// row 89, and 15 empty phone numbers (rows 20–34).
func defective() string {
	t := cleanTable(100)
	for _, row := range []int{12, 40, 77} {
		t.set(row, "uscc", badCreditCode(row))
	}
	t.set(5, "capital", "abc")
	copy(t.rows[90-2], t.rows[89-2])
	for row := 20; row <= 34; row++ {
		t.set(row, "tel", "")
	}
	return t.csv()
}

// A published CSV is profiled by the job the "dataset" event queues; the
// profile answers 202 until then, and the exact defects after; the
// entry's score follows.
func TestProfileJobEndToEnd(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			e.load(entry("ds-q-defects", deptA, defective()))
			url := "/api/v1/resources/res-ds-q-defects/profile"
			r := e.get("", url)
			if r.Status != 202 || r.Header.Get("Retry-After") != "5" {
				t.Fatalf("before the job: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			if m := r.Map(t); m["status"] != "profiling" || m["resource_id"] != "res-ds-q-defects" {
				t.Fatalf("202 body: %v", m)
			}
			// The GET queued one job; asking again queues no second one.
			e.get("", url)
			if n := e.p.Count(t, "outbox_events", "kind = ? AND entity_id = ?", "profile", "res-ds-q-defects"); n != 1 {
				t.Fatalf("queued profile jobs: %d, want 1", n)
			}
			e.publish("ds-q-defects")

			var prof profileJSON
			e.decode(e.get("", url), 200, "profile", &prof)
			if prof.Rows != 100 || prof.DuplicateRows != 1 || len(prof.Columns) != 5 || len(prof.Undeclared) != 0 || len(prof.Missing) != 0 {
				t.Fatalf("profile: rows %d, duplicates %d, %d columns, undeclared %v, missing %v", prof.Rows, prof.DuplicateRows, len(prof.Columns), prof.Undeclared, prof.Missing)
			}
			uscc := prof.Columns[prof.column(t, "uscc")]
			if uscc.Domain != "credit_code" || uscc.Invalid != 3 || uscc.InvalidRule != profile.RuleCreditCode || !slices.Equal(uscc.InvalidExamples, []int64{12, 40, 77}) {
				t.Errorf("uscc: %+v", uscc)
			}
			capital := prof.Columns[prof.column(t, "capital")]
			if capital.Invalid != 1 || capital.InvalidRule != profile.RuleType || !slices.Equal(capital.InvalidExamples, []int64{5}) || !slices.Equal(capital.InvalidValues, []string{"abc"}) {
				t.Errorf("capital: %+v", capital)
			}
			if tel := prof.Columns[prof.column(t, "tel")]; tel.Empty != 15 || tel.Invalid != 0 {
				t.Errorf("tel: %+v", tel)
			}
			if !prof.ProfiledAt.Equal(monday10) {
				t.Errorf("profiled_at %s, want the injected clock", prof.ProfiledAt)
			}

			// The score: metadata, format, schedule and corrections pass
			// (20+10+15+10); types, codes, duplicates and empties fail; the
			// dictionary matches (5).
			score, checks := e.score("ds-q-defects")
			if score != 60 {
				t.Errorf("score %d, want 60: %v", score, checks)
			}
			for id, want := range map[string]string{
				quality.CheckTypes:      "1 row has a value that is not a number in 注册资本 (capital) (row 5) in 企业名录.csv",
				quality.CheckCodes:      "3 rows have an invalid credit code in 统一社会信用代码 (uscc) (rows 12, 40, 77) in 企业名录.csv",
				quality.CheckDuplicates: "1 duplicate row in 企业名录.csv",
				quality.CheckEmpty:      "联系电话 (tel) is 15% empty in 企业名录.csv",
			} {
				if checks[id]["passed"] != false || checks[id]["detail"] != want {
					t.Errorf("%s: %v, want failed with %q", id, checks[id], want)
				}
			}
			zh := e.must(e.get("", "/api/v1/datasets/ds-q-defects/quality"), 200, "zh")
			if d := zh["checks"].([]any)[5].(map[string]any)["detail"]; d != "企业名录.csv：统一社会信用代码 (uscc) 有 3 行不是有效的统一社会信用代码（第 12, 40, 77 行）" {
				t.Errorf("zh detail: %v", d)
			}
			var stored int
			e.p.DB.Table("datasets").Where("id = ?", "ds-q-defects").Pluck("quality_score", &stored)
			if stored != 60 {
				t.Errorf("datasets.quality_score %d", stored)
			}
		})
	}
}

// A second event for a profiled file does nothing: the profile is not
// made again.
func TestProfileIdempotent(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.load(entry("ds-q-idem", deptA, cleanTable(10).csv()))
	var runs atomic.Int32
	e.p.Quality.Profiler = func(ctx context.Context, r io.Reader, items []profile.Item, opt profile.Options) (*profile.Result, error) {
		runs.Add(1)
		return profile.Run(ctx, r, items, opt)
	}
	e.publish("ds-q-idem")
	first := e.profileRow("res-ds-q-idem")
	if first.State != quality.StateReady || runs.Load() != 1 {
		t.Fatalf("after the first event: %s, %d runs", first.State, runs.Load())
	}
	e.clk.Advance(time.Hour)
	e.enqueue("profile", "res-ds-q-idem")
	e.publish("ds-q-idem")
	again := e.profileRow("res-ds-q-idem")
	if runs.Load() != 1 || !again.ProfiledAt.Equal(*first.ProfiledAt) || again.Attempts != first.Attempts {
		t.Fatalf("second event profiled again: %d runs, profiled_at %v → %v", runs.Load(), first.ProfiledAt, again.ProfiledAt)
	}
}

// Two workers get the same event at once: one profiles, the other is
// told to retry. A crashed worker's lease expires and the next attempt
// starts the file over; a live lease is respected.
func TestProfileLease(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			e.load(entry("ds-q-lease", deptA, cleanTable(10).csv()))
			var runs atomic.Int32
			started, release := make(chan struct{}), make(chan struct{})
			e.p.Quality.Profiler = func(ctx context.Context, r io.Reader, items []profile.Item, opt profile.Options) (*profile.Result, error) {
				// Only the first run waits, so a second one (a broken lease)
				// fails the test instead of hanging it.
				if runs.Add(1) == 1 {
					close(started)
					<-release
				}
				return profile.Run(ctx, r, items, opt)
			}
			ctx := context.Background()
			ids := []string{"res-ds-q-lease"}
			first := make(chan error, 1)
			go func() { first <- e.p.Quality.ProfileResources(ctx, ids) }()
			<-started
			if row := e.profileRow(ids[0]); row.State != quality.StateRunning || row.LeaseUntil == nil {
				t.Fatalf("while running: %+v", row)
			}
			if err := e.p.Quality.ProfileResources(ctx, ids); err == nil {
				t.Fatal("the second worker did not see the lease")
			}
			close(release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			if row := e.profileRow(ids[0]); runs.Load() != 1 || row.State != quality.StateReady || row.LeaseOwner != "" {
				t.Fatalf("%d runs, row %+v", runs.Load(), row)
			}

			// A crashed worker: its row says running, its lease lives on.
			e.replaceFile(ids[0], cleanTable(12).csv())
			until := e.at(time.Minute)
			e.p.DB.Model(&quality.Profile{}).Where("resource_id = ?", ids[0]).
				Updates(map[string]any{"state": quality.StateRunning, "lease_owner": "crashed", "lease_until": until})
			if err := e.p.Quality.ProfileResources(ctx, ids); err == nil || runs.Load() != 1 {
				t.Fatalf("a live lease was taken over: err %v, %d runs", err, runs.Load())
			}
			// Once it expired, the next attempt profiles the new file.
			e.clk.Advance(2 * time.Minute)
			if err := e.p.Quality.ProfileResources(ctx, ids); err != nil {
				t.Fatal(err)
			}
			row := e.profileRow(ids[0])
			var res profile.Result
			if err := json.Unmarshal([]byte(row.Result), &res); err != nil {
				t.Fatal(err)
			}
			if runs.Load() != 2 || row.State != quality.StateReady || res.Rows != 12 {
				t.Fatalf("after the expired lease: %d runs, state %s, %d rows", runs.Load(), row.State, res.Rows)
			}
		})
	}
}

// A new file or changed data items make the profile stale: 202 (queued)
// until the job made the new one.
func TestProfileStale(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			e.load(entry("ds-q-stale", deptA, cleanTable(10).csv()))
			e.publish("ds-q-stale")
			url := "/api/v1/resources/res-ds-q-stale/profile"
			var prof profileJSON
			e.decode(e.get("", url), 200, "profile", &prof)
			if prof.Rows != 10 {
				t.Fatalf("rows %d", prof.Rows)
			}
			// A new file.
			e.replaceFile("res-ds-q-stale", cleanTable(30).csv())
			e.must(e.get("", url), 202, "after a new file")
			e.drain()
			e.decode(e.get("", url), 200, "new profile", &prof)
			if prof.Rows != 30 {
				t.Fatalf("rows after the new file: %d", prof.Rows)
			}
			// Changed items: tel is no longer declared, so the file has an
			// undeclared column.
			e.p.DB.Exec("DELETE FROM data_items WHERE dataset_id = ? AND name = ?", "ds-q-stale", "tel")
			e.must(e.get("", url), 202, "after changed items")
			e.drain()
			e.decode(e.get("", url), 200, "profile against the new items", &prof)
			if !slices.Equal(prof.Undeclared, []string{"tel"}) || len(prof.Columns) != 5 {
				t.Fatalf("undeclared %v, %d columns", prof.Undeclared, len(prof.Columns))
			}
		})
	}
}

// A file the engine cannot read fails for good: 422, no retry, and the
// data checks say why.
func TestProfileUnreadable(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.load(entry("ds-q-empty", deptA, ""))
	e.publish("ds-q-empty")
	r := e.get("", "/api/v1/resources/res-ds-q-empty/profile")
	if r.Status != 422 || r.ErrorCode(t) != string(quality.ProfileFailed) || !strings.Contains(string(r.Body), "empty") {
		t.Fatalf("unreadable file: %d %s", r.Status, r.Body)
	}
	if n := e.p.Count(t, "outbox_events", ""); n != 0 {
		t.Fatalf("%d events left: a file that cannot be read is not retried", n)
	}
	score, checks := e.score("ds-q-empty")
	if score != 55 || checks[quality.CheckTypes]["passed"] != false || !strings.Contains(checks[quality.CheckTypes]["hint"].(string), "cannot be read as CSV") {
		t.Fatalf("score %d, types %v", score, checks[quality.CheckTypes])
	}
}

// Conditionally open data: anonymous and signed-in callers without a
// grant get 403; a grant holder sees only the approved columns, and the
// use is recorded.
func TestProfileConditional(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			ds := entry("ds-q-cond", deptA, defective())
			ds.OpenType, ds.OpenConditions, ds.UsageScope = "conditional", "签署数据安全承诺书。", "仅限科研用途。"
			ds.ShareType, ds.ShareConditions = "conditional", "仅限履行市场监管职责使用。"
			e.load(ds)
			e.publish("ds-q-cond")
			url := "/api/v1/resources/res-ds-q-cond/profile"
			for _, role := range []string{"", "citizen"} {
				if r := e.get(role, url); r.Status != 403 {
					t.Fatalf("%q without a grant: %d %s", role, r.Status, r.Body)
				}
			}
			day := e.clk.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
			app := e.roles.PostJSON(t, "citizen", "/api/v1/applications", map[string]any{
				"dataset_id": "ds-q-cond", "purpose": "开展市场主体发展研究", "scenario": "区域经济统计分析", "basis": "数据使用协议",
				"data_items": []string{"uscc", "name", "capital"}, "period_start": day, "period_end": "2027-03-31",
				"security_measures": "加密存储，专人专机访问", "contact": "张三 0451-12345678",
			})
			id := e.must(app, 201, "apply")["id"].(string)
			e.must(e.roles.PostJSON(t, "provider", "/api/v1/applications/"+id+"/decision", map[string]any{"decision": "approve", "data_items": []string{"uscc", "capital"}}), 200, "approve")
			uses := e.p.Count(t, "grant_uses", "")
			var prof profileJSON
			e.decode(e.get("citizen", url), 200, "grant holder", &prof)
			var cols []string
			for _, c := range prof.Columns {
				cols = append(cols, c.ID)
			}
			if !slices.Equal(cols, []string{"uscc", "capital"}) || len(prof.Undeclared) != 0 || prof.Rows != 100 {
				t.Fatalf("grant holder sees %v (undeclared %v)", cols, prof.Undeclared)
			}
			if n := e.p.Count(t, "grant_uses", ""); n != uses+1 {
				t.Fatalf("use records %d → %d, want one more", uses, n)
			}
			if r := e.get("organisation", url); r.Status != 403 {
				t.Fatalf("another account: %d", r.Status)
			}
		})
	}
}

// The console profile: the department's provider sees its draft's file
// (checked against the draft's items) before submitting; other
// departments, the authority (not yet submitted) and the anonymous do not.
func TestStaffProfileOfDraft(t *testing.T) {
	e := newEnv(t, "sqlite")
	draft := map[string]any{
		"title": "企业名录（草稿）", "description": "全省登记在册企业的基本信息，含统一社会信用代码。",
		"topic": map[string]any{"id": "credit"}, "open_type": "unconditional", "update_frequency": "monthly",
		"classification": "基础数据", "grade": "L1", "tags": []string{"企业"}, "share_type": "unconditional", "share_method": "file",
		"resource_code": "113001/000101", "formats": []string{"CSV"},
		"data_items": []map[string]any{
			{"name": "uscc", "label": "统一社会信用代码", "type": "string", "required": true, "domain": "credit_code"},
			{"name": "name", "label": "企业名称", "type": "string", "required": true},
			{"name": "capital", "label": "注册资本", "type": "number"},
			{"name": "reg_date", "label": "成立日期", "type": "date"},
			{"name": "tel", "label": "联系电话", "type": "string", "domain": "phone"},
		},
	}
	id := e.must(e.roles.PostJSON(t, "provider", "/api/v1/manage/datasets", draft), 201, "create draft")["id"].(string)
	content := cleanTable(8).set(3, "uscc", badCreditCode(3)).csv()
	res := e.must(e.roles.Upload(t, "provider", "/api/v1/manage/datasets/"+id+"/resources", "企业名录.csv", []byte(content)), 201, "upload")
	rid := res["id"].(string)
	url := "/api/v1/manage/resources/" + rid + "/profile"
	if r := e.get("", url); r.Status != 401 {
		t.Fatalf("anonymous: %d", r.Status)
	}
	e.must(e.get("provider", url), 202, "before the job")
	e.drain()
	var prof profileJSON
	e.decode(e.get("provider", url), 200, "draft profile", &prof)
	uscc := prof.Columns[prof.column(t, "uscc")]
	if prof.Rows != 8 || uscc.Domain != "credit_code" || uscc.Invalid != 1 || !slices.Equal(uscc.InvalidExamples, []int64{3}) {
		t.Fatalf("draft profile: %d rows, uscc %+v", prof.Rows, uscc)
	}
	for _, role := range []string{"provider2", "authority", "citizen"} {
		if r := e.get(role, url); r.Status != 404 && r.Status != 403 {
			t.Errorf("%s: %d %s", role, r.Status, r.Body)
		}
	}
	// Not public: the public route knows nothing of it.
	if r := e.get("", "/api/v1/resources/"+rid+"/profile"); r.Status != 404 {
		t.Errorf("public route for a draft: %d", r.Status)
	}
}

// Bad input: clear 4xx, nothing queued.
func TestProfileBadInput(t *testing.T) {
	e := newEnv(t, "sqlite")
	ds := entry("ds-q-xlsx", deptA, "a,b\n1,2\n")
	ds.Resources[0].Format, ds.Resources[0].Name = "XLSX", "表.xlsx"
	e.load(ds, entry("ds-q-bad", deptA, cleanTable(3).csv()))
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/api/v1/resources/res-ds-q-xlsx/profile", 404},
		{"/api/v1/resources/no-such-resource/profile", 404},
		{"/api/v1/resources/bad%20id!/profile", 404},
		{"/api/v1/resources/res-ds-q-bad/profile?limit=3", 400},
		{"/api/v1/manage/resources/res-ds-q-bad/profile?x=1", 400},
	} {
		r := e.get("provider", tc.path)
		if r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.path, r.Status, tc.status, r.Body)
		}
	}
	if r := e.get("", "/api/v1/resources/res-ds-q-xlsx/profile"); !strings.Contains(string(r.Body), "只对 CSV 资源进行数据剖析") {
		t.Errorf("not CSV: %s", r.Body)
	}
	if n := e.p.Count(t, "outbox_events", ""); n != 0 {
		t.Errorf("bad requests queued %d events", n)
	}
}
