package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/hlj-opendata/portal/search"
)

// Highlight sentinels: private-use runes that catalog text does not
// contain. Meilisearch wraps matches in them; we escape the text and only
// then turn them into <mark> tags.
const (
	preTag  = "\uE000hl\uE001"
	postTag = "\uE000/hl\uE001"
)

// sortSpec maps a search sort to Meilisearch sort expressions; ties fall to
// id so paging is stable. Relevance needs none: the ranking rules apply.
// Quality ties go to the fresher entry first, as in the embedded engine.
var sortSpec = map[string][]string{
	search.SortUpdated:   {"updated_at_ts:desc", "id:asc"},
	search.SortDownloads: {"downloads:desc", "id:asc"},
	search.SortName:      {"title:asc", "id:asc"},
	search.SortPublished: {"published_at_ts:desc", "id:asc"},
	search.SortQuality:   {qualityAttribute + ":desc", "updated_at_ts:desc", "id:asc"},
}

// retrieved: the id, plus the highlighted fields so _formatted has them.
var retrieved = append([]string{"id"}, searchableAttributes...)

// Search runs q as one multi-search: the hits query, then one facet-only
// query per requested facet field that is also filtered, and with a
// cursor one more for the total and the unfiltered facets.
func (a *Adapter) Search(ctx context.Context, q search.Query) (search.Result, error) {
	if err := search.ValidateQuery(q); err != nil {
		return search.Result{}, err
	}
	req, plan := a.searchRequest(q)
	resp, err := a.client.MultiSearchWithContext(ctx, req)
	if err != nil {
		return search.Result{}, wrapErr("search", err)
	}
	if len(resp.Results) != len(req.Queries) {
		return search.Result{}, fmt.Errorf("meili: search: %d results for %d queries", len(resp.Results), len(req.Queries))
	}
	return parseResults(q, resp.Results, plan)
}

// queryPlan says which result of the multi-search answers what.
type queryPlan struct {
	sortBy       string         // effective sort
	facetQueries map[int]string // index of each facet-only query -> facet field
	counts       int            // index of the query giving Total and unfiltered facets
}

// searchRequest builds the multi-search body.
func (a *Adapter) searchRequest(q search.Query) (*meilisearch.MultiSearchRequest, queryPlan) {
	sortBy, _ := search.EffectiveSort(q)
	plan := queryPlan{sortBy: sortBy, facetQueries: map[int]string{}}
	page, perPage := pageWindow(q.Offset, q.Limit)
	text := q.Text
	if !search.HasSearchText(text) {
		text = "" // punctuation only: a placeholder search, as in the embedded engine
	}
	hits := &meilisearch.SearchRequest{
		IndexUID:         a.uid,
		Query:            text,
		MatchingStrategy: meilisearch.All, // every query term must match
		Page:             page,
		HitsPerPage:      &perPage,
		Sort:             sortSpec[sortBy],
		ShowRankingScore: true,
	}
	if perPage > 0 {
		hits.AttributesToRetrieve = append(slices.Clone(retrieved), cursorKeys[sortBy]...)
	} else {
		hits.AttributesToRetrieve = []string{"id"}
	}
	if text != "" && perPage > 0 {
		hits.AttributesToHighlight = searchableAttributes
		hits.HighlightPreTag, hits.HighlightPostTag = preTag, postTag
	}
	filter := buildFilter(q.Filters, "", q.MinQuality)
	hits.Filter = nilIfEmpty(filter)
	req := &meilisearch.MultiSearchRequest{Queries: []*meilisearch.SearchRequest{hits}}
	// Unfiltered facets count over the hits query itself, unless a cursor
	// narrows it: then a counts-only query without the cursor answers the
	// total and those facets, which cover the whole match set.
	counts := hits
	if q.After != "" {
		c, _ := search.DecodeCursor(q.After) // validated
		after := "(" + cursorFilter(sortBy, c) + ")"
		if filter != "" {
			after = filter + " AND " + after
		}
		hits.Filter = after
		zero := int64(0)
		counts = &meilisearch.SearchRequest{
			IndexUID:             a.uid,
			Query:                text,
			MatchingStrategy:     meilisearch.All,
			Page:                 1,
			HitsPerPage:          &zero,
			AttributesToRetrieve: []string{"id"},
			Filter:               nilIfEmpty(filter),
		}
		plan.counts = len(req.Queries)
		req.Queries = append(req.Queries, counts)
	}
	for _, field := range uniqueFields(q.Facets) {
		if len(q.Filters[field]) == 0 {
			counts.Facets = append(counts.Facets, facetAttribute[field])
			continue
		}
		zero := int64(0)
		fq := &meilisearch.SearchRequest{
			IndexUID:             a.uid,
			Query:                text,
			MatchingStrategy:     meilisearch.All,
			Page:                 1,
			HitsPerPage:          &zero,
			AttributesToRetrieve: []string{"id"},
			Facets:               []string{facetAttribute[field]},
			Filter:               nilIfEmpty(buildFilter(q.Filters, field, q.MinQuality)),
		}
		plan.facetQueries[len(req.Queries)] = field
		req.Queries = append(req.Queries, fq)
	}
	return req, plan
}

