package catalog_test

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-gormigrate/gormigrate/v2"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/catalog/catalogtest"
)

// cursorPage is a list page with the cursor fields.
type cursorPage struct {
	Total      int    `json:"total"`
	Page       int    `json:"page"`
	NextCursor string `json:"next_cursor"`
	Degraded   bool   `json:"degraded"`
	Items      []struct {
		ID         string              `json:"id"`
		OpenType   string              `json:"open_type"`
		Department struct{ ID string } `json:"department"`
		Grade      string              `json:"grade"`
	} `json:"items"`
	Facets map[string][]struct{} `json:"facets"`
}

// cursorPortal is a demo portal whose index pages by cursor through the
// test wrapper (the embedded engine's own cursor is merged separately).
func cursorPortal(t *testing.T, engine string) (*apptest.Portal, *catalogtest.CursorIndex) {
	t.Helper()
	var ci *catalogtest.CursorIndex
	// The response cache off: these tests compare what the engine and the
	// database answer (a cached page outliving an index outage is the
	// cache's own behaviour, tested in server/respcache).
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "demo", Env: map[string]string{"PORTAL_RESPONSE_CACHE_MB": "0"}, WrapIndex: func(i search.Index) search.Index {
		ci = catalogtest.NewCursorIndex(i)
		return ci
	}})
	return p, ci
}

func getPage(t *testing.T, p *apptest.Portal, path string) cursorPage {
	t.Helper()
	r := p.Get(t, path)
	if r.Status != 200 {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	var pg cursorPage
	r.JSON(t, &pg)
	return pg
}

// walkOffsets lists every id of a list by page numbers.
func walkOffsets(t *testing.T, p *apptest.Portal, q url.Values) []string {
	t.Helper()
	var ids []string
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		q.Set("page_size", "100")
		pg := getPage(t, p, "/api/v1/datasets?"+q.Encode())
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if page*100 >= pg.Total {
			return ids
		}
	}
}

// walkCursor lists every id of a list by following next_cursor.
func walkCursor(t *testing.T, p *apptest.Portal, q url.Values, size string, wantDegraded bool) []string {
	t.Helper()
	q.Del("page")
	q.Set("page_size", size)
	var ids []string
	for n := 0; ; n++ {
		pg := getPage(t, p, "/api/v1/datasets?"+q.Encode())
		if pg.Degraded != wantDegraded {
			t.Fatalf("degraded = %v, want %v", pg.Degraded, wantDegraded)
		}
		if n > 0 && pg.Page != 0 {
			t.Errorf("a page reached by cursor says page %d, want 0", pg.Page)
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if pg.NextCursor == "" {
			if len(ids) != pg.Total {
				t.Fatalf("cursor walk ended after %d of %d", len(ids), pg.Total)
			}
			return ids
		}
		if n > 1000 {
			t.Fatal("cursor walk does not end")
		}
		q.Set("cursor", pg.NextCursor)
	}
}

func noDuplicates(t *testing.T, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s appears twice", id)
		}
		seen[id] = true
	}
}

// TestListCursorWalk walks each sort by cursor: every public entry once,
// in the order page numbers give.
func TestListCursorWalk(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, _ := cursorPortal(t, engine)
			for _, q := range []url.Values{
				{},
				{"sort": {"published"}},
				{"sort": {"downloads"}},
				{"sort": {"name"}},
				{"sort": {"quality"}},
				{"sort": {"updated"}, "open_type": {"conditional"}},
			} {
				want := walkOffsets(t, p, cloneValues(q))
				got := walkCursor(t, p, cloneValues(q), "37", false)
				noDuplicates(t, got)
				if !slices.Equal(got, want) {
					t.Errorf("%v: cursor walk differs from page walk (%d vs %d ids)", q, len(got), len(want))
				}
			}
			// Relevance with query text cannot be continued.
			if pg := getPage(t, p, "/api/v1/datasets?q="+url.QueryEscape("交通")+"&page_size=1"); pg.Total < 2 || pg.NextCursor != "" {
				t.Errorf("relevance search: total %d, next_cursor %q; want ≥2 and none", pg.Total, pg.NextCursor)
			}
		})
	}
}

