package embedded

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

// TestOpenAsync: while the index loads, reads say ErrUnavailable, Health
// fails and writes wait; once loaded, everything answers and the write made
// meanwhile is there.
func TestOpenAsync(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := mustOpen(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus()...); err != nil {
		t.Fatal(err)
	}
	if err := e.Compact(ctx); err != nil { // write a snapshot
		t.Fatal(err)
	}
	e.Close()

	gate := make(chan struct{})
	asyncOpenMinBytes, loadStarting = 0, func() { <-gate }
	t.Cleanup(func() { asyncOpenMinBytes, loadStarting = 8<<20, nil })
	e, err := OpenAsync(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	if _, err := e.Search(ctx, search.Query{Text: "企业", Limit: 10}); !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("Search while loading: %v, want ErrUnavailable", err)
	}
	if _, err := e.Count(ctx); !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("Count while loading: %v, want ErrUnavailable", err)
	}
	if err := e.Health(ctx); err == nil {
		t.Fatal("Health is nil while loading")
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := e.WaitReady(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitReady while loading = %v, want the context's deadline", err)
	}
	d := searchtest.Corpus()[0]
	d.ID, d.Title = "ds-new", "新增企业名录"
	written := make(chan error, 1)
	go func() { written <- e.Upsert(ctx, d) }()
	select {
	case err := <-written:
		t.Fatalf("Upsert returned (%v) before the load ended", err)
	case <-time.After(50 * time.Millisecond):
	}

	close(gate)
	if err := e.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if err := <-written; err != nil {
		t.Fatalf("Upsert queued during the load: %v", err)
	}
	if err := e.Health(ctx); err != nil {
		t.Fatalf("Health after load: %v", err)
	}
	if n := count(t, e); n != len(searchtest.Corpus())+1 {
		t.Fatalf("Count = %d, want %d", n, len(searchtest.Corpus())+1)
	}
	if got := hitIDs(t, e, "新增企业"); !slices.Contains(got, "ds-new") {
		t.Fatalf("document written during the load not found: %v", got)
	}
}

// TestOpenAsyncFailedLoad: a damaged snapshot leaves the engine
// unavailable with the reason, and writes fail instead of hanging.
func TestOpenAsyncFailedLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, snapshotName), []byte("not a snapshot at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	asyncOpenMinBytes = 0
	t.Cleanup(func() { asyncOpenMinBytes = 8 << 20 })
	e, err := OpenAsync(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.WaitReady(ctx); err == nil {
		t.Fatal("WaitReady is nil for a damaged snapshot")
	}
	if _, err := e.Search(ctx, search.Query{Limit: 1}); !errors.Is(err, search.ErrUnavailable) {
		t.Fatalf("Search after a failed load: %v", err)
	}
	if err := e.Upsert(ctx, searchtest.Corpus()[0]); err == nil {
		t.Fatal("Upsert succeeded after a failed load")
	}
}

// TestOpenAsyncSmallIndexIsReady: below the threshold the load is done
// before OpenAsync returns.
func TestOpenAsyncSmallIndexIsReady(t *testing.T) {
	e, err := OpenAsync(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Health(context.Background()); err != nil {
		t.Fatalf("Health of a new small index: %v", err)
	}
}
