package searchtest

import (
	"context"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

var limitCases = []testCase{
	{"QueryTooLong", func(t *testing.T, idx search.Index) {
		ok := strings.Repeat("数", search.MaxQueryRunes)
		if _, err := idx.Search(context.Background(), search.Query{Text: ok, Limit: 10}); err != nil {
			t.Fatalf("%d runes rejected: %v", search.MaxQueryRunes, err)
		}
		_, err := idx.Search(context.Background(), search.Query{Text: ok + "据", Limit: 10})
		errIs(t, err, search.ErrQueryTooLong)
	}},
	{"WindowTooDeep", func(t *testing.T, idx search.Index) {
		if _, err := idx.Search(context.Background(), search.Query{Offset: search.MaxWindow - 10, Limit: 10}); err != nil {
			t.Fatalf("window at the limit rejected: %v", err)
		}
		_, err := idx.Search(context.Background(), search.Query{Offset: search.MaxWindow - 10, Limit: 11})
		errIs(t, err, search.ErrTooDeep)
	}},
	{"BadLimitsAndFields", func(t *testing.T, idx search.Index) {
		bad := []search.Query{
			{Limit: search.MaxLimit + 1},
			{Limit: -1},
			{Offset: -1, Limit: 10},
			{Limit: 10, Filters: map[string][]string{"owner": {"x"}}},
			{Limit: 10, Facets: []string{"owner"}},
			{Limit: 10, Sort: "random"},
			{Limit: 10, MinQuality: -1},
			{Limit: 10, MinQuality: search.MaxQuality + 1},
		}
		for _, q := range bad {
			_, err := idx.Search(context.Background(), q)
			if err == nil {
				t.Fatalf("%+v accepted", q)
			}
			errIs(t, err, search.ErrBadQuery)
		}
	}},
	{"Count", func(t *testing.T, idx search.Index) {
		n, err := idx.Count(context.Background())
		if err != nil || n != len(Corpus()) {
			t.Fatalf("Count = %d, %v; want %d", n, err, len(Corpus()))
		}
	}},
	{"Health", func(t *testing.T, idx search.Index) {
		if err := idx.Health(context.Background()); err != nil {
			t.Fatalf("Health: %v", err)
		}
	}},
}

func init() { readOnlyCases = append(readOnlyCases, limitCases...) }
