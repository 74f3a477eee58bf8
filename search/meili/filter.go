package meili

import (
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
// order so the same query always produces the same expression. Field names
// come from the fixed FacetFields list, never from the request.
func buildFilter(filters map[string][]string, skip string) string {
	var parts []string
	for _, field := range search.FacetFields {
		if values := filters[field]; field != skip && len(values) > 0 {
			parts = append(parts, fieldFilter(field, values))
		}
	}
	return strings.Join(parts, " AND ")
}
