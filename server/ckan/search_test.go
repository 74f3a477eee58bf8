package ckan_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
)

// spyIndex records the texts searched and can fail like an engine that is
// down.
type spyIndex struct {
	search.Index
	mu    sync.Mutex
	texts []string
	fail  bool
}

func (s *spyIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	s.mu.Lock()
	s.texts = append(s.texts, q.Text)
	fail := s.fail
	s.mu.Unlock()
	if fail {
		return search.Result{}, search.ErrUnavailable
	}
	return s.Index.Search(ctx, q)
}

func (s *spyIndex) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.texts)
}

func (s *spyIndex) setFail(f bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// A plain full-text q is answered from the search index (ids and total),
// the page's entries loaded by id; everything SQL matches is still found,
// pages are disjoint and ordered, not_open entries never appear. Queries
// the index cannot answer (fq, facets) and an index that is down are
// answered by SQL.
func TestPackageSearchTextFromIndex(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			spy := &spyIndex{}
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", WrapIndex: func(ix search.Index) search.Index { spy.Index = ix; return spy }})
			var all []catalog.Dataset
			p.DB.Select("id, title, status, open_type").Find(&all)
			public := map[string]bool{}
			var titles []string
			for _, d := range all {
				if d.Public() {
					public[d.ID] = true
					titles = append(titles, d.Title)
				}
			}
			word := commonBigram(titles)
			if word == "" {
				t.Fatal("no two-character word shared by three titles in the small seed")
			}
			var inTitle []string
			p.DB.Model(&catalog.Dataset{}).Where("status = ? AND open_type IN ? AND title LIKE ?", catalog.StatusPublished,
				[]catalog.OpenType{catalog.Unconditional, catalog.Conditional}, "%"+word+"%").Pluck("id", &inTitle)

			search := func(q url.Values) (int, []string, []string) {
				t.Helper()
				st, e := call(t, p, "GET", "package_search", "?"+q.Encode(), nil)
				if st != 200 || !e.Success {
					t.Fatalf("package_search?%s: %d %v", q.Encode(), st, e.Error)
				}
				res := e.Result.(map[string]any)
				var ids, modified []string
				for _, x := range res["results"].([]any) {
					pk := x.(map[string]any)
					ids = append(ids, pk["id"].(string))
					modified = append(modified, pk["metadata_modified"].(string))
				}
				return int(res["count"].(float64)), ids, modified
			}

			before := len(spy.calls())
			count, ids, modified := search(url.Values{"q": {word}, "rows": {"1000"}})
			if calls := spy.calls(); len(calls) != before+1 || calls[len(calls)-1] != word {
				t.Fatalf("q=%s did not go through the index: searches %q", word, calls[before:])
			}
			if count != len(ids) || count < len(inTitle) || len(inTitle) < 3 {
				t.Fatalf("q=%s: count %d, %d results, %d public titles hold it", word, count, len(ids), len(inTitle))
			}
			for _, id := range inTitle {
				if !slices.Contains(ids, id) {
					t.Errorf("q=%s misses %s, whose title holds it", word, id)
				}
			}
			for i, id := range ids {
				if !public[id] {
					t.Errorf("q=%s lists %s, which is not public", word, id)
				}
				if i > 0 && modified[i] > modified[i-1] {
					t.Errorf("q=%s not sorted by metadata_modified desc: %s after %s", word, modified[i], modified[i-1])
				}
			}
			// Pages of two: disjoint, in order, the same total.
			for start := 0; start < len(ids); start += 2 {
				n, page, _ := search(url.Values{"q": {"text:" + word}, "rows": {"2"}, "start": {strconv.Itoa(start)}})
				if want := ids[start:min(start+2, len(ids))]; n != count || !slices.Equal(page, want) {
					t.Errorf("q=%s start=%d: count %d %v, want %d %v", word, start, n, page, count, want)
				}
			}
			// rows=0 counts only.
			if n, page, _ := search(url.Values{"q": {word}, "rows": {"0"}}); n != count || len(page) != 0 {
				t.Errorf("rows=0: count %d, %d results", n, len(page))
			}

			// The same words as fq go to SQL (substring LIKE): all found by q too.
			before = len(spy.calls())
			sqlCount, sqlIDs, _ := search(url.Values{"fq": {word}, "rows": {"1000"}})
			if calls := spy.calls(); len(calls) != before {
				t.Errorf("fq went to the index: %q", calls[before:])
			}
			if sqlCount != len(sqlIDs) || sqlCount < len(inTitle) {
				t.Errorf("fq=%s: count %d, %d results", word, sqlCount, len(sqlIDs))
			}
			for _, id := range sqlIDs {
				if !slices.Contains(ids, id) {
					t.Errorf("SQL matches %s for %s, the index does not", id, word)
				}
			}
			// Facets and field queries stay with SQL too.
			before = len(spy.calls())
			if n, _, _ := search(url.Values{"q": {word}, "facet.field": {`["organization"]`}, "rows": {"1000"}}); n != sqlCount {
				t.Errorf("q=%s with facets: count %d, want SQL's %d", word, n, sqlCount)
			}
			search(url.Values{"q": {word + " OR 不存在的词"}})
			search(url.Values{"q": {word}, "sort": {"title_string asc"}})
			if calls := spy.calls(); len(calls) != before {
				t.Errorf("facets, OR or a title sort went to the index: %q", calls[before:])
			}

			// The index down: SQL answers, the same as for fq.
			spy.setFail(true)
			n, failIDs, _ := search(url.Values{"q": {word}, "rows": {"1000"}})
			spy.setFail(false)
			if n != sqlCount || !slices.Equal(failIDs, sqlIDs) {
				t.Errorf("index down: count %d %v, want SQL's %d %v", n, failIDs, sqlCount, sqlIDs)
			}
		})
	}
}

// commonBigram returns the two-Han-character word held by the most titles
// (at least three, not all), the first in code point order on a tie.
func commonBigram(titles []string) string {
	n := map[string]int{}
	for _, t := range titles {
		r := []rune(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(r); i++ {
			if unicode.Is(unicode.Han, r[i]) && unicode.Is(unicode.Han, r[i+1]) {
				seen[string(r[i:i+2])] = true
			}
		}
		for w := range seen {
			n[w]++
		}
	}
	best := ""
	for w, c := range n {
		if c < 3 || c == len(titles) {
			continue
		}
		if best == "" || c > n[best] || (c == n[best] && strings.Compare(w, best) < 0) {
			best = w
		}
	}
	return best
}
