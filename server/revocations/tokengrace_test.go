package revocations_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/devapi"
)

// TestTokenUsersGracePeriod: 000 Art 16 covers everyone with evidence of
// use before the withdrawal, not only grant holders. An API token that
// downloaded the unconditional data in the 12 months before the
// withdrawal keeps downloading it through the grace period; a token that
// never used it, one whose last use is older, a signed-in session and
// anonymous visitors get 410.
func TestTokenUsersGracePeriod(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine) // 2026-05-06 10:00
			token := func(name string) (uint64, map[string]string) {
				r := e.post(t, e.citizen, "/api/v1/me/tokens", map[string]any{"name": name})
				if r.Status != http.StatusCreated {
					t.Fatalf("token %s: %d %s", name, r.Status, r.Body)
				}
				m := r.Map(t)
				return uint64(m["id"].(float64)), apptest.Bearer(m["token"].(string))
			}
			_, used := token("用过的脚本")
			_, idle := token("没用过的脚本")
			oldID, old := token("很久以前用过的脚本")
			res := e.resourceOf(t, openDS)
			download := func(h map[string]string, query string) *apptest.Response {
				return e.Do(t, "GET", "/api/v1/resources/"+res+"/download"+query, nil, h)
			}

			// Before the withdrawal: the token's use is noted (once a day).
			for range 2 {
				if r := download(used, "?format=csv"); r.Status != 200 {
					t.Fatalf("download before withdrawal: %d %s", r.Status, r.Body)
				}
			}
			var uses []devapi.TokenUse
			e.DB.Order("token_id").Find(&uses)
			if len(uses) != 1 || uses[0].DatasetID != openDS || !uses[0].LastUsedAt.Equal(china(2026, 5, 6, 10, 0)) {
				t.Fatalf("token uses: %+v", uses)
			}
			// A use more than 12 months before the withdrawal (2026-06-01) is no evidence.
			if err := e.DB.Create(&devapi.TokenUse{TokenID: oldID, DatasetID: openDS, LastUsedAt: china(2025, 5, 31, 12, 0).UTC()}).Error; err != nil {
				t.Fatal(err)
			}

			rev := e.request(t, e.provider, map[string]any{"dataset_id": openDS, "reason": "数据来源已停止更新", "legal_basis": "《黑龙江省政务数据管理暂行办法》", "effective_date": "2026-06-01"})
			d := e.decide(t, rev.ID, "approve", "")
			graceEnd := china(2026, 11, 30, 23, 59).Add(59 * time.Second)
			if !d.Revocation.GraceEnd.Equal(graceEnd) || d.Announcement.GraceMonths != 6 ||
				!strings.Contains(d.Announcement.ExistingUsers, "接口令牌") || !strings.Contains(d.Announcement.ExistingUsers, "2026年11月30日") {
				t.Fatalf("grace end %v (want %v), announcement %+v", d.Revocation.GraceEnd, graceEnd, d.Announcement)
			}

			// 2026-07-01, in the grace period.
			e.clock.Set(china(2026, 7, 1, 9, 0))
			if _, err := e.Revocations.ApplyDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			e.drain(t)
			for _, q := range []string{"", "?format=csv", "?format=json"} {
				r := download(used, q)
				if r.Status != 200 || len(r.Body) == 0 {
					t.Errorf("token with earlier use, download%s during grace: %d %.200s", q, r.Status, r.Body)
				} else if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
					t.Errorf("download%s during grace: Cache-Control %q, want private, no-store", q, cc)
				}
			}
			rows := func(h map[string]string) *apptest.Response {
				return e.Do(t, "GET", "/api/v1/resources/"+res+"/rows?limit=2", nil, h)
			}
			if r := rows(used); r.Status != 200 || !strings.Contains(string(r.Body), `"records"`) {
				t.Errorf("rows during grace: %d %.200s", r.Status, r.Body)
			}
			gone(t, rows(idle))
			gone(t, download(idle, "?format=csv"))
			gone(t, download(old, "?format=csv"))
			gone(t, download(nil, "?format=csv"))
			gone(t, download(nil, ""))
			gone(t, e.get(t, e.citizen, "/api/v1/resources/"+res+"/download?format=csv")) // a session, no token evidence
			// Uses during the grace period do not move the evidence.
			var last devapi.TokenUse
			e.DB.Where("token_id = ? AND dataset_id = ?", uses[0].TokenID, openDS).Take(&last)
			if !last.LastUsedAt.Equal(china(2026, 5, 6, 10, 0)) {
				t.Errorf("last use moved to %v during the grace period", last.LastUsedAt)
			}

			// The last second of the grace period, then after it.
			e.clock.Set(graceEnd.Add(-time.Second))
			if r := download(used, "?format=csv"); r.Status != 200 {
				t.Errorf("one second before the grace end: %d %.200s", r.Status, r.Body)
			}
			e.clock.Set(graceEnd.Add(time.Second))
			gone(t, download(used, "?format=csv"))
			gone(t, download(used, ""))
			gone(t, rows(used))
		})
	}
}
