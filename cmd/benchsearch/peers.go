package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	_ "github.com/glebarez/go-sqlite" // the portal's pure-Go SQLite driver, with FTS5

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/embedded"
	"github.com/hlj-opendata/portal/seed"
)

// The peers run in this process on the same documents (the synthetic
// catalog the portal seeds) and the same queries: a two-character query
// with topic, department and format facets and the first 20 hits. They
// live in the benchmark only; the product never imports Bleve.

// peer is one engine under test.
type peer interface {
	name() string
	build(docs []search.Document) error
	query(text string) (total int, err error)
	close()
}

var peerFacets = []string{search.FieldTopic, search.FieldDepartment, search.FieldFormat}

// peerDocs are the synthetic catalog's entries as the portal indexes them.
func peerDocs(n int) []search.Document {
	demo := seed.Demo()
	deps := map[string]string{}
	for _, d := range demo.Departments {
		deps[d.ID] = d.Name
	}
	topics := map[string]string{}
	for _, t := range demo.Topics {
		topics[t.Code] = t.Name
	}
	out := make([]search.Document, 0, n)
	for _, d := range seed.Synthetic(n, 0) {
		items := make([]string, 0, 2*len(d.DataItems))
		for _, it := range d.DataItems {
			items = append(items, it.Name, it.Label)
		}
		out = append(out, search.Document{ID: d.ID, Title: d.Title, Description: d.Description,
			Department: d.DepartmentID, DepartmentName: deps[d.DepartmentID], Topic: d.TopicCode, TopicName: topics[d.TopicCode],
			OpenType: d.OpenType, Formats: d.Formats, UpdateFrequency: d.UpdateFrequency, Grade: d.Grade, Tags: d.Tags,
			Region: d.Region, DataItems: items, UpdatedAt: d.UpdatedAt, PublishedAt: d.PublishedAt, Downloads: d.Downloads})
	}
	return out
}

// runPeers builds each engine on n documents and times the queries.
func runPeers(n, requests int, queries []string) error {
	work, err := os.MkdirTemp("", "benchsearch-peers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Printf("generating %d documents…\n", n)
	docs := peerDocs(n)
	peers := []peer{&embeddedPeer{dir: filepath.Join(work, "embedded")}, &blevePeer{dir: filepath.Join(work, "bleve")},
		&fts5Peer{path: filepath.Join(work, "fts5.db")}}
	type row struct {
		name          string
		build         time.Duration
		p50, p99, max time.Duration
		totals        []int
	}
	rows := make([]row, len(peers))
	for i, p := range peers {
		fmt.Printf("%s: building…\n", p.name())
		start := time.Now()
		if err := p.build(docs); err != nil {
			return fmt.Errorf("%s build: %w", p.name(), err)
		}
		defer p.close()
		rows[i] = row{name: p.name(), build: time.Since(start)}
		fmt.Printf("%s: built in %s\n", p.name(), rows[i].build.Round(time.Millisecond))
		for _, q := range queries { // warm-up, and the match counts to compare
			t, err := p.query(q)
			if err != nil {
				return fmt.Errorf("%s %q: %w", p.name(), q, err)
			}
			rows[i].totals = append(rows[i].totals, t)
		}
	}
	// Round robin over the engines, query by query, so that other load on
	// the machine weighs on each of them alike.
	lats := make([][]time.Duration, len(peers))
	deadline := time.Now().Add(5 * time.Minute)
	for n := 0; n < requests && time.Now().Before(deadline); n++ {
		for i, p := range peers {
			t0 := time.Now()
			if _, err := p.query(queries[n%len(queries)]); err != nil {
				return err
			}
			lats[i] = append(lats[i], time.Since(t0))
		}
	}
	for i := range rows {
		lat := lats[i]
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		rows[i].p50, rows[i].p99, rows[i].max = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
	}
	fmt.Printf("\n%d documents; 2-character queries %s with facets %s, 20 hits; concurrency 1, in process, engines in turn, %d queries each; %s\n\n", n, strings.Join(queries, " "), strings.Join(peerFacets, ", "), len(lats[0]), loadavg())
	fmt.Printf("%-22s %10s %10s %10s %10s %12s\n", "engine", "build", "p50", "p99", "max", "p50 ÷ embedded")
	for _, r := range rows {
		fmt.Printf("%-22s %10s %10s %10s %10s %12.1f×\n", r.name, r.build.Round(time.Millisecond), r.p50.Round(time.Microsecond),
			r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond), float64(r.p50)/float64(rows[0].p50))
	}
	fmt.Println("\nmatches per query (the engines tokenise differently, so counts may differ a little):")
	for i, q := range queries {
		fmt.Printf("  %s", q)
		for _, r := range rows {
			fmt.Printf("  %s %d", r.name, r.totals[i])
		}
		fmt.Println()
	}
	return nil
}

// ---- the portal's embedded engine ----

type embeddedPeer struct {
	dir string
	e   *embedded.Engine
}

func (p *embeddedPeer) name() string { return "embedded (portal)" }

func (p *embeddedPeer) build(docs []search.Document) error {
	e, err := embedded.Open(p.dir)
	if err != nil {
		return err
	}
	p.e = e
	return e.Rebuild(context.Background(), func(emit func(search.Document) error) error {
		for _, d := range docs {
			if err := emit(d); err != nil {
				return err
			}
		}
		return nil
	}, nil)
}

func (p *embeddedPeer) query(text string) (int, error) {
	r, err := p.e.Search(context.Background(), search.Query{Text: text, Facets: peerFacets, Limit: 20})
	return r.Total, err
}

