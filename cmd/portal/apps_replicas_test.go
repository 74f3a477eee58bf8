package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apps"
	"github.com/hlj-opendata/portal/server/apptest"
)

// TestAppQuotaAcrossReplicas starts two portal processes on one database
// (MariaDB when PORTAL_TEST_MYSQL_DSN is set, else one SQLite file) and
// spreads 2N signed calls of one app over both at once: the quota lives
// in the database, so exactly N pass and the rest are 429 with Retry-After.
func TestAppQuotaAcrossReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const n = 12
	shared := t.TempDir()
	dsn := "sqlite://" + filepath.Join(shared, "portal.db")
	if apptest.MySQLBase(t) != "" {
		dsn = apptest.NewMySQLDatabase(t)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	// Replicas share the database and the secret-encryption key, not the data folder.
	common := map[string]string{"PORTAL_DB_DSN": dsn, "PORTAL_APP_SECRET_KEY": hex.EncodeToString(key)}
	dir1, dir2 := t.TempDir(), t.TempDir()
	drillPrepare(t, map[string]string{"PORTAL_DATA_DIR": dir1, "PORTAL_DB_DSN": dsn, "PORTAL_APP_SECRET_KEY": common["PORTAL_APP_SECRET_KEY"]}, nil)
	p1 := startPortal(t, dir1, drillEnv(common)...)
	p2 := startPortal(t, dir2, drillEnv(common)...)

	post := func(base, method, path string, body any, h map[string]string) *drillResponse {
		t.Helper()
		b, _ := json.Marshal(body)
		r, err := drillDo(method, base+path, bytes.NewReader(b), h)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	citizen := drillSignIn(t, p1.url, "citizen@demo.local")
	r := post(p1.url, "POST", "/api/v1/me/apps", map[string]string{"name": "副本测试"}, citizen.Header("Content-Type", "application/json"))
	if r.Status != 201 {
		t.Fatalf("create app: %d %s", r.Status, r.Body)
	}
	var app struct {
		ID, AppKey, AppSecret string
	}
	var raw map[string]any
	_ = json.Unmarshal(r.Body, &raw)
	app.ID, app.AppKey, app.AppSecret = raw["id"].(string), raw["app_key"].(string), raw["app_secret"].(string)
	// Per minute N; per day N too, so a minute boundary during the burst
	// cannot let more through.
	authority := drillSignIn(t, p2.url, "authority@demo.local")
	quota := map[string]any{"quotas": []map[string]any{{"family": "search", "per_minute": n, "per_day": n}}}
	if r := post(p2.url, "PATCH", "/api/v1/admin/apps/"+app.ID, quota, authority.Header("Content-Type", "application/json")); r.Status != 200 {
		t.Fatalf("set quota: %d %s", r.Status, r.Body)
	}

	var mu sync.Mutex
	ok, limited, other := 0, 0, []string{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 2*n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			base := []string{p1.url, p2.url}[i%2]
			nb := make([]byte, 12)
			_, _ = rand.Read(nb)
			nonce := hex.EncodeToString(nb)
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			h := map[string]string{apps.HeaderKey: app.AppKey, apps.HeaderTimestamp: ts, apps.HeaderNonce: nonce,
				apps.HeaderSignature: apps.Sign(app.AppSecret, "GET", "/api/v1/datasets", "page_size=1", ts, nonce, nil)}
			r, err := drillDo("GET", base+"/api/v1/datasets?page_size=1", nil, h)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				other = append(other, err.Error())
			case r.Status == 200:
				ok++
			case r.Status == 429 && r.Header.Get("Retry-After") != "" && r.Header.Get("X-RateLimit-Remaining") == "0":
				limited++
			default:
				other = append(other, fmt.Sprintf("%d %v %s", r.Status, r.Header, r.Body))
			}
		}(i)
	}
	wg.Wait()
	t.Logf("%d signed calls over 2 replicas in %s: %d passed, %d refused", 2*n, time.Since(start).Round(time.Millisecond), ok, limited)
	if ok != n || limited != n || len(other) > 0 {
		t.Fatalf("passed %d, 429 %d (want %d each); other answers: %v\n%s\n%s", ok, limited, n, other, p1.log(), p2.log())
	}
}
