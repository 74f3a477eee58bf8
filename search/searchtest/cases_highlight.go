package searchtest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/search"
)

var highlightCases = []testCase{
	{"HighlightTitlePhrase", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "企业登记", Limit: 10})
		h := hitByID(t, res, "ds-001").Highlights
		if got, want := h["title"], "全省<mark>企业登记</mark>信息"; got != want {
			t.Fatalf("title highlight = %q, want %q", got, want)
		}
	}},
	{"HighlightEscapesHTML", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "测试", Limit: 10})
		title := hitByID(t, res, "ds-009").Highlights["title"]
		if !strings.Contains(title, "&lt;script&gt;") || strings.Contains(title, "<script>") {
			t.Fatalf("title markup not escaped: %q", title)
		}
		if !strings.Contains(title, "<mark>测试</mark>") {
			t.Fatalf("title match not marked: %q", title)
		}
		for field, v := range hitByID(t, res, "ds-009").Highlights {
			if stripMarks(v) != v && strings.ContainsAny(stripMarks(v), "<>") {
				t.Fatalf("%s highlight carries markup other than <mark>: %q", field, v)
			}
		}
	}},
	{"HighlightOnlyMatchedFields", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "公交", Limit: 10})
		h := hitByID(t, res, "ds-004").Highlights
		if h["title"] != "哈尔滨市<mark>公交</mark>线路" {
			t.Fatalf("title highlight = %q", h["title"])
		}
		if !strings.Contains(h["description"], "<mark>公交</mark>") {
			t.Fatalf("description highlight = %q", h["description"])
		}
		for _, field := range []string{"department_name", "topic_name", "data_items", "tags"} {
			if v, ok := h[field]; ok {
				t.Fatalf("unmatched field %s highlighted: %q", field, v)
			}
		}
	}},
	{"HighlightDepartmentName", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "哈尔滨市交通运输局", Limit: 10})
		h := hitByID(t, res, "ds-005").Highlights
		if got, want := h["department_name"], "<mark>哈尔滨市交通运输局</mark>"; got != want {
			t.Fatalf("department_name highlight = %q, want %q", got, want)
		}
	}},
	{"HighlightDataItemsAndTags", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "统一社会信用代码", Limit: 10})
		if got, want := hitByID(t, res, "ds-012").Highlights["data_items"], "<mark>统一社会信用代码</mark>"; got != want {
			t.Fatalf("data_items highlight = %q, want %q (only matching labels)", got, want)
		}
		res = mustSearch(t, idx, search.Query{Text: "市场主体", Limit: 10})
		if got, want := hitByID(t, res, "ds-001").Highlights["tags"], "<mark>市场主体</mark>"; got != want {
			t.Fatalf("tags highlight = %q, want %q", got, want)
		}
	}},
	{"HighlightDescriptionSnippet", func(t *testing.T, idx search.Index) {
		res := mustSearch(t, idx, search.Query{Text: "价格指数", Limit: 10})
		d := hitByID(t, res, "ds-016").Highlights["description"]
		if !strings.Contains(d, "<mark>价格指数</mark>") {
			t.Fatalf("description snippet lacks the match: %q", d)
		}
		if n := utf8.RuneCountInString(stripMarks(d)); n > 90 {
			t.Fatalf("description snippet has %d runes, want a window of about 80: %q", n, d)
		}
	}},
	{"NoHighlightsWithoutText", func(t *testing.T, idx search.Index) {
		for _, h := range mustSearch(t, idx, search.Query{Limit: 100}).Hits {
			if len(h.Highlights) != 0 {
				t.Fatalf("%s has highlights without query text: %v", h.ID, h.Highlights)
			}
		}
	}},
}

func stripMarks(s string) string {
	return strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
}

func init() { readOnlyCases = append(readOnlyCases, highlightCases...) }
