package embedded

import (
	"strings"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/search"
)

// Searchable fields, in posting-mask bit order.
const (
	fieldTitle = iota
	fieldTags
	fieldTopic
	fieldDepartment
	fieldItems
	fieldDescription
	numTextFields
)

// fieldWeights: title matches weigh most, then tags/topic/department, then
// data-item labels, then description.
var fieldWeights = [numTextFields]float64{8, 4, 3, 3, 2, 1}

var numFacetFields = len(search.FacetFields)

// facetIndex maps a facet field name to its position in search.FacetFields.
func facetIndex(field string) int {
	for i, f := range search.FacetFields {
		if f == field {
			return i
		}
	}
	return -1
}

// slot is one indexed document version. Replacing or deleting a document
// drops its encoded form but keeps copies of id and title, so presorted
// orders holding the dead slot stay sorted; its postings stay until the
// next compaction.
type slot struct {
	doc           string // encoded document (appendDoc)
	id, title     string // substrings of doc
	titleIsFolded bool   // folding the title would not change it
}

// sortKeys are per-slot columns read while scanning many documents: kept
// apart from slot so the scan touches a few bytes per document.
type sortKeys struct {
	alive              []bool
	updated, published []int64 // unix nanoseconds
	downloads          []int64
	quality            []uint8                 // 0..search.MaxQuality
	lens               [][numTextFields]uint16 // field lengths in runes, for scoring
}

func (k *sortKeys) add(d *search.Document) {
	var updated, published int64
	if !d.UpdatedAt.IsZero() {
		updated = d.UpdatedAt.UnixNano()
	}
	if !d.PublishedAt.IsZero() {
		published = d.PublishedAt.UnixNano()
	}
	k.alive = append(k.alive, true)
	k.updated = append(k.updated, updated)
	k.published = append(k.published, published)
	k.downloads = append(k.downloads, d.Downloads)
	k.quality = append(k.quality, uint8(d.Quality)) // decodeDoc checked the range
}

// state is one complete in-memory index. Writers mutate it under the
// engine's write lock; Rebuild and compaction build a new one aside.
type state struct {
	slots  []slot
	byID   map[string]uint32
	live   int
	lenSum [numTextFields]int64
	terms  *termIndex
	facets []facetColumn // per search.FacetFields entry
	keys   sortKeys
	orders orderCache // presorted orders and facet totals for browsing

	wordBuf []byte
	field   uint8 // bit of the field being scanned (termSink state)
}

func newState(capacity int) *state {
	s := &state{
		slots:  make([]slot, 0, capacity),
		byID:   make(map[string]uint32, capacity),
		terms:  newTermIndex(),
		facets: newFacetColumns(capacity),
	}
	return s
}

func (s *state) cjkTerm(key uint64)   { s.terms.mark(s.terms.cjkID(key), s.field) }
func (s *state) wordTerm(word []byte) { s.terms.mark(s.terms.wordID(word), s.field) }

// scan indexes texts as one field and returns their length in runes.
func (s *state) scan(field int, texts ...string) uint16 {
	s.field = 1 << field
	n := 0
	for _, t := range texts {
		s.wordBuf = scanTerms(t, s, s.wordBuf)
		n += utf8.RuneCountInString(t)
	}
	return uint16(min(n, 1<<16-1))
}

// upsert indexes an encoded document (validated by the caller),
// replacing any document with the same id.
func (s *state) upsert(doc string) {
	d, err := decodeDoc(doc)
	if err != nil {
		panic("embedded: indexing an undecodable document: " + err.Error())
	}
	id, title := docHead(doc)
	if old, ok := s.byID[id]; ok {
		s.remove(old)
	}
	slotID := uint32(len(s.slots))
	sl := slot{doc: doc, id: id, title: title, titleIsFolded: isFolded(title)}
	s.keys.add(d)
	var lens [numTextFields]uint16
	lens[fieldTitle] = s.scan(fieldTitle, d.Title)
	lens[fieldTags] = s.scan(fieldTags, d.Tags...)
	lens[fieldTopic] = s.scan(fieldTopic, d.TopicName)
	lens[fieldDepartment] = s.scan(fieldDepartment, d.DepartmentName)
	lens[fieldItems] = s.scan(fieldItems, d.DataItems...)
	lens[fieldDescription] = s.scan(fieldDescription, d.Description)
	s.terms.flush(slotID)
	s.keys.lens = append(s.keys.lens, lens)

	for fi, field := range search.FacetFields {
		s.facets[fi].add(search.FacetValues(d, field))
	}
	for f, n := range lens {
		s.lenSum[f] += int64(n)
	}
	s.slots = append(s.slots, sl)
	s.byID[id] = slotID
	s.live++
	s.orders.added(slotID)
}

func (s *state) remove(id uint32) {
	sl := &s.slots[id]
	if !s.keys.alive[id] {
		return
	}
	s.keys.alive[id] = false
	delete(s.byID, sl.id)
	for f, n := range s.keys.lens[id] {
		s.lenSum[f] -= int64(n)
	}
	*sl = slot{id: strings.Clone(sl.id), title: strings.Clone(sl.title)}
	s.live--
	s.orders.removed(id)
}

func (s *state) delete(docID string) {
	if id, ok := s.byID[docID]; ok {
		s.remove(id)
	}
}

// dead counts slots held by replaced or deleted documents.
func (s *state) dead() int { return len(s.slots) - s.live }

// liveDocs lists the current encoded documents in slot order.
func (s *state) liveDocs() []string {
	docs := make([]string, 0, s.live)
	for i := range s.slots {
		if s.keys.alive[i] {
			docs = append(docs, s.slots[i].doc)
		}
	}
	return docs
}

func isFolded(text string) bool {
	for _, r := range text {
		if foldRune(r) != r {
			return false
		}
	}
	return true
}
