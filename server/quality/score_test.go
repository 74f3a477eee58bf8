package quality_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/store"
)

// Every check is worth exactly its weight: an entry with one defect
// scores 100 minus that weight, and 100 once the defect is fixed and the
// change applied (the "dataset" event of an update).
func TestEachCheckIsWorthItsWeight(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			weight := map[string]int{}
			sum := 0
			for _, c := range quality.Checks {
				weight[c.ID] = c.Weight
				sum += c.Weight
			}
			if sum != 100 {
				t.Fatalf("weights sum to %d", sum)
			}
			long := "全省登记在册企业的基本信息，含统一社会信用代码、名称、注册资本和联系电话。"
			cases := []struct {
				check  string
				before int // when the defect alone is not the whole story
				broken func(ds *seed.Dataset)
				fix    func(id string)
			}{
				{check: quality.CheckMetadata, broken: func(ds *seed.Dataset) { ds.Description, ds.Tags = "企业名录", nil }, fix: func(id string) {
					e.exec("UPDATE datasets SET description = ?, tags = ? WHERE id = ?", long, `["企业"]`, id)
				}},
				// Without CSV or JSON the data checks cannot pass either; a
				// JSON file instead of the XLSX gains open_format alone.
				{check: quality.CheckOpenFormat, before: 45, broken: func(ds *seed.Dataset) {
					ds.Resources[0].Format, ds.Resources[0].Name, ds.Formats = "XLSX", "企业名录.xlsx", []string{"XLSX"}
				}, fix: func(id string) {
					e.exec("UPDATE resources SET format = 'JSON', name = '企业名录.json' WHERE dataset_id = ?", id)
				}},
				{check: quality.CheckOnTime, broken: func(ds *seed.Dataset) {
					ds.UpdateFrequency, ds.UpdatedAt = "monthly", monday10.AddDate(0, -2, 0)
				}, fix: func(id string) {
					e.exec("UPDATE datasets SET updated_at = ? WHERE id = ?", store.DBTime(e.clk.Now()), id)
				}},
				{check: quality.CheckTypes, broken: withFile(cleanTable(20).set(5, "capital", "abc").csv()), fix: e.cleanFile},
				{check: quality.CheckCodes, broken: withFile(cleanTable(20).set(7, "uscc", badCreditCode(7)).csv()), fix: e.cleanFile},
				{check: quality.CheckDuplicates, broken: withFile(dupTable().csv()), fix: e.cleanFile},
				{check: quality.CheckEmpty, broken: withFile(cleanTable(20).set(9, "name", "").csv()), fix: e.cleanFile},
				// The file lacks the declared tel: dropping the item (new items,
				// so the profile is made again) fixes it.
				{check: quality.CheckDictionary, broken: withFile(cleanTable(20).drop("tel").csv()), fix: func(id string) {
					e.exec("DELETE FROM data_items WHERE dataset_id = ? AND name = 'tel'", id)
				}},
			}
			var ids []string
			var all []seed.Dataset
			for _, c := range cases {
				ds := entry("ds-w-"+c.check, deptA, cleanTable(20).csv())
				c.broken(&ds)
				ids, all = append(ids, ds.ID), append(all, ds)
			}
			all = append(all, entry("ds-w-perfect", deptA, cleanTable(20).csv()))
			e.load(all...)
			e.publish(append(ids, "ds-w-perfect")...)
			if score, checks := e.score("ds-w-perfect"); score != 100 {
				t.Fatalf("the complete entry scores %d: %v", score, checks)
			}
			for i, c := range cases {
				before := c.before
				if before == 0 {
					before = 100 - weight[c.check]
				}
				score, checks := e.score(ids[i])
				if score != before || checks[c.check]["passed"] != false {
					t.Errorf("%s broken: score %d, want %d; check %v", c.check, score, before, checks[c.check])
					continue
				}
				c.fix(ids[i])
				e.publish(ids[i])
				after, checks := e.score(ids[i])
				if after-score != weight[c.check] || checks[c.check]["passed"] != true {
					t.Errorf("%s fixed: %d → %d, want +%d; check %v", c.check, score, after, weight[c.check], checks[c.check])
				}
			}

			// corrections_answered: a report past its due time costs 10 until
			// the department answers it.
			created := e.must(e.roles.PostJSON(t, "citizen", "/api/v1/corrections", map[string]any{
				"dataset_id": "ds-w-perfect", "description": "第 3 行的注册资本与营业执照不符。"}), 201, "report")
			due, err := time.Parse(time.RFC3339, created["due_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Set(due.Add(time.Hour))
			e.enqueue("quality", "ds-w-perfect")
			e.drain()
			score, checks := e.score("ds-w-perfect")
			if score != 100-weight[quality.CheckCorrections] || checks[quality.CheckCorrections]["detail"] != "1 correction report is past its due time without an answer" {
				t.Fatalf("overdue report: %d %v", score, checks[quality.CheckCorrections])
			}
			e.must(e.roles.PostJSON(t, "provider", fmt.Sprintf("/api/v1/corrections/%v/answer", created["id"]),
				map[string]any{"outcome": "not_an_error", "explanation": "经核对，注册资本与登记一致。"}), 200, "answer")
			e.enqueue("quality", "ds-w-perfect")
			e.drain()
			if score, _ := e.score("ds-w-perfect"); score != 100 {
				t.Fatalf("after the answer: %d", score)
			}
		})
	}
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if err := e.p.DB.Exec(sql, args...).Error; err != nil {
		e.t.Fatal(err)
	}
}

