package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

func TestCodecQuality(t *testing.T) {
	d := searchtest.Corpus()[0]
	for in, want := range map[int]int{0: 0, 73: 73, 100: 100, 250: 100, -3: 0} {
		d.Quality = in
		got, err := decodeDoc(encodeDoc(&d))
		if err != nil || got.Quality != want {
			t.Errorf("Quality %d round trip = %d, %v; want %d", in, got.Quality, err, want)
		}
	}
	// Format 1 stopped after the downloads: Quality 0, everything else kept.
	d.Quality = 42
	enc := encodeDoc(&d)
	if enc[len(enc)-1] != 42 {
		t.Fatalf("quality is not the last byte of %q", enc)
	}
	old, err := decodeDoc(enc[:len(enc)-1])
	if err != nil || old.Quality != 0 || old.Title != d.Title || old.Downloads != d.Downloads {
		t.Fatalf("format-1 document = %+v, %v", old, err)
	}
	// A score no encoder writes, or bytes after it, is damage.
	for _, bad := range []string{enc[:len(enc)-1] + "\x65", enc + "\x00"} {
		if _, err := decodeDoc(bad); !errors.Is(err, errCorrupt) {
			t.Errorf("decodeDoc(…%q) error = %v, want errCorrupt", bad[len(bad)-2:], err)
		}
	}
}

// testdata/format1 was written by the engine as it was before quality
// scores (commit 8344e5a, snapshot magic HLJSRCH1) from searchtest.Corpus:
// Upsert ds-001, ds-004, ds-010; Compact (the snapshot); then Upsert
// ds-007 and Delete ds-010 (the journal).
func TestOpenFormat1Index(t *testing.T) {
	ctx := context.Background()
	dir := copyDir(t, filepath.Join("testdata", "format1"))
	if head := readHead(t, dir); head != "HLJSRCH1" {
		t.Fatalf("fixture snapshot starts %q, want the format-1 magic", head)
	}
	e := mustOpen(t, dir)
	defer func() { e.Close() }()

	corpus := map[string]search.Document{}
	for _, d := range searchtest.Corpus() {
		corpus[d.ID] = d
	}
	if n := count(t, e); n != 3 {
		t.Fatalf("format-1 index opened with %d documents, want 3", n)
	}
	for _, id := range []string{"ds-001", "ds-004", "ds-007"} {
		got, err := decodeDoc(e.st.slots[e.st.byID[id]].doc)
		if err != nil {
			t.Fatal(err)
		}
		want := corpus[id]
		want.Quality = 0
		want.UpdatedAt, want.PublishedAt = want.UpdatedAt.UTC(), want.PublishedAt.UTC()
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("%s decoded as\n%+v\nwant\n%+v", id, *got, want)
		}
	}

	check := func(stage string, wantByQuality []string, wantGood []string) {
		t.Helper()
		res, err := e.Search(ctx, search.Query{Sort: search.SortQuality, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(res); !slices.Equal(got, wantByQuality) {
			t.Fatalf("%s: by quality = %v, want %v", stage, got, wantByQuality)
		}
		res, err = e.Search(ctx, search.Query{MinQuality: 50, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(res); !slices.Equal(got, wantGood) || res.Total != len(wantGood) {
			t.Fatalf("%s: quality ≥ 50 = %v (total %d), want %v", stage, got, res.Total, wantGood)
		}
		if got := hitIDs(t, e, "公交"); !slices.Equal(got, []string{"ds-004"}) {
			t.Fatalf("%s: 公交 = %v", stage, got)
		}
	}
	// All scores read as 0: quality order is updated order, nothing passes 50.
	check("format 1", []string{"ds-001", "ds-007", "ds-004"}, nil)

	// A scored upsert lands in the same journal in format 2.
	d := corpus["ds-004"]
	d.Quality = 90
	if err := e.Upsert(ctx, d); err != nil {
		t.Fatal(err)
	}
	after := []string{"ds-004", "ds-001", "ds-007"}
	check("after upsert", after, []string{"ds-004"})

	reopen := func() {
		t.Helper()
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		e = mustOpen(t, dir)
	}
	reopen() // the journal now mixes both forms
	check("reopened", after, []string{"ds-004"})

	if err := e.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if head := readHead(t, dir); head != string(snapshotMagic) {
		t.Fatalf("compacted snapshot starts %q, want %q", head, snapshotMagic)
	}
	reopen()
	check("compacted", after, []string{"ds-004"})
}

func TestUnknownSnapshotVersionIsAnError(t *testing.T) {
	dir := copyDir(t, filepath.Join("testdata", "format1"))
	snap := filepath.Join(dir, snapshotName)
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	// What an older binary meets when it opens a newer index, from our side.
	if err := os.WriteFile(snap, append([]byte("HLJSRCH9"), data[8:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open accepted a snapshot of an unknown version")
	}
}

func readHead(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	return string(data[:min(len(data), len(snapshotMagic))])
}
