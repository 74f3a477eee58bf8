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
	effective, _ := search.EffectiveSort(q) // validated by the caller
	sortBy := effective
	runs := parseQuery(q.Text)
	if len(runs) == 0 && sortBy == search.SortRelevance {
		sortBy = search.SortUpdated // separators the tokenizer drops, e.g. "_"
	}
	var after func(uint32) bool
	if q.After != "" {
		c, _ := search.DecodeCursor(q.After) // validated by the caller
		after = s.afterCursor(sortBy, &c)
	}
	filters := s.compileFilters(q.Filters)
	fc := s.newFacetCounter(q.Facets)
	var page []candidate
	var res search.Result
	var more bool
	var sc *scorer
	if len(runs) == 0 {
		res, page, more = s.browse(q, sortBy, after, filters, fc)
		sc = newScorer(s, &matchSet{}, nil)
	} else {
		scr := scratchPool.Get().(*scratch)
		defer scratchPool.Put(scr) // m points into it until search returns
		m := s.match(runs, scr)
		sc = newScorer(s, &m, runs)
		res, page, more = s.searchMatches(q, sortBy, after, filters, fc, &m, sc)
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
	// Relevance (with query text) has no cursor: see search.Cursor.
	if more && len(page) > 0 && effective != search.SortRelevance {
		res.Next = s.cursorOf(sortBy, page[len(page)-1].slot).Encode()
	}
	return res
}

// searchMatches ranks the documents matching query text: one pass over the
// match set keeps the page in a top-K heap and counts facets. more reports
// whether hits follow the page.
func (s *state) searchMatches(q search.Query, sortBy string, after func(uint32) bool, filters filterSet, fc *facetCounter, m *matchSet, sc *scorer) (res search.Result, page []candidate, more bool) {
	window := q.Offset + q.Limit
	if q.Limit == 0 {
		window = 0 // counts only
	}
	top := newTopK(window, s.better(sortBy))
	total, following := 0, 0
	// MinQuality drops a document before anything else looks at it, so it
	// is neither a hit nor counted in any facet (not even disjunctively).
	minQuality, quality := uint8(q.MinQuality), s.keys.quality

	// One pass over the candidates: a document failing no filter is a hit
	// and counts for every facet; one failing exactly one filter still
	// counts for that field's facet (disjunctive faceting).
	for mi, slot := range m.docs {
		if !s.keys.alive[slot] || quality[slot] < minQuality {
			continue
		}
		nfail, failed := filters.failures(slot)
		if nfail == 0 {
			total++
			for p, fi := range fc.fields {
				s.facets[fi].count(slot, fc.counts[p])
			}
			// The cursor narrows the hits, not the total or the facets.
			if top.size > 0 && (after == nil || after(slot)) {
				following++
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
	res = s.facetResult(total, fc)
	page = top.sorted()
	if q.Offset < len(page) {
		page = page[q.Offset:]
	} else {
		page = nil
	}
	return res, page, following > window
}

// browse answers a query without text. The page comes from walking the
// presorted order from the cursor (or from the start, skipping Offset
// matches) and stops one hit past the page, so a deep page costs about
// what the first does instead of a top-K heap of Offset+Limit. Totals and
// facet counts without filters come from per-generation totals; with
// filters they take one pass over the columns, with no sorting.
func (s *state) browse(q search.Query, sortBy string, after func(uint32) bool, filters filterSet, fc *facetCounter) (res search.Result, page []candidate, more bool) {
	minQuality, quality := uint8(q.MinQuality), s.keys.quality
	if len(filters.fields) == 0 && minQuality == 0 {
		res = search.Result{Total: s.live, Facets: map[string][]search.FacetCount{}}
		for _, fi := range fc.fields {
			res.Facets[search.FacetFields[fi]] = facetCounts(s.facetTotals(fi), s.facets[fi].values)
		}
	} else {
		total := 0
		for i, alive := range s.keys.alive {
			slot := uint32(i)
			if !alive || quality[slot] < minQuality {
				continue
			}
			nfail, failed := filters.failures(slot)
			if nfail == 0 {
				total++
				for p, fi := range fc.fields {
					s.facets[fi].count(slot, fc.counts[p])
				}
			} else if nfail == 1 && fc.pos[failed] >= 0 {
				s.facets[failed].count(slot, fc.counts[fc.pos[failed]])
			}
		}
		res = s.facetResult(total, fc)
	}
	if q.Limit == 0 {
		return res, nil, false
	}
	skip, allLive := q.Offset, len(filters.fields) == 0 && minQuality == 0
	s.walkOrder(sortBy, after, allLive, &skip, func(slot uint32) bool {
		if quality[slot] < minQuality {
			return true
		}
		if nfail, _ := filters.failures(slot); nfail > 0 {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		if len(page) == q.Limit {
			more = true
			return false
		}
		page = append(page, candidate{slot: slot, match: -1})
		return true
	})
	return res, page, more
}

func (s *state) facetResult(total int, fc *facetCounter) search.Result {
	res := search.Result{Total: total, Facets: map[string][]search.FacetCount{}}
	for p, fi := range fc.fields {
		res.Facets[search.FacetFields[fi]] = facetCounts(fc.counts[p], s.facets[fi].values)
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