// cleanFile replaces an entry's CSV with a clean one.
func (e *env) cleanFile(id string) { e.replaceFile("res-"+id, cleanTable(20).csv()) }

func withFile(content string) func(ds *seed.Dataset) {
	return func(ds *seed.Dataset) {
		ds.Resources[0] = csvResource(ds.Resources[0].ID, ds.Resources[0].Name, content)
	}
}

// dupTable has row 10 repeating row 9.
func dupTable() *table {
	t := cleanTable(20)
	copy(t.rows[10-2], t.rows[9-2])
	return t
}

// The catalog list sorts and filters by the scores once computed; an
// entry that stops being public loses its score.
func TestListByQuality(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			low := entry("ds-l-low", deptA, defective()) // 60
			mid := entry("ds-l-mid", deptA, cleanTable(10).csv())
			mid.Tags = nil // 80
			e.load(low, mid, entry("ds-l-top", deptB, cleanTable(10).csv()))
			e.publish("ds-l-low", "ds-l-mid", "ds-l-top")
			var list struct {
				Total int `json:"total"`
				Items []struct {
					ID           string `json:"id"`
					QualityScore int    `json:"quality_score"`
				} `json:"items"`
			}
			e.decode(e.get("", "/api/v1/datasets?sort=quality&min_quality=60&page_size=10"), 200, "list", &list)
			var got []string
			for _, it := range list.Items {
				got = append(got, fmt.Sprintf("%s:%d", it.ID, it.QualityScore))
			}
			if want := []string{"ds-l-top:100", "ds-l-mid:80", "ds-l-low:60"}; !slices.Equal(got, want) || list.Total != 3 {
				t.Fatalf("sort=quality&min_quality=60: %v (total %d), want %v", got, list.Total, want)
			}
			e.decode(e.get("", "/api/v1/datasets?min_quality=61"), 200, "list", &list)
			if list.Total != 2 {
				t.Fatalf("min_quality=61: %d entries", list.Total)
			}
			// Withdrawn from the public: no score row, score 0, out of the list.
			e.exec("UPDATE datasets SET status = 'revoked' WHERE id = 'ds-l-mid'")
			e.publish("ds-l-mid")
			if n := e.p.Count(t, "dataset_quality", "dataset_id = ?", "ds-l-mid"); n != 0 {
				t.Errorf("a revoked entry keeps its score row")
			}
			var stored int
			e.p.DB.Table("datasets").Where("id = ?", "ds-l-mid").Pluck("quality_score", &stored)
			if r := e.get("", "/api/v1/datasets/ds-l-mid/quality"); stored != 0 || (r.Status != 404 && r.Status != 410) {
				t.Errorf("revoked: score %d, quality %d", stored, r.Status)
			}
		})
	}
}

