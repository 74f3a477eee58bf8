package meili

import (
	"strconv"
	"strings"

	"github.com/hlj-opendata/portal/search"
)

// quoteValue renders a filter value as a Meilisearch string literal.
// Values come from users, so `"` and `\` are escaped: the value can never
// end the literal and add syntax of its own.
func quoteValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// fieldFilter is `attr IN ["v1", "v2"]` for one facet field: OR within it.
func fieldFilter(field string, values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quoteValue(v)
	}
	return facetAttribute[field] + " IN [" + strings.Join(quoted, ", ") + "]"
}

// buildFilter ANDs the filters of every field except skip, in FacetFields
// order so the same query always produces the same expression, then the
// minimum quality. Field names come from the fixed FacetFields list, never
// from the request. The quality condition is never skipped: facet counts
// respect it too. At 0 it is left out rather than sent as `quality >= 0`,
// which would drop documents indexed before they carried a quality.
func buildFilter(filters map[string][]string, skip string, minQuality int) string {
	var parts []string
	for _, field := range search.FacetFields {
		if values := filters[field]; field != skip && len(values) > 0 {
			parts = append(parts, fieldFilter(field, values))
		}
	}
	if minQuality > 0 { // validated: 1..search.MaxQuality, a plain integer
		parts = append(parts, qualityAttribute+" >= "+strconv.Itoa(minQuality))
	}
	return strings.Join(parts, " AND ")
}