func cloneValues(q url.Values) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = slices.Clone(v)
	}
	return c
}

// TestListCursorRejected: cursors that are not ours, that belong to
// another sort, or come with a page number are refused with 400 in the
// reader's language, and the good cursor still gives the same page.
func TestListCursorRejected(t *testing.T) {
	p, _ := cursorPortal(t, "sqlite")
	first := getPage(t, p, "/api/v1/datasets?sort=name&page_size=5")
	if first.NextCursor == "" {
		t.Fatal("first page has no next_cursor")
	}
	second := getPage(t, p, "/api/v1/datasets?sort=name&page_size=5&cursor="+first.NextCursor)
	for _, c := range []struct{ query, zh string }{
		{"sort=name&cursor=not-a-cursor", "cursor 无效"},
		{"sort=name&cursor=", "cursor 无效"},
		{"sort=name&cursor=" + first.NextCursor + "&cursor=" + first.NextCursor, "cursor 无效"},
		{"sort=name&cursor=" + first.NextCursor[:len(first.NextCursor)-3], "cursor 无效"},
		{"sort=updated&cursor=" + first.NextCursor, "另一种排序"},
		{"q=%E4%BA%A4%E9%80%9A&cursor=" + first.NextCursor, "另一种排序"},
		{"sort=name&page=1&cursor=" + first.NextCursor, "不能同时使用"},
		{"sort=name&page=2&cursor=" + first.NextCursor, "不能同时使用"},
		{"sort=name&offset=5&cursor=" + first.NextCursor, "unknown parameter"},
	} {
		r := p.Do(t, "GET", "/api/v1/datasets?"+c.query, nil, map[string]string{"Accept-Language": "zh-CN"})
		if r.Status != 400 || r.ErrorCode(t) != "invalid" {
			t.Errorf("%s: %d %s, want 400 invalid", c.query, r.Status, r.Body)
			continue
		}
		if c.zh != "unknown parameter" && !strings.Contains(string(r.Body), c.zh) {
			t.Errorf("%s: body %s lacks %q", c.query, r.Body, c.zh)
		}
	}
	r := p.Do(t, "GET", "/api/v1/datasets?sort=name&cursor=x", nil, map[string]string{"Accept-Language": "en"})
	if !strings.Contains(string(r.Body), "start again from the first page") {
		t.Errorf("English message: %s", r.Body)
	}
	again := getPage(t, p, "/api/v1/datasets?sort=name&page_size=5&cursor="+first.NextCursor)
	if len(again.Items) != 5 || again.Items[0].ID != second.Items[0].ID || again.NextCursor != second.NextCursor {
		t.Errorf("the good cursor answers differently after the rejected ones")
	}
}

