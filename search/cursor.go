package search

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Cursor is the position after the last hit of a page, for deep paging
// without offsets (search-after): the next page holds the documents that
// sort strictly after it. Engines fill it from the last hit's sort keys:
//
//	updated    Ints: [updated_at unix nanoseconds]             then ID ascending
//	published  Ints: [published_at unix nanoseconds]           then ID ascending
//	downloads  Ints: [downloads]                               then ID ascending
//	quality    Ints: [quality, updated_at unix nanoseconds]    then ID ascending
//	name       Str: title                                      then ID ascending
//
// Relevance with query text has no cursor: scores are not stable keys
// across index changes, and Meilisearch cannot continue after one.
type Cursor struct {
	Sort string  `json:"s"`
	Ints []int64 `json:"i,omitempty"`
	Str  string  `json:"t,omitempty"`
	ID   string  `json:"d"`
}

// maxCursorBytes bounds an encoded cursor (a title is at most a few
// hundred bytes; anything longer was not made by us).
const maxCursorBytes = 2048

// Encode makes the opaque token clients send back as Query.After.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a token made by Encode; anything else is ErrBadQuery.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" || len(s) > maxCursorBytes {
		return c, fmt.Errorf("%w: bad cursor", ErrBadQuery)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return Cursor{}, fmt.Errorf("%w: bad cursor", ErrBadQuery)
	}
	want := 1
	switch c.Sort {
	case SortQuality:
		want = 2
	case SortName:
		want = 0
	case SortUpdated, SortPublished, SortDownloads:
	default:
		return Cursor{}, fmt.Errorf("%w: bad cursor", ErrBadQuery)
	}
	if len(c.Ints) != want {
		return Cursor{}, fmt.Errorf("%w: bad cursor", ErrBadQuery)
	}
	return c, nil
}
