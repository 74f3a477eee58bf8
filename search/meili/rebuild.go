package meili

import (
	"context"
	"fmt"

	"github.com/meilisearch/meilisearch-go"

	"github.com/hlj-opendata/portal/search"
)

// Rebuild fills a fresh index <uid>_rebuild from source, configures it,
// swaps it with the live index (searches keep answering from the old one
// until then) and deletes the old contents. Writes made meanwhile through
// this adapter are replayed onto the new index before other writes resume.
func (a *Adapter) Rebuild(ctx context.Context, source func(emit func(search.Document) error) error, progress func(n int)) error {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	tmp := a.uid + "_rebuild"
	if err := a.dropIndex(ctx, tmp); err != nil { // left over by a failed run
		return err
	}
	if err := a.prepareIndex(ctx, tmp); err != nil {
		return err
	}
	a.startRecording()
	defer a.stopRecording()

	n := 0
	batch := make([]search.Document, 0, upsertBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := a.addDocuments(ctx, tmp, batch); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(n)
		}
		return nil
	}
	err := source(func(d search.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.ID == "" {
			return fmt.Errorf("meili: rebuild: document %d has an empty id", n+len(batch))
		}
		batch = append(batch, d)
		if len(batch) == upsertBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil && n == 0 && progress != nil {
		progress(0)
	}
	if err != nil {
		_ = a.dropIndex(context.WithoutCancel(ctx), tmp)
		return fmt.Errorf("meili: rebuild: %w", err)
	}
	return a.swapIn(ctx, tmp)
}

// swapIn swaps tmp with the live index, replays recorded writes and drops
// the old contents (now under tmp).
func (a *Adapter) swapIn(ctx context.Context, tmp string) error {
	a.swapMu.Lock() // waits for in-flight writes, holds new ones back
	defer a.swapMu.Unlock()
	task, err := a.client.SwapIndexesWithContext(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{a.uid, tmp}}})
	if err := a.wait(ctx, "swap indexes", task, err); err != nil {
		_ = a.dropIndex(context.WithoutCancel(ctx), tmp)
		return err
	}
	for _, c := range a.takeRecording() {
		if c.deletes != nil {
			err = a.deleteDocuments(ctx, a.uid, c.deletes)
		} else {
			err = a.addDocuments(ctx, a.uid, c.upserts)
		}
		if err != nil {
			return fmt.Errorf("meili: rebuild: replaying a write made during the rebuild: %w", err)
		}
	}
	return a.dropIndex(ctx, tmp)
}

// dropIndex deletes uid; a missing index is fine.
func (a *Adapter) dropIndex(ctx context.Context, uid string) error {
	task, err := a.client.DeleteIndexWithContext(ctx, uid)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return wrapErr("delete index", err)
	}
	t, err := a.client.WaitForTaskWithContext(ctx, task.TaskUID, taskPoll)
	if err != nil {
		return wrapErr("delete index", err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded && t.Error.Code != "index_not_found" {
		return fmt.Errorf("meili: delete index %s: %s (%s)", uid, t.Error.Message, t.Error.Code)
	}
	return nil
}

func (a *Adapter) startRecording() {
	a.recMu.Lock()
	a.recording = new([]change)
	a.recMu.Unlock()
}

func (a *Adapter) stopRecording() {
	a.recMu.Lock()
	a.recording = nil
	a.recMu.Unlock()
}

func (a *Adapter) takeRecording() []change {
	a.recMu.Lock()
	defer a.recMu.Unlock()
	if a.recording == nil {
		return nil
	}
	out := *a.recording
	a.recording = nil
	return out
}
