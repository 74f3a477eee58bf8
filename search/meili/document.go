package meili

import (
	"time"

	"github.com/hlj-opendata/portal/search"
)

// document is the JSON sent to Meilisearch: the catalog document plus
// unix-second timestamps, since Meilisearch sorts numbers, not dates.
// List fields are never null so filters on them behave uniformly.
type document struct {
	search.Document
	UpdatedAtTS   int64 `json:"updated_at_ts"`
	PublishedAtTS int64 `json:"published_at_ts"`
}

func toDocument(d *search.Document) document {
	out := document{Document: *d, UpdatedAtTS: unix(d.UpdatedAt), PublishedAtTS: unix(d.PublishedAt)}
	out.Quality = search.ClampQuality(d.Quality) // as the embedded engine stores it
	out.Formats = nonNil(d.Formats)
	out.Tags = nonNil(d.Tags)
	out.DataItems = nonNil(d.DataItems)
	return out
}

// unix is 0 for a zero time, so undated documents sort last, as in the
// embedded engine.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
