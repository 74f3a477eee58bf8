package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
)

// drillConverge is how long after the restarted portal is listening the
// index must agree with the database again (the outbox lease is 5 s).
const drillConverge = 10 * time.Second

// TestDrillOutboxKill9 changes the catalog quickly through the API
// (departments renamed three times, entries retitled, submitted and
// approved), kills the portal with SIGKILL while outbox events are still
// pending and leased, restarts it on the same data folder and measures
// how long until every dataset event is applied (those the dead process
// had leased too) and search agrees with the database: every renamed
// department is found by its last name and never by an earlier one,
// every new title finds its entry, and the total matches.
func TestDrillOutboxKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	env := map[string]string{"PORTAL_DATA_DIR": dir}
	var depts, retitle []string
	drillPrepare(t, env, func(a *app.App) {
		ctx := context.Background()
		list, err := a.Catalog.Store.PublicDatasetsForIndex(ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		mine := map[string]bool{}
		for _, id := range providerEntries(t, a) {
			mine[id] = true
		}
		seen := map[string]bool{}
		for _, d := range list {
			if !seen[d.DepartmentID] {
				seen[d.DepartmentID] = true
				depts = append(depts, d.DepartmentID)
			}
			if mine[d.ID] && len(retitle) < 4 {
				retitle = append(retitle, d.ID)
			}
		}
		sort.Strings(depts)
	})
	if len(depts) < 3 || len(retitle) < 2 {
		t.Fatalf("demo slice too small: departments %v, provider's entries %v", depts, retitle)
	}
	p := startPortal(t, dir, drillEnv(env)...)
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(db) })
	admin := drillSignIn(t, p.url, "admin@demo.local")
	provider := drillSignIn(t, p.url, "provider@demo.local")
	authority := drillSignIn(t, p.url, "authority@demo.local")
	send := func(s drillSession, method, path string, body any) {
		t.Helper()
		b, _ := json.Marshal(body)
		r, err := drillDo(method, p.url+path, bytes.NewReader(b), s.Header("Content-Type", "application/json"))
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if r.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
	}

	// Words the search finds only in what the drill wrote; same length,
	// so no word is a prefix of another.
	deptWord := func(i, round int) string { return fmt.Sprintf("zq%02dr%dz", i, round) }
	titleWord := func(i int) string { return fmt.Sprintf("zt%02dtz", i) }
	burst := time.Now()
	for i, id := range retitle {
		send(provider, "PATCH", "/api/v1/manage/datasets/"+id, map[string]any{"title": "演练更名数据集 " + titleWord(i)})
		send(provider, "POST", "/api/v1/manage/datasets/"+id+"/submit", map[string]string{"note": "演练"})
		send(authority, "POST", "/api/v1/manage/datasets/"+id+"/review", map[string]string{"decision": "approve"})
	}
	const rounds = 3
	for round := 1; round <= rounds; round++ {
		for i, d := range depts {
			send(admin, "PATCH", "/api/v1/admin/departments/"+d, map[string]any{"name": "演练部门 " + deptWord(i, round)})
		}
	}
	// Kill once the worker holds the batch with the newest event (read
	// beside it: SQLite in WAL mode has concurrent readers), so that the
	// index can only catch up through the dead process's lease.
	var newest outbox.Event
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		newest = outbox.Event{}
		if err := db.Where("kind = ?", "dataset").Order("id DESC").Limit(1).Find(&newest).Error; err != nil {
			t.Fatal(err)
		}
		if newest.LockedBy != "" || time.Now().After(deadline) {
			break
		}
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	killed := time.Now()
	t.Logf("%d retitles and %d department renames in %s, then SIGKILL", len(retitle), rounds*len(depts), killed.Sub(burst).Round(time.Millisecond))

	// What the database holds after the crash: the truth the index must
	// reach, and the outbox the restart must recover.
	ctx := context.Background()
	public, err := (&catalog.Store{DB: db}).PublicDatasetsForIndex(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	perDept := map[string]int{}
	titles := map[string]string{}
	for _, d := range public {
		perDept[d.DepartmentID]++
		titles[d.ID] = d.Title
	}
	for i, id := range retitle {
		if !strings.Contains(titles[id], titleWord(i)) {
			t.Fatalf("approved title of %s not in the database: %q", id, titles[id])
		}
	}
	var pending, datasetPending, leased int64
	db.Model(&outbox.Event{}).Count(&pending)
	db.Model(&outbox.Event{}).Where("kind = ?", "dataset").Count(&datasetPending)
	db.Model(&outbox.Event{}).Where("locked_by <> '' AND locked_until > ?", killed.UTC()).Count(&leased)
	t.Logf("outbox at the kill: %d events (%d dataset), %d under the dead process's lease", pending, datasetPending, leased)
	var last outbox.Event
	db.Where("id = ?", newest.ID).Find(&last)
	if datasetPending == 0 || leased == 0 || last.ID == 0 || last.LockedBy == "" || last.LockedUntil == nil || !last.LockedUntil.After(killed.UTC()) {
		t.Fatalf("the drill proves nothing: %d dataset events pending, %d leased, newest %+v at the kill", datasetPending, leased, last)
	}

	p2 := startPortal(t, dir, drillEnv(env)...)
	ready := time.Now()
	search := func(q string) (total int, ids []string, err error) {
		r, err := drillDo("GET", p2.url+"/api/v1/datasets?page_size=100&q="+url.QueryEscape(q), nil, nil)
		if err != nil {
			return 0, nil, err
		}
		if r.Status != http.StatusOK {
			return 0, nil, fmt.Errorf("search %q: %d %s", q, r.Status, r.Body)
		}
		var body struct {
			Total int `json:"total"`
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return 0, nil, err
		}
		for _, it := range body.Items {
			ids = append(ids, it.ID)
		}
		return body.Total, ids, nil
	}
	// agree returns "" when the index answers as the database says, else
	// the first difference.
	agree := func() string {
		if n, _, err := search(""); err != nil || n != len(public) {
			return fmt.Sprintf("total %d (%v), database %d", n, err, len(public))
		}
		for i, id := range retitle {
			if n, ids, err := search(titleWord(i)); err != nil || n != 1 || len(ids) != 1 || ids[0] != id {
				return fmt.Sprintf("title %s: %d hits %v (%v), want %s", titleWord(i), n, ids, err, id)
			}
		}
		for i, d := range depts {
			for round := 1; round <= rounds; round++ {
				want := 0
				if round == rounds {
					want = perDept[d]
				}
				if n, _, err := search(deptWord(i, round)); err != nil || n != want {
					return fmt.Sprintf("department %s named %s: %d hits (%v), want %d", d, deptWord(i, round), n, err, want)
				}
			}
		}
		return ""
	}
	var diff string
	for {
		if diff = agree(); diff == "" {
			break
		}
		if time.Since(ready) > 6*drillConverge { // give up long after the bound, to report the figure
			t.Fatalf("index still differs from the database %s after restart: %s\n%s", time.Since(ready).Round(time.Millisecond), diff, p2.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(ready)
	t.Logf("index agrees with the database %s after the restarted portal listened (%s after the kill)",
		took.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	if took > drillConverge {
		t.Errorf("recovery took %s, bound %s", took.Round(time.Millisecond), drillConverge)
	}
	// The rest of the dead process's batch (row tables, quality) follows.
	for {
		var left int64
		if err := db.Model(&outbox.Event{}).Where("kind = ?", "dataset").Count(&left).Error; err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Since(ready) > 6*drillConverge {
			t.Fatalf("%d dataset events left %s after restart:\n%s", left, time.Since(ready).Round(time.Millisecond), p2.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("every dataset event applied %s after the restarted portal listened", time.Since(ready).Round(time.Millisecond))
}

// providerEntries lists the public entries of provider@demo.local's
// department, by id.
func providerEntries(t *testing.T, a *app.App) []string {
	t.Helper()
	var dept []string
	if err := a.DB.Table("users").Where("email = ?", "provider@demo.local").Pluck("department_id", &dept).Error; err != nil || len(dept) != 1 {
		t.Fatalf("provider's department: %v %v", dept, err)
	}
	list, err := a.Catalog.Store.PublicDatasetsForIndex(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range list {
		if d.DepartmentID == dept[0] {
			out = append(out, d.ID)
		}
	}
	return out
}
