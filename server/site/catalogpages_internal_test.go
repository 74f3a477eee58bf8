package site

import (
	"reflect"
	"testing"

	"github.com/hlj-opendata/portal/server/catalog"
)

func TestHighlightParts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []hlPart
	}{
		{"全省<mark>企业</mark>登记", []hlPart{{"全省", false}, {"企业", true}, {"登记", false}}},
		// Escaped markup stays text; only the exact tags mark.
		{"&lt;script&gt;<MARK>x&amp;y</MARK><b>", []hlPart{{"<script>", false}, {"x&y", true}, {"<b>", false}}},
		{"<mark>a<mark>b</mark>c", []hlPart{{"a", true}, {"b", true}, {"c", false}}},
		{"", nil},
	} {
		if got := highlightParts(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("highlightParts(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// The server draws the icons of static/js/topicicon.js (read from it), and
// letters where the script draws letters.
func TestTopicIcons(t *testing.T) {
	icons := topicIcons()
	for _, id := range []string{"economy", "transport", "social-security", "geography"} {
		if icons[id] == "" || icons[id][0] != 'M' {
			t.Errorf("no drawing for %s: %q (topicicon.js changed shape?)", id, icons[id])
		}
	}
	for _, c := range []struct {
		lang string
		t    catalog.Topic
		want topicIconView
	}{
		{"en", catalog.Topic{ID: "economy", Name: "经济建设"}, topicIconView{Path: icons["economy"]}},
		{"en", catalog.Topic{ID: "x", Name: "孤立领域", NameEN: "lone topic"}, topicIconView{Letter: "L"}},
		{"en", catalog.Topic{ID: "x", Name: "孤立领域"}, topicIconView{Letter: "•"}},
		{"en", catalog.Topic{ID: "x", Name: "孤立领域", NameEN: "（２）"}, topicIconView{Letter: "•"}},
		{"zh", catalog.Topic{ID: "x", Name: "孤立领域", NameEN: "Lone"}, topicIconView{Letter: "孤"}},
	} {
		if got := topicIcon(c.lang, c.t); got != c.want {
			t.Errorf("topicIcon(%s, %+v) = %+v, want %+v", c.lang, c.t, got, c.want)
		}
	}
}

func TestCatalogStateAddress(t *testing.T) {
	p := catalog.ListParams{Query: "企业", Filters: map[string][]string{"topic": {"economy", "economy", "transport"}, "tag": {"工商"}}, Sort: "name", Page: 3, PageSize: 20}
	s := stateOf(p)
	if got, want := s.href(), "/datasets?page=3&q=%E4%BC%81%E4%B8%9A&sort=name&tag=%E5%B7%A5%E5%95%86&topic=economy&topic=transport"; got != want {
		t.Errorf("href %s, want %s", got, want)
	}
	if got, want := s.toggled("topic", "economy").href(), "/datasets?q=%E4%BC%81%E4%B8%9A&sort=name&tag=%E5%B7%A5%E5%95%86&topic=transport"; got != want {
		t.Errorf("toggled off: %s, want %s", got, want)
	}
	if got := s.toggled("grade", "L1").Filters["grade"]; !reflect.DeepEqual(got, []string{"L1"}) {
		t.Errorf("toggled on: %v", got)
	}
	if len(s.Filters["grade"]) != 0 || s.Page != 3 {
		t.Error("toggling changed the state it came from")
	}
	if idPart("a b/c") != "a_20b_2fc" || idPart("市场") != "_5e02_573a" {
		t.Errorf("idPart: %s %s", idPart("a b/c"), idPart("市场"))
	}
}
