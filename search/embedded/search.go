package embedded

import (
	"slices"
	"strings"

	"github.com/hlj-opendata/portal/search"
)

// BM25 parameters; with one posting per field, tf is taken as 1 and only
// field length normalises.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// phraseBonus puts documents whose title holds the query as a phrase
	// above every other document.
	phraseBonus = 1000
)

// filterSet is the compiled Query.Filters: for each filtered facet field,
// which value ids are wanted.
type filterSet struct {
	fields []int
	wanted [][]bool
}

func (s *state) compileFilters(filters map[string][]string) filterSet {
	var fs filterSet
	for fi, field := range search.FacetFields { // fixed order: deterministic
		values := filters[field]
		if len(values) == 0 {
			continue
		}
		dict := &s.facets[fi]
		wanted := make([]bool, len(dict.values))
		for _, v := range values {
			if id, ok := dict.ids[v]; ok {
				wanted[id] = true
			}
		}
		fs.fields = append(fs.fields, fi)
		fs.wanted = append(fs.wanted, wanted)
	}
	return fs
}

// failures returns how many filtered fields sl misses and the last one.
// Callers only care about 0, 1 (which one) or more.
func (fs *filterSet) failures(sl *slot) (n, field int) {
	field = -1
	for k, fi := range fs.fields {
		ok := false
		for _, fv := range sl.facets {
			if int(fv>>facetShift) == fi && fs.wanted[k][fv&facetValueMask] {
				ok = true
				break
			}
		}
		if !ok {
			n++
			field = fi
			if n > 1 {
				return n, field
			}
		}
	}
	return n, field
}

// scorer computes the BM25-like relevance of a matched document.
type scorer struct {
	s         *state
	m         *matchSet
	lenCoef   [numTextFields]float64 // k1*b/avg field length
	longRuns  []string               // CJK runs of 3+ runes: phrase check
	hasText   bool
	titleBit  uint8
	constTerm float64
}

func newScorer(s *state, m *matchSet, runs []queryRun) *scorer {
	sc := &scorer{s: s, m: m, hasText: len(runs) > 0, titleBit: 1 << fieldTitle, constTerm: 1 + bm25K1*(1-bm25B)}
	live := float64(max(s.live, 1))
	for f := range sc.lenCoef {
		avg := max(float64(s.lenSum[f])/live, 1)
		sc.lenCoef[f] = bm25K1 * bm25B / avg
	}
	for _, r := range runs {
		if r.cjk && len(r.text) >= 3 {
			sc.longRuns = append(sc.longRuns, string(r.text))
		}
	}
	return sc
}

// score of the i-th document of the match set.
func (sc *scorer) score(i int) float64 {
	sl := &sc.s.slots[sc.m.docs[i]]
	total := 0.0
	inTitle := true
	for t, masks := range sc.m.masks {
		mask := masks[i]
		if mask&sc.titleBit == 0 {
			inTitle = false
		}
		fieldSum := 0.0
		for f := 0; mask != 0; f, mask = f+1, mask>>1 {
			if mask&1 != 0 {
				fieldSum += fieldWeights[f] * (bm25K1 + 1) / (sc.constTerm + sc.lenCoef[f]*float64(sl.lens[f]))
			}
		}
		total += sc.m.idf[t] * fieldSum
	}
	if inTitle && sc.titleHasPhrase(sl) {
		total += phraseBonus
	}
	return total
}

// titleHasPhrase checks that every long CJK run occurs contiguously in the
// title; shorter runs are single terms, already known to be in the title.
func (sc *scorer) titleHasPhrase(sl *slot) bool {
	if len(sc.longRuns) == 0 {
		return true
	}
	title := sl.doc.Title
	if !sl.titleIsFolded {
		title = foldString(title)
	}
	for _, r := range sc.longRuns {
		if !strings.Contains(title, r) {
			return false
		}
	}
	return true
}

