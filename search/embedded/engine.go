package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// Compaction thresholds: rewrite the snapshot once the journal is this big,
// or rebuild the in-memory index once this share of slots is dead.
const (
	compactJournalBytes = 64 << 20
	compactDeadMin      = 1000
	compactDeadRatio    = 0.25
)

var errClosed = fmt.Errorf("embedded: engine closed: %w", search.ErrUnavailable)

// Engine is the embedded search index. It is safe for concurrent use:
// searches run in parallel; writes are serialized.
type Engine struct {
	dir string

	mu sync.RWMutex // guards st for searches vs. in-memory changes
	st *state

	// writeMu serializes writers so journal order equals apply order, and
	// keeps fsync out of mu so searches never wait for the disk.
	writeMu   sync.Mutex
	journal   *journal
	recording *[]op // changes made while a new index is being built aside
	closed    bool

	rebuildMu sync.Mutex    // one Rebuild or compaction at a time
	closing   chan struct{} // closed by Close to stop a build in progress
	bg        sync.WaitGroup
	bgRunning bool // guarded by writeMu

	// ready is closed once the index is loaded (at once by Open; by the
	// background load of OpenAsync), after st, journal and loadErr are set.
	ready   chan struct{}
	loadErr error
}

var _ search.Index = (*Engine)(nil)

// Open loads (or creates) the index kept under dir.
func Open(dir string) (*Engine, error) {
	st, j, err := load(dir)
	if err != nil {
		return nil, err
	}
	e := newEngine(dir)
	e.st, e.journal = st, j
	close(e.ready)
	e.warmInBackground()
	return e, nil
}

// warmInBackground builds the presorted orders of a freshly opened index
// one sort at a time under the read lock, so browsing never waits for a
// full sort and writers wait at most for one.
func (e *Engine) warmInBackground() {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		for _, sortBy := range sortOrders {
			select {
			case <-e.closing:
				return
			default:
			}
			e.mu.RLock()
			if e.st != nil {
				e.st.warmOrders(sortBy)
			}
			e.mu.RUnlock()
		}
	}()
}

func newEngine(dir string) *Engine {
	return &Engine{dir: dir, closing: make(chan struct{}), ready: make(chan struct{})}
}

// asyncOpenMinBytes: OpenAsync loads snapshots smaller than this at once,
// since they open in milliseconds (a variable for tests).
var asyncOpenMinBytes int64 = 8 << 20

// loadStarting, when set (tests only), runs before a background load.
var loadStarting func()

// OpenAsync returns at once and loads a large index in the background, so
// a server can start and serve from its database meanwhile. While loading,
// Search and Count return an error wrapping search.ErrUnavailable and
// Health an error; Upsert, Delete, Rebuild and Compact block until the
// load ends (their callers, the outbox and reindex, wait anyway), then
// proceed or return the load error. WaitReady waits for the load.
func OpenAsync(dir string, log *slog.Logger) (*Engine, error) {
	fi, err := os.Stat(filepath.Join(dir, snapshotName))
	if err != nil || fi.Size() < asyncOpenMinBytes {
		return Open(dir) // no snapshot yet (or an error Open reports), or a small one
	}
	e := newEngine(dir)
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		if loadStarting != nil {
			loadStarting()
		}
		start := time.Now()
		st, j, err := load(dir)
		if err != nil {
			log.Error("search index failed to load", "dir", dir, "err", err)
		} else {
			log.Info("search index loaded", "dir", dir, "documents", st.live, "took", time.Since(start).Round(time.Millisecond))
		}
		e.mu.Lock()
		e.st, e.journal, e.loadErr = st, j, err
		e.mu.Unlock()
		close(e.ready) // writers waiting in waitLoaded go on
		if err == nil {
			e.warmInBackground()
		}
	}()
	return e, nil
}

