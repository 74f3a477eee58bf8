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
//	snapshot.dat        every live document at generation G (atomic rename);
//	                    magic HLJSRCH2, HLJSRCH1 (before quality scores) still read
//	journal-<G>.log     changes after that snapshot, one fsynced record per call
//
// Opening loads the snapshot, replays journals from generation G on, and cuts
// a torn journal tail (a crash mid-write) at the last complete record.
// Compaction and Rebuild build a fresh index aside, write it as the next
// generation's snapshot and swap it in; searches keep using the old index
// until the swap.
package embedded
