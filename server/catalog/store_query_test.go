package catalog_test

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// preloaded loads datasets the way the store did before it joined the
// parents: one Preload per association. It is the reference the store's
// answers must equal.
func preloaded(db *gorm.DB) *gorm.DB {
	return db.Preload("Department").Preload("Topic").
		Preload("DataItems", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Resources", func(db *gorm.DB) *gorm.DB { return db.Order("position") })
}

// TestStoreQueriesPerPage counts the statements a detail page, a list page
// and an index batch cost (one per table, never one per entry), and checks that the answers are
// the same structs one Preload per association gives.
func TestStoreQueriesPerPage(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", NoWorkers: true})
			ctx := context.Background()
			// A hidden entry besides the public ones: the index walk skips it.
			if err := p.DB.Model(&catalog.Dataset{}).Where("id = (?)", p.DB.Model(&catalog.Dataset{}).Select("MIN(id)")).
				Update("status", catalog.StatusRevoked).Error; err != nil {
				t.Fatal(err)
			}
			var all []catalog.Dataset
			if err := p.DB.Scopes(preloaded).Order("id").Find(&all).Error; err != nil {
				t.Fatal(err)
			}
			var public []catalog.Dataset
			var withChildren *catalog.Dataset
			for i := range all {
				if all[i].Public() {
					public = append(public, all[i])
					if withChildren == nil && len(all[i].DataItems) > 1 && len(all[i].Resources) > 0 {
						withChildren = &all[i]
					}
				}
			}
			if len(public) < 40 || len(public) == len(all) || withChildren == nil {
				t.Fatalf("seed: %d entries, %d public, one with children: %v", len(all), len(public), withChildren != nil)
			}
			st, counter := countingStore(p.DB)
			// MySQL joins department and topic into the dataset's query;
			// SQLite reads them by primary key (see withParents).
			parents := int64(2)
			if engine == "mysql" {
				parents = 0
			}

			counter.n.Store(0)
			d, err := st.Dataset(ctx, withChildren.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := counter.n.Load(), 3+parents; got != want {
				t.Errorf("detail: %d queries, want %d (dataset, parents, data items, resources)", got, want)
			}
			if !reflect.DeepEqual(*d, *withChildren) {
				t.Errorf("detail differs from the preloaded entry:\n got %+v\nwant %+v", *d, *withChildren)
			}

			ids := []string{all[0].ID} // hidden: absent from the answer
			for _, d := range public[:20] {
				ids = append(ids, d.ID)
			}
			counter.n.Store(0)
			m, err := st.DatasetsByID(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := counter.n.Load(), 2+parents; got != want {
				t.Errorf("list: %d queries, want %d (datasets, parents, resources)", got, want)
			}
			if len(m) != 20 || m[all[0].ID] != nil {
				t.Fatalf("list: %d entries (hidden one present: %v), want the 20 public ones", len(m), m[all[0].ID] != nil)
			}
			for _, want := range public[:20] {
				got := m[want.ID]
				if got == nil || got.Title != want.Title || !reflect.DeepEqual(got.Department, want.Department) ||
					!reflect.DeepEqual(got.Topic, want.Topic) || len(got.Resources) != len(want.Resources) ||
					!reflect.DeepEqual(got.Formats(), want.Formats()) {
					t.Errorf("list entry %s differs from the preloaded one", want.ID)
				}
			}

			counter.n.Store(0)
			batch, err := st.PublicDatasetsForIndex(ctx, "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := counter.n.Load(), 3+parents; got != want {
				t.Errorf("index batch: %d queries, want %d", got, want)
			}
			if !reflect.DeepEqual(batch, public) {
				t.Errorf("index batch: %d entries differ from the %d preloaded public ones", len(batch), len(public))
			}
			// Small batches walk the same entries in the same order; a batch
			// may be short (hidden entries dropped) but never empty before the end.
			var walked []catalog.Dataset
			for after := ""; ; {
				b, err := st.PublicDatasetsForIndex(ctx, after, 7)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) == 0 {
					break
				}
				if len(b) > 7 {
					t.Fatalf("batch of %d, limit 7", len(b))
				}
				walked = append(walked, b...)
				after = b[len(b)-1].ID
			}
			if !reflect.DeepEqual(walked, public) {
				t.Errorf("walk in batches of 7: %d entries, want the %d public ones in id order", len(walked), len(public))
			}
		})
	}
}
