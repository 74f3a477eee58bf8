package embedded

import "strings"

// BM25 parameters; with one posting per field, tf is taken as 1 and only
// field length normalises.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// phraseBonus puts documents whose title holds the query as a phrase
	// above every other document.
	phraseBonus = 1000
)

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
