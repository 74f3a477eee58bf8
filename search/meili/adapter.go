// Package meili is the search.Index adapter for a Meilisearch server, for
// deployments that run one instead of the embedded engine.
//
// Every write waits for its Meilisearch task to succeed, so a nil error
// means the change is searchable. Facet counts are disjunctive: one
// multi-search carries the hits query plus one query per filtered facet
// field with that field's own filter left out.
package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/hlj-opendata/portal/search"
)

// taskPoll is how often task status is polled while waiting.
const taskPoll = 50 * time.Millisecond

// upsertBatch bounds the documents sent per request.
const upsertBatch = 2000

// Adapter is a search.Index backed by one Meilisearch index.
type Adapter struct {
	client meilisearch.ServiceManager
	uid    string

	// swapMu lets writes run together (read lock) but not across the
	// swap of a Rebuild, which replays them onto the new index.
	swapMu    sync.RWMutex
	recMu     sync.Mutex
	recording *[]change // writes made while Rebuild fills the new index
	rebuildMu sync.Mutex
}

// change is one Upsert or Delete call, recorded for replay after a swap.
type change struct {
	upserts []search.Document
	deletes []string
}

var _ search.Index = (*Adapter)(nil)

// KeyActions are the API key actions the adapter needs, on the indexes
// <index> and <index>_rebuild (Rebuild fills the second and swaps them).
var KeyActions = []string{"search", "documents.*", "indexes.*", "settings.*", "tasks.get", "stats.get"}

// Open connects to Meilisearch at url, refuses a key that can manage API
// keys (the master key), creates the index indexUID when it is missing
// (primary key "id") and applies the settings, waiting for each task to
// finish.
func Open(ctx context.Context, url, apiKey, indexUID string) (*Adapter, error) {
	var opts []meilisearch.Option
	if apiKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(apiKey))
	}
	a := &Adapter{client: meilisearch.New(url, opts...), uid: indexUID}
	if err := a.refuseKeyManager(ctx); err != nil {
		a.client.Close()
		return nil, err
	}
	if err := a.prepareIndex(ctx, indexUID); err != nil {
		a.client.Close()
		return nil, err
	}
	return a, nil
}

// ErrKeyManager means the key given to the adapter can manage API keys:
// it is the master key (or a key with keys.* actions), which would let
// anyone who reads the portal's environment take over Meilisearch.
var ErrKeyManager = errors.New("the Meilisearch key can manage API keys")

// refuseKeyManager asks for the list of API keys, which only the master
// key and keys with keys.get may read: 200 means the key is too powerful.
// 401/403 is the expected answer (401 missing_master_key also comes from
// an instance without a master key, which has no keys to protect).
func (a *Adapter) refuseKeyManager(ctx context.Context) error {
	_, err := a.client.GetKeysWithContext(ctx, &meilisearch.KeysQuery{Limit: 1})
	if err == nil {
		return fmt.Errorf("meili: %w (it is the master key, or a key with keys.* actions): "+
			"give the portal a key of its own in PORTAL_MEILI_KEY, created with the master key: "+
			`curl -X POST "$MEILI_URL/keys" -H "Authorization: Bearer $MEILI_MASTER_KEY" -H "Content-Type: application/json" `+
			`--data '{"name":"portal","actions":%s,"indexes":["%s","%s_rebuild"],"expiresAt":null}' `+
			"and use the \"key\" of the answer (see the README, Meilisearch)", ErrKeyManager, jsonList(KeyActions), a.uid, a.uid)
	}
	var me *meilisearch.Error
	if errors.As(err, &me) && (me.StatusCode == http.StatusUnauthorized || me.StatusCode == http.StatusForbidden) {
		return nil
	}
	return wrapErr("check the API key", err)
}

func jsonList(list []string) string {
	b, _ := json.Marshal(list)
	return string(b)
}

// prepareIndex creates uid if needed and applies indexSettings.
func (a *Adapter) prepareIndex(ctx context.Context, uid string) error {
	if _, err := a.client.GetIndexWithContext(ctx, uid); err != nil {
		if !isNotFound(err) {
			return wrapErr("get index", err)
		}
		task, err := a.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
		if err := a.wait(ctx, "create index", task, err); err != nil {
			return err
		}
	}
	task, err := a.client.Index(uid).UpdateSettingsWithContext(ctx, indexSettings())
	return a.wait(ctx, "update settings", task, err)
}

