package ckan

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/catalog"
)

// forceSQL sends every package_search to SQL. Only cmd/benchckan sets it,
// to measure the SQL path against the index path on the same catalog.
var forceSQL atomic.Bool

// SetForceSQL makes package_search ignore the search index (benchmarks).
func SetForceSQL(on bool) { forceSQL.Store(on) }

// indexFields maps the CKAN fields package_search filters and facets on
// to the index's facet fields. Their values are the same in both: the
// department id, the topic code, the tag, the declared or resource format
// (upper case), the open type, the update frequency, the grade.
var indexFields = map[string]string{
	"organization": search.FieldDepartment, "owner_org": search.FieldDepartment,
	"groups": search.FieldTopic, "tags": search.FieldTag, "res_format": search.FieldFormat,
	"open_type": search.FieldOpenType, "extras_open_type": search.FieldOpenType,
	"update_frequency": search.FieldUpdateFrequency, "extras_update_frequency": search.FieldUpdateFrequency,
	"grade": search.FieldGrade, "extras_grade": search.FieldGrade,
	// license_id is a renaming of open_type (licenseOf).
	"license_id": search.FieldOpenType,
}

// constantFields are fields every public entry has the same value of:
// matching that value is no filter, any other value would match nothing
// (SQL answers those).
var constantFields = map[string]string{"state": "active", "private": "false", "dataset_type": "dataset", "type": "dataset"}

// indexPlan collects what q and fq ask for in the index's terms.
type indexPlan struct {
	words   []string
	filters map[string][]string
}

// add adds one node of the AND of q and fq; false when the index cannot
// answer it exactly.
func (pl *indexPlan) add(n node) bool {
	switch t := n.(type) {
	case allNode:
		return true
	case andNode:
		for _, m := range t {
			if !pl.add(m) {
				return false
			}
		}
		return true
	case termNode:
		if _, wild, err := wildcard(t); err != nil || wild {
			return false
		}
		if t.field == "" || t.field == "text" {
			if t.value == "*" {
				return true
			}
			if t.quoted && strings.ContainsFunc(t.value, unicode.IsSpace) {
				return false // phrases: the index matches words, not phrases
			}
			pl.words = append(pl.words, strings.Fields(t.value)...)
			return true
		}
		if v, ok := constantFields[t.field]; ok {
			return t.value == v || t.value == "*"
		}
		f, ok := indexFields[t.field]
		if !ok || t.value == "*" || pl.filters[f] != nil {
			// Two filters on one field are an AND; the index ORs them.
			return false
		}
		pl.filters[f] = []string{indexValue(t.field, t.value)}
		return true
	case orNode:
		// field:(a OR b) or a OR b on one field: the index's OR within a field.
		field := ""
		var values []string
		for _, m := range t {
			tn, ok := m.(termNode)
			if !ok {
				return false
			}
			if _, wild, err := wildcard(tn); err != nil || wild || tn.value == "*" {
				return false
			}
			f, ok := indexFields[tn.field]
			if !ok || (field != "" && f != field) {
				return false
			}
			field = f
			values = append(values, indexValue(tn.field, tn.value))
		}
		if field == "" || pl.filters[field] != nil {
			return false
		}
		pl.filters[field] = values
		return true
	}
	return false
}

// indexValue turns a CKAN field value into the index's value of it.
func indexValue(field, v string) string {
	switch field {
	case "res_format":
		return strings.ToUpper(v)
	case "license_id":
		for _, l := range licenses {
			if l.ID == v {
				return l.openType
			}
		}
		return "(no such licence)" // matches nothing, as in SQL
	}
	return v
}

// indexAnswer is package_search's answer from the index.
type indexAnswer struct {
	results []Package
	count   int64
	facets  map[string]map[string]int64 // CKAN facet field → value → count
}

