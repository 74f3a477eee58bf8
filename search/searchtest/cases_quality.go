package searchtest

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// qualityOrder sorts docs as SortQuality must: quality descending, then
// updated_at descending, then id ascending.
func qualityOrder(docs []search.Document) []string {
	docs = slices.Clone(docs)
	slices.SortFunc(docs, func(a, b search.Document) int {
		if c := cmp.Compare(b.Quality, a.Quality); c != 0 {
			return c
		}
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return docIDs(docs)
}

// updatedOrder sorts docs as SortUpdated must.
func updatedOrder(docs []search.Document) []string {
	docs = slices.Clone(docs)
	slices.SortFunc(docs, func(a, b search.Document) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return docIDs(docs)
}

// atLeast keeps the documents scoring min or more.
func atLeast(docs []search.Document, min int) []search.Document {
	var out []search.Document
	for _, d := range docs {
		if d.Quality >= min {
			out = append(out, d)
		}
	}
	return out
}

// filterIn keeps the docs passing filters except skip.
func filterIn(docs []search.Document, filters map[string][]string, skip string) []search.Document {
	var out []search.Document
	for _, d := range docs {
		if matchesFilters(d, filters, skip) {
			out = append(out, d)
		}
	}
	return out
}

// corpusByQuality is the corpus in SortQuality order, written out so a
// wrong tie-break cannot hide behind a helper that shares the mistake.
var corpusByQuality = []string{
	"ds-007", "ds-004", // 100: updated 2024-04-10 before 2024-03-15
	"ds-016", "ds-008", "ds-014",
	"ds-001", "ds-003", // 85, same updated_at: by id
	"ds-002", "ds-011", // 72, same updated_at: by id
	"ds-010", "ds-005", // 60: updated 2024-06-10 before 2024-03-15
	"ds-012", "ds-006", "ds-013",
	"ds-009", "ds-015", // 0 (unscored): by updated_at
}

var qualityCases = []testCase{
	{"SortQuality", func(t *testing.T, idx search.Index) {
		if got := qualityOrder(Corpus()); !slices.Equal(got, corpusByQuality) {
			t.Fatalf("corpus changed: its quality order is %v, the case expects %v", got, corpusByQuality)
		}
		checkSort(t, idx, search.SortQuality, corpusByQuality)
	}},
	{"SortQualityWithText", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨市", Sort: search.SortQuality, Limit: 100})
		want := []string{"ds-004", "ds-008", "ds-005", "ds-006", "ds-013"} // 100, 90, 60, 45, 30
		if got := ids(res); !slices.Equal(got, want) {
			t.Fatalf("哈尔滨市 by quality = %v, want %v", got, want)
		}
	}},
	{"SortQualityWithMinQualityPages", func(t *testing.T, idx search.Index) {
		want := qualityOrder(atLeast(Corpus(), 85)) // the 7 best, ties included
		if len(want) != 7 {
			t.Fatalf("corpus changed: %d entries score 85 or more", len(want))
		}
		var paged []string
		for off := 0; off < len(want); off += 2 {
			res := mustSearch(t, idx, search.Query{Sort: search.SortQuality, MinQuality: 85, Offset: off, Limit: 2})
			if res.Total != len(want) {
				t.Fatalf("page at %d: total %d, want %d", off, res.Total, len(want))
			}
			paged = append(paged, ids(res)...)
		}
		if !slices.Equal(paged, want) {
			t.Fatalf("quality ≥ 85 by quality, in pages of 2 = %v, want %v", paged, want)
		}
	}},
	{"MinQualityAlone", func(t *testing.T, idx search.Index) {
		want := updatedOrder(atLeast(Corpus(), 60))
		res := mustSearch(t, idx, search.Query{MinQuality: 60, Limit: 100})
		if got := ids(res); !slices.Equal(got, want) || res.Total != len(want) {
			t.Fatalf("quality ≥ 60 = %v (total %d), want %v", got, res.Total, want)
		}
		if slices.Contains(ids(res), "ds-012") {
			t.Fatal("ds-012 scores 59 but passed min quality 60")
		}
	}},
	{"MinQualityZeroIsAll", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{MinQuality: 0, Limit: 100})
		if got, want := ids(res), updatedOrder(Corpus()); !slices.Equal(got, want) || res.Total != len(want) {
			t.Fatalf("min quality 0 = %v (total %d), want every document %v", got, res.Total, want)
		}
	}},
	{"MinQuality100OnlyPerfect", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{MinQuality: search.MaxQuality, Limit: 100})
		if want := []string{"ds-004", "ds-007"}; !sameSet(ids(res), want) || res.Total != 2 {
			t.Fatalf("min quality 100 = %v (total %d), want %v", ids(res), res.Total, want)
		}
	}},
	{"MinQualityWithText", func(t *testing.T, idx search.Index) {
		all := searchIDs(t, idx, "登记")
		want := docIDs(atLeast(filterDocs(all, nil, ""), 70))
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("corpus changed: 登记 matches %v, of which %v score 70+; the case needs some of each", all, want)
		}
		res := mustSearch(t, idx, search.Query{Text: "登记", MinQuality: 70, Limit: 100})
		if !sameSet(ids(res), want) || res.Total != len(want) {
			t.Fatalf("登记 with quality ≥ 70 = %v (total %d), want %v", ids(res), res.Total, want)
		}
	}},
	{"MinQualityWithFilters", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTopic: {"econ"}}
		res := mustSearch(t, idx, search.Query{Filters: f, MinQuality: 60, Limit: 100})
		// econ: ds-001 85, ds-002 72, ds-012 59, ds-016 95
		if want := []string{"ds-001", "ds-002", "ds-016"}; !sameSet(ids(res), want) || res.Total != len(want) {
			t.Fatalf("econ with quality ≥ 60 = %v (total %d), want %v", ids(res), res.Total, want)
		}
	}},
	{"FacetCountsRespectMinQuality", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTopic: {"traffic", "econ"}, search.FieldFormat: {"csv"}}
		facets := []string{search.FieldTopic, search.FieldFormat, search.FieldDepartment, search.FieldOpenType}
		res := mustSearch(t, idx, search.Query{Filters: f, Facets: facets, MinQuality: 60, Limit: 100})
		good := atLeast(Corpus(), 60)
		if want := docIDs(filterIn(good, f, "")); !sameSet(ids(res), want) || res.Total != len(want) {
			t.Fatalf("hits %v (total %d), want %v", ids(res), res.Total, want)
		}
		// Disjunctive counts too leave out entries under the minimum.
		for _, field := range facets {
			want := expectedFacets(filterIn(good, f, field), field)
			if got := res.Facets[field]; !reflect.DeepEqual(got, want) {
				t.Errorf("facet %s = %v, want %v", field, got, want)
			}
		}
		// csv entries scoring 60+: econ ds-001, ds-002 (not ds-012 at 59).
		for _, fc := range res.Facets[search.FieldTopic] {
			if fc.Value == "econ" && fc.Count != 2 {
				t.Errorf("topic econ counted %d, want 2", fc.Count)
			}
		}
	}},
	{"FacetCountsRespectMinQualityWithText", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨", MinQuality: 50, Facets: []string{search.FieldTopic}, Limit: 0})
		// 哈尔滨: ds-004 100, ds-005 60, ds-006 45, ds-008 90, ds-013 30
		want := []search.FacetCount{{Value: "traffic", Count: 2}, {Value: "edu", Count: 1}}
		if res.Total != 3 || !reflect.DeepEqual(res.Facets[search.FieldTopic], want) {
			t.Fatalf("哈尔滨 with quality ≥ 50: total %d, topics %v; want 3 and %v", res.Total, res.Facets[search.FieldTopic], want)
		}
	}},
}

