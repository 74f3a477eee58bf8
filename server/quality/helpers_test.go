package quality_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/profile"
	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/store"
)

// monday10 is Monday 2026-11-23 10:00 China time, a working day.
var monday10 = apptest.CST("2026-11-23 10:00")

const (
	deptA = seed.DemoProviderDepartment  // provider@
	deptB = seed.DemoProvider2Department // provider2@
)

type env struct {
	t     *testing.T
	p     *apptest.Portal
	clk   *apptest.Clock
	roles *apptest.Roles
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	clk := apptest.NewClock(monday10)
	p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clk.Now, NoWorkers: true})
	return &env{t: t, p: p, clk: clk, roles: apptest.NewRoles(p, clk.Now)}
}

// drain applies every due outbox event with the test clock; a handler
// error fails the test.
func (e *env) drain() {
	e.t.Helper()
	for i := 0; ; i++ {
		n, err := e.p.Outbox.Drain(context.Background())
		if err != nil {
			e.t.Fatalf("outbox: %v", err)
		}
		if n == 0 {
			return
		}
		if i > 100 {
			e.t.Fatal("outbox never drains")
		}
	}
}

// enqueue records an outbox event as a change would.
func (e *env) enqueue(kind string, ids ...string) {
	e.t.Helper()
	// UTC, as the services store times (SQLite compares them as text).
	if err := outbox.Enqueue(e.p.DB, store.DBTime(e.clk.Now()), kind, ids...); err != nil {
		e.t.Fatal(err)
	}
}

// publish applies a catalog change of the entries (the "dataset" event
// publication and updates write) and everything it leads to.
func (e *env) publish(ids ...string) {
	e.t.Helper()
	e.enqueue("dataset", ids...)
	e.drain()
}

func (e *env) get(role, path string, header ...string) *apptest.Response {
	e.t.Helper()
	return e.p.Do(e.t, "GET", path, nil, e.roles.As(e.t, role).Header(header...))
}

func (e *env) must(r *apptest.Response, status int, what string) map[string]any {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
	}
	return r.Map(e.t)
}

// decode checks the status and decodes the body into v.
func (e *env) decode(r *apptest.Response, status int, what string, v any) {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
	}
	r.JSON(e.t, v)
}

// ---- test data ----------------------------------------------------------------

// creditCode is a valid 统一社会信用代码 numbered n.
func creditCode(n int) string {
	base := fmt.Sprintf("91230100MA%07d", n)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if profile.ValidCreditCode(base + string(c)) {
			return base + string(c)
		}
	}
	panic("no check character for " + base)
}

// badCreditCode has the wrong check character.
func badCreditCode(n int) string {
	good := creditCode(n)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if bad := good[:17] + string(c); bad != good {
			return bad
		}
	}
	panic("unreachable")
}

// items are the data items of the test entries: every one labelled and
// described; uscc and name required.
func items() []seed.DataItem {
	return []seed.DataItem{
		{Name: "uscc", Label: "统一社会信用代码", Type: "string", Description: "企业的统一社会信用代码", Required: true},
		{Name: "name", Label: "企业名称", Type: "string", Description: "登记的企业名称", Required: true},
		{Name: "capital", Label: "注册资本", Type: "number", Description: "注册资本（万元）"},
		{Name: "reg_date", Label: "成立日期", Type: "date", Description: "营业执照的成立日期"},
		{Name: "tel", Label: "联系电话", Type: "string", Description: "企业的联系电话"},
	}
}

// table is a CSV of the test items: rows[i] is row i+2 (the header is row 1).
type table struct {
	header []string
	rows   [][]string
}

// cleanTable has n valid, distinct rows.
func cleanTable(n int) *table {
	t := &table{header: []string{"uscc", "name", "capital", "reg_date", "tel"}}
	for i := 0; i < n; i++ {
		t.rows = append(t.rows, []string{creditCode(i + 1), fmt.Sprintf("哈尔滨第%d科技有限公司", i+1),
			fmt.Sprintf("%d.5", 100+i), fmt.Sprintf("2020-%02d-%02d", i%12+1, i%28+1), fmt.Sprintf("1380000%04d", i)})
	}
	return t
}

