package embedded

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// Binary document encoding for the snapshot and journal: faster to load
// than JSON and about half the size. Field order is fixed; a format change
// needs a new snapshot magic.
//
// Format 2 (snapshot magic HLJSRCH2) appends the quality score after the
// downloads. Format 1 documents end at the downloads; they still decode,
// with Quality 0, so an index written before quality scores opens as it is
// (the database's scores also start at 0). Upserts and Rebuild write format
// 2; compaction copies documents as they are, so journals and snapshots may
// hold both forms, which the trailing field keeps apart unambiguously.

var errCorrupt = errors.New("embedded: corrupt record")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// encodeDoc returns d in the stored form: one string holding every field.
func encodeDoc(d *search.Document) string {
	return string(appendDoc(nil, d))
}

func appendDoc(b []byte, d *search.Document) []byte {
	for _, s := range []string{d.ID, d.Title, d.Description, d.Department, d.DepartmentName,
		d.Topic, d.TopicName, d.OpenType, d.UpdateFrequency, d.Grade, d.Region} {
		b = appendString(b, s)
	}
	b = appendStrings(b, d.Formats)
	b = appendStrings(b, d.Tags)
	b = appendStrings(b, d.DataItems)
	b = appendTime(b, d.UpdatedAt)
	b = appendTime(b, d.PublishedAt)
	b = binary.AppendVarint(b, d.Downloads)
	return binary.AppendUvarint(b, uint64(search.ClampQuality(d.Quality)))
}

// reader decodes from a string, remembering the first error. Decoded
// strings are substrings of the input, so one document's strings share a
// single allocation.
type reader struct {
	s   string
	err error
}

func (r *reader) uvarint() uint64 {
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.fail()
	return 0
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.AppendVarint
}

func (r *reader) byte() byte {
	if len(r.s) == 0 {
		r.fail()
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *reader) strings() []string {
	n := r.uvarint()
	if n > uint64(len(r.s)) { // each string takes at least one byte
		r.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.string()
	}
	return ss
}

func (r *reader) time() time.Time {
	if r.byte() == 0 {
		return time.Time{}
	}
	sec := r.varint()
	nsec := r.uvarint()
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.s = ""
}

// docHead reads the id and title, the first two fields, without decoding
// the rest: both are substrings of doc, costing no memory of their own.
func docHead(doc string) (id, title string) {
	r := reader{s: doc}
	id = r.string()
	title = r.string()
	return id, title
}

// decodeDoc decodes one document encoded by appendDoc.
func decodeDoc(b string) (*search.Document, error) {
	r := reader{s: b}
	d := &search.Document{}
	for _, p := range []*string{&d.ID, &d.Title, &d.Description, &d.Department, &d.DepartmentName,
		&d.Topic, &d.TopicName, &d.OpenType, &d.UpdateFrequency, &d.Grade, &d.Region} {
		*p = r.string()
	}
	d.Formats = r.strings()
	d.Tags = r.strings()
	d.DataItems = r.strings()
	d.UpdatedAt = r.time()
	d.PublishedAt = r.time()
	d.Downloads = r.varint()
	if len(r.s) != 0 { // format 2; format 1 stops here with Quality 0
		q := r.uvarint()
		if q > search.MaxQuality {
			r.fail()
		}
		d.Quality = int(q)
	}
	if r.err == nil && len(r.s) != 0 {
		r.err = errCorrupt
	}
	return d, r.err
}
