package ckan_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/ckan"
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
// the index cannot answer (substring fq words, OR across fields, a title
// sort) and an index that is down are answered by SQL.
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
			count, ids, modified := search(url.Values{"q": {word}, "rows": {"1000"}, "sort": {"metadata_modified desc"}})
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
				n, page, _ := search(url.Values{"q": {"text:" + word}, "rows": {"2"}, "start": {strconv.Itoa(start)}, "sort": {"metadata_modified desc"}})
				if want := ids[start:min(start+2, len(ids))]; n != count || !slices.Equal(page, want) {
					t.Errorf("q=%s start=%d: count %d %v, want %d %v", word, start, n, page, count, want)
				}
			}
			// rows=0 counts only.
			if n, page, _ := search(url.Values{"q": {word}, "rows": {"0"}}); n != count || len(page) != 0 {
				t.Errorf("rows=0: count %d, %d results", n, len(page))
			}

			// SQL (forced, substring LIKE) finds nothing the index misses.
			before = len(spy.calls())
			ckan.SetForceSQL(true)
			sqlCount, sqlIDs, _ := search(url.Values{"q": {word}, "rows": {"1000"}, "sort": {"metadata_modified desc"}})
			ckan.SetForceSQL(false)
			if calls := spy.calls(); len(calls) != before {
				t.Errorf("forced SQL went to the index: %q", calls[before:])
			}
			// The same words as fq go to the index as well.
			if n, _, _ := search(url.Values{"fq": {word}, "rows": {"0"}}); n != count || len(spy.calls()) != before+1 {
				t.Errorf("fq=%s: count %d, want %d; index searches %q", word, n, count, spy.calls()[before:])
			}
			if sqlCount != len(sqlIDs) || sqlCount < len(inTitle) {
				t.Errorf("fq=%s: count %d, %d results", word, sqlCount, len(sqlIDs))
			}
			for _, id := range sqlIDs {
				if !slices.Contains(ids, id) {
					t.Errorf("SQL matches %s for %s, the index does not", id, word)
				}
			}
			// Facets go to the index too, with the same count; OR across
			// fields and a title sort stay with SQL.
			before = len(spy.calls())
			if n, _, _ := search(url.Values{"q": {word}, "facet.field": {`["organization"]`}, "rows": {"1000"}}); n != count {
				t.Errorf("q=%s with facets: count %d, want %d", word, n, count)
			}
			if calls := spy.calls(); len(calls) != before+1 {
				t.Errorf("q with facets did not go to the index: %q", calls[before:])
			}
			before = len(spy.calls())
			search(url.Values{"q": {word + " OR 不存在的词"}})
			search(url.Values{"q": {word}, "sort": {"title_string asc"}})
			if calls := spy.calls(); len(calls) != before {
				t.Errorf("facets, OR or a title sort went to the index: %q", calls[before:])
			}

			// The index down: SQL answers, as when forced.
			spy.setFail(true)
			n, failIDs, _ := search(url.Values{"q": {word}, "rows": {"1000"}, "sort": {"metadata_modified desc"}})
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

// searchBody runs package_search and returns its status and envelope.
func searchBody(t *testing.T, p *apptest.Portal, q url.Values) (int, envelope) {
	t.Helper()
	return call(t, p, "GET", "package_search", "?"+q.Encode(), nil)
}

