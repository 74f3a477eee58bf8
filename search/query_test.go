package search

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateQuery(t *testing.T) {
	cases := []struct {
		q    Query
		want error
	}{
		{Query{Text: strings.Repeat("数", MaxQueryRunes), Limit: MaxLimit}, nil},
		{Query{Offset: MaxWindow - 5, Limit: 5}, nil},
		{Query{Text: strings.Repeat("数", MaxQueryRunes+1)}, ErrQueryTooLong},
		{Query{Offset: MaxWindow - 5, Limit: 6}, ErrTooDeep},
		{Query{Limit: MaxLimit + 1}, ErrBadQuery},
		{Query{Offset: -1}, ErrBadQuery},
		{Query{Limit: -1}, ErrBadQuery},
		{Query{Filters: map[string][]string{"owner": {"x"}}}, ErrBadQuery},
		{Query{Facets: []string{"owner"}}, ErrBadQuery},
		{Query{Sort: "random"}, ErrBadQuery},
		{Query{Sort: SortQuality, MinQuality: MaxQuality}, nil},
		{Query{MinQuality: -1}, ErrBadQuery},
		{Query{MinQuality: MaxQuality + 1}, ErrBadQuery},
	}
	for _, c := range cases {
		err := ValidateQuery(c.q)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("ValidateQuery(%+v) = %v, want %v", c.q, err, c.want)
		}
	}
}

func TestEffectiveSort(t *testing.T) {
	for _, c := range []struct{ text, sort, want string }{
		{"", "", SortUpdated},
		{"，。 ", SortRelevance, SortUpdated},
		{"公交", "", SortRelevance},
		{"公交", SortName, SortName},
		{"", SortQuality, SortQuality},
		{"公交", SortQuality, SortQuality},
	} {
		if got, _ := EffectiveSort(Query{Text: c.text, Sort: c.sort}); got != c.want {
			t.Errorf("EffectiveSort(%q, %q) = %q, want %q", c.text, c.sort, got, c.want)
		}
	}
}

func TestClampQuality(t *testing.T) {
	for in, want := range map[int]int{-5: 0, 0: 0, 59: 59, 100: 100, 250: 100} {
		if got := ClampQuality(in); got != want {
			t.Errorf("ClampQuality(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestFacetValues(t *testing.T) {
	d := &Document{Topic: "econ", Formats: []string{"csv", "json"}}
	if v := FacetValues(d, FieldTopic); len(v) != 1 || v[0] != "econ" {
		t.Fatalf("topic = %v", v)
	}
	if v := FacetValues(d, FieldFormat); len(v) != 2 {
		t.Fatalf("formats = %v", v)
	}
	if v := FacetValues(d, FieldRegion); v != nil {
		t.Fatalf("empty region = %v", v)
	}
}
