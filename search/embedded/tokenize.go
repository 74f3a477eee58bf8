package embedded

import (
	"unicode"
	"unicode/utf8"
)

// Term keys for CJK text are packed into a uint64 so the dictionary holding
// most of the vocabulary is a pointer-free map (cheap for the GC). Latin
// words and numbers use a separate string dictionary.
const (
	bigramFlag  = uint64(1) << 63
	unigramFlag = uint64(1) << 62
)

func bigramKey(a, b rune) uint64 { return bigramFlag | uint64(a)<<21 | uint64(b) }
func unigramKey(r rune) uint64   { return unigramFlag | uint64(r) }

// foldRune maps full-width ASCII to ASCII and lowercases, one rune to one
// rune, so positions in folded text match positions in the original.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

type runeClass uint8

const (
	classSpace runeClass = iota // separator: punctuation, spaces, symbols
	classCJK                    // indexed as bigrams (and unigrams)
	classWord                   // letters and digits of other scripts: words
)

func classify(r rune) runeClass {
	if r < 0x2E80 {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z' {
				return classWord
			}
			return classSpace
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return classWord
		}
		return classSpace
	}
	if unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return classCJK
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return classWord
	}
	return classSpace
}

// termSink receives the terms of indexed text.
type termSink interface {
	cjkTerm(key uint64)
	wordTerm(word []byte)
}

// scanTerms emits every term of text: each CJK rune as a unigram, each pair
// of adjacent CJK runes as a bigram, each run of letters/digits as a
// lowercased word. buf is scratch for words; the grown buffer is returned.
func scanTerms(text string, sink termSink, buf []byte) []byte {
	var prev rune
	inCJK := false
	buf = buf[:0]
	for _, r := range text {
		r = foldRune(r)
		switch classify(r) {
		case classCJK:
			if len(buf) > 0 {
				sink.wordTerm(buf)
				buf = buf[:0]
			}
			if inCJK {
				sink.cjkTerm(bigramKey(prev, r))
			}
			sink.cjkTerm(unigramKey(r))
			prev, inCJK = r, true
		case classWord:
			inCJK = false
			buf = utf8.AppendRune(buf, r)
		default:
			inCJK = false
			if len(buf) > 0 {
				sink.wordTerm(buf)
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		sink.wordTerm(buf)
	}
	return buf
}

// queryRun is one contiguous piece of the query: a CJK run or a word.
type queryRun struct {
	text   []rune // folded
	cjk    bool
	prefix bool // last word of the query, typed without a trailing space
}

// parseQuery splits folded query text into runs.
func parseQuery(text string) []queryRun {
	var runs []queryRun
	var cur []rune
	curClass := classSpace
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, queryRun{text: cur, cjk: curClass == classCJK})
		}
		cur = nil
	}
	for _, r := range text {
		r = foldRune(r)
		c := classify(r)
		if c != curClass {
			flush()
			curClass = c
		}
		if c != classSpace {
			cur = append(cur, r)
		}
	}
	flush()
	// Prefix-match the last word only while it is still being typed.
	if n := len(runs); n > 0 && !runs[n-1].cjk {
		last, _ := utf8.DecodeLastRuneInString(text)
		if classify(foldRune(last)) == classWord {
			runs[n-1].prefix = true
		}
	}
	return runs
}

// cjkKeys returns the terms a CJK query run must match: its bigrams, or its
// unigram when it is a single rune.
func (q queryRun) cjkKeys() []uint64 {
	if len(q.text) == 1 {
		return []uint64{unigramKey(q.text[0])}
	}
	keys := make([]uint64, 0, len(q.text)-1)
	for i := 1; i < len(q.text); i++ {
		keys = append(keys, bigramKey(q.text[i-1], q.text[i]))
	}
	return keys
}