func (p *embeddedPeer) close() { p.e.Close() }

// ---- Bleve v2 with the CJK analyzer (bigrams) ----

type blevePeer struct {
	dir string
	idx bleve.Index
}

func (p *blevePeer) name() string { return "bleve v2 (cjk)" }

// bleveDoc is what Bleve indexes: text fields through the CJK analyzer,
// facet fields as keywords.
type bleveDoc struct {
	Title, Description, DepartmentName, TopicName string
	DataItems, Tags                               []string
	Topic, Department                             string
	Format                                        []string
}

func (p *blevePeer) build(docs []search.Document) error {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	kw := bleve.NewTextFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store = false
	kw.IncludeInAll = false
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"Title", "Description", "DepartmentName", "TopicName", "DataItems", "Tags"} {
		dm.AddFieldMappingsAt(f, text)
	}
	for _, f := range []string{"Topic", "Department", "Format"} {
		dm.AddFieldMappingsAt(f, kw)
	}
	m := mapping.NewIndexMapping()
	m.DefaultMapping = dm
	m.DefaultAnalyzer = cjk.AnalyzerName
	idx, err := bleve.New(p.dir, m)
	if err != nil {
		return err
	}
	p.idx = idx
	b := idx.NewBatch()
	for i, d := range docs {
		if err := b.Index(d.ID, bleveDoc{d.Title, d.Description, d.DepartmentName, d.TopicName, d.DataItems, d.Tags, d.Topic, d.Department, d.Formats}); err != nil {
			return err
		}
		if b.Size() == 1000 || i == len(docs)-1 {
			if err := idx.Batch(b); err != nil {
				return err
			}
			b = idx.NewBatch()
		}
	}
	return nil
}

func (p *blevePeer) query(text string) (int, error) {
	q := bleve.NewMatchQuery(text) // the _all field, CJK bigrams: a two-character query is one term
	q.SetField("_all")
	req := bleve.NewSearchRequestOptions(q, 20, 0, false)
	for _, f := range []string{"Topic", "Department", "Format"} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 50))
	}
	r, err := p.idx.Search(req)
	if err != nil {
		return 0, err
	}
	return int(r.Total), nil
}

func (p *blevePeer) close() { p.idx.Close() }

// ---- SQLite FTS5 through the portal's pure-Go driver ----

// FTS5's unicode61 tokenizer keeps a run of Han characters as one token,
// and trigram cannot match two characters, so the text is indexed one Han
// character per token and a query is the phrase of its characters.
type fts5Peer struct {
	path string
	db   *sql.DB
}

func (p *fts5Peer) name() string { return "sqlite fts5" }

func spaceHan(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p *fts5Peer) build(docs []search.Document) error {
	db, err := sql.Open("sqlite", p.path+"?_pragma=journal_mode(wal)&_pragma=synchronous(off)&_pragma=cache_size(-65536)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	p.db = db
	for _, s := range []string{
		`CREATE VIRTUAL TABLE docs USING fts5(title, description, department_name, topic_name, data_items, tags, tokenize='unicode61')`,
		`CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, topic TEXT, department TEXT)`,
		`CREATE TABLE formats(rowid INTEGER, format TEXT)`,
	} {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for i, d := range docs {
		row := i + 1
		if _, err := tx.Exec(`INSERT INTO docs(rowid, title, description, department_name, topic_name, data_items, tags) VALUES (?,?,?,?,?,?,?)`,
			row, spaceHan(d.Title), spaceHan(d.Description), spaceHan(d.DepartmentName), spaceHan(d.TopicName),
			spaceHan(strings.Join(d.DataItems, " ")), spaceHan(strings.Join(d.Tags, " "))); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO meta VALUES (?,?,?,?)`, row, d.ID, d.Topic, d.Department); err != nil {
			return err
		}
		for _, f := range d.Formats {
			if _, err := tx.Exec(`INSERT INTO formats VALUES (?,?)`, row, f); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`CREATE INDEX formats_rowid ON formats(rowid)`)
	return err
}

// query is what an FTS5-backed search would run: the best 20 by bm25, the
// total, and the three facets' counts over the whole match set.
func (p *fts5Peer) query(text string) (int, error) {
	match := `"` + strings.TrimSpace(spaceHan(text)) + `"`
	rows, err := p.db.Query(`SELECT m.id FROM docs JOIN meta m ON m.rowid = docs.rowid WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20`, match)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
	}
	rows.Close()
	var total int
	if err := p.db.QueryRow(`SELECT count(*) FROM docs WHERE docs MATCH ?`, match).Scan(&total); err != nil {
		return 0, err
	}
	for _, f := range []string{
		`SELECT m.topic, count(*) FROM docs JOIN meta m ON m.rowid = docs.rowid WHERE docs MATCH ? GROUP BY m.topic`,
		`SELECT m.department, count(*) FROM docs JOIN meta m ON m.rowid = docs.rowid WHERE docs MATCH ? GROUP BY m.department`,
		`SELECT f.format, count(*) FROM docs JOIN formats f ON f.rowid = docs.rowid WHERE docs MATCH ? GROUP BY f.format`,
	} {
		rows, err := p.db.Query(f, match)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var v string
			var c int
			if err := rows.Scan(&v, &c); err != nil {
				rows.Close()
				return 0, err
			}
		}
		rows.Close()
	}
	return total, nil
}

func (p *fts5Peer) close() { p.db.Close() }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load ?"
	}
	f := strings.Fields(string(b))
	return "load " + strings.Join(f[:min(3, len(f))], " ")
}