// Departments' averages, lowest first; fix-first by biggest gain, scoped
// to the caller's department, every department for the authority.
func TestDepartmentsAndFixFirst(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			a2 := entry("ds-f-a2", deptA, cleanTable(10).csv())
			a2.Description = "企业名录" // metadata_complete fails: 80
			b1 := entry("ds-f-b1", deptB, "a,b\n1,2\n")
			b1.Resources[0].Format, b1.Resources[0].Name = "XLSX", "表.xlsx" // 45: no CSV
			e.load(entry("ds-f-a1", deptA, defective()), a2, b1, entry("ds-f-b2", deptB, cleanTable(10).csv()))
			e.publish("ds-f-a1", "ds-f-a2", "ds-f-b1", "ds-f-b2")

			var deps struct {
				Items []struct {
					Department struct{ ID, Name string } `json:"department"`
					Datasets   int                       `json:"datasets"`
					Average    float64                   `json:"average"`
					Below60    int                       `json:"below_60"`
				} `json:"items"`
			}
			e.decode(e.get("", "/api/v1/quality/departments"), 200, "departments", &deps)
			var got []string
			for _, d := range deps.Items {
				got = append(got, fmt.Sprintf("%s n=%d avg=%.1f below=%d", d.Department.ID, d.Datasets, d.Average, d.Below60))
			}
			want := []string{deptA + " n=2 avg=70.0 below=0", deptB + " n=2 avg=72.5 below=1"}
			if !slices.Equal(got, want) || deps.Items[1].Department.Name != "哈尔滨市交通运输局" {
				t.Fatalf("departments: %v, want %v", got, want)
			}

			fix := func(role, query string, header ...string) []string {
				t.Helper()
				var out struct {
					Items []struct {
						DatasetID string `json:"dataset_id"`
						Title     string `json:"title"`
						Score     int    `json:"score"`
						Check     string `json:"check"`
						Weight    int    `json:"weight"`
						Hint      string `json:"hint"`
					} `json:"items"`
				}
				e.decode(e.get(role, "/api/v1/manage/quality/fix-first"+query, header...), 200, role+" fix-first"+query, &out)
				var s []string
				for _, it := range out.Items {
					if it.Hint == "" || it.Title == "" {
						t.Errorf("no hint or title: %+v", it)
					}
					s = append(s, fmt.Sprintf("%s/%s/%d", it.DatasetID, it.Check, it.Weight))
				}
				return s
			}
			provider := []string{"ds-f-a2/metadata_complete/20", "ds-f-a1/types_respected/15", "ds-f-a1/no_duplicates/10",
				"ds-f-a1/valid_codes/10", "ds-f-a1/low_empty/5"}
			if got := fix("provider", ""); !slices.Equal(got, provider) {
				t.Errorf("provider: %v, want %v", got, provider)
			}
			provider2 := []string{"ds-f-b1/types_respected/15", "ds-f-b1/no_duplicates/10", "ds-f-b1/open_format/10",
				"ds-f-b1/valid_codes/10", "ds-f-b1/dictionary_matches/5", "ds-f-b1/low_empty/5"}
			if got := fix("provider2", ""); !slices.Equal(got, provider2) {
				t.Errorf("provider2: %v, want %v", got, provider2)
			}
			// The authority sees both: within a weight the lower score first.
			if got := fix("authority", "?limit=3"); !slices.Equal(got, []string{"ds-f-a2/metadata_complete/20", "ds-f-b1/types_respected/15", "ds-f-a1/types_respected/15"}) {
				t.Errorf("authority: %v", got)
			}
			if got := fix("authority", "?department="+deptB); !slices.Equal(got, provider2) {
				t.Errorf("authority, department B: %v", got)
			}
			if got := fix("admin", "?limit=100"); len(got) != 11 {
				t.Errorf("admin: %d items", len(got))
			}
			if got := fix("provider", "?department="+deptA); !slices.Equal(got, provider) {
				t.Errorf("provider naming its own department: %v", got)
			}
			// Hints in the language asked for.
			var en struct{ Items []struct{ Hint string } }
			e.decode(e.get("provider2", "/api/v1/manage/quality/fix-first?limit=1", "Accept-Language", "en-GB,en;q=0.9,zh;q=0.5"), 200, "en", &en)
			if en.Items[0].Hint != "Publish a CSV resource so that the data itself can be checked." {
				t.Errorf("en hint: %q", en.Items[0].Hint)
			}
			var zh struct{ Items []struct{ Hint string } }
			e.decode(e.get("provider2", "/api/v1/manage/quality/fix-first?limit=1"), 200, "zh", &zh)
			if zh.Items[0].Hint != "发布 CSV 格式的资源后才能检查数据本身。" {
				t.Errorf("zh hint: %q", zh.Items[0].Hint)
			}

			for _, tc := range []struct {
				role, path string
				status     int
			}{
				{"", "/api/v1/manage/quality/fix-first", 401},
				{"citizen", "/api/v1/manage/quality/fix-first", 403},
				{"provider", "/api/v1/manage/quality/fix-first?department=" + deptB, 403},
				{"authority", "/api/v1/manage/quality/fix-first?limit=0", 400},
				{"authority", "/api/v1/manage/quality/fix-first?limit=101", 400},
				{"authority", "/api/v1/manage/quality/fix-first?limit=x", 400},
				{"authority", "/api/v1/manage/quality/fix-first?department=bad%20id!", 400},
				{"authority", "/api/v1/manage/quality/fix-first?lang=fr", 400},
				{"authority", "/api/v1/manage/quality/fix-first?sort=score", 400},
				{"", "/api/v1/datasets/no-such-entry/quality", 404},
				{"", "/api/v1/datasets/bad%20id!/quality", 404},
				{"", "/api/v1/datasets/ds-f-a1/quality?lang=fr", 400},
				{"", "/api/v1/datasets/ds-f-a1/quality?page=2", 400},
				{"", "/api/v1/quality/departments?x=1", 400},
			} {
				if r := e.get(tc.role, tc.path); r.Status != tc.status {
					t.Errorf("%q %s: %d, want %d: %s", tc.role, tc.path, r.Status, tc.status, r.Body)
				}
			}
			// A not-open entry has no public quality.
			hidden := entry("ds-f-hidden", deptA, cleanTable(3).csv())
			hidden.OpenType, hidden.NotOpenReason, hidden.ShareType, hidden.ShareConditions = "not_open", "涉及商业秘密", "not_shared", "《数据安全法》"
			e.load(hidden)
			e.publish("ds-f-hidden")
			if r := e.get("", "/api/v1/datasets/ds-f-hidden/quality"); r.Status != 404 {
				t.Errorf("not-open entry: %d", r.Status)
			}
			if n := e.p.Count(t, "dataset_quality", "dataset_id = ?", "ds-f-hidden"); n != 0 {
				t.Errorf("a not-open entry was scored")
			}
		})
	}
}