// WaitReady waits until the index is loaded; it returns the load error, or
// ctx's error if ctx ends first.
func (e *Engine) WaitReady(ctx context.Context) error {
	select {
	case <-e.ready:
		return e.loadErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unavailable says why there is no index to search (caller holds mu).
func (e *Engine) unavailable() error {
	select {
	case <-e.ready:
	default:
		return errLoading
	}
	if e.loadErr != nil {
		return fmt.Errorf("embedded: index failed to load (%v): %w", e.loadErr, search.ErrUnavailable)
	}
	return errClosed
}

var errLoading = fmt.Errorf("embedded: index still loading: %w", search.ErrUnavailable)

// loadIndex reads the snapshot: a format-3 one is mapped and used as
// stored; an older one (a document list) is indexed document by document,
// and becomes format 3 at the next compaction or rebuild.
func loadIndex(dir string) (*state, uint64, error) {
	f, err := os.Open(filepath.Join(dir, snapshotName))
	if err == nil {
		defer f.Close() // the mapping outlives the descriptor
		if bytes.Equal(readMagic(f), snapshotMagic) {
			st, gen, err := loadState3(f)
			if err != nil {
				return nil, 0, fmt.Errorf("embedded: snapshot %s is damaged (%v); remove the directory and rebuild", f.Name(), err)
			}
			return st, gen, nil
		}
	}
	st := newState(0)
	st.terms.bulk = true
	gen, err := loadSnapshot(dir, bulkAdder(st))
	if err != nil {
		return nil, 0, err
	}
	st.terms.finishBulk()
	return st, gen, nil
}

// load reads the snapshot and replays the journals after it.
func load(dir string) (*state, *journal, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	os.Remove(filepath.Join(dir, snapshotTemp)) // left by a crash mid-compaction

	st, gen, err := loadIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	gens, err := listJournals(dir)
	if err != nil {
		return nil, nil, err
	}
	active := gen
	for _, g := range gens {
		if g < gen {
			continue // already in the snapshot
		}
		if err := replayJournal(journalPath(dir, g), st.apply); err != nil {
			return nil, nil, err
		}
		active = g
	}
	j, err := openJournal(dir, active)
	if err != nil {
		return nil, nil, err
	}
	removeJournalsBefore(dir, gen)
	releaseMemory()
	return st, j, nil
}

// releaseMemory returns the garbage of a bulk load (decoded documents,
// outgrown posting buffers, a replaced index) to the OS right away instead
// of leaving the process RSS at its peak. Only called after bulk work.
func releaseMemory() { debug.FreeOSMemory() }

// bulkGCEvery: during a bulk load, collect every this many documents. A
// build makes garbage fast (outgrown buffers, decoded documents) while the
// old index is still live; left to the default pacing the heap would grow
// to twice old+new before the first collection. A collection every 10k
// documents keeps the peak near the live size for a few percent more time.
const bulkGCEvery = 10_000

// bulkAdder indexes documents into st, collecting garbage periodically.
func bulkAdder(st *state) func(doc string) {
	n := 0
	return func(doc string) {
		st.upsert(doc)
		if n++; n%bulkGCEvery == 0 {
			runtime.GC()
		}
	}
}

func (s *state) apply(o op) {
	for _, d := range o.upserts {
		s.upsert(d)
	}
	for _, id := range o.deletes {
		s.delete(id)
	}
}

// Upsert adds or replaces documents; when it returns nil they are durable.
func (e *Engine) Upsert(ctx context.Context, docs ...search.Document) error {
	if len(docs) == 0 {
		return ctx.Err()
	}
	o := op{upserts: make([]string, len(docs))}
	for i := range docs {
		if docs[i].ID == "" {
			return fmt.Errorf("embedded: document %d has an empty id", i)
		}
		o.upserts[i] = encodeDoc(&docs[i])
	}
	return e.write(ctx, o)
}

// Delete removes documents by id; unknown ids are ignored.
func (e *Engine) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return ctx.Err()
	}
	return e.write(ctx, op{deletes: append([]string{}, ids...)})
}

func (e *Engine) write(ctx context.Context, o op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	payload := encodeOp(o)
	if err := e.waitLoaded(ctx); err != nil {
		return err
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if e.closed {
		return errClosed
	}
	if err := e.journal.append(payload); err != nil {
		return err
	}
	if e.recording != nil {
		*e.recording = append(*e.recording, o)
	}
	e.mu.Lock()
	e.st.apply(o)
	dead, slots := e.st.dead(), len(e.st.slots)
	e.mu.Unlock()
	if !e.bgRunning && (e.journal.size > compactJournalBytes ||
		dead > compactDeadMin && float64(dead) > compactDeadRatio*float64(slots)) {
		e.bgRunning = true
		e.bg.Add(1)
		go e.compactInBackground()
	}
	return nil
}

// waitLoaded blocks writers until a background load ends.
func (e *Engine) waitLoaded(ctx context.Context) error {
	select {
	case <-e.ready:
		if e.loadErr != nil {
			return fmt.Errorf("embedded: index failed to load: %w", e.loadErr)
		}
		return nil
	case <-e.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) compactInBackground() {
	defer e.bg.Done()
	// A failed compaction leaves the current files in place; the next
	// write past the threshold tries again.
	_ = e.Compact(context.Background())
	e.writeMu.Lock()
	e.bgRunning = false
	e.writeMu.Unlock()
}

// Search runs q against the current index.
func (e *Engine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	if err := search.ValidateQuery(q); err != nil {
		return search.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return search.Result{}, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.st == nil {
		return search.Result{}, e.unavailable()
	}
	return e.st.search(q), nil
}

// Count returns the number of documents.
func (e *Engine) Count(ctx context.Context) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.st == nil {
		return 0, e.unavailable()
	}
	return e.st.live, nil
}

// Health returns nil while the engine is open and loaded.
func (e *Engine) Health(ctx context.Context) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.st == nil {
		return e.unavailable()
	}
	return nil
}

// Close waits for a background compaction and releases the files.
func (e *Engine) Close() error {
	e.writeMu.Lock()
	if e.closed {
		e.writeMu.Unlock()
		return nil
	}
	e.closed = true
	close(e.closing)
	e.writeMu.Unlock()
	e.bg.Wait() // a compaction, or a background load
	if e.journal == nil {
		return nil // the load failed: nothing is open
	}
	e.rebuildMu.Lock() // let a running Rebuild finish its swap first
	defer e.rebuildMu.Unlock()
	e.mu.Lock()
	e.st = nil
	e.mu.Unlock()
	return errors.Join(e.journal.close())
}
