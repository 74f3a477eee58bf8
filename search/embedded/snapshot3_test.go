package embedded

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

// snapshotQueries cover text, prefix words, filters, facets and every sort.
var snapshotQueries = []search.Query{
	{Text: "企业", Limit: 20, Facets: search.FacetFields},
	{Text: "哈尔滨市交通", Limit: 20, Sort: search.SortDownloads},
	{Text: "air qual", Limit: 20},
	{Limit: 20, Facets: search.FacetFields, Filters: map[string][]string{search.FieldFormat: {"csv"}}},
	{Limit: 20, Sort: search.SortName},
	{Limit: 20, Sort: search.SortQuality, MinQuality: 60, Facets: []string{search.FieldTag}},
	{Limit: 20, Sort: search.SortPublished},
}

func searchAll(t *testing.T, e *Engine) []search.Result {
	t.Helper()
	var out []search.Result
	for _, q := range snapshotQueries {
		res, err := e.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		out = append(out, res)
	}
	return out
}

// TestSnapshot3RoundTrip: an index reopened from a format-3 snapshot
// answers exactly as the one that wrote it, and keeps taking writes.
func TestSnapshot3RoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus()...); err != nil {
		t.Fatal(err)
	}
	if err := e.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	want := searchAll(t, e)
	e.Close()
	if head := readHead(t, dir); head != string(snapshotMagic) {
		t.Fatalf("snapshot starts %q, want %q", head, snapshotMagic)
	}

	e = mustOpen(t, dir)
	if got := searchAll(t, e); !reflect.DeepEqual(got, want) {
		t.Fatalf("reopened from format 3:\n%v\nwant\n%v", got, want)
	}
	// Writes after a mapped load go to the heap (journal, tail postings).
	d := searchtest.Corpus()[0]
	d.Title = "全省企业登记信息（更新）"
	if err := e.Upsert(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, "ds-002"); err != nil {
		t.Fatal(err)
	}
	after := searchAll(t, e)
	e.Close()
	e = mustOpen(t, dir) // format 3 plus the journal
	if got := searchAll(t, e); !reflect.DeepEqual(got, after) {
		t.Fatalf("format 3 + journal:\n%v\nwant\n%v", got, after)
	}
	if err := e.Compact(ctx); err != nil { // a compaction of a mapped index
		t.Fatal(err)
	}
	// Compaction drops the dead postings, which moves scores: compare
	// with the compacted index itself.
	after = searchAll(t, e)
	e.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	if got := searchAll(t, e); !reflect.DeepEqual(got, after) {
		t.Fatalf("after compacting a mapped index:\n%v\nwant\n%v", got, after)
	}
}

// TestSnapshot3Damage: a flipped byte anywhere in the body fails the
// checksum and Open says the snapshot is damaged.
func TestSnapshot3Damage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus()...); err != nil {
		t.Fatal(err)
	}
	if err := e.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	e.Close()
	snap := filepath.Join(dir, snapshotName)
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{snapshot3Head, len(data) / 2, len(data) - 1} {
		bad := append([]byte{}, data...)
		bad[at] ^= 0x40
		if err := os.WriteFile(snap, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if e, err := Open(dir); err == nil {
			e.Close()
			t.Fatalf("Open accepted a snapshot with byte %d flipped", at)
		}
	}
	if err := os.WriteFile(snap, data[:len(data)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := Open(dir); err == nil {
		e.Close()
		t.Fatal("Open accepted a truncated snapshot")
	}
}

// TestSnapshotOfNonCompactStateIsDocumentList: a state with dead slots is
// written in format 2, which opens to the same live documents.
func TestSnapshotOfNonCompactStateIsDocumentList(t *testing.T) {
	dir := t.TempDir()
	st := newState(0)
	st.terms.bulk = true
	for _, d := range searchtest.Corpus() {
		st.upsert(encodeDoc(&d))
	}
	st.terms.finishBulk()
	st.delete("ds-003")
	if err := writeStateTemp(dir, 1, st); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, snapshotTemp), filepath.Join(dir, snapshotName)); err != nil {
		t.Fatal(err)
	}
	if head := readHead(t, dir); head != string(docsMagic) {
		t.Fatalf("snapshot starts %q, want %q", head, docsMagic)
	}
	e := mustOpen(t, dir)
	defer e.Close()
	if n := count(t, e); n != len(searchtest.Corpus())-1 {
		t.Fatalf("Count = %d, want %d", n, len(searchtest.Corpus())-1)
	}
}
