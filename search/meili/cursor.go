package meili

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hlj-opendata/portal/search"
)

// Search-after in Meilisearch: it has no native cursor, so the page after
// a cursor is a filter selecting the documents that sort strictly after
// it, e.g. for downloads (descending, ties by id ascending)
//
//	(downloads < 5) OR (downloads = 5 AND id > "ds-001")
//
// The id tie-break (and the title of the name sort) compares strings,
// which Meilisearch filters support from v1.15 on ("lexicographic string
// filters"); older servers answer such a cursor with an invalid_search_filter
// error. Timestamps are whole seconds in Meilisearch (updated_at_ts), so
// cursors carry them as nanoseconds of a whole second, the unit of
// search.Cursor.

// cursorKeys are the sort attributes a hit must return to make a cursor.
var cursorKeys = map[string][]string{
	search.SortUpdated:   {"updated_at_ts"},
	search.SortPublished: {"published_at_ts"},
	search.SortDownloads: {"downloads"},
	search.SortQuality:   {qualityAttribute, "updated_at_ts"},
	search.SortName:      nil, // title is retrieved for highlighting anyway
}

// cursorAttributes are the cursor-only attributes, filterable so the
// cursor filter can use them (the facet fields and quality already are).
var cursorAttributes = []string{"id", "title", "updated_at_ts", "published_at_ts", "downloads"}

const nanosPerSecond = int64(1e9)

// cursorFilter is the filter for "after c" in sortBy order.
func cursorFilter(sortBy string, c search.Cursor) string {
	id := quoteValue(c.ID)
	desc := func(attr string, v int64) string {
		n := strconv.FormatInt(v, 10)
		return fmt.Sprintf("(%s < %s) OR (%s = %s AND id > %s)", attr, n, attr, n, id)
	}
	switch sortBy {
	case search.SortPublished:
		return desc("published_at_ts", c.Ints[0]/nanosPerSecond)
	case search.SortDownloads:
		return desc("downloads", c.Ints[0])
	case search.SortQuality:
		q, u := strconv.FormatInt(c.Ints[0], 10), strconv.FormatInt(c.Ints[1]/nanosPerSecond, 10)
		return fmt.Sprintf("(%[1]s < %[2]s) OR (%[1]s = %[2]s AND updated_at_ts < %[3]s) OR (%[1]s = %[2]s AND updated_at_ts = %[3]s AND id > %[4]s)",
			qualityAttribute, q, u, id)
	case search.SortName:
		t := quoteValue(c.Str)
		return fmt.Sprintf("(title > %s) OR (title = %s AND id > %s)", t, t, id)
	default:
		return desc("updated_at_ts", c.Ints[0]/nanosPerSecond)
	}
}

// hitCursor makes the cursor after a hit from its retrieved sort keys.
func hitCursor(sortBy string, h map[string]json.RawMessage) (string, error) {
	var keys struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		UpdatedAt   int64  `json:"updated_at_ts"`
		PublishedAt int64  `json:"published_at_ts"`
		Downloads   int64  `json:"downloads"`
		Quality     int64  `json:"quality"`
	}
	b, _ := json.Marshal(h)
	if err := json.Unmarshal(b, &keys); err != nil {
		return "", fmt.Errorf("meili: sort keys of a hit: %w", err)
	}
	c := search.Cursor{Sort: sortBy, ID: keys.ID}
	switch sortBy {
	case search.SortPublished:
		c.Ints = []int64{keys.PublishedAt * nanosPerSecond}
	case search.SortDownloads:
		c.Ints = []int64{keys.Downloads}
	case search.SortQuality:
		c.Ints = []int64{keys.Quality, keys.UpdatedAt * nanosPerSecond}
	case search.SortName:
		c.Str = keys.Title
	default:
		c.Ints = []int64{keys.UpdatedAt * nanosPerSecond}
	}
	return c.Encode(), nil
}
