package embedded

import (
	"slices"
	"strings"

	"github.com/hlj-opendata/portal/search"
)

// candidate is one document competing for the requested page.
type candidate struct {
	slot  uint32
	match int32 // index in the match set, -1 without query text
	score float64
}

func (s *state) search(q search.Query) search.Result {
	sortBy, _ := search.EffectiveSort(q) // validated by the caller
	runs := parseQuery(q.Text)
	if len(runs) == 0 && sortBy == search.SortRelevance {
		sortBy = search.SortUpdated // separators the tokenizer drops, e.g. "_"
	}
	filters := s.compileFilters(q.Filters)
	fc := s.newFacetCounter(q.Facets)

	var m matchSet
	if len(runs) > 0 {
		scr := scratchPool.Get().(*scratch)
		defer scratchPool.Put(scr) // m points into it until search returns
		m = s.match(runs, scr)
	}
	sc := newScorer(s, &m, runs)
	window := q.Offset + q.Limit
	if q.Limit == 0 {
		window = 0 // counts only
	}
	top := newTopK(window, s.better(sortBy))
	total := 0
	// MinQuality drops a document before anything else looks at it, so it
	// is neither a hit nor counted in any facet (not even disjunctively).
	minQuality, quality := uint8(q.MinQuality), s.keys.quality

	// One pass over the candidates: a document failing no filter is a hit
	// and counts for every facet; one failing exactly one filter still
	// counts for that field's facet (disjunctive faceting).
	visit := func(slot uint32, mi int) {
		if quality[slot] < minQuality {
			return
		}
		nfail, failed := filters.failures(slot)
		if nfail == 0 {
			total++
			for p, fi := range fc.fields {
				s.facets[fi].count(slot, fc.counts[p])
			}
			if top.size > 0 {
				c := candidate{slot: slot, match: int32(mi)}
				if sortBy == search.SortRelevance {
					c.score = sc.score(mi)
				}
				top.offer(c)
			}
		} else if nfail == 1 && fc.pos[failed] >= 0 {
			s.facets[failed].count(slot, fc.counts[fc.pos[failed]])
		}
	}
	if len(runs) > 0 {
		for i, d := range m.docs {
			if s.keys.alive[d] {
				visit(d, i)
			}
		}
	} else {
		for i, alive := range s.keys.alive {
			if alive {
				visit(uint32(i), -1)
			}
		}
	}

	res := search.Result{Total: total, Facets: map[string][]search.FacetCount{}}
	for p, fi := range fc.fields {
		res.Facets[search.FacetFields[fi]] = facetCounts(fc.counts[p], s.facets[fi].values)
	}
	page := top.sorted()
	if q.Offset < len(page) {
		page = page[q.Offset:]
	} else {
		page = nil
	}
	hl := newHighlighter(runs)
	for _, c := range page {
		sl := &s.slots[c.slot]
		hit := search.Hit{ID: sl.id, Score: c.score}
		if c.match >= 0 && sortBy != search.SortRelevance {
			hit.Score = sc.score(int(c.match))
		}
		if hl != nil {
			if d, err := decodeDoc(sl.doc); err == nil {
				hit.Highlights = hl.document(d)
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	return res
}

// better returns the page order for a sort: true when a comes before b.
// Ties go to the smaller document id so paging is stable. SortQuality
// breaks quality ties by updated_at, newest first (among equally good
// entries the fresher one is the more useful), and only then by id.
func (s *state) better(sortBy string) func(a, b candidate) bool {
	id := func(a, b candidate) bool { return s.slots[a.slot].id < s.slots[b.slot].id }
	byInt := func(key []int64) func(a, b candidate) bool {
		return func(a, b candidate) bool {
			ka, kb := key[a.slot], key[b.slot]
			if ka != kb {
				return ka > kb
			}
			return id(a, b)
		}
	}
	switch sortBy {
	case search.SortRelevance:
		return func(a, b candidate) bool {
			if a.score != b.score {
				return a.score > b.score
			}
			return id(a, b)
		}
	case search.SortDownloads:
		return byInt(s.keys.downloads)
	case search.SortPublished:
		return byInt(s.keys.published)
	case search.SortQuality:
		quality, updated := s.keys.quality, s.keys.updated
		return func(a, b candidate) bool {
			if qa, qb := quality[a.slot], quality[b.slot]; qa != qb {
				return qa > qb
			}
			if ua, ub := updated[a.slot], updated[b.slot]; ua != ub {
				return ua > ub
			}
			return id(a, b)
		}
	case search.SortName:
		return func(a, b candidate) bool {
			ta, tb := s.slots[a.slot].title, s.slots[b.slot].title
			if ta != tb {
				return ta < tb // UTF-8 byte order is code point order
			}
			return id(a, b)
		}
	default:
		return byInt(s.keys.updated)
	}
}

func facetCounts(counts []int32, values []string) []search.FacetCount {
	out := []search.FacetCount{}
	for id, n := range counts {
		if n > 0 {
			out = append(out, search.FacetCount{Value: values[id], Count: int(n)})
		}
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}
