package embedded

import (
	"math"
	"slices"
	"sort"
	"sync"
)

// maxPrefixWords caps how many vocabulary words a prefix expands to.
const maxPrefixWords = 64

// matchSet is the documents containing every query term, ascending by slot,
// with each term's field mask per document.
type matchSet struct {
	docs  []uint32
	masks [][]uint8 // masks[t][i]: fields of docs[i] holding term t
	idf   []float64 // per term, same order as masks
}

// postingList is one query term's decoded postings.
type postingList struct {
	docs  []uint32
	masks []uint8
}

// scratch holds decode buffers reused across searches: a common term
// decodes to ~100k postings, and reallocating them every search would make
// the garbage collector, not the search, the main cost.
type scratch struct {
	lists []postingList
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// list returns the i-th buffer, emptied.
func (sc *scratch) list(i int) postingList {
	for len(sc.lists) <= i {
		sc.lists = append(sc.lists, postingList{})
	}
	l := sc.lists[i]
	return postingList{docs: l.docs[:0], masks: l.masks[:0]}
}

// match finds the documents holding all terms of runs (empty when some
// term is not in the vocabulary at all).
func (s *state) match(runs []queryRun, sc *scratch) matchSet {
	var lists []postingList
	decode := func(ids []uint32) {
		l := s.decodeTerms(ids, sc.list(len(lists)))
		sc.lists[len(lists)] = l // keep grown buffers for the next search
		lists = append(lists, l)
	}
	seen := map[uint64]bool{}
	for _, run := range runs {
		if run.cjk {
			for _, key := range run.cjkKeys() {
				if seen[key] {
					continue
				}
				seen[key] = true
				id, ok := s.terms.cjk[key]
				if !ok {
					return matchSet{}
				}
				decode([]uint32{id})
			}
			continue
		}
		word := string(run.text)
		var ids []uint32
		if run.prefix {
			ids = s.terms.wordsWithPrefix(word, maxPrefixWords)
		} else if id, ok := s.terms.words[word]; ok {
			ids = []uint32{id}
		}
		if len(ids) == 0 {
			return matchSet{}
		}
		decode(ids)
	}
	// Intersect shortest first so the candidate set shrinks fastest.
	slices.SortFunc(lists, func(a, b postingList) int { return len(a.docs) - len(b.docs) })
	m := matchSet{
		docs:  lists[0].docs,
		masks: [][]uint8{lists[0].masks},
	}
	for _, l := range lists[1:] {
		m.intersect(l)
		if len(m.docs) == 0 {
			break
		}
	}
	n := float64(max(len(s.slots), 1))
	for _, l := range lists {
		df := float64(len(l.docs))
		m.idf = append(m.idf, math.Log(1+(n-df+0.5)/(df+0.5)))
	}
	return m
}

// decodeTerms decodes into l and, for prefix expansions, merges the
// postings of ids into one list (a document's masks are OR-ed).
func (s *state) decodeTerms(ids []uint32, l postingList) postingList {
	for _, id := range ids {
		l.docs, l.masks = s.terms.decode(id, l.docs, l.masks)
	}
	if len(ids) == 1 {
		return l
	}
	idx := make([]int, len(l.docs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return l.docs[idx[a]] < l.docs[idx[b]] })
	var out postingList
	for _, i := range idx {
		d := l.docs[i]
		if n := len(out.docs); n > 0 && out.docs[n-1] == d {
			out.masks[n-1] |= l.masks[i]
			continue
		}
		out.docs = append(out.docs, d)
		out.masks = append(out.masks, l.masks[i])
	}
	return out
}

// intersect keeps the documents also in l, appending l's masks. Both are
// compacted in place: the w-th kept document is never after position i of
// m or j of l.
func (m *matchSet) intersect(l postingList) {
	w, j := 0, 0
	for i, d := range m.docs {
		j = gallop(l.docs, j, d)
		if j == len(l.docs) {
			break
		}
		if l.docs[j] != d {
			continue
		}
		m.docs[w] = d
		for _, ms := range m.masks {
			ms[w] = ms[i]
		}
		l.masks[w] = l.masks[j]
		w++
	}
	m.docs = m.docs[:w]
	for t := range m.masks {
		m.masks[t] = m.masks[t][:w]
	}
	m.masks = append(m.masks, l.masks[:w])
}

// gallop returns the first index >= from with a[index] >= x: exponential
// then binary search, fast when the lists differ a lot in length.
func gallop(a []uint32, from int, x uint32) int {
	if from >= len(a) || a[from] >= x {
		return from
	}
	step := 1
	lo, hi := from, from+1
	for hi < len(a) && a[hi] < x {
		lo = hi
		step *= 2
		hi += step
	}
	hi = min(hi, len(a))
	// invariant: a[lo] < x, and a[hi] >= x or hi == len(a)
	return lo + 1 + sort.Search(hi-lo-1, func(k int) bool { return a[lo+1+k] >= x })
}
