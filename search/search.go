// Package search defines the catalog search index behind one interface, with
// an embedded engine (the default) and a Meilisearch adapter for production.
package search

import (
	"context"
	"errors"
	"time"
)

// Facet fields. Filters and facet counts use these names; values are the
// stable ids the public API lists (department id, topic code, open type, ...).
const (
	FieldTopic           = "topic"
	FieldDepartment      = "department"
	FieldOpenType        = "open_type"
	FieldFormat          = "format"
	FieldUpdateFrequency = "update_frequency"
	FieldGrade           = "grade"
	FieldTag             = "tag"
	FieldRegion          = "region"
)

// FacetFields lists every field that can be filtered on and counted.
var FacetFields = []string{FieldTopic, FieldDepartment, FieldOpenType, FieldFormat, FieldUpdateFrequency, FieldGrade, FieldTag, FieldRegion}

// Sort orders.
const (
	SortRelevance = "relevance" // default; with an empty query falls back to SortUpdated
	SortUpdated   = "updated"   // updated_at descending
	SortDownloads = "downloads" // downloads descending
	SortName      = "name"      // title ascending
	SortPublished = "published" // published_at descending (newest)
	SortQuality   = "quality"   // quality descending, then updated_at descending, then id ascending
)

// Limits every engine enforces the same way (ErrQueryTooLong, ErrTooDeep).
const (
	MaxQueryRunes = 100   // longer query text is rejected
	MaxWindow     = 10000 // Offset+Limit beyond this is rejected
	MaxLimit      = 1000
)

var (
	ErrQueryTooLong = errors.New("search: query too long")
	ErrTooDeep      = errors.New("search: result window too deep")
	ErrBadQuery     = errors.New("search: bad query")
	ErrUnavailable  = errors.New("search: engine unavailable")
)

// Document is what the index holds for one public catalog entry. Only
// public entries are indexed: never not_open ones, never revoked ones.
type Document struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Department      string    `json:"department"`      // department id (facet value)
	DepartmentName  string    `json:"department_name"` // searchable
	Topic           string    `json:"topic"`           // topic code (facet value)
	TopicName       string    `json:"topic_name"`      // searchable
	OpenType        string    `json:"open_type"`
	Formats         []string  `json:"formats"`
	UpdateFrequency string    `json:"update_frequency"`
	Grade           string    `json:"grade"`
	Tags            []string  `json:"tags"`
	Region          string    `json:"region"`
	DataItems       []string  `json:"data_items"` // data-item names and Chinese labels, searchable
	UpdatedAt       time.Time `json:"updated_at"`
	PublishedAt     time.Time `json:"published_at"`
	Downloads       int64     `json:"downloads"`
	// Quality is the entry's 0–100 quality score (server/quality); 0 until
	// scored. Engines clamp other values into 0..MaxQuality.
	Quality int `json:"quality"`
}

// Query is one search request. Filters: OR within one field, AND across
// fields. Facet counts for a field ignore that field's own filter
// (disjunctive faceting) so every facet still shows its other values.
type Query struct {
	Text    string
	Filters map[string][]string
	Facets  []string // fields whose counts to return
	Sort    string
	// MinQuality keeps documents whose Quality is at least this (0: all;
	// outside 0..MaxQuality is ErrBadQuery). It applies to hits and to
	// every facet count alike.
	MinQuality int
	Offset     int
	Limit      int
	// After continues after a cursor (Result.Next of the previous page):
	// deep paging without offsets. With After, Offset must be 0 and the
	// MaxWindow limit does not apply; the cursor's sort must be the
	// query's effective sort. A malformed or mismatched cursor is
	// ErrBadQuery.
	After string
}

// Result is one page of hits plus facet counts for the whole match set.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string][]FacetCount // sorted by count desc, then value asc
	// Next is the cursor (Cursor.Encode) of the page after this one: ""
	// when this page is the last, or when the effective sort is relevance
	// (query text), which cannot be continued by cursor.
	Next string
}

// Hit is one matching document id. Highlights maps a field name (title,
// description, department_name, topic_name, data_items, tags) to an
// HTML-safe snippet: the text is HTML-escaped and matches are wrapped in
// <mark>...</mark>, the only markup it may contain.
type Hit struct {
	ID         string
	Score      float64
	Highlights map[string]string
}

// FacetCount is one facet value with the number of matching documents.
type FacetCount struct {
	Value string
	Count int
}

// Index is a search engine holding the public catalog.
type Index interface {
	// Upsert adds or replaces documents by ID. Idempotent.
	Upsert(ctx context.Context, docs ...Document) error
	// Delete removes documents by ID; unknown ids are not an error.
	Delete(ctx context.Context, ids ...string) error
	Search(ctx context.Context, q Query) (Result, error)
	Count(ctx context.Context) (int, error)
	// Health returns nil when the engine answers.
	Health(ctx context.Context) error
	// Rebuild replaces the whole index with the documents produced by
	// source, building aside and swapping so search stays online.
	// progress, when not nil, is called with the number indexed so far.
	Rebuild(ctx context.Context, source func(emit func(Document) error) error, progress func(n int)) error
	Close() error
}
