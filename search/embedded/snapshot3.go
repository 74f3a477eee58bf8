package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"unsafe"
)

// Snapshot format 3 stores the built index, not just the documents, so
// opening does not tokenise anything: posting lists, vocabulary, facet
// columns and sort keys are read back as they were. The file is
// memory-mapped read-only; the posting arena, the encoded documents (and
// the ids and titles inside them) and the words stay in the mapping,
// outside the Go heap, and are paged in by the kernel as searches touch
// them. Everything else (small fixed-size columns and the hash maps) is
// decoded into the heap.
//
//	magic "HLJSRCH3" | generation u64 | body length u64 | CRC-32C of body u32
//	body: sections in the order of writeState, each a uvarint count and
//	little-endian values (bytes for strings, blobs)
//
// Only a compact state (no dead slots, no postings appended after the
// bulk load) is written this way; it is what Compact and Rebuild build.
// Any other falls back to the document list (format 2).

const snapshot3Head = 8 + 8 + 8 + 4

// compact reports whether st can be written as format 3.
func (s *state) compact() bool { return s.dead() == 0 && len(s.terms.tail) == 0 && !s.terms.bulk }

// writeStateTemp writes st as generation gen to the temp file and fsyncs it.
func writeStateTemp(dir string, gen uint64, st *state) error {
	if !st.compact() {
		return writeSnapshotTemp(dir, gen, st.liveDocs())
	}
	return writeTemp(dir, func(f *os.File) error { return writeState(f, gen, st) })
}

// sectionWriter appends the body, keeping its length and checksum.
type sectionWriter struct {
	w   *bufio.Writer
	n   uint64
	crc uint32
	buf []byte
}

func (sw *sectionWriter) put(b []byte) {
	sw.w.Write(b)
	sw.n += uint64(len(b))
	sw.crc = crc32.Update(sw.crc, crcTable, b)
}

func (sw *sectionWriter) uvarint(v uint64) { sw.put(binary.AppendUvarint(sw.buf[:0], v)) }

