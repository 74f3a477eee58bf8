package respcache_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/catalog/catalogtest"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/respcache"
)

// retitle changes a dataset's title the way the services do: the row and
// its outbox event in one transaction. Nothing is applied yet.
func retitle(t *testing.T, p *apptest.Portal, id, title string) {
	t.Helper()
	err := p.DB.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&catalog.Dataset{}).Where("id = ?", id).Update("title", title).Error; err != nil {
			return err
		}
		return outbox.Enqueue(tx, p.Now(), "dataset", id)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func drain(t *testing.T, p *apptest.Portal) {
	t.Helper()
	if n, err := p.Outbox.Drain(context.Background()); err != nil || n == 0 {
		t.Fatalf("drain: %d events, %v", n, err)
	}
}

func firstDataset(t *testing.T, p *apptest.Portal) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	p.Get(t, "/api/v1/datasets?page_size=1").JSON(t, &list)
	if len(list.Items) == 0 {
		t.Fatal("no datasets in the seed")
	}
	return list.Items[0].ID
}

func titleOf(t *testing.T, r *apptest.Response) string {
	t.Helper()
	var d struct {
		Title string `json:"title"`
	}
	r.JSON(t, &d)
	return d.Title
}

func TestChangeVisibleAfterOutboxApplied(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clk := newClock()
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true, Now: clk.Now})
			id := firstDataset(t, p)
			detail := "/api/v1/datasets/" + id
			old := titleOf(t, p.Get(t, detail))
			first := p.Get(t, detail)
			if first.Header.Get(respcache.HeaderVersion) == "" || first.Header.Get("Cache-Control") != respcache.CacheControl {
				t.Fatalf("detail not cacheable: %v", first.Header)
			}
			html := p.Get(t, "/datasets/"+id) // the rendered page, kept by server/site
			// The catalog page (server-rendered list): stored, and showing
			// the new title once the outbox has applied it.
			const listPage = "/datasets?page_size=50"
			catalogPage := p.Get(t, listPage)
			if catalogPage.Status != 200 || catalogPage.Header.Get(respcache.HeaderVersion) == "" || !strings.Contains(string(catalogPage.Body), `data-id="`+id+`"`) {
				t.Fatalf("catalog page not stored or without the entry: %d, version %q", catalogPage.Status, catalogPage.Header.Get(respcache.HeaderVersion))
			}
			if again := p.Get(t, listPage); again.Header.Get("ETag") != catalogPage.Header.Get("ETag") {
				t.Errorf("catalog page: a second read is not the stored answer")
			}

			title := "缓存测试：变更后可见"
			retitle(t, p, id, title)
			// Committed but not applied: the stored answer still stands.
			if got := titleOf(t, p.Get(t, detail)); got != old {
				t.Fatalf("before the outbox applied the change: %q, want the stored %q", got, old)
			}
			drain(t, p)
			res := p.Get(t, detail)
			if got := titleOf(t, res); got != title {
				t.Errorf("detail after the outbox event: %q, want %q", got, title)
			}
			if res.Header.Get(respcache.HeaderVersion) <= first.Header.Get(respcache.HeaderVersion) {
				t.Errorf("version %s after the change, %s before", res.Header.Get(respcache.HeaderVersion), first.Header.Get(respcache.HeaderVersion))
			}
			if list := p.Get(t, "/api/v1/datasets?q="+title); !strings.Contains(string(list.Body), title) {
				t.Errorf("search after the outbox event does not find the new title")
			}
			if page := p.Get(t, listPage); !strings.Contains(string(page.Body), title) {
				t.Errorf("catalog page after the outbox event does not show the new title")
			}
			if page := p.Get(t, "/datasets/"+id); !strings.Contains(string(page.Body), title) || string(page.Body) == string(html.Body) {
				t.Errorf("dataset page after the outbox event still shows the old title")
			}
		})
	}
}

func TestSignedInReadsNotCached(t *testing.T) {
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true})
	s := p.SignInAs(t, "citizen")
	res := p.Do(t, "GET", "/api/v1/datasets/"+firstDataset(t, p), nil, s.Header())
	if res.Status != 200 || res.Header.Get(respcache.HeaderVersion) != "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("signed-in read: %d, version %q, Cache-Control %q", res.Status, res.Header.Get(respcache.HeaderVersion), res.Header.Get("Cache-Control"))
	}
}

// Two replicas on one database: the change is applied on one, the other
// follows within its version max age, at once for a client that saw the
// new version, and the same way for the API and the rendered pages.
func TestReplicasFollowSharedVersion(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		for _, maxAge := range []string{"0s", "1s"} {
			t.Run(engine+"/maxage="+maxAge, func(t *testing.T) {
				clk := newClock()
				p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true, Now: clk.Now,
					Env: map[string]string{"PORTAL_CACHE_VERSION_MAXAGE": maxAge}})
				r := p.Replica(t)
				id := firstDataset(t, p)
				detail, page := "/api/v1/datasets/"+id, "/datasets/"+id
				for _, x := range []*apptest.Portal{p, r} {
					x.Get(t, detail)
					x.Get(t, page)
				}
				title := "缓存测试：两个副本"
				retitle(t, p, id, title)
				drain(t, p)
				seen := p.Get(t, detail)
				if titleOf(t, seen) != title {
					t.Fatalf("replica that applied the change: %q", titleOf(t, seen))
				}
				v := seen.Header.Get(respcache.HeaderVersion)
				// Whatever the max age, a client that saw v gets at least v.
				got := r.Do(t, "GET", detail, nil, map[string]string{respcache.HeaderVersion: v})
				if titleOf(t, got) != title || got.Header.Get(respcache.HeaderVersion) < v {
					t.Errorf("other replica with X-Catalog-Version %s: %q (version %s)", v, titleOf(t, got), got.Header.Get(respcache.HeaderVersion))
				}
				if maxAge != "0s" {
					clk.Add(time.Second)
				}
				for name, x := range map[string]*apptest.Portal{"applying": p, "other": r} {
					if got := titleOf(t, x.Get(t, detail)); got != title {
						t.Errorf("%s replica, detail: %q", name, got)
					}
					if body := string(x.Get(t, page).Body); !strings.Contains(body, title) {
						t.Errorf("%s replica, dataset page: old title", name)
					}
				}
			})
		}
	}
}

// While the index is down the database's stand-in is answered but never
// stored: once the index is back, the same request shows the index's
// answer, though no catalog version was bumped in between.
func TestDegradedAnswersNotStored(t *testing.T) {
	var ci *catalogtest.CursorIndex
	p := apptest.New(t, apptest.Options{Seed: "small", NoWorkers: true, WrapIndex: func(i search.Index) search.Index {
		ci = catalogtest.NewCursorIndex(i)
		return ci
	}})
	ci.SetDown(true)
	for _, path := range []string{"/datasets?sort=name", "/api/v1/datasets?sort=name"} {
		r := p.Get(t, path)
		if r.Status != 200 || !strings.Contains(string(r.Body), "degraded") {
			t.Fatalf("%s while the index is down: %d, degraded answer expected", path, r.Status)
		}
	}
	ci.SetDown(false)
	if r := p.Get(t, "/datasets?sort=name"); strings.Contains(string(r.Body), `data-testid="degraded-alert"`) {
		t.Errorf("catalog page still degraded after the index came back")
	}
	var list struct {
		Degraded bool `json:"degraded"`
	}
	p.Get(t, "/api/v1/datasets?sort=name").JSON(t, &list)
	if list.Degraded {
		t.Errorf("API list still degraded after the index came back")
	}
}