// The index path gives what the SQL path gives on the same catalog: the
// count, the ids in order and every facet count, for q words, fq on
// organization, tags, res_format and groups, ORs within a field, and
// combinations, each with facets on the fields it does not filter on.
func TestPackageSearchIndexMatchesSQL(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			spy := &spyIndex{}
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", WrapIndex: func(ix search.Index) search.Index { spy.Index = ix; return spy }})
			var all []catalog.Dataset
			p.DB.Find(&all)
			deps, topics, tags := map[string]int{}, map[string]int{}, map[string]int{}
			var titles []string
			var public []catalog.Dataset
			for _, d := range all {
				if d.Public() {
					public = append(public, d)
					deps[d.DepartmentID]++
					topics[d.TopicID]++
					for _, tg := range d.Tags {
						tags[tg]++
					}
					titles = append(titles, d.Title)
				}
			}
			most := func(m map[string]int) (string, string) {
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				slices.SortFunc(keys, func(a, b string) int {
					if m[a] != m[b] {
						return m[b] - m[a]
					}
					return strings.Compare(a, b)
				})
				if len(keys) < 2 {
					t.Fatalf("the small seed has fewer than two values in %v", m)
				}
				return keys[0], keys[1]
			}
			dep, dep2 := most(deps)
			topic, _ := most(topics)
			tag, _ := most(tags)
			word := commonBigram(titles)
			wordDep := ""
			for _, d := range public {
				if strings.Contains(d.Title, word) {
					wordDep = d.DepartmentID
				}
			}
			facets := func(fs ...string) string { b, _ := json.Marshal(fs); return string(b) }
			cases := []url.Values{
				{"q": {word}, "facet.field": {facets("organization", "groups", "tags", "res_format", "license_id", "open_type")}},
				{"q": {"*:*"}, "facet.field": {facets("organization", "groups", "tags", "res_format")}},
				{"fq": {"organization:" + dep}, "facet.field": {facets("groups", "tags", "res_format", "license_id")}},
				{"fq": {`tags:"` + tag + `"`}, "facet.field": {facets("organization", "groups")}},
				{"fq": {"res_format:CSV"}, "facet.field": {facets("organization", "groups", "tags")}},
				{"fq": {"res_format:json"}},
				{"fq": {"groups:" + topic}, "facet.field": {facets("organization", "res_format")}},
				{"fq": {"organization:" + dep + " AND res_format:CSV"}, "facet.field": {facets("groups", "tags")}},
				{"fq": {"organization:(" + dep + " OR " + dep2 + ")"}, "facet.field": {facets("groups")}},
				{"q": {word}, "fq": {"groups:" + topic}, "facet.field": {facets("organization", "tags")}},
				{"q": {word + " organization:" + wordDep}, "facet.field": {facets("res_format")}},
				{"fq": {"license_id:hlj-conditional"}, "facet.field": {facets("organization")}},
			}
			for _, q := range cases {
				q.Set("rows", "1000")
				q.Set("sort", "metadata_modified desc")
				q.Set("facet.limit", "-1")
				before := len(spy.calls())
				st, idx := searchBody(t, p, q)
				if st != 200 || len(spy.calls()) != before+1 {
					t.Errorf("%s: status %d, index searches %q", q.Encode(), st, spy.calls()[before:])
					continue
				}
				ckan.SetForceSQL(true)
				st, sql := searchBody(t, p, q)
				ckan.SetForceSQL(false)
				if st != 200 || len(spy.calls()) != before+1 {
					t.Errorf("%s: forced SQL: status %d, index searches %q", q.Encode(), st, spy.calls()[before:])
					continue
				}
				ir, sr := idx.Result.(map[string]any), sql.Result.(map[string]any)
				if ir["count"] != sr["count"] {
					t.Errorf("%s: count %v from the index, %v from SQL", q.Encode(), ir["count"], sr["count"])
				}
				if sr["count"].(float64) == 0 && q.Get("fq") != "res_format:json" {
					t.Errorf("%s: matches nothing; pick a query that does", q.Encode())
				}
				ids := func(r map[string]any) []string {
					var out []string
					for _, x := range r["results"].([]any) {
						out = append(out, x.(map[string]any)["id"].(string))
					}
					return out
				}
				if a, b := ids(ir), ids(sr); !slices.Equal(a, b) {
					t.Errorf("%s: ids %v from the index, %v from SQL", q.Encode(), a, b)
				}
				if a, b := mustJSON(ir["facets"]), mustJSON(sr["facets"]); a != b {
					t.Errorf("%s: facets\n%s from the index\n%s from SQL", q.Encode(), a, b)
				}
				if a, b := mustJSON(ir["search_facets"]), mustJSON(sr["search_facets"]); a != b {
					t.Errorf("%s: search_facets differ\n%s\n%s", q.Encode(), a, b)
				}
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The Solr syntax CKAN clients send: trailing wildcards, NOW date math in
// ranges (on the injected clock), title: and notes:, fl, facets on
// extras_*; anything unsupported is a 400 in CKAN's envelope.
func TestPackageSearchSolrSyntax(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			clock := apptest.NewClock(time.Date(2026, 6, 15, 13, 30, 0, 0, time.UTC))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: clock.Now})
			var pub []catalog.Dataset
			p.DB.Preload("Department").Where("status = ? AND open_type IN ?", catalog.StatusPublished,
				[]catalog.OpenType{catalog.Unconditional, catalog.Conditional}).Order("id").Find(&pub)
			if len(pub) < 10 {
				t.Fatalf("%d public entries", len(pub))
			}
			ok := func(q url.Values) map[string]any {
				t.Helper()
				st, e := searchBody(t, p, q)
				if st != 200 || !e.Success {
					t.Fatalf("package_search?%s: %d %v", q.Encode(), st, e.Error)
				}
				return e.Result.(map[string]any)
			}
			count := func(q url.Values) int { t.Helper(); return int(ok(q)["count"].(float64)) }
			want := func(keep func(d catalog.Dataset) bool) int {
				n := 0
				for _, d := range pub {
					if keep(d) {
						n++
					}
				}
				return n
			}

			// 企业* matches what 企业 matches as a substring.
			n := count(url.Values{"q": {"企业*"}})
			if w := want(func(d catalog.Dataset) bool {
				return strings.Contains(d.Title, "企业") || strings.Contains(d.Description, "企业")
			}); n < w || w == 0 {
				t.Errorf("q=企业*: %d, want at least the %d entries whose title or description holds 企业", n, w)
			}
			// name:prefix* lists exactly the ids with that prefix.
			prefix := pub[0].ID[:len(pub[0].ID)/2]
			res := ok(url.Values{"q": {"name:" + prefix + "*"}, "rows": {"1000"}})
			if w := want(func(d catalog.Dataset) bool { return strings.HasPrefix(d.ID, prefix) }); int(res["count"].(float64)) != w || w == 0 {
				t.Errorf("name:%s*: %v, want %d", prefix, res["count"], w)
			}
			for _, x := range res["results"].([]any) {
				if id := x.(map[string]any)["name"].(string); !strings.HasPrefix(id, prefix) {
					t.Errorf("name:%s* lists %s", prefix, id)
				}
			}
			// title: and notes:.
			word := []rune(pub[0].Title)
			tw := string(word[:2])
			if n, w := count(url.Values{"q": {"title:" + tw}}), want(func(d catalog.Dataset) bool { return strings.Contains(d.Title, tw) }); n != w || w == 0 {
				t.Errorf("title:%s: %d, want %d", tw, n, w)
			}
			nw := string([]rune(pub[0].Description)[:2])
			if n, w := count(url.Values{"fq": {"notes:" + nw}}), want(func(d catalog.Dataset) bool { return strings.Contains(d.Description, nw) }); n != w || w == 0 {
				t.Errorf("notes:%s: %d, want %d", nw, n, w)
			}
			// NOW date math on the injected clock; NOW/DAY rounds to midnight UTC.
			now := clock.Now().UTC()
			midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			for q, from := range map[string]time.Time{
				"metadata_modified:[NOW-1YEAR TO NOW]":       now.AddDate(-1, 0, 0),
				"metadata_modified:[NOW/DAY-30DAYS TO NOW]":  midnight.AddDate(0, 0, -30),
				"metadata_modified:[NOW/DAY-400DAYS TO *]":   midnight.AddDate(0, 0, -400),
				"metadata_modified:[NOW/MONTH-2MONTHS TO *]": time.Date(now.Year(), now.Month()-2, 1, 0, 0, 0, 0, time.UTC),
			} {
				open := strings.HasSuffix(q, "TO *]")
				w := want(func(d catalog.Dataset) bool {
					return !d.UpdatedAt.Before(from) && (open || !d.UpdatedAt.After(now))
				})
				if n := count(url.Values{"fq": {q}}); n != w {
					t.Errorf("%s: %d, want %d (from %s)", q, n, w, from)
				}
			}
			// fl keeps only the named keys.
			res = ok(url.Values{"q": {"*:*"}, "fl": {"id,name title"}, "rows": {"3"}})
			for _, x := range res["results"].([]any) {
				m := x.(map[string]any)
				if len(m) != 3 || m["id"] == nil || m["name"] == nil || m["title"] == nil {
					t.Errorf("fl=id,name title: %v", m)
				}
			}
			// facet.field on extras_*: counts per value of that extra.
			res = ok(url.Values{"facet.field": {`["extras_region","extras_share_type"]`}, "rows": {"0"}})
			regions := res["facets"].(map[string]any)["extras_region"].(map[string]any)
			wantRegions := map[string]int{}
			for _, d := range pub {
				wantRegions[d.Region]++
			}
			for r, n := range wantRegions {
				if r != "" && (regions[r] == nil || int(regions[r].(float64)) != n) {
					t.Errorf("extras_region %q: %v, want %d (%v)", r, regions[r], n, regions)
				}
			}
			if len(res["facets"].(map[string]any)["extras_share_type"].(map[string]any)) == 0 {
				t.Errorf("extras_share_type: no counts")
			}

			// Unsupported or malformed: 400 with CKAN's envelope, never an empty 200.
			for q, typ := range map[string]string{
				"q=" + url.QueryEscape("企*业"):                                       "Search Query Error",
				"q=" + url.QueryEscape("name:?s"):                                   "Search Query Error",
				"fq=" + url.QueryEscape("nosuch:1"):                                 "Search Query Error",
				"fq=" + url.QueryEscape("metadata_modified:[NOW/FORTNIGHT TO NOW]"): "Search Query Error",
				"fq=" + url.QueryEscape("metadata_modified:[NOW-1YEAR TO"):          "Search Query Error",
				"q=" + url.QueryEscape("(企业"):                                       "Search Query Error",
				"fq=" + url.QueryEscape("open_type:x*"):                             "Search Query Error",
				"facet.field=" + url.QueryEscape(`["extras_nosuch"]`):               "Validation Error",
				"rows=-1":                            "Validation Error",
				"sort=" + url.QueryEscape("foo asc"): "Validation Error",
			} {
				st, e := call(t, p, "GET", "package_search", "?"+q, nil)
				if st != 400 || e.Success || e.Error["__type"] != typ || e.Error["message"] == "" {
					t.Errorf("%s: %d %v, want 400 %s", q, st, e.Error, typ)
				}
			}
		})
	}
}
