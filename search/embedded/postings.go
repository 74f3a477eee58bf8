package embedded

import (
	"encoding/binary"
	"slices"
	"strings"
)

// A posting is (doc slot, field mask). Lists are varint-encoded deltas,
// gap<<fieldBits | mask, appended in increasing slot order: dense terms take
// one or two bytes per document instead of eight for a plain struct.
const fieldBits = 6

// termIndex is the vocabulary and posting lists.
type termIndex struct {
	cjk   map[uint64]uint32 // bigram/unigram key -> term id
	words map[string]uint32 // latin word -> term id
	// sortedWords supports prefix matching of the last query word. While
	// bulk loading it is appended unsorted and sorted once in finishBulk.
	sortedWords []string
	bulk        bool

	lists [][]byte // term id -> encoded postings
	last  []uint32 // last slot appended per term (delta base)
	df    []uint32 // postings per term, including replaced documents

	// Per-document accumulation while indexing (writers only).
	pending []uint8  // term id -> field mask for the document being added
	touched []uint32 // term ids with a pending mask
}

func newTermIndex() *termIndex {
	return &termIndex{cjk: make(map[uint64]uint32), words: make(map[string]uint32)}
}

func (t *termIndex) newTerm() uint32 {
	id := uint32(len(t.lists))
	t.lists = append(t.lists, nil)
	t.last = append(t.last, 0)
	t.df = append(t.df, 0)
	t.pending = append(t.pending, 0)
	return id
}

func (t *termIndex) cjkID(key uint64) uint32 {
	id, ok := t.cjk[key]
	if !ok {
		id = t.newTerm()
		t.cjk[key] = id
	}
	return id
}

func (t *termIndex) wordID(w []byte) uint32 {
	if id, ok := t.words[string(w)]; ok {
		return id
	}
	id := t.newTerm()
	s := string(w)
	t.words[s] = id
	if t.bulk {
		t.sortedWords = append(t.sortedWords, s)
	} else {
		i, _ := slices.BinarySearch(t.sortedWords, s)
		t.sortedWords = slices.Insert(t.sortedWords, i, s)
	}
	return id
}

// mark records that the document being indexed has term id in a field.
func (t *termIndex) mark(id uint32, fieldBit uint8) {
	if t.pending[id] == 0 {
		t.touched = append(t.touched, id)
	}
	t.pending[id] |= fieldBit
}

// flush appends one posting per touched term for slot and resets.
func (t *termIndex) flush(slot uint32) {
	for _, id := range t.touched {
		gap := slot
		if t.df[id] > 0 {
			gap = slot - t.last[id]
		}
		t.lists[id] = binary.AppendUvarint(t.lists[id], uint64(gap)<<fieldBits|uint64(t.pending[id]))
		t.last[id] = slot
		t.df[id]++
		t.pending[id] = 0
	}
	t.touched = t.touched[:0]
}

// finishBulk ends bulk loading: sorts the word list and compacts lists.
func (t *termIndex) finishBulk() {
	slices.Sort(t.sortedWords)
	t.bulk = false
	t.compactLists()
}

// compactLists copies every list into one exactly-sized arena, dropping the
// slack append left behind. Later appends to a list reallocate just that
// list (cap == len), never the arena.
func (t *termIndex) compactLists() {
	total := 0
	for _, l := range t.lists {
		total += len(l)
	}
	arena := make([]byte, 0, total)
	for i, l := range t.lists {
		start := len(arena)
		arena = append(arena, l...)
		t.lists[i] = arena[start:len(arena):len(arena)]
	}
}

// decode appends the postings of term id to docs and masks.
func (t *termIndex) decode(id uint32, docs []uint32, masks []uint8) ([]uint32, []uint8) {
	l := t.lists[id]
	var doc uint32
	for first := true; len(l) > 0; first = false {
		v, n := binary.Uvarint(l)
		l = l[n:]
		gap := uint32(v >> fieldBits)
		if first {
			doc = gap
		} else {
			doc += gap
		}
		docs = append(docs, doc)
		masks = append(masks, uint8(v&(1<<fieldBits-1)))
	}
	return docs, masks
}

// wordsWithPrefix returns term ids of words starting with p, at most limit,
// the exact word first when present.
func (t *termIndex) wordsWithPrefix(p string, limit int) []uint32 {
	var ids []uint32
	if id, ok := t.words[p]; ok {
		ids = append(ids, id)
	}
	i, _ := slices.BinarySearch(t.sortedWords, p)
	for ; i < len(t.sortedWords) && len(ids) < limit; i++ {
		w := t.sortedWords[i]
		if !strings.HasPrefix(w, p) {
			break
		}
		if w != p {
			ids = append(ids, t.words[w])
		}
	}
	return ids
}
