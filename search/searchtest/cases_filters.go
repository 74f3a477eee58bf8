package searchtest

import (
	"reflect"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

var filterCases = []testCase{
	{"FilterORWithinField", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldDepartment: {"hrb_jt", "wjw"}}
		res := mustSearch(t, idx, search.Query{Filters: f, Limit: 100})
		if want := docIDs(filterDocs(nil, f, "")); !sameSet(ids(res), want) || res.Total != len(want) {
			t.Fatalf("department hrb_jt OR wjw = %v (total %d), want %v", ids(res), res.Total, want)
		}
	}},
	{"FilterANDAcrossFields", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldDepartment: {"hrb_jt"}, search.FieldFormat: {"csv"}}
		res := mustSearch(t, idx, search.Query{Filters: f, Limit: 100})
		want := []string{"ds-004", "ds-005", "ds-013"}
		if !sameSet(ids(res), want) {
			t.Fatalf("hrb_jt AND csv = %v, want %v", ids(res), want)
		}
	}},
	{"FilterMultiValuedTag", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTag: {"市场主体"}}
		res := mustSearch(t, idx, search.Query{Filters: f, Limit: 100})
		if want := []string{"ds-001", "ds-002", "ds-012"}; !sameSet(ids(res), want) {
			t.Fatalf("tag 市场主体 = %v, want %v", ids(res), want)
		}
	}},
	{"FilterWithText", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTopic: {"econ"}}
		res := mustSearch(t, idx, search.Query{Text: "登记", Filters: f, Limit: 100})
		if want := []string{"ds-001", "ds-002", "ds-012"}; !sameSet(ids(res), want) {
			t.Fatalf("登记 in econ = %v, want %v", ids(res), want)
		}
	}},
	{"FilterUnknownValueMatchesNothing", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldRegion: {"999999"}}
		if res := mustSearch(t, idx, search.Query{Filters: f, Limit: 10}); res.Total != 0 {
			t.Fatalf("unknown region matched %d", res.Total)
		}
	}},
	{"FilterValueWithQuote", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTag: {`市场"主体`, `a\b`}}
		if res := mustSearch(t, idx, search.Query{Filters: f, Limit: 10}); res.Total != 0 {
			t.Fatalf("quoted value matched %d", res.Total)
		}
	}},
	{"FacetsWithoutFilters", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Facets: search.FacetFields, Limit: 0})
		all := Corpus()
		for _, field := range search.FacetFields {
			if got, want := res.Facets[field], expectedFacets(all, field); !reflect.DeepEqual(got, want) {
				t.Errorf("facet %s = %v, want %v", field, got, want)
			}
		}
	}},
	{"DisjunctiveFacets", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldTopic: {"traffic", "econ"}, search.FieldFormat: {"csv"}}
		facets := []string{search.FieldTopic, search.FieldFormat, search.FieldDepartment}
		res := mustSearch(t, idx, search.Query{Filters: f, Facets: facets, Limit: 100})
		hits := filterDocs(nil, f, "")
		if !sameSet(ids(res), docIDs(hits)) || res.Total != len(hits) {
			t.Fatalf("hits %v, want %v", ids(res), docIDs(hits))
		}
		// A filtered field is counted as if its own filter were off.
		for _, field := range facets {
			want := expectedFacets(filterDocs(nil, f, field), field)
			if got := res.Facets[field]; !reflect.DeepEqual(got, want) {
				t.Errorf("facet %s = %v, want %v", field, got, want)
			}
		}
		// The selected topics' counts add up to the total (one topic each).
		sum := 0
		for _, fc := range res.Facets[search.FieldTopic] {
			if fc.Value == "traffic" || fc.Value == "econ" {
				sum += fc.Count
			}
		}
		if sum != res.Total {
			t.Errorf("selected topic counts sum to %d, total is %d", sum, res.Total)
		}
	}},
	{"DisjunctiveFacetsWithText", func(t *testing.T, idx search.Index) {
		f := map[string][]string{search.FieldFormat: {"xlsx"}}
		facets := []string{search.FieldFormat, search.FieldDepartment}
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨", Filters: f, Facets: facets, Limit: 100})
		matched := []string{"ds-004", "ds-005", "ds-006", "ds-008", "ds-013"}
		if want := docIDs(filterDocs(matched, f, "")); !sameSet(ids(res), want) {
			t.Fatalf("哈尔滨 + xlsx = %v, want %v", ids(res), want)
		}
		for _, field := range facets {
			want := expectedFacets(filterDocs(matched, f, field), field)
			if got := res.Facets[field]; !reflect.DeepEqual(got, want) {
				t.Errorf("facet %s = %v, want %v", field, got, want)
			}
		}
	}},
	{"LimitZeroReturnsCountsOnly", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨", Facets: []string{search.FieldTopic}, Limit: 0})
		if res.Total != 5 || len(res.Hits) != 0 {
			t.Fatalf("limit 0: total %d, %d hits; want 5 and none", res.Total, len(res.Hits))
		}
		want := []search.FacetCount{{Value: "traffic", Count: 4}, {Value: "edu", Count: 1}}
		if got := res.Facets[search.FieldTopic]; !reflect.DeepEqual(got, want) {
			t.Fatalf("limit 0 facets = %v, want %v", got, want)
		}
	}},
}

func init() { readOnlyCases = append(readOnlyCases, filterCases...) }