// set writes a cell: row is the spreadsheet row number (2 = first data row).
func (t *table) set(row int, col, value string) *table {
	for i, h := range t.header {
		if h == col {
			t.rows[row-2][i] = value
			return t
		}
	}
	panic("no column " + col)
}

// drop removes a column.
func (t *table) drop(col string) *table {
	for i, h := range t.header {
		if h == col {
			t.header = append(t.header[:i:i], t.header[i+1:]...)
			for r := range t.rows {
				t.rows[r] = append(t.rows[r][:i:i], t.rows[r][i+1:]...)
			}
			return t
		}
	}
	panic("no column " + col)
}

func (t *table) csv() string {
	var b strings.Builder
	b.WriteString(strings.Join(t.header, ",") + "\n")
	for _, r := range t.rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// entry is a complete public entry (every check can pass) with one CSV
// resource res-<id> holding content.
func entry(id, dept, content string) seed.Dataset {
	return seed.Dataset{
		ID: id, Title: "企业名录 " + id, Description: "全省登记在册企业的基本信息，含统一社会信用代码、名称、注册资本和联系电话。",
		DepartmentID: dept, TopicCode: "credit", OpenType: "unconditional", UpdateFrequency: "irregular",
		Classification: "基础数据", Grade: "L1", Tags: []string{"企业", "登记"}, Region: "黑龙江省",
		ResourceCode: "113001/000101", ShareType: "unconditional", ShareMethod: "file", Formats: []string{"CSV"},
		DataItems: items(), Resources: []seed.Resource{csvResource("res-"+id, "企业名录.csv", content)},
		PublishedAt: monday10.AddDate(0, -1, 0), UpdatedAt: monday10.AddDate(0, -1, 0),
	}
}

func csvResource(id, name, content string) seed.Resource {
	return seed.Resource{ID: id, Name: name, Format: "CSV", Rows: strings.Count(content, "\n"),
		Write: func(w io.Writer) error { _, err := io.WriteString(w, content); return err }}
}

// load writes entries straight into the published catalog (no event).
func (e *env) load(ds ...seed.Dataset) {
	e.t.Helper()
	if err := e.p.Catalog.LoadCatalog(context.Background(), seed.Catalog{Datasets: ds}, nil); err != nil {
		e.t.Fatal(err)
	}
}

// replaceFile gives a resource new content, as an update with a new file does.
func (e *env) replaceFile(resourceID, content string) {
	e.t.Helper()
	st, err := e.p.Blobs.Put(context.Background(), bytes.NewReader([]byte(content)), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.p.DB.Model(&catalog.Resource{}).Where("id = ?", resourceID).
		Updates(map[string]any{"sha256": st.SHA256, "storage_key": st.Key, "size": st.Size}).Error
	if err != nil {
		e.t.Fatal(err)
	}
}

// profileRow reads a stored profile.
func (e *env) profileRow(resourceID string) quality.Profile {
	e.t.Helper()
	var row quality.Profile
	if err := e.p.DB.Where("resource_id = ?", resourceID).Take(&row).Error; err != nil {
		e.t.Fatalf("profile of %s: %v", resourceID, err)
	}
	return row
}

// score reads an entry's quality through the API.
func (e *env) score(id string) (int, map[string]map[string]any) {
	e.t.Helper()
	m := e.must(e.get("", "/api/v1/datasets/"+id+"/quality?lang=en"), 200, "quality of "+id)
	checks := map[string]map[string]any{}
	for _, c := range m["checks"].([]any) {
		cm := c.(map[string]any)
		checks[cm["id"].(string)] = cm
	}
	return int(m["score"].(float64)), checks
}

// at is the clock's time plus d, for comparisons.
func (e *env) at(d time.Duration) time.Time { return e.clk.Now().Add(d) }
