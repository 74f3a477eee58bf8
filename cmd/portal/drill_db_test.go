package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/catalog"
)

// drillResult is one request of the load.
type drillResult struct {
	at         time.Time
	kind       string // read-anon, read-me, read-detail, write
	status     int    // 0: transport error
	retryAfter string
	code       string
	err        string
}

// TestDrillDatabaseRestart stops the portal's MariaDB under a load of
// reads and acknowledged writes, then starts it again. While it is down
// every answer that needed it is 503 with Retry-After (never 500, never
// 401 for a signed-in caller); the same portal process recovers once the
// database is back; every write that got a 2xx is in the database.
func TestDrillDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and a MariaDB server")
	}
	start := time.Now()
	db := startDrillMariaDB(t)
	t.Logf("mariadbd installed and started in %s", time.Since(start).Round(time.Millisecond))
	db.Exec("", "CREATE DATABASE portal CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	dir := t.TempDir()
	env := map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_DB_DSN": db.DSN("portal")}
	var datasetID string
	drillPrepare(t, env, func(a *app.App) {
		var d catalog.Dataset
		if err := a.DB.Where("open_type = ?", catalog.Unconditional).Order("id").First(&d).Error; err != nil {
			t.Fatal(err)
		}
		datasetID = d.ID
	})
	t.Logf("portal database prepared in %s", time.Since(start).Round(time.Millisecond))
	p := startPortal(t, dir, drillEnv(env)...)
	t.Logf("portal started in %s", time.Since(start).Round(time.Millisecond))
	pid := p.cmd.Process.Pid
	sess := drillSignIn(t, p.url, "citizen@demo.local")

	var (
		mu       sync.Mutex
		results  []drillResult
		acked    []string // names of tokens created with 201
		revoke   []string // token ids still to revoke
		seq      atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		lastOKMu sync.Mutex
		lastOK   = map[string]time.Time{} // kind → last 2xx
	)
	record := func(kind string, r *drillResponse, err error) {
		res := drillResult{at: time.Now(), kind: kind}
		if err != nil {
			res.err = err.Error()
		} else {
			res.status, res.retryAfter, res.code = r.Status, r.Header.Get("Retry-After"), r.ErrorCode()
			if r.Status/100 == 2 {
				lastOKMu.Lock()
				lastOK[kind] = res.at
				lastOKMu.Unlock()
			}
		}
		mu.Lock()
		results = append(results, res)
		mu.Unlock()
	}
	reads := []struct{ kind, path string }{
		{"read-anon", "/api/v1/requests"},
		{"read-me", "/api/v1/me"},
		{"read-detail", "/api/v1/datasets/" + datasetID},
		{"read-tokens", "/api/v1/me/tokens"},
	}
	for i, rd := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(10+i) * time.Millisecond):
				}
				h := sess.Header()
				if rd.kind == "read-anon" || rd.kind == "read-detail" {
					h = nil
				}
				r, err := drillDo("GET", p.url+rd.path, nil, h)
				record(rd.kind, r, err)
			}
		}()
	}
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(15 * time.Millisecond):
				}
				name := fmt.Sprintf("drill-%d-%d", w, seq.Add(1))
				body, _ := json.Marshal(map[string]string{"name": name})
				r, err := drillDo("POST", p.url+"/api/v1/me/tokens", bytes.NewReader(body), sess.Header("Content-Type", "application/json"))
				record("write", r, err)
				if err == nil && r.Status == http.StatusCreated {
					var tok struct {
						ID any `json:"id"`
					}
					_ = json.Unmarshal(r.Body, &tok)
					mu.Lock()
					acked = append(acked, name)
					revoke = append(revoke, fmt.Sprint(tok.ID))
					mu.Unlock()
				}
				// Keep under the live-token limit: revoke what was made
				// (those that fail are tried again next round).
				mu.Lock()
				todo := revoke
				revoke = nil
				mu.Unlock()
				for i, id := range todo {
					rr, err := drillDo("DELETE", p.url+"/api/v1/me/tokens/"+id, nil, sess.Header())
					record("revoke", rr, err)
					if err != nil || rr.Status/100 != 2 {
						mu.Lock()
						revoke = append(revoke, todo[i:]...)
						mu.Unlock()
						break
					}
				}
			}
		}()
	}

	time.Sleep(2 * time.Second) // load against a healthy database
	stoppedAt := time.Now()
	db.Stop()
	downAt := time.Now()
	time.Sleep(1500 * time.Millisecond)
	// Liveness stays up, readiness goes down.
	if r, err := drillDo("GET", p.url+"/healthz", nil, nil); err != nil || r.Status != 200 {
		t.Errorf("healthz while the database is down: %v %v", r, err)
	}
	if r, err := drillDo("GET", p.url+"/readyz", nil, nil); err != nil || r.Status != 503 {
		t.Errorf("readyz while the database is down: %v %v", r, err)
	}
	page, err := drillDo("GET", p.url+"/requests", nil, map[string]string{"Accept": "text/html"})
	if err != nil || page.Status != 503 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page while the database is down: %v %v", page, err)
	}
	time.Sleep(1500 * time.Millisecond)
	restartAt := time.Now()
	db.Start()
	upAt := time.Now()

	// Recovery: a signed-in read and a write answer 2xx again, in the
	// same process, within a bound.
	const bound = 30 * time.Second
	var recoveredAt time.Time
	for deadline := upAt.Add(bound); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		lastOKMu.Lock()
		w, m := lastOK["write"], lastOK["read-me"]
		lastOKMu.Unlock()
		if w.After(upAt) && m.After(upAt) {
			recoveredAt = w
			if m.After(w) {
				recoveredAt = m
			}
			break
		}
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if recoveredAt.IsZero() {
		t.Fatalf("no recovery within %s of the database's restart:\n%s", bound, drillTail(p.log(), 40))
	}
	if !p.running() || p.cmd.Process.Pid != pid {
		t.Fatal("the portal process did not survive the database restart")
	}

	// During the outage and the recovery: 2xx or 503 with Retry-After only.
	counts := map[string]int{}
	var bad []string
	n503, during := 0, 0
	for _, r := range results {
		key := fmt.Sprintf("%s %d", r.kind, r.status)
		counts[key]++
		if r.status == 500 || r.status == 401 {
			bad = append(bad, fmt.Sprintf("%s at %s: %d %s", r.kind, r.at.Sub(stoppedAt).Round(time.Millisecond), r.status, r.code))
			continue
		}
		if r.at.Before(stoppedAt) || r.at.After(recoveredAt) {
			continue
		}
		during++
		switch {
		case r.status == 503:
			n503++
			if r.retryAfter == "" || r.code != "unavailable" {
				bad = append(bad, fmt.Sprintf("%s: 503 without Retry-After or code (%q, %q)", r.kind, r.retryAfter, r.code))
			}
		case r.status/100 == 2:
		case r.status == 0:
			bad = append(bad, fmt.Sprintf("%s: transport error %s", r.kind, r.err))
		default:
			bad = append(bad, fmt.Sprintf("%s at %s: %d %s", r.kind, r.at.Sub(stoppedAt).Round(time.Millisecond), r.status, r.code))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		if len(bad) > 30 {
			bad = bad[:30]
		}
		t.Errorf("answers other than 2xx or 503+Retry-After:\n%s", strings.Join(bad, "\n"))
	}
	if n503 == 0 {
		t.Errorf("no 503 during the outage: the drill did not reach the database (%v)", counts)
	}

	// Every acknowledged write is in the database.
	mu.Lock()
	names := append([]string(nil), acked...)
	mu.Unlock()
	missing := drillMissingTokens(t, db, names)
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged writes are not in the database: %v", len(missing), len(names), missing)
	}

	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var line []string
	for _, k := range keys {
		line = append(line, fmt.Sprintf("%s×%d", k, counts[k]))
	}
	t.Logf("requests %d (%d during outage+recovery), 503s %d, acknowledged writes %d; mariadbd stop took %s, down for %s, start took %s; recovered %s after the database answered again",
		len(results), during, n503, len(names), downAt.Sub(stoppedAt).Round(time.Millisecond),
		restartAt.Sub(downAt).Round(time.Millisecond), upAt.Sub(restartAt).Round(time.Millisecond),
		recoveredAt.Sub(upAt).Round(time.Millisecond))
	t.Logf("answers by kind and status: %s", strings.Join(line, ", "))
}

// drillMissingTokens returns the names not found in api_tokens.
func drillMissingTokens(t *testing.T, db *drillMariaDB, names []string) []string {
	t.Helper()
	have := map[string]bool{}
	conn := drillSQL(t, db, "portal")
	defer conn.Close()
	rows, err := conn.Query("SELECT name FROM api_tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		have[n] = true
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	return missing
}

func drillTail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