// wait waits for an enqueued task and turns a failed task into an error.
func (a *Adapter) wait(ctx context.Context, op string, info *meilisearch.TaskInfo, err error) error {
	if err != nil {
		return wrapErr(op, err)
	}
	task, err := a.client.WaitForTaskWithContext(ctx, info.TaskUID, taskPoll)
	if err != nil {
		return wrapErr(op, err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meili: %s: task %d %s: %s (%s)", op, info.TaskUID, task.Status, task.Error.Message, task.Error.Code)
	}
	return nil
}

// Upsert adds or replaces documents and waits until they are indexed.
func (a *Adapter) Upsert(ctx context.Context, docs ...search.Document) error {
	for i := range docs {
		if docs[i].ID == "" {
			return fmt.Errorf("meili: document %d has an empty id", i)
		}
	}
	if len(docs) == 0 {
		return nil
	}
	a.swapMu.RLock()
	defer a.swapMu.RUnlock()
	if err := a.addDocuments(ctx, a.uid, docs); err != nil {
		return err
	}
	a.record(change{upserts: slices.Clone(docs)})
	return nil
}

func (a *Adapter) addDocuments(ctx context.Context, uid string, docs []search.Document) error {
	pk := "id"
	for start := 0; start < len(docs); start += upsertBatch {
		batch := docs[start:min(start+upsertBatch, len(docs))]
		body := make([]document, len(batch))
		for i := range batch {
			body[i] = toDocument(&batch[i])
		}
		task, err := a.client.Index(uid).AddDocumentsWithContext(ctx, body, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err := a.wait(ctx, "add documents", task, err); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes documents by id and waits until they are gone.
func (a *Adapter) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	a.swapMu.RLock()
	defer a.swapMu.RUnlock()
	if err := a.deleteDocuments(ctx, a.uid, ids); err != nil {
		return err
	}
	a.record(change{deletes: slices.Clone(ids)})
	return nil
}

func (a *Adapter) deleteDocuments(ctx context.Context, uid string, ids []string) error {
	task, err := a.client.Index(uid).DeleteDocumentsWithContext(ctx, ids, nil)
	return a.wait(ctx, "delete documents", task, err)
}

func (a *Adapter) record(c change) {
	a.recMu.Lock()
	defer a.recMu.Unlock()
	if a.recording != nil {
		*a.recording = append(*a.recording, c)
	}
}

// Count returns the number of documents in the index.
func (a *Adapter) Count(ctx context.Context) (int, error) {
	stats, err := a.client.Index(a.uid).GetStatsWithContext(ctx, nil)
	if err != nil {
		return 0, wrapErr("stats", err)
	}
	return int(stats.NumberOfDocuments), nil
}

// Health returns nil when Meilisearch reports itself available.
func (a *Adapter) Health(ctx context.Context) error {
	h, err := a.client.HealthWithContext(ctx)
	if err != nil {
		return wrapErr("health", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health status %q: %w", h.Status, search.ErrUnavailable)
	}
	return nil
}

// Close releases the HTTP client.
func (a *Adapter) Close() error {
	a.client.Close()
	return nil
}

// wrapErr maps errors reaching Meilisearch (connection refused, timeouts,
// 5xx after retries) to search.ErrUnavailable; others keep their message.
func wrapErr(op string, err error) error {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		if errors.Is(me.OriginError, context.Canceled) || errors.Is(me.OriginError, context.DeadlineExceeded) {
			return fmt.Errorf("meili: %s: %w", op, me.OriginError)
		}
		switch {
		case me.ErrCode == meilisearch.MeilisearchCommunicationError,
			me.ErrCode == meilisearch.MeilisearchTimeoutError,
			me.ErrCode == meilisearch.MeilisearchMaxRetriesExceeded,
			me.StatusCode >= http.StatusInternalServerError:
			return fmt.Errorf("meili: %s: %w: %v", op, search.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("meili: %s: %w", op, err)
}

func isNotFound(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.StatusCode == http.StatusNotFound
}