// searchIndex answers package_search from the search index (embedded or
// Meilisearch), as CKAN does from Solr: q and fq made of full-text words
// and filters on organization, groups, tags, res_format, open_type,
// update_frequency, grade and license_id (one field's values ORed, fields
// ANDed), facets on those fields, relevance order when q has words
// (CKAN's default sort "score desc, metadata_modified desc"), or
// metadata_modified / metadata_created desc. The index gives the page's
// ids, the total and the facet counts; only the page's entries are loaded,
// by primary key.
//
// SQL answers what the index cannot (ok false), and stays the reference
// the index path is tested against:
//   - NOT and -term, OR across different fields, two filters on one field
//     (an AND), quoted phrases with spaces;
//   - trailing wildcards (企业*, name:ds-*), title:, notes:, name:/id:,
//     res_name:, range queries on metadata_modified / metadata_created;
//   - facets on extras_* other than open_type, update_frequency and grade,
//     and a facet on a field the query also filters on (the index counts
//     facets disjunctively, ignoring that field's own filter; CKAN does not);
//   - sorts other than score and metadata_modified / metadata_created desc
//     (title collation, downloads whose index copy may lag, ascending ones);
//   - a result window beyond search.MaxWindow, text longer than
//     search.MaxQueryRunes or without a letter or digit;
//   - an index that fails (logged; SQL is slower but still right), no index,
//     or forceSQL (benchmarks).
//
// Words match as the index tokenizes them (as CKAN's Solr does) rather
// than as SQL's substrings, and also match department and topic names.
func (h *Handler) searchIndex(c echo.Context, p params, facetFields []string, start, rows int) (ans indexAnswer, ok bool, err error) {
	if h.Index == nil || forceSQL.Load() || start+rows > search.MaxWindow {
		return ans, false, nil
	}
	pl := &indexPlan{filters: map[string][]string{}}
	for _, name := range []string{"q", "fq"} {
		n, err := parseQuery(p.str(name))
		if err != nil || !pl.add(n) {
			return ans, false, nil
		}
	}
	text := strings.Join(pl.words, " ")
	if text != "" && (!search.HasSearchText(text) || utf8.RuneCountInString(text) > search.MaxQueryRunes) {
		return ans, false, nil
	}
	sortBy, sorted := indexSort(p.str("sort"), text != "")
	if !sorted {
		return ans, false, nil
	}
	var facets []string
	for _, f := range facetFields {
		ix, ok := indexFields[f]
		if !ok || pl.filters[ix] != nil {
			return ans, false, nil
		}
		if !contains(facets, ix) {
			facets = append(facets, ix)
		}
	}
	res, err := h.Index.Search(c.Request().Context(), search.Query{Text: text, Filters: pl.filters, Facets: facets, Sort: sortBy, Offset: start, Limit: rows})
	if err != nil {
		h.Log.Warn("package_search: the search index failed, answering from SQL", "err", err)
		return ans, false, nil
	}
	ids := make([]string, len(res.Hits))
	for i, hit := range res.Hits {
		ids[i] = hit.ID
	}
	if ans.results, err = h.loadPackages(c, ids); err != nil {
		return ans, false, err
	}
	// Entries withdrawn since the index last heard of them are not shown
	// and not counted (the outbox removes them from the index shortly).
	ans.count = max(0, int64(res.Total-(len(ids)-len(ans.results))))
	ans.facets = map[string]map[string]int64{}
	for _, f := range facetFields {
		counts := map[string]int64{}
		for _, fc := range res.Facets[indexFields[f]] {
			k := fc.Value
			if f == "license_id" {
				k = licenseOf(catalog.OpenType(k)).ID
			}
			counts[k] += int64(fc.Count)
		}
		ans.facets[f] = counts
	}
	return ans, true, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// indexSorts are the sorts the index orders exactly as orderBy does, ties
// by id ascending. Title (collation) and downloads (the index's copy may
// lag the database) stay with SQL.
var indexSorts = map[string]string{"metadata_modified desc": search.SortUpdated, "metadata_created desc": search.SortPublished}

// indexSort maps a valid sort (orderBy accepted it) to the index's. A
// sort led by score (CKAN's default) is relevance when there is text and
// metadata_modified desc otherwise, as Solr's scores tie without text.
func indexSort(sortParam string, text bool) (string, bool) {
	if strings.TrimSpace(sortParam) == "" {
		sortParam = "score desc, metadata_modified desc"
	}
	var keys []string
	for _, s := range strings.Split(sortParam, ",") {
		f := strings.Fields(strings.ToLower(s))
		if len(f) == 0 {
			continue
		}
		if len(f) == 1 {
			f = append(f, "asc")
		}
		keys = append(keys, f[0]+" "+f[1])
	}
	if len(keys) > 0 && (strings.HasPrefix(keys[0], "score ") || strings.HasPrefix(keys[0], "rank ")) {
		if text {
			return search.SortRelevance, true
		}
		keys = keys[1:]
	}
	switch len(keys) {
	case 0:
		return search.SortUpdated, true // orderBy's default: updated_at DESC, id
	case 1:
		s, ok := indexSorts[keys[0]]
		return s, ok
	}
	return "", false
}

// maxFL bounds the fl parameter.
const maxFL = 1000

// applyFL keeps only the fl fields of each result (CKAN's fl: a comma or
// space separated list of package keys); unknown keys are left out, as
// Solr leaves out fields a document lacks.
func applyFL(results []Package, fl string) (any, error) {
	if strings.TrimSpace(fl) == "" {
		return results, nil
	}
	if len(fl) > maxFL {
		return nil, validation("fl", "fl longer than %d bytes", maxFL)
	}
	keys := strings.FieldsFunc(fl, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	for _, k := range keys {
		if k == "*" {
			return results, nil
		}
	}
	out := make([]map[string]any, 0, len(results))
	for _, r := range results {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		var all map[string]any
		if err := json.Unmarshal(b, &all); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for _, k := range keys {
			if v, ok := all[k]; ok {
				m[k] = v
			}
		}
		out = append(out, m)
	}
	return out, nil
}
