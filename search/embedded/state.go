package embedded

import (
	"slices"
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
// clears doc; its postings stay until the next compaction.
type slot struct {
	doc                *search.Document
	updated, published int64 // unix nanoseconds, for sorting
	lens               [numTextFields]uint16
	titleIsFolded      bool     // folding the title would not change it
	facets             []uint32 // facet field index<<facetShift | value id
}

const (
	facetShift     = 24
	facetValueMask = 1<<facetShift - 1
)

type facetDict struct {
	ids    map[string]uint32
	values []string
}

func (f *facetDict) id(v string) uint32 {
	id, ok := f.ids[v]
	if !ok {
		id = uint32(len(f.values))
		f.ids[v] = id
		f.values = append(f.values, v)
	}
	return id
}

// state is one complete in-memory index. Writers mutate it under the
// engine's write lock; Rebuild and compaction build a new one aside.
type state struct {
	slots  []slot
	byID   map[string]uint32
	live   int
	lenSum [numTextFields]int64
	terms  *termIndex
	facets []facetDict

	wordBuf []byte
	field   uint8 // bit of the field being scanned (termSink state)
}

func newState(capacity int) *state {
	s := &state{
		slots:  make([]slot, 0, capacity),
		byID:   make(map[string]uint32, capacity),
		terms:  newTermIndex(),
		facets: make([]facetDict, numFacetFields),
	}
	for i := range s.facets {
		s.facets[i].ids = make(map[string]uint32)
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

// upsert indexes d (owned by the state from now on), replacing any
// document with the same id.
func (s *state) upsert(d *search.Document) {
	if old, ok := s.byID[d.ID]; ok {
		s.remove(old)
	}
	id := uint32(len(s.slots))
	sl := slot{doc: d, titleIsFolded: isFolded(d.Title)}
	if !d.UpdatedAt.IsZero() {
		sl.updated = d.UpdatedAt.UnixNano()
	}
	if !d.PublishedAt.IsZero() {
		sl.published = d.PublishedAt.UnixNano()
	}
	sl.lens[fieldTitle] = s.scan(fieldTitle, d.Title)
	sl.lens[fieldTags] = s.scan(fieldTags, d.Tags...)
	sl.lens[fieldTopic] = s.scan(fieldTopic, d.TopicName)
	sl.lens[fieldDepartment] = s.scan(fieldDepartment, d.DepartmentName)
	sl.lens[fieldItems] = s.scan(fieldItems, d.DataItems...)
	sl.lens[fieldDescription] = s.scan(fieldDescription, d.Description)
	s.terms.flush(id)

	for fi, field := range search.FacetFields {
		for _, v := range search.FacetValues(d, field) {
			if v == "" {
				continue
			}
			fv := uint32(fi)<<facetShift | s.facets[fi].id(v)
			if !slices.Contains(sl.facets, fv) { // a repeated value counts once
				sl.facets = append(sl.facets, fv)
			}
		}
	}
	for f, n := range sl.lens {
		s.lenSum[f] += int64(n)
	}
	s.slots = append(s.slots, sl)
	s.byID[d.ID] = id
	s.live++
}

func (s *state) remove(id uint32) {
	sl := &s.slots[id]
	if sl.doc == nil {
		return
	}
	delete(s.byID, sl.doc.ID)
	for f, n := range sl.lens {
		s.lenSum[f] -= int64(n)
	}
	sl.doc = nil
	sl.facets = nil
	s.live--
}

func (s *state) delete(docID string) {
	if id, ok := s.byID[docID]; ok {
		s.remove(id)
	}
}

// dead counts slots held by replaced or deleted documents.
func (s *state) dead() int { return len(s.slots) - s.live }

// liveDocs lists the current documents in slot order.
func (s *state) liveDocs() []*search.Document {
	docs := make([]*search.Document, 0, s.live)
	for i := range s.slots {
		if d := s.slots[i].doc; d != nil {
			docs = append(docs, d)
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

// cloneDoc copies d so later changes by the caller cannot reach the index.
func cloneDoc(d search.Document) *search.Document {
	d.Formats = cloneStrings(d.Formats)
	d.Tags = cloneStrings(d.Tags)
	d.DataItems = cloneStrings(d.DataItems)
	return &d
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
