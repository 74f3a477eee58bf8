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

// termIndex is the vocabulary and posting lists. After a bulk load every
// list lives in one pointer-free arena (cheap for the GC to skip); lists
// extended later by Upsert continue in tail until the next compaction.
type termIndex struct {
	cjk   map[uint64]uint32 // bigram/unigram key -> term id
	words map[string]uint32 // latin word -> term id
	// sortedWords supports prefix matching of the last query word. While
	// bulk loading it is appended unsorted and sorted once in finishBulk.
	sortedWords []string
	bulk        bool

	arena []byte            // frozen lists: arena[start[id]:start[id+1]]
	start []uint32          // len = frozen terms + 1
	grow  [][]byte          // lists being built, while bulk loading
	tail  map[uint32][]byte // postings appended after the bulk load
	last  []uint32          // last slot appended + 1, per term; 0 = none

	// Per-document accumulation while indexing (writers only).
	pending []uint8  // term id -> field mask for the document being added
	touched []uint32 // term ids with a pending mask
}

func newTermIndex() *termIndex {
	return &termIndex{
		cjk:   make(map[uint64]uint32),
		words: make(map[string]uint32),
		start: []uint32{0},
		tail:  make(map[uint32][]byte),
	}
}

func (t *termIndex) newTerm() uint32 {
	id := uint32(len(t.last))
	t.last = append(t.last, 0)
	t.pending = append(t.pending, 0)
	if t.bulk {
		t.grow = append(t.grow, nil)
	}
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
		if t.last[id] > 0 {
			gap = slot - (t.last[id] - 1)
		}
		v := uint64(gap)<<fieldBits | uint64(t.pending[id])
		if t.bulk {
			t.grow[id] = binary.AppendUvarint(t.grow[id], v)
		} else {
			t.tail[id] = binary.AppendUvarint(t.tail[id], v)
		}
		t.last[id] = slot + 1
		t.pending[id] = 0
	}
	t.touched = t.touched[:0]
}

// finishBulk ends bulk loading: sorts the word list and moves every list
// into one exactly-sized arena.
func (t *termIndex) finishBulk() {
	slices.Sort(t.sortedWords)
	t.bulk = false
	total := 0
	for _, l := range t.grow {
		total += len(l)
	}
	t.arena = make([]byte, 0, total)
	t.start = make([]uint32, 1, len(t.grow)+1)
	for i, l := range t.grow {
		t.arena = append(t.arena, l...)
		t.start = append(t.start, uint32(len(t.arena)))
		t.grow[i] = nil // release as we go: the peak stays near one copy
	}
	t.grow = nil
}

// decode appends the postings of term id to docs and masks.
func (t *termIndex) decode(id uint32, docs []uint32, masks []uint8) ([]uint32, []uint8) {
	var frozen []byte
	if int(id)+1 < len(t.start) {
		frozen = t.arena[t.start[id]:t.start[id+1]]
	}
	var doc uint32
	first := true
	for _, l := range [2][]byte{frozen, t.tail[id]} {
		for len(l) > 0 {
			v, n := binary.Uvarint(l)
			l = l[n:]
			gap := uint32(v >> fieldBits)
			if first {
				doc, first = gap, false
			} else {
				doc += gap
			}
			docs = append(docs, doc)
			masks = append(masks, uint8(v&(1<<fieldBits-1)))
		}
	}
	return docs, masks
}

// postingBytes is the encoded size of every list (for diagnostics).
func (t *termIndex) postingBytes() int {
	n := len(t.arena)
	for _, l := range t.tail {
		n += len(l)
	}
	return n
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
