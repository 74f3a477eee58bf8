package embedded

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hlj-opendata/portal/search"
)

// progressEvery is how often Rebuild reports progress, in documents.
const progressEvery = 1000

// Rebuild replaces every document with those source emits. The new index is
// built aside while searches keep using the current one; changes made
// meanwhile through Upsert/Delete are replayed onto it before the swap.
func (e *Engine) Rebuild(ctx context.Context, source func(emit func(search.Document) error) error, progress func(n int)) error {
	if err := e.waitLoaded(ctx); err != nil {
		return err
	}
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	_, live, err := e.startRecording(false)
	if err != nil {
		return err
	}
	defer e.stopRecording()

	st := newState(live)
	st.terms.bulk = true
	n := 0
	var buf []byte
	add := bulkAdder(st)
	err = source(func(d search.Document) error {
		if err := e.buildCancelled(ctx); err != nil {
			return err
		}
		if d.ID == "" {
			return fmt.Errorf("embedded: rebuild: document %d has an empty id", n)
		}
		buf = appendDoc(buf[:0], &d)
		add(e.sharedDoc(d.ID, buf))
		n++
		if progress != nil && n%progressEvery == 0 {
			progress(n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: rebuild: %w", err)
	}
	if progress != nil && n%progressEvery != 0 {
		progress(n)
	}
	st.terms.finishBulk()
	return e.swapIn(ctx, st)
}

// sharedDoc returns the current index's copy of an encoded document when
// it is unchanged, so both indexes share it during a rebuild: most
// documents are, and they are the bulk of the memory.
func (e *Engine) sharedDoc(id string, encoded []byte) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if i, ok := e.st.byID[id]; ok && e.st.slots[i].doc == string(encoded) {
		return e.st.slots[i].doc
	}
	return string(encoded)
}

// Compact rebuilds the in-memory index from the live documents (dropping
// postings of replaced/deleted ones) and rewrites the snapshot, emptying
// the journal. It runs automatically after enough writes.
func (e *Engine) Compact(ctx context.Context) error {
	if err := e.waitLoaded(ctx); err != nil {
		return err
	}
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	docs, _, err := e.startRecording(true)
	if err != nil {
		return err
	}
	defer e.stopRecording()
	st := newState(len(docs))
	st.terms.bulk = true
	add := bulkAdder(st)
	for i, d := range docs {
		if i%progressEvery == 0 {
			if err := e.buildCancelled(ctx); err != nil {
				return err
			}
		}
		add(d) // encoded documents are immutable: share them
	}
	st.terms.finishBulk()
	return e.swapIn(ctx, st)
}

// startRecording begins collecting changes for replay onto the index being
// built, and returns the live document count and, when withDocs, the live
// documents at that instant.
func (e *Engine) startRecording(withDocs bool) ([]string, int, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if e.closed {
		return nil, 0, errClosed
	}
	e.recording = new([]op)
	e.mu.RLock()
	defer e.mu.RUnlock()
	if withDocs {
		return e.st.liveDocs(), e.st.live, nil
	}
	return nil, e.st.live, nil
}

func (e *Engine) stopRecording() {
	e.writeMu.Lock()
	e.recording = nil
	e.writeMu.Unlock()
}

func (e *Engine) buildCancelled(ctx context.Context) error {
	select {
	case <-e.closing:
		return errClosed
	default:
		return ctx.Err()
	}
}

// swapIn persists st as the next generation and makes it current:
//  1. snapshot of st to a temp file (no locks held: can take a while);
//  2. under writeMu: replay recorded changes onto st, start the next
//     journal with them, rename the snapshot into place, swap.
//
// A crash before the rename reopens the old snapshot and journals; after
// it, the new snapshot and the new journal.
func (e *Engine) swapIn(ctx context.Context, st *state) error {
	if err := e.buildCancelled(ctx); err != nil {
		return err
	}
	e.writeMu.Lock()
	gen := e.journal.gen + 1 // only the rebuildMu holder changes it
	e.writeMu.Unlock()
	st.warmOrders(sortOrders...) // st is still private: no lock, no search waits
	if err := writeStateTemp(e.dir, gen, st); err != nil {
		return err
	}

	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	abort := func(err error) error {
		os.Remove(filepath.Join(e.dir, snapshotTemp))
		os.Remove(journalPath(e.dir, gen))
		return err
	}
	if e.closed {
		return abort(errClosed)
	}
	ops := *e.recording
	payloads := make([][]byte, len(ops))
	for i, o := range ops {
		st.apply(o)
		payloads[i] = encodeOp(o)
	}
	j, err := openJournal(e.dir, gen)
	if err != nil {
		return abort(err)
	}
	if len(payloads) > 0 {
		if err := j.append(payloads...); err != nil {
			j.close()
			return abort(err)
		}
	}
	if err := os.Rename(filepath.Join(e.dir, snapshotTemp), filepath.Join(e.dir, snapshotName)); err != nil {
		j.close()
		return abort(fmt.Errorf("embedded: commit snapshot: %w", err))
	}
	// The rename is done; a failed directory sync only risks the rename
	// being lost in a crash, which reopens the previous, complete state.
	_ = syncDir(e.dir)

	old := e.journal
	e.journal = j
	e.mu.Lock()
	e.st = st
	e.mu.Unlock()
	old.close()
	removeJournalsBefore(e.dir, gen)
	go releaseMemory() // the old index is garbage now; don't make the caller wait
	return nil
}
