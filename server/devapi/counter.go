package devapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
)

// Counter keeps the per-dataset download and API-call counts. Only
// numbers are kept: nothing about the visitor (address, agent, account)
// is stored for unconditional data.
//
// A download adds one to datasets.downloads at once (the number is shown
// on the page). API calls are many and small: they are summed in memory
// and added every Interval; the additive UPDATE is safe with several
// replicas, each flushing its own deltas. Datasets whose counts changed
// get a "dataset" outbox event at flush time, so the search index (sort
// by downloads, "most downloaded") follows within one interval.
type Counter struct {
	DB       *gorm.DB
	Log      *slog.Logger
	Now      func() time.Time
	Interval time.Duration // default 30s

	mu      sync.Mutex
	calls   map[string]int64
	touched map[string]bool
}

// Download counts one download of a dataset.
func (c *Counter) Download(ctx context.Context, datasetID string) {
	if c == nil {
		return
	}
	err := c.DB.WithContext(context.WithoutCancel(ctx)).Model(&catalog.Dataset{}).Where("id = ?", datasetID).
		UpdateColumn("downloads", gorm.Expr("downloads + 1")).Error
	if err != nil {
		c.Log.Warn("count download", "err", err, "dataset", datasetID)
		return
	}
	c.mu.Lock()
	c.touch(datasetID)
	c.mu.Unlock()
}

// APICall counts one row-API call on a dataset (added at the next flush).
func (c *Counter) APICall(datasetID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int64{}
	}
	c.calls[datasetID]++
	c.touch(datasetID)
	c.mu.Unlock()
}

func (c *Counter) touch(id string) {
	if c.touched == nil {
		c.touched = map[string]bool{}
	}
	c.touched[id] = true
}

// Flush writes the pending API-call counts and asks the index to refresh
// the datasets whose counts changed.
func (c *Counter) Flush(ctx context.Context) error {
	c.mu.Lock()
	calls, touched := c.calls, c.touched
	c.calls, c.touched = nil, nil
	c.mu.Unlock()
	if len(calls) == 0 && len(touched) == 0 {
		return nil
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	err := c.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for id, n := range calls {
			if err := tx.Model(&catalog.Dataset{}).Where("id = ?", id).UpdateColumn("api_calls", gorm.Expr("api_calls + ?", n)).Error; err != nil {
				return err
			}
		}
		return outbox.Enqueue(tx, c.Now().UTC(), "dataset", ids...)
	})
	if err != nil {
		// Put the counts back so the next flush retries them.
		c.mu.Lock()
		for id, n := range calls {
			if c.calls == nil {
				c.calls = map[string]int64{}
			}
			c.calls[id] += n
		}
		for _, id := range ids {
			c.touch(id)
		}
		c.mu.Unlock()
	}
	return err
}

// Run flushes every Interval until ctx ends, then once more.
func (c *Counter) Run(ctx context.Context) {
	iv := c.Interval
	if iv <= 0 {
		iv = 30 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := c.Flush(fctx); err != nil {
				c.Log.Warn("flush counts at shutdown", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := c.Flush(ctx); err != nil {
				c.Log.Warn("flush counts", "err", err)
			}
		}
	}
}