// The sweep queues, in batches, a profile of every public CSV file
// without a current one and a score for every public entry; once they
// are applied it queues profiles no more.
func TestSweep(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.load(entry("ds-s-1", deptA, cleanTable(5).csv()))
	e.p.Quality.Limits.SweepBatch = 7
	var public, csv int64
	e.p.DB.Model(&catalog.Dataset{}).Where("status = 'published' AND open_type IN ('unconditional','conditional')").Count(&public)
	e.p.DB.Table("resources").Joins("JOIN datasets ON datasets.id = resources.dataset_id").
		Where("datasets.status = 'published' AND datasets.open_type IN ('unconditional','conditional') AND resources.format = 'CSV'").Count(&csv)
	res, err := e.p.Quality.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if int64(res.Datasets) != public || int64(res.Profiles) != csv || csv == 0 {
		t.Fatalf("sweep queued %+v, want %d entries and %d files", res, public, csv)
	}
	e.drain()
	if n := e.p.Count(t, "dataset_quality", ""); n != public {
		t.Fatalf("%d entries scored, want %d", n, public)
	}
	if n := e.p.Count(t, "resource_profiles", "state = ?", quality.StateReady); n != csv {
		t.Fatalf("%d files profiled, want %d", n, csv)
	}
	if score, _ := e.score("ds-s-1"); score != 100 {
		t.Fatalf("swept entry scores %d", score)
	}
	res, err = e.p.Quality.Sweep(context.Background())
	if err != nil || res.Profiles != 0 || int64(res.Datasets) != public {
		t.Fatalf("second sweep: %+v %v", res, err)
	}
}
