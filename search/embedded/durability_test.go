package embedded

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

func mustOpen(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return e
}

func hitIDs(t *testing.T, e *Engine, text string) []string {
	t.Helper()
	res, err := e.Search(context.Background(), search.Query{Text: text, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func count(t *testing.T, e *Engine) int {
	t.Helper()
	n, err := e.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// copyDir copies the files as they are on disk right now: what a crash at
// this instant would leave behind, since every acknowledged write is fsynced.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func activeJournal(t *testing.T, dir string) string {
	t.Helper()
	gens, err := listJournals(dir)
	if err != nil || len(gens) == 0 {
		t.Fatalf("no journal in %s: %v", dir, err)
	}
	return journalPath(dir, gens[len(gens)-1])
}

func TestReopenKeepsResults(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus()...); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, "ds-003"); err != nil {
		t.Fatal(err)
	}
	q := search.Query{Text: "企业", Facets: search.FacetFields, Limit: 100}
	before, _ := e.Search(ctx, q)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = mustOpen(t, dir)
	defer e.Close()
	after, _ := e.Search(ctx, q)
	if before.Total != after.Total || !slices.Equal(idsOf(before), idsOf(after)) {
		t.Fatalf("results changed across reopen: %v vs %v", idsOf(before), idsOf(after))
	}
	for _, f := range search.FacetFields {
		if !slices.Equal(before.Facets[f], after.Facets[f]) {
			t.Fatalf("facet %s changed across reopen: %v vs %v", f, before.Facets[f], after.Facets[f])
		}
	}
	if n := count(t, e); n != len(searchtest.Corpus())-1 {
		t.Fatalf("count after reopen = %d", n)
	}
}

func idsOf(r search.Result) []string {
	var ids []string
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestAcknowledgedWriteSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	defer e.Close()
	corpus := searchtest.Corpus()
	if err := e.Upsert(ctx, corpus[:3]...); err != nil {
		t.Fatal(err)
	}
	crashed := mustOpen(t, copyDir(t, dir)) // the engine was never closed
	defer crashed.Close()
	if n := count(t, crashed); n != 3 {
		t.Fatalf("after crash: %d documents, want 3", n)
	}
	if got := hitIDs(t, crashed, "企业登记"); !slices.Contains(got, "ds-001") {
		t.Fatalf("after crash 企业登记 = %v", got)
	}
}

func TestTornJournalTail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	corpus := searchtest.Corpus()
	if err := e.Upsert(ctx, corpus[0]); err != nil { // ds-001
		t.Fatal(err)
	}
	journal := activeJournal(t, dir)
	info, _ := os.Stat(journal)
	complete := info.Size()
	if err := e.Upsert(ctx, corpus[3]); err != nil { // ds-004
		t.Fatal(err)
	}
	e.Close()

	// Cut the second record in half, as a crash mid-append would.
	info, _ = os.Stat(journal)
	if err := os.Truncate(journal, complete+(info.Size()-complete)/2); err != nil {
		t.Fatal(err)
	}
	e = mustOpen(t, dir)
	if n := count(t, e); n != 1 {
		t.Fatalf("after torn tail: %d documents, want the 1 complete one", n)
	}
	if got := hitIDs(t, e, "企业登记"); !slices.Equal(got, []string{"ds-001"}) {
		t.Fatalf("complete entry lost: %v", got)
	}
	// New writes continue after the last complete record and survive.
	if err := e.Upsert(ctx, corpus[4]); err != nil { // ds-005
		t.Fatal(err)
	}
	e.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	if got := hitIDs(t, e, "公交"); !slices.Equal(got, []string{"ds-005"}) {
		t.Fatalf("write after torn tail: 公交 = %v, want ds-005", got)
	}
}