func foldString(s string) string {
	return strings.Map(foldRune, s)
}

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
		sortBy = search.SortUpdated // text made only of separators
	}
	filters := s.compileFilters(q.Filters)

	// facetPos[field] is where that field's counts go, -1 if not requested.
	facetPos := make([]int, numFacetFields)
	for i := range facetPos {
		facetPos[i] = -1
	}
	counts := make([][]int32, 0, len(q.Facets))
	for _, f := range q.Facets {
		fi := facetIndex(f)
		if facetPos[fi] >= 0 {
			continue
		}
		facetPos[fi] = len(counts)
		counts = append(counts, make([]int32, len(s.facets[fi].values)))
	}
	countAll := func(sl *slot) {
		for _, fv := range sl.facets {
			if p := facetPos[fv>>facetShift]; p >= 0 {
				counts[p][fv&facetValueMask]++
			}
		}
	}
	countField := func(sl *slot, fi int) {
		p := facetPos[fi]
		for _, fv := range sl.facets {
			if int(fv>>facetShift) == fi {
				counts[p][fv&facetValueMask]++
			}
		}
	}

	var m matchSet
	if len(runs) > 0 {
		m = s.match(runs)
	}
	sc := newScorer(s, &m, runs)
	top := newTopK(q.Offset+q.Limit, s.better(sortBy))
	total := 0

	// One pass over the candidates: a document failing no filter is a hit
	// and counts for every facet; one failing exactly one filter still
	// counts for that field's facet (disjunctive faceting).
	visit := func(slotID uint32, mi int) {
		sl := &s.slots[slotID]
		if sl.doc == nil {
			return
		}
		nfail, failed := filters.failures(sl)
		switch {
		case nfail == 0:
			total++
			countAll(sl)
			if top.size > 0 {
				c := candidate{slot: slotID, match: int32(mi)}
				if sortBy == search.SortRelevance {
					c.score = sc.score(mi)
				}
				top.offer(c)
			}
		case nfail == 1 && facetPos[failed] >= 0:
			countField(sl, failed)
		}
	}
	if len(runs) > 0 {
		for i, d := range m.docs {
			visit(d, i)
		}
	} else {
		for i := range s.slots {
			visit(uint32(i), -1)
		}
	}

	res := search.Result{Total: total, Facets: map[string][]search.FacetCount{}}
	for _, f := range q.Facets {
		fi := facetIndex(f)
		res.Facets[f] = facetCounts(counts[facetPos[fi]], s.facets[fi].values)
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
		hit := search.Hit{ID: sl.doc.ID, Score: c.score}
		if c.match >= 0 && sortBy != search.SortRelevance {
			hit.Score = sc.score(int(c.match))
		}
		if hl != nil {
			hit.Highlights = hl.document(sl.doc)
		}
		res.Hits = append(res.Hits, hit)
	}
	return res
}

// better returns the page order for a sort: true when a comes before b.
// Ties go to the smaller document id so paging is stable.
func (s *state) better(sortBy string) func(a, b candidate) bool {
	id := func(a, b candidate) bool { return s.slots[a.slot].doc.ID < s.slots[b.slot].doc.ID }
	byInt := func(key func(*slot) int64) func(a, b candidate) bool {
		return func(a, b candidate) bool {
			ka, kb := key(&s.slots[a.slot]), key(&s.slots[b.slot])
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
		return byInt(func(sl *slot) int64 { return sl.doc.Downloads })
	case search.SortPublished:
		return byInt(func(sl *slot) int64 { return sl.published })
	case search.SortName:
		return func(a, b candidate) bool {
			ta, tb := s.slots[a.slot].doc.Title, s.slots[b.slot].doc.Title
			if ta != tb {
				return ta < tb // UTF-8 byte order is code point order
			}
			return id(a, b)
		}
	default:
		return byInt(func(sl *slot) int64 { return sl.updated })
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