// nilIfEmpty keeps an empty filter out of the request body.
func nilIfEmpty(filter string) any {
	if filter == "" {
		return nil
	}
	return filter
}

// pageWindow picks Meilisearch page/hitsPerPage covering [offset,
// offset+limit) within one page. Page mode is used because it returns an
// exact totalHits; a page larger than limit is sliced afterwards.
func pageWindow(offset, limit int) (page, perPage int64) {
	if limit == 0 {
		return 1, 0
	}
	for size := limit; ; size++ {
		if offset/size == (offset+limit-1)/size {
			return int64(offset/size + 1), int64(size)
		}
	}
}

func uniqueFields(fields []string) []string {
	var out []string
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func parseResults(q search.Query, results []meilisearch.SearchResponse, plan queryPlan) (search.Result, error) {
	main := results[0]
	res := search.Result{Total: int(results[plan.counts].TotalHits), Facets: map[string][]search.FacetCount{}}
	for _, field := range uniqueFields(q.Facets) {
		from := results[plan.counts]
		for i, f := range plan.facetQueries {
			if f == field {
				from = results[i]
			}
		}
		counts, err := facetCounts(from.FacetDistribution, facetAttribute[field])
		if err != nil {
			return search.Result{}, err
		}
		res.Facets[field] = counts
	}
	page, perPage := pageWindow(q.Offset, q.Limit)
	skip := q.Offset - int(page-1)*int(perPage)
	withText := search.HasSearchText(q.Text)
	var last meilisearch.Hit
	for i, h := range main.Hits {
		if i < skip || len(res.Hits) == q.Limit {
			continue
		}
		hit, err := parseHit(h, withText)
		if err != nil {
			return search.Result{}, err
		}
		res.Hits = append(res.Hits, hit)
		last = h
	}
	// The hits query's total counts what sorts after the cursor (or from
	// the start): hits beyond this page mean a next one. Relevance has no
	// cursor (see search.Cursor).
	if len(res.Hits) > 0 && plan.sortBy != search.SortRelevance && int(main.TotalHits) > q.Offset+len(res.Hits) {
		next, err := hitCursor(plan.sortBy, last)
		if err != nil {
			return search.Result{}, err
		}
		res.Next = next
	}
	return res, nil
}

func facetCounts(raw json.RawMessage, attr string) ([]search.FacetCount, error) {
	out := []search.FacetCount{}
	if len(raw) == 0 {
		return out, nil
	}
	var dist map[string]map[string]int
	if err := json.Unmarshal(raw, &dist); err != nil {
		return nil, fmt.Errorf("meili: facet distribution: %w", err)
	}
	for v, n := range dist[attr] {
		if n > 0 {
			out = append(out, search.FacetCount{Value: v, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b search.FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out, nil
}

func parseHit(h meilisearch.Hit, withText bool) (search.Hit, error) {
	var hit search.Hit
	if err := json.Unmarshal(h["id"], &hit.ID); err != nil {
		return hit, fmt.Errorf("meili: hit without id: %w", err)
	}
	if raw, ok := h["_rankingScore"]; ok {
		_ = json.Unmarshal(raw, &hit.Score)
	}
	if raw, ok := h["_formatted"]; ok && withText {
		var f formatted
		if err := json.Unmarshal(raw, &f); err != nil {
			return hit, fmt.Errorf("meili: _formatted of %s: %w", hit.ID, err)
		}
		hit.Highlights = f.highlights()
	}
	return hit, nil
}
