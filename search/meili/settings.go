package meili

import (
	"github.com/meilisearch/meilisearch-go"

	"github.com/hlj-opendata/portal/search"
)

// searchableAttributes in ranking order: Meilisearch's attribute rule
// prefers matches in earlier attributes.
var searchableAttributes = []string{"title", "tags", "topic_name", "department_name", "data_items", "description"}

// facetAttribute maps a search facet field to its document JSON field.
var facetAttribute = map[string]string{
	search.FieldTopic:           "topic",
	search.FieldDepartment:      "department",
	search.FieldOpenType:        "open_type",
	search.FieldFormat:          "formats",
	search.FieldUpdateFrequency: "update_frequency",
	search.FieldGrade:           "grade",
	search.FieldTag:             "tags",
	search.FieldRegion:          "region",
}

// maxTotalHits keeps totals exact for a provincial catalog; the result
// window itself is capped by search.MaxWindow before any request.
const maxTotalHits = 1_000_000

// maxValuesPerFacet: every department of the province must be countable.
const maxValuesPerFacet = 1000

// qualityAttribute holds Document.Quality: sortable, and filterable for
// Query.MinQuality (`quality >= N`), though never a facet.
const qualityAttribute = "quality"

func filterableAttributes() []string {
	out := make([]string, len(search.FacetFields), len(search.FacetFields)+1+len(cursorAttributes))
	for i, f := range search.FacetFields {
		out[i] = facetAttribute[f]
	}
	out = append(out, qualityAttribute)
	return append(out, cursorAttributes...) // for search-after cursors (cursor.go)
}

// indexSettings is everything Open and Rebuild apply. "sort" is the first
// ranking rule so an explicit sort (updated, downloads, name, published, quality)
// orders results strictly, as in the embedded engine; without a sort
// parameter the rule does nothing and relevance decides. "id" is sortable
// to break ties, which keeps paging stable.
func indexSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: searchableAttributes,
		FilterableAttributes: filterableAttributes(),
		SortableAttributes:   []string{"updated_at_ts", "published_at_ts", "downloads", "title", qualityAttribute, "id"},
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{Locales: []string{"cmn"}, AttributePatterns: searchableAttributes},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxValuesPerFacet,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
	}
}