// TestListWhileIndexUnavailable: while the index is opening or down, a
// browse is answered from the database (filters applied, cursor paging
// in the engines' order) and says so; a search by text is a clear 503.
func TestListWhileIndexUnavailable(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p, ci := cursorPortal(t, engine)
			fromIndex := walkCursor(t, p, url.Values{}, "50", false)
			fromIndexDL := walkOffsets(t, p, url.Values{"sort": {"downloads"}})
			var dep catalog.Dataset
			if err := p.DB.Where("status = ? AND open_type = ?", catalog.StatusPublished, catalog.Conditional).Order("id").First(&dep).Error; err != nil {
				t.Fatal(err)
			}
			var wantDep int64
			p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ? AND department_id = ? AND grade IN ?",
				catalog.StatusPublished, []string{"unconditional", "conditional"}, dep.DepartmentID, []string{"L1", "L2"}).Count(&wantDep)

			ci.SetDown(true)
			pg := getPage(t, p, "/api/v1/datasets")
			if !pg.Degraded || pg.Total != len(fromIndex) || len(pg.Items) != 20 {
				t.Fatalf("degraded list: degraded=%v total=%d items=%d, want true %d 20", pg.Degraded, pg.Total, len(pg.Items), len(fromIndex))
			}
			for f, vals := range pg.Facets {
				if len(vals) != 0 {
					t.Errorf("degraded list counts facet %s", f)
				}
			}
			// The database walks the same order as the index, by cursor
			// and by page.
			if got := walkCursor(t, p, url.Values{}, "50", true); !slices.Equal(got, fromIndex) {
				t.Errorf("database cursor walk differs from the index's (%d vs %d ids)", len(got), len(fromIndex))
			}
			if got := walkOffsets(t, p, url.Values{"sort": {"downloads"}}); !slices.Equal(got, fromIndexDL) {
				t.Errorf("database page walk by downloads differs from the index's")
			}
			for _, s := range []string{"published", "name", "quality"} {
				byCursor := walkCursor(t, p, url.Values{"sort": {s}}, "41", true)
				noDuplicates(t, byCursor)
				if byPage := walkOffsets(t, p, url.Values{"sort": {s}}); !slices.Equal(byCursor, byPage) {
					t.Errorf("database sort %s: cursor walk differs from page walk", s)
				}
			}
			// Filters that are columns are applied.
			q := url.Values{"department": {dep.DepartmentID}, "grade": {"L1", "L2"}}
			ids := walkCursor(t, p, q, "7", true)
			if int64(len(ids)) != wantDep || wantDep == 0 {
				t.Errorf("filtered browse: %d entries, database has %d", len(ids), wantDep)
			}
			fpg := getPage(t, p, "/api/v1/datasets?page_size=100&"+q.Encode())
			for _, it := range fpg.Items {
				if it.Department.ID != dep.DepartmentID || (it.Grade != "L1" && it.Grade != "L2") {
					t.Errorf("filtered browse shows %s of %s, grade %s", it.ID, it.Department.ID, it.Grade)
				}
			}
			// The index's cursor continues on the database and back.
			idx := slices.Index(fromIndex, pg.Items[19].ID)
			if idx != 19 {
				t.Errorf("degraded first page ends with %s, the index's with %s", pg.Items[19].ID, fromIndex[19])
			}

			for _, c := range []struct{ query, zh string }{
				{"q=" + url.QueryEscape("交通"), "正在启动"},
				{"format=CSV", "按格式或标签"},
				{"tag=" + url.QueryEscape("交通"), "按格式或标签"},
			} {
				r := p.Do(t, "GET", "/api/v1/datasets?"+c.query, nil, map[string]string{"Accept-Language": "zh"})
				if r.Status != 503 || r.ErrorCode(t) != "unavailable" || !strings.Contains(string(r.Body), c.zh) {
					t.Errorf("%s while down: %d %s", c.query, r.Status, r.Body)
				}
			}
			if r := p.Get(t, "/api/v1/datasets?cursor=bad"); r.Status != 400 {
				t.Errorf("bad cursor while down: %d", r.Status)
			}

			ci.SetDown(false)
			if pg := getPage(t, p, "/api/v1/datasets"); pg.Degraded || len(pg.Facets["topic"]) == 0 {
				t.Errorf("index back: degraded=%v, %d topic facets", pg.Degraded, len(pg.Facets["topic"]))
			}
		})
	}
}

// TestBrowseIndexMigration: migration 0084 creates the browse indexes on
// both databases and rolls back cleanly.
func TestBrowseIndexMigration(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			migs := catalog.Migrations()
			i := slices.IndexFunc(migs, func(m *gormigrate.Migration) bool { return m.ID == "0084_catalog_browse_index" })
			if i < 0 {
				t.Fatal("no migration 0084_catalog_browse_index")
			}
			m := migs[i]
			db := apptest.MigratedDB(t, engine, migs)
			names := []string{"idx_datasets_browse_updated", "idx_datasets_browse_published", "idx_datasets_browse_downloads", "idx_datasets_browse_quality", "idx_datasets_browse_name"}
			for _, n := range names {
				if !db.Migrator().HasIndex("datasets", n) {
					t.Errorf("no index %s", n)
				}
			}
			if err := m.Rollback(db); err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if db.Migrator().HasIndex("datasets", n) {
					t.Errorf("index %s left after rollback", n)
				}
			}
			if err := m.Migrate(db); err != nil {
				t.Fatal(err)
			}
		})
	}
}
