package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
)

// generate returns count public entries of the synthetic benchmark catalog
// (seed.Synthetic: Chinese titles from region × subject × period, the demo
// departments, topics and data items), each with 1–3 CSV resources. The
// generator also makes not-open entries; they are skipped, so every entry
// loaded has a public page.
func generate(count int) []seed.Dataset {
	out := make([]seed.Dataset, 0, count)
	for offset := 0; len(out) < count; offset += count {
		for _, d := range seed.Synthetic(count, offset) {
			if d.OpenType == "not_open" {
				continue
			}
			out = append(out, withResources(d))
			if len(out) == count {
				break
			}
		}
	}
	return out
}

// extraResources name the second and third files some entries carry, as
// published catalogs do (the current period, the previous one, a summary).
var extraResources = []string{"（上一期）", "（历年汇总）"}

// withResources gives one entry in three a second file and one in three a
// third. They hold the entry's own CSV: only the page's length and the
// number of resource cards matter here.
func withResources(d seed.Dataset) seed.Dataset {
	n := 0
	for _, c := range d.ID {
		n = n*31 + int(c)
	}
	first := d.Resources[0]
	res := []seed.Resource{first}
	for i := 0; i < (n%3+3)%3; i++ {
		res = append(res, seed.Resource{ID: fmt.Sprintf("%s-%d", strings.TrimSuffix(first.ID, "-1"), i+2),
			Name: d.Title + extraResources[i], Format: "CSV", Rows: first.Rows, Write: first.Write})
	}
	d.Resources = res
	return d
}

// load fills an empty catalog with count public entries and rebuilds the
// search index, as `portal seed synthetic` does (batched inserts, no fsync
// per file).
func load(ctx context.Context, a *app.App, count int) error {
	empty, err := a.Catalog.Store.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Println("the database already holds a catalog: reusing it")
		return nil
	}
	start := time.Now()
	demo := seed.Demo()
	cat := seed.Catalog{Departments: demo.Departments, Topics: demo.Topics, Datasets: generate(count)}
	if l, ok := a.Blobs.(*blob.Local); ok {
		l.NoSync = true // bulk benchmark data
	}
	last := time.Now()
	err = a.Catalog.LoadCatalog(ctx, cat, func(done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			fmt.Printf("  loaded %d/%d entries\n", done, total)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	start = time.Now()
	if err := a.Catalog.Reindex(ctx, nil); err != nil {
		return err
	}
	fmt.Printf("catalog of %d public entries loaded in %s, indexed in %s\n", count, loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// fixtures are what the rotations ask for: public entry ids and the ids of
// unconditional CSV resources, each shuffled with a fixed seed so the
// rotation does not follow insertion order.
type fixtures struct {
	ids       []string
	resources []string
	topics    []string
}

func loadFixtures(ctx context.Context, a *app.App, n int) (fixtures, error) {
	var f fixtures
	err := a.DB.WithContext(ctx).Model(&catalog.Dataset{}).
		Where("status = ? AND open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional}).
		Order("id").Limit(n).Pluck("id", &f.ids).Error
	if err != nil {
		return f, err
	}
	err = a.DB.WithContext(ctx).Model(&catalog.Resource{}).Joins("JOIN datasets d ON d.id = resources.dataset_id").
		Where("d.status = ? AND d.open_type = ? AND UPPER(resources.format) = ?", catalog.StatusPublished, catalog.Unconditional, "CSV").
		Order("resources.id").Limit(n).Pluck("resources.id", &f.resources).Error
	if err != nil {
		return f, err
	}
	if err := a.DB.WithContext(ctx).Model(&catalog.Topic{}).Order("id").Pluck("id", &f.topics).Error; err != nil {
		return f, err
	}
	if len(f.ids) == 0 || len(f.resources) == 0 || len(f.topics) == 0 {
		return f, fmt.Errorf("the catalog has no public entries, unconditional CSV files or topics")
	}
	r := rand.New(rand.NewPCG(16, 64))
	r.Shuffle(len(f.ids), func(i, j int) { f.ids[i], f.ids[j] = f.ids[j], f.ids[i] })
	r.Shuffle(len(f.resources), func(i, j int) { f.resources[i], f.resources[j] = f.resources[j], f.resources[i] })
	return f, nil
}
