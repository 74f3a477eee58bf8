// Package embedded is the default search engine: a pure-Go, in-process
// inverted index persisted under one directory.
//
// Why our own engine rather than Bleve: the catalog is small (about 100k
// documents) but the latency goals are strict on a 2-core machine, and the
// features we need are narrow and specific: CJK bigram matching with AND
// semantics, field-weighted BM25-like ranking with a title-phrase tier,
// disjunctive facet counts and a handful of sorts. Bleve's CJK analyzer and
// faceting would need the same custom ranking on top, cost several times the
// memory per document, and its disjunctive facets mean one query per facet.
// A purpose-built index answers text + filters + all facet counts in a single
// pass over the match set, with compact varint posting lists and no cgo.
//
// Layout on disk (all under the directory passed to Open):
//
//	snapshot.dat        the index at generation G (atomic rename): magic
//	                    HLJSRCH3, the built index, memory-mapped on open
//	                    (snapshot3.go); HLJSRCH2 and HLJSRCH1 (before quality
//	                    scores), a list of documents, are still read
//	journal-<G>.log     changes after that snapshot, one fsynced record per call
//
// Opening maps the snapshot (an old one is indexed document by document and
// rewritten as format 3 at the next compaction), replays journals from
// generation G on, and cuts a torn journal tail (a crash mid-write) at the
// last complete record. OpenAsync does that in the background for a large
// index.
//
// Browsing without query text walks presorted orders per sort (order.go),
// so a deep page or a cursor page costs about what the first page does.
// Compaction and Rebuild build a fresh index aside, write it as the next
// generation's snapshot and swap it in; searches keep using the old index
// until the swap.
package embedded
