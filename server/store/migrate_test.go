package store_test

import (
	"testing"
	"time"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/store"
)

// TestUpgradeKeepsRows migrates a database to the first version, fills it,
// then upgrades to the latest version: every row must survive.
func TestUpgradeKeepsRows(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.OpenDB(t, engine)
			migs := app.Migrations()
			if err := store.MigrateTo(db, migs, "0001_catalog"); err != nil {
				t.Fatal(err)
			}
			pending, err := store.Pending(db, migs)
			if err != nil || len(pending) == 0 {
				t.Fatalf("pending after first migration: %v %v", pending, err)
			}
			now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
			rows := []any{
				&catalog.Department{ID: "d1", Name: "黑龙江省测试厅", RegionLevel: "province", Region: "黑龙江省", CreatedAt: now},
				&catalog.Topic{ID: "t1", Name: "测试领域"},
				&catalog.Dataset{ID: "ds1", Title: "升级前的数据集", DepartmentID: "d1", TopicID: "t1", OpenType: catalog.Unconditional,
					UpdateFrequency: "monthly", Status: catalog.StatusPublished, Version: 1, Tags: catalog.Strings{"标签"}, UpdatedAt: now, CreatedAt: now},
				&catalog.DataItem{DatasetID: "ds1", Position: 0, Name: "name", Label: "名称", Type: "string"},
				&catalog.DataItem{DatasetID: "ds1", Position: 1, Name: "uscc", Label: "统一社会信用代码", Type: "string"},
			}
			for _, r := range rows {
				// Columns added after 0001 (0050: the catalog record; 0070:
				// domains and quality scores) are not there yet.
				if err := db.Omit("code", "resource_code", "share_type", "share_conditions", "share_method", "formats", "quality_score", "domain").Create(r).Error; err != nil {
					t.Fatal(err)
				}
			}
			if err := store.Migrate(db, migs); err != nil {
				t.Fatal(err)
			}
			if err := store.Migrate(db, migs); err != nil {
				t.Fatalf("second run must be a no-op: %v", err)
			}
			if p, _ := store.Pending(db, migs); len(p) != 0 {
				t.Fatalf("still pending: %v", p)
			}
			var d catalog.Dataset
			if err := db.Preload("DataItems").First(&d, "id = ?", "ds1").Error; err != nil {
				t.Fatal(err)
			}
			if d.Title != "升级前的数据集" || len(d.Tags) != 1 || d.Tags[0] != "标签" || len(d.DataItems) != 2 || !d.UpdatedAt.Equal(now) {
				t.Errorf("row changed by upgrade: %+v", d)
			}
			// 0070 guesses the value domain from the label.
			for _, it := range d.DataItems {
				want := map[string]string{"name": "", "uscc": catalog.DomainCreditCode}[it.Name]
				if it.Domain != want {
					t.Errorf("item %s: domain %q after upgrade, want %q", it.Name, it.Domain, want)
				}
			}
		})
	}
}
