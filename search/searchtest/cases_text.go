package searchtest

import (
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

var textCases = []testCase{
	{"PhraseInTitleRanksFirst", func(t *testing.T, idx search.Index) {
		got := searchIDs(t, idx, "企业登记")
		if len(got) == 0 || got[0] != "ds-001" {
			t.Fatalf("企业登记: want ds-001 (title 全省企业登记信息) first, got %v", got)
		}
		if p := position(got, "ds-002"); p < 0 {
			t.Fatalf("企业登记: ds-002 (mentions it in the description) missing from %v", got)
		}
	}},
	{"AllTermsMustMatch", func(t *testing.T, idx search.Index) {
		got := searchIDs(t, idx, "企业登记")
		if slices.Contains(got, "ds-003") {
			t.Fatalf("企业登记 matched ds-003, which only contains 企业: %v", got)
		}
		if !slices.Contains(searchIDs(t, idx, "企业"), "ds-003") {
			t.Fatalf("企业 should match ds-003")
		}
	}},
	{"TwoCharQuery", func(t *testing.T, idx search.Index) {
		if got := searchIDs(t, idx, "公交"); !sameSet(got, []string{"ds-004", "ds-005"}) {
			t.Fatalf("公交 = %v, want ds-004 and ds-005", got)
		}
	}},
	{"SingleCharQuery", func(t *testing.T, idx search.Index) {
		if got := searchIDs(t, idx, "医"); !slices.Contains(got, "ds-007") {
			t.Fatalf("医 = %v, want ds-007 (全省医疗机构名录) among them", got)
		}
	}},
	{"DepartmentName", func(t *testing.T, idx search.Index) {
		got := searchIDs(t, idx, "哈尔滨市交通运输局")
		if !sameSet(got, []string{"ds-004", "ds-005", "ds-006", "ds-013"}) {
			t.Fatalf("哈尔滨市交通运输局 = %v, want its four datasets (not 哈尔滨市教育局's ds-008)", got)
		}
	}},
	{"DataItemLabel", func(t *testing.T, idx search.Index) {
		got := searchIDs(t, idx, "统一社会信用代码")
		if !sameSet(got, []string{"ds-001", "ds-011", "ds-012"}) {
			t.Fatalf("统一社会信用代码 = %v, want ds-001, ds-011, ds-012", got)
		}
	}},
	{"TopicAndTagNames", func(t *testing.T, idx search.Index) {
		if got := searchIDs(t, idx, "医疗卫生"); !slices.Contains(got, "ds-007") {
			t.Fatalf("topic name 医疗卫生 = %v, want ds-007", got)
		}
		if got := searchIDs(t, idx, "骑行"); !sameSet(got, []string{"ds-013"}) {
			t.Fatalf("tag 骑行 = %v, want ds-013", got)
		}
	}},
	{"LatinWordsIgnoreCase", func(t *testing.T, idx search.Index) {
		if got := searchIDs(t, idx, "aqi"); !sameSet(got, []string{"ds-010"}) {
			t.Fatalf("aqi = %v, want ds-010 (AQI)", got)
		}
	}},
	{"NoMatch", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "量子计算机", Limit: 10, Facets: []string{search.FieldTopic}})
		if res.Total != 0 || len(res.Hits) != 0 || len(res.Facets[search.FieldTopic]) != 0 {
			t.Fatalf("量子计算机 matched: %+v", res)
		}
	}},
	{"TotalCountsAllMatches", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨", Limit: 2})
		if res.Total != 5 || len(res.Hits) != 2 {
			t.Fatalf("哈尔滨: total %d hits %d, want 5 and 2", res.Total, len(res.Hits))
		}
	}},
	{"ScoresDescendWithRelevance", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "全省", Limit: 100})
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].Score > res.Hits[i-1].Score {
				t.Fatalf("scores not descending at %d: %v", i, res.Hits)
			}
		}
	}},
}

func init() { readOnlyCases = append(readOnlyCases, textCases...) }

var readOnlyCases []testCase