var qualityWriteCases = []testCase{
	{"UpsertChangesQuality", func(t *testing.T, idx search.Index) {
		ctx := context.Background()
		byID := corpusByID()
		up, down := byID["ds-013"], byID["ds-004"]
		up.Quality, down.Quality = 100, 10
		if err := idx.Upsert(ctx, up); err != nil {
			t.Fatal(err)
		}
		res := mustSearch(t, idx, search.Query{MinQuality: 100, Sort: search.SortQuality, Limit: 10})
		if got, want := ids(res), []string{"ds-007", "ds-004", "ds-013"}; !slices.Equal(got, want) {
			t.Fatalf("after raising ds-013: quality 100 = %v, want %v", got, want)
		}
		if err := idx.Upsert(ctx, down); err != nil {
			t.Fatal(err)
		}
		res = mustSearch(t, idx, search.Query{MinQuality: 100, Sort: search.SortQuality, Limit: 10})
		if got, want := ids(res), []string{"ds-007", "ds-013"}; !slices.Equal(got, want) {
			t.Fatalf("after lowering ds-004: quality 100 = %v, want %v", got, want)
		}
		res = mustSearch(t, idx, search.Query{Sort: search.SortQuality, Limit: 100})
		if got := ids(res); got[len(got)-3] != "ds-004" {
			t.Fatalf("ds-004 at 10 should come just before the unscored ds-009, ds-015: %v", got)
		}
	}},
}

func init() {
	readOnlyCases = append(readOnlyCases, qualityCases...)
	writeCases = append(writeCases, qualityWriteCases...)
}
