package searchtest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

var writeCases = []testCase{
	{"Delete", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		if err := idx.Delete(ctx, "ds-003", "no-such-id"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if got := searchIDs(t, idx, "企业"); slices.Contains(got, "ds-003") {
			t.Fatalf("deleted ds-003 still found: %v", got)
		}
		if n, _ := idx.Count(ctx); n != len(Corpus())-1 {
			t.Fatalf("Count after delete = %d", n)
		}
		res := mustSearch(t, idx, search.Query{Facets: []string{search.FieldTopic}})
		for _, fc := range res.Facets[search.FieldTopic] {
			if fc.Value == "credit" {
				t.Fatalf("deleted document still counted in facets: %v", res.Facets)
			}
		}
	}},
	{"UpsertReplaces", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		d := corpusByID()["ds-004"]
		d.Title = "哈尔滨市地铁线路"
		d.Description = "哈尔滨地铁运营线路及站点。"
		d.Formats = []string{"pdf"}
		if err := idx.Upsert(ctx, d); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		if got := searchIDs(t, idx, "公交"); !sameSet(got, []string{"ds-005"}) {
			t.Fatalf("公交 after replacing ds-004 = %v, want only ds-005", got)
		}
		if got := searchIDs(t, idx, "地铁"); !sameSet(got, []string{"ds-004"}) {
			t.Fatalf("地铁 = %v, want ds-004", got)
		}
		if n, _ := idx.Count(ctx); n != len(Corpus()) {
			t.Fatalf("Count after replace = %d, want %d", n, len(Corpus()))
		}
		res := mustSearch(t, idx, search.Query{Filters: map[string][]string{search.FieldFormat: {"pdf"}}, Limit: 10})
		if !sameSet(ids(res), []string{"ds-004", "ds-015"}) {
			t.Fatalf("pdf filter after replace = %v", ids(res))
		}
		// Idempotent: the same upsert again changes nothing.
		if err := idx.Upsert(ctx, d); err != nil {
			t.Fatalf("Upsert again: %v", err)
		}
		if n, _ := idx.Count(ctx); n != len(Corpus()) {
			t.Fatalf("Count after repeated upsert = %d", n)
		}
	}},
	{"RebuildSwaps", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		fresh := []search.Document{corpusByID()["ds-007"], corpusByID()["ds-010"]}
		fresh = append(fresh, search.Document{ID: "ds-100", Title: "全省公交企业名录", Department: "jtt",
			DepartmentName: "黑龙江省交通运输厅", Topic: "traffic", TopicName: "交通出行", Formats: []string{"csv"},
			UpdatedAt: day("2024-07-01"), PublishedAt: day("2024-07-01")})
		var progress []int
		err := idx.Rebuild(ctx, func(emit func(search.Document) error) error {
			for _, d := range fresh {
				if err := emit(d); err != nil {
					return err
				}
			}
			return nil
		}, func(n int) { progress = append(progress, n) })
		if err != nil {
			t.Fatalf("Rebuild: %v", err)
		}
		if n, _ := idx.Count(ctx); n != 3 {
			t.Fatalf("Count after rebuild = %d, want 3", n)
		}
		if len(progress) == 0 || progress[len(progress)-1] != 3 {
			t.Fatalf("progress = %v, want it to end at 3", progress)
		}
		if got := searchIDs(t, idx, "公交"); !sameSet(got, []string{"ds-100"}) {
			t.Fatalf("公交 after rebuild = %v, want ds-100", got)
		}
		if got := searchIDs(t, idx, "企业登记"); len(got) != 0 {
			t.Fatalf("old documents survived rebuild: %v", got)
		}
		res := mustSearch(t, idx, search.Query{Facets: []string{search.FieldTopic}})
		if want := expectedFacets(fresh, search.FieldTopic); !slices.Equal(res.Facets[search.FieldTopic], want) {
			t.Fatalf("facets after rebuild = %v, want %v", res.Facets[search.FieldTopic], want)
		}
	}},
	{"RebuildSourceErrorKeepsIndex", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		boom := errors.New("source failed")
		err := idx.Rebuild(ctx, func(emit func(search.Document) error) error {
			if err := emit(corpusByID()["ds-001"]); err != nil {
				return err
			}
			return boom
		}, nil)
		if !errors.Is(err, boom) {
			t.Fatalf("Rebuild error = %v, want the source's", err)
		}
		if n, _ := idx.Count(ctx); n != len(Corpus()) {
			t.Fatalf("failed rebuild changed the index: count %d", n)
		}
	}},
}