func (sw *sectionWriter) str(s string) {
	sw.uvarint(uint64(len(s)))
	sw.put(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (sw *sectionWriter) bytes(b []byte) {
	sw.uvarint(uint64(len(b)))
	sw.put(b)
}

func putU32s(sw *sectionWriter, v []uint32) {
	sw.uvarint(uint64(len(v)))
	b := make([]byte, 0, 4096)
	for _, x := range v {
		if b = binary.LittleEndian.AppendUint32(b, x); len(b) >= 4096 {
			sw.put(b)
			b = b[:0]
		}
	}
	sw.put(b)
}

func putI64s(sw *sectionWriter, v []int64) {
	sw.uvarint(uint64(len(v)))
	b := make([]byte, 0, 4096)
	for _, x := range v {
		if b = binary.LittleEndian.AppendUint64(b, uint64(x)); len(b) >= 4096 {
			sw.put(b)
			b = b[:0]
		}
	}
	sw.put(b)
}

func writeState(f *os.File, gen uint64, st *state) error {
	// The header is written last, once the length and checksum are known.
	if _, err := f.Write(make([]byte, snapshot3Head)); err != nil {
		return err
	}
	sw := &sectionWriter{w: bufio.NewWriterSize(f, 1<<20)}
	t := st.terms

	// Documents: one blob and the end offset of each.
	sw.uvarint(uint64(len(st.slots)))
	ends := make([]uint32, 0, len(st.slots))
	var blob uint64
	for i := range st.slots {
		blob += uint64(len(st.slots[i].doc))
		if blob > 1<<32-1 {
			return errors.New("documents over 4 GiB")
		}
		ends = append(ends, uint32(blob))
	}
	putU32s(sw, ends)
	sw.uvarint(blob)
	for i := range st.slots {
		sw.put(unsafe.Slice(unsafe.StringData(st.slots[i].doc), len(st.slots[i].doc)))
	}
	for _, n := range st.lenSum {
		sw.uvarint(uint64(n))
	}

	// Sort keys and field lengths.
	putI64s(sw, st.keys.updated)
	putI64s(sw, st.keys.published)
	putI64s(sw, st.keys.downloads)
	sw.bytes(st.keys.quality)
	lens := make([]uint32, 0, len(st.keys.lens)*numTextFields)
	for _, l := range st.keys.lens {
		for _, n := range l {
			lens = append(lens, uint32(n))
		}
	}
	putU32s(sw, lens)

	// Facet columns.
	for i := range st.facets {
		c := &st.facets[i]
		sw.uvarint(uint64(len(c.values)))
		for _, v := range c.values {
			sw.str(v)
		}
		putU32s(sw, c.single)
		putU32s(sw, c.off)
		putU32s(sw, c.ids)
	}

	// Vocabulary and postings.
	sw.uvarint(uint64(len(t.last)))
	keys := make([]uint32, 0, 2*len(t.cjk))
	ids := make([]uint32, 0, len(t.cjk))
	for k, id := range t.cjk {
		keys = append(keys, uint32(k), uint32(k>>32))
		ids = append(ids, id)
	}
	putU32s(sw, keys)
	putU32s(sw, ids)
	sw.uvarint(uint64(len(t.sortedWords)))
	wordIDs := make([]uint32, len(t.sortedWords))
	for i, w := range t.sortedWords {
		sw.str(w)
		wordIDs[i] = t.words[w]
	}
	putU32s(sw, wordIDs)
	putU32s(sw, t.start)
	putU32s(sw, t.last)
	sw.bytes(t.arena)

	if err := sw.w.Flush(); err != nil {
		return err
	}
	head := append([]byte{}, snapshotMagic...)
	head = binary.LittleEndian.AppendUint64(head, gen)
	head = binary.LittleEndian.AppendUint64(head, sw.n)
	head = binary.LittleEndian.AppendUint32(head, sw.crc)
	if _, err := f.WriteAt(head, 0); err != nil {
		return err
	}
	return f.Sync()
}

// sectionReader decodes a body in place; strings and blobs alias it.
type sectionReader struct {
	b   []byte
	err error
}

func (r *sectionReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sectionReader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *sectionReader) take(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n:n] // full slice: an append never writes into the mapping
	r.b = r.b[n:]
	return out
}

func (r *sectionReader) str() string {
	b := r.take(r.uvarint())
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *sectionReader) bytes() []byte { return r.take(r.uvarint()) }

// count reads a count of elements of size bytes each, bounded by the rest.
func (r *sectionReader) count(size uint64) int {
	n := r.uvarint()
	if n > uint64(len(r.b))/size {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *sectionReader) u32s() []uint32 {
	n := r.count(4)
	b := r.take(uint64(n) * 4)
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

func (r *sectionReader) i64s() []int64 {
	n := r.count(8)
	b := r.take(uint64(n) * 8)
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// decodeState3 rebuilds a state from a format-3 file's bytes (the whole
// file, mapped). The state keeps pointing into data, which must stay
// mapped for as long as the process may use the index.
func decodeState3(data []byte) (st *state, gen uint64, err error) {
	if len(data) < snapshot3Head {
		return nil, 0, errCorrupt
	}
	gen = binary.LittleEndian.Uint64(data[8:])
	n := binary.LittleEndian.Uint64(data[16:])
	if n != uint64(len(data)-snapshot3Head) || crc32.Checksum(data[snapshot3Head:], crcTable) != binary.LittleEndian.Uint32(data[24:]) {
		return nil, 0, fmt.Errorf("%w: length or checksum mismatch", errCorrupt)
	}
	r := &sectionReader{b: data[snapshot3Head:]}
	nDocs := r.count(1)
	st = newState(nDocs)
	ends := r.u32s()
	blob := r.bytes()
	if len(ends) != nDocs || r.err != nil {
		return nil, 0, errCorrupt
	}
	st.slots = st.slots[:0]
	prev := uint32(0)
	for i, end := range ends {
		if end < prev || int(end) > len(blob) {
			return nil, 0, errCorrupt
		}
		var doc string
		if end > prev {
			doc = unsafe.String(&blob[prev], int(end-prev))
		}
		prev = end
		id, title := docHead(doc)
		if id == "" {
			return nil, 0, errCorrupt
		}
		st.slots = append(st.slots, slot{doc: doc, id: id, title: title, titleIsFolded: isFolded(title)})
		st.byID[id] = uint32(i)
	}
	st.live = nDocs
	for f := range st.lenSum {
		st.lenSum[f] = int64(r.uvarint())
	}

	k := &st.keys
	k.updated, k.published, k.downloads = r.i64s(), r.i64s(), r.i64s()
	k.quality = slices.Clone(r.bytes())
	lens := r.u32s()
	if len(k.updated) != nDocs || len(k.published) != nDocs || len(k.downloads) != nDocs ||
		len(k.quality) != nDocs || len(lens) != nDocs*numTextFields {
		return nil, 0, errCorrupt
	}
	k.alive = make([]bool, nDocs)
	k.lens = make([][numTextFields]uint16, nDocs)
	for i := range nDocs {
		k.alive[i] = true
		for f := range numTextFields {
			k.lens[i][f] = uint16(lens[i*numTextFields+f])
		}
	}

	for i := range st.facets {
		c := &st.facets[i]
		nv := r.count(1)
		for range nv {
			c.id(r.str())
		}
		single, off, ids := r.u32s(), r.u32s(), r.u32s()
		if c.multi {
			if len(single) != 0 || len(off) != nDocs+1 {
				return nil, 0, errCorrupt
			}
			c.off, c.ids = off, ids
		} else {
			if len(single) != nDocs || len(off) != 0 {
				return nil, 0, errCorrupt
			}
			c.single = single
		}
	}

	t := st.terms
	nTerms := r.count(1)
	keys, ids := r.u32s(), r.u32s()
	if len(keys) != 2*len(ids) {
		return nil, 0, errCorrupt
	}
	t.cjk = make(map[uint64]uint32, len(ids))
	for i, id := range ids {
		t.cjk[uint64(keys[2*i])|uint64(keys[2*i+1])<<32] = id
	}
	nWords := r.count(1)
	t.sortedWords = make([]string, nWords)
	for i := range t.sortedWords {
		t.sortedWords[i] = r.str()
	}
	wordIDs := r.u32s()
	if len(wordIDs) != nWords {
		return nil, 0, errCorrupt
	}
	t.words = make(map[string]uint32, nWords)
	for i, w := range t.sortedWords {
		t.words[w] = wordIDs[i]
	}
	t.start, t.last = r.u32s(), r.u32s()
	t.arena = r.bytes()
	if r.err != nil || len(r.b) != 0 || len(t.start) != nTerms+1 || len(t.last) != nTerms ||
		len(t.cjk)+len(t.words) != nTerms || int(t.start[nTerms]) != len(t.arena) {
		return nil, 0, errCorrupt
	}
	t.pending = make([]uint8, nTerms)
	return st, gen, nil
}

// loadState3 maps the snapshot file and decodes it.
func loadState3(f *os.File) (*state, uint64, error) {
	data, err := mapFile(f)
	if err != nil {
		return nil, 0, err
	}
	st, gen, err := decodeState3(data)
	dropResident(data)
	return st, gen, err
}

// readMagic reads the first bytes of the snapshot (nil when too short).
func readMagic(f *os.File) []byte {
	head := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil
	}
	return head
}
