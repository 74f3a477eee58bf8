package ckan

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// sqlWords are the only identifiers and keywords the q/fq translation may
// write: anything else in the SQL text would be the caller's input there
// instead of in a bound value.
var sqlWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`AND OR NOT LIKE ESCAPE EXISTS SELECT FROM WHERE UPPER
		datasets.title datasets.description datasets.tags datasets.id datasets.department_id
		datasets.topic_id datasets.open_type datasets.update_frequency datasets.grade
		datasets.updated_at datasets.published_at data_items di di.dataset_id di.label di.name
		resources r r.dataset_id r.format r.name`) {
		sqlWords[w] = true
	}
}

var (
	sqlWord   = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9.]*`)
	sqlSyntax = regexp.MustCompile(`^[A-Za-z_0-9. ()=<>?!'%,\[\]]*$`)
)

// checkQuery parses q and, when it parses, checks the SQL it becomes.
func checkQuery(t *testing.T, q string) {
	n, err := parseQuery(q)
	if err != nil {
		if n != nil {
			t.Fatalf("%q: error %v with a node %#v", q, err, n)
		}
		return
	}
	if n == nil {
		t.Fatalf("%q: no node and no error", q)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	b := &sqlBuilder{now: now}
	if err := n.sql(b); err != nil {
		return // unknown field, bad date: a 400 for the caller
	}
	sql := b.b.String()
	if !sqlSyntax.MatchString(sql) {
		t.Fatalf("%q: SQL has characters of its own: %s", q, sql)
	}
	for _, w := range sqlWord.FindAllString(sql, -1) {
		if !sqlWords[w] {
			t.Fatalf("%q: the SQL carries %q outside a bound value: %s", q, w, sql)
		}
	}
	if c := strings.Count(sql, "?"); c != len(b.args) {
		t.Fatalf("%q: %d placeholders, %d values: %s", q, c, len(b.args), sql)
	}
	depth := 0
	for _, c := range sql {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 || strings.Count(sql, "(") != strings.Count(sql, ")") {
		t.Fatalf("%q: unbalanced parentheses: %s", q, sql)
	}
	// Each term costs at most one full-text group of five LIKEs.
	if len(b.args) > 5*maxQueryTerms+2 {
		t.Fatalf("%q: %d bound values", q, len(b.args))
	}
	// Parsing is deterministic.
	again, _ := parseQuery(q)
	b2 := &sqlBuilder{now: now}
	if err := again.sql(b2); err != nil || b2.b.String() != sql || len(b2.args) != len(b.args) {
		t.Fatalf("%q: a second parse gives %s (%v)", q, b2.b.String(), err)
	}
}

// FuzzParseQuery feeds the CKAN q/fq parser arbitrary input: it must not
// panic, must stay within its limits, and whatever it accepts becomes SQL
// made of fixed text and bound values only.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "*:*", "*", "水质", "organization:hlj-stj", `title:"空气 质量"`, "tags:(环境 OR 水)",
		"res_format:CSV AND -groups:env", "metadata_modified:[2024-01-01T00:00:00Z TO *]",
		"metadata_created:{NOW-7DAYS TO NOW}", "NOT (a OR b) && c || !d", "+a -b", `a\:b`,
		"organization:(a", `"unclosed`, "[a TO", "((((x))))", "name:x OR id:y", "license_id:cc-by",
		"state:active private:false type:dataset", "metadata_modified:NOW-1MONTH/DAY",
		"open_type:unconditional AND update_frequency:monthly AND grade:A", "res_name:%_!",
		"企业*", "name:ds-*", "tags:企*", "res_format:cs*", "organization:hlj-*", "title:水 notes:质",
		"metadata_modified:[NOW/DAY-30DAYS TO NOW]", "metadata_modified:[NOW-1YEAR TO NOW]", "企*业", "name:?x",
		"organization:(a OR b) AND tags:x", "text:%*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		checkQuery(t, q)
		// The index plan of whatever parses never panics and keeps at
		// most one filter per field.
		if n, err := parseQuery(q); err == nil {
			pl := &indexPlan{filters: map[string][]string{}}
			pl.add(n)
			for f, v := range pl.filters {
				if len(v) == 0 {
					t.Fatalf("%q: empty filter on %s", q, f)
				}
			}
		}
	})
}

// The limits hold for inputs far larger than the fuzzer tries.
func TestParseQueryLimits(t *testing.T) {
	for name, q := range map[string]string{
		"long":        strings.Repeat("a ", maxQueryBytes),
		"many terms":  strings.TrimSpace(strings.Repeat("a ", maxQueryTerms+1)),
		"deep groups": strings.Repeat("(", maxQueryDepth+1) + "a" + strings.Repeat(")", maxQueryDepth+1),
		"deep NOTs":   strings.Repeat("NOT ", maxQueryDepth+1) + "a",
		"deep minus":  strings.Repeat("-(", maxQueryDepth+1) + "a" + strings.Repeat(")", maxQueryDepth+1),
	} {
		if n, err := parseQuery(q); err == nil {
			t.Errorf("%s: accepted as %T", name, n)
		}
	}
	for name, q := range map[string]string{
		"at the term limit":  strings.TrimSpace(strings.Repeat("a ", maxQueryTerms)),
		"at the depth limit": strings.Repeat("(", maxQueryDepth-1) + "a" + strings.Repeat(")", maxQueryDepth-1),
		"NOTs at the limit":  strings.Repeat("NOT ", maxQueryDepth-1) + "a",
	} {
		if _, err := parseQuery(q); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		checkQuery(t, q)
	}
}

// NOW date math as Solr applies it: left to right, rounding in UTC.
func TestSolrDateMath(t *testing.T) {
	now := time.Date(2026, 3, 31, 15, 45, 30, 0, time.FixedZone("CST", 8*3600))
	utc := now.UTC()
	for q, want := range map[string]time.Time{
		"NOW":                  utc,
		"NOW-1YEAR":            utc.AddDate(-1, 0, 0),
		"NOW/DAY":              time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
		"NOW/DAY-30DAYS":       time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"NOW-30DAYS/DAY":       time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"now/month+1MONTH":     time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		"NOW/YEAR":             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"NOW-2HOURS/HOUR":      time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC),
		"NOW+90MINUTES":        utc.Add(90 * time.Minute),
		"2024-01-02":           time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		"2024-01-02T03:04:05Z": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	} {
		got, err := solrTime(q, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %s %v, want %s", q, got, err, want)
		}
	}
	for _, q := range []string{"NOW/FORTNIGHT", "NOW-", "NOW-1", "NOW*2DAYS", "NOW-99999999999DAYS", "NOW/", "yesterday"} {
		if got, err := solrTime(q, now); err == nil {
			t.Errorf("%s: accepted as %s", q, got)
		}
	}
}
