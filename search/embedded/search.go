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
	cols   []*facetColumn
	wanted [][]bool
}

func (s *state) compileFilters(filters map[string][]string) filterSet {
	var fs filterSet
	for fi, field := range search.FacetFields { // fixed order: deterministic
		values := filters[field]
		if len(values) == 0 {
			continue
		}
		col := &s.facets[fi]
		wanted := make([]bool, len(col.values))
		for _, v := range values {
			if id, ok := col.dict[v]; ok {
				wanted[id] = true
			}
		}
		fs.fields = append(fs.fields, fi)
		fs.cols = append(fs.cols, col)
		fs.wanted = append(fs.wanted, wanted)
	}
	return fs
}

// failures returns how many filtered fields slot misses (stopping at 2)
// and the last one missed.
func (fs *filterSet) failures(slot uint32) (n, field int) {
	field = -1
	for k, col := range fs.cols {
		if !col.has(slot, fs.wanted[k]) {
			n++
			field = fs.fields[k]
			if n > 1 {
				return n, field
			}
		}
	}
	return n, field
}

// normTable caches a field's weighted length normalisation for short
// lengths, sparing a division per field per matched document.
const normTable = 256

// scorer computes the BM25-like relevance of a matched document.
type scorer struct {
	s        *state
	m        *matchSet
	lenCoef  [numTextFields]float64 // k1*b/avg field length
	norm     [numTextFields][normTable]float64
	longRuns []string // CJK runs of 3+ runes: phrase check
	titleBit uint8
}

func newScorer(s *state, m *matchSet, runs []queryRun) *scorer {
	sc := &scorer{s: s, m: m, titleBit: 1 << fieldTitle}
	if len(m.docs) == 0 {
		return sc
	}
	live := float64(max(s.live, 1))
	for f := range sc.lenCoef {
		avg := max(float64(s.lenSum[f])/live, 1)
		sc.lenCoef[f] = bm25K1 * bm25B / avg
		for n := range normTable {
			sc.norm[f][n] = sc.fieldNorm(f, n)
		}
	}
	for _, r := range runs {
		if r.cjk && len(r.text) >= 3 {
			sc.longRuns = append(sc.longRuns, string(r.text))
		}
	}
	return sc
}

// fieldNorm is the weighted BM25 term-frequency part for tf = 1 in a field
// of n runes.
func (sc *scorer) fieldNorm(f, n int) float64 {
	return fieldWeights[f] * (bm25K1 + 1) / (1 + bm25K1*(1-bm25B) + sc.lenCoef[f]*float64(n))
}

// score of the i-th document of the match set.
func (sc *scorer) score(i int) float64 {
	slot := sc.m.docs[i]
	lens := &sc.s.keys.lens[slot]
	total := 0.0
	inTitle := true
	for t, masks := range sc.m.masks {
		mask := masks[i]
		if mask&sc.titleBit == 0 {
			inTitle = false
		}
		fieldSum := 0.0
		for f := 0; mask != 0; f, mask = f+1, mask>>1 {
			if mask&1 == 0 {
				continue
			}
			if n := int(lens[f]); n < normTable {
				fieldSum += sc.norm[f][n]
			} else {
				fieldSum += sc.fieldNorm(f, n)
			}
		}
		total += sc.m.idf[t] * fieldSum
	}
	if inTitle && sc.titleHasPhrase(&sc.s.slots[slot]) {
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
	title := sl.title
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

// facetCounter accumulates counts for the requested facet fields.
type facetCounter struct {
	pos    []int // facet field index -> position in counts, -1 if not asked
	fields []int // requested facet field indexes, in request order
	counts [][]int32
}

func (s *state) newFacetCounter(facets []string) *facetCounter {
	fc := &facetCounter{pos: make([]int, numFacetFields)}
	for i := range fc.pos {
		fc.pos[i] = -1
	}
	for _, f := range facets {
		fi := facetIndex(f)
		if fc.pos[fi] >= 0 {
			continue
		}
		fc.pos[fi] = len(fc.counts)
		fc.fields = append(fc.fields, fi)
		fc.counts = append(fc.counts, make([]int32, len(s.facets[fi].values)))
	}
	return fc
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

	// One pass over the candidates: a document failing no filter is a hit
	// and counts for every facet; one failing exactly one filter still
	// counts for that field's facet (disjunctive faceting).
	visit := func(slot uint32, mi int) {
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
// Ties go to the smaller document id so paging is stable.
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
