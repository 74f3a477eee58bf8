package embedded

import "github.com/hlj-opendata/portal/search"

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
