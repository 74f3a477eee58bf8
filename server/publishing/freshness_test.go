package publishing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/publishing"
)

// TestFreshnessCitesNoArticle: the update-frequency check reports an entry
// behind the frequency it declares as that (a promise to its users), not
// as 000 Art 15, which is the change-triggered update (server/changes).
func TestFreshnessCitesNoArticle(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	e.advance(40 * 24 * time.Hour) // monthly and more frequent seed entries are behind
	res, err := e.p.Publishing.CheckFreshness(t.Context())
	if err != nil || res.Notified == 0 {
		t.Fatalf("check: %+v %v", res, err)
	}
	var notices []notify.Notice
	e.p.DB.Where("kind = ?", publishing.NoticeOverdue).Find(&notices)
	if len(notices) == 0 {
		t.Fatal("no overdue notices")
	}
	for _, n := range notices {
		if strings.Contains(n.Body, "第十五条") || strings.Contains(n.Body, "Art 15") || !strings.Contains(n.Body, "更新频率") {
			t.Fatalf("freshness notice: %q", n.Body)
		}
	}
}