func TestGarbageJournalTail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus()[:2]...); err != nil {
		t.Fatal(err)
	}
	e.Close()
	f, err := os.OpenFile(activeJournal(t, dir), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{40, 0, 0, 0, 1, 2, 3, 4, 'U', 9, 9}) // header claims 40 bytes, CRC wrong
	f.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	if n := count(t, e); n != 2 {
		t.Fatalf("garbage tail: %d documents, want 2", n)
	}
}

func TestDamagedSnapshotIsAnError(t *testing.T) {
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
	data, _ := os.ReadFile(snap)
	os.WriteFile(snap, data[:len(data)-20], 0o644)
	if _, err := Open(dir); err == nil {
		t.Fatal("Open accepted a truncated snapshot")
	}
}

func TestCompactionPersistsAndRotatesJournal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	corpus := searchtest.Corpus()
	for range 3 { // replaced versions leave dead slots behind
		if err := e.Upsert(ctx, corpus...); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Delete(ctx, "ds-016"); err != nil {
		t.Fatal(err)
	}
	want := hitIDs(t, e, "全省")
	if err := e.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if dead := e.st.dead(); dead != 0 {
		t.Fatalf("%d dead slots after compaction", dead)
	}
	if got := hitIDs(t, e, "全省"); !slices.Equal(got, want) {
		t.Fatalf("compaction changed results: %v vs %v", got, want)
	}
	gens, _ := listJournals(dir)
	if len(gens) != 1 {
		t.Fatalf("journals after compaction: %v, want only the new one", gens)
	}
	if info, _ := os.Stat(activeJournal(t, dir)); info.Size() != 0 {
		t.Fatalf("new journal not empty: %d bytes", info.Size())
	}
	e.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	if got := hitIDs(t, e, "全省"); !slices.Equal(got, want) {
		t.Fatalf("reopened after compaction: %v vs %v", got, want)
	}
}

func TestRebuildPersistsAndReplaysConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	corpus := searchtest.Corpus()
	if err := e.Upsert(ctx, corpus...); err != nil {
		t.Fatal(err)
	}
	late := corpus[3]
	late.ID, late.Title = "ds-late", "哈尔滨市公交线路调整公告"
	err := e.Rebuild(ctx, func(emit func(search.Document) error) error {
		for _, d := range corpus[:5] {
			if err := emit(d); err != nil {
				return err
			}
		}
		// Changes arriving while the new index is built must not be lost.
		if err := e.Upsert(ctx, late); err != nil {
			return err
		}
		if err := e.Delete(ctx, "ds-002"); err != nil {
			return err
		}
		// Meanwhile searches still see the old index.
		if n := count(t, e); n != len(corpus)+1-1 {
			t.Errorf("during rebuild: count %d", n)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(e *Engine) {
		t.Helper()
		if n := count(t, e); n != 5 { // ds-001..005 + ds-late - ds-002
			t.Fatalf("count = %d, want 5", n)
		}
		if got := hitIDs(t, e, "公交"); !sameIDs(got, []string{"ds-004", "ds-005", "ds-late"}) {
			t.Fatalf("公交 = %v", got)
		}
	}
	check(e)
	e.Close()
	e = mustOpen(t, dir)
	defer e.Close()
	check(e)
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestClosedEngine(t *testing.T) {
	e := mustOpen(t, t.TempDir())
	e.Close()
	ctx := context.Background()
	if err := e.Health(ctx); err == nil {
		t.Fatal("Health nil after Close")
	}
	if err := e.Upsert(ctx, searchtest.Corpus()[0]); err == nil {
		t.Fatal("Upsert after Close succeeded")
	}
	if _, err := e.Search(ctx, search.Query{Limit: 1}); err == nil {
		t.Fatal("Search after Close succeeded")
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestEmptyIDRejected(t *testing.T) {
	e := mustOpen(t, t.TempDir())
	defer e.Close()
	if err := e.Upsert(context.Background(), search.Document{Title: "无编号"}); err == nil {
		t.Fatal("document without id accepted")
	}
}
