package meili

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/searchtest"
)

var liveIndexSeq atomic.Int64

// TestConformanceLive runs the shared suite against a real Meilisearch.
// Set PORTAL_TEST_MEILI_URL (and PORTAL_TEST_MEILI_KEY if it needs one:
// not the master key, which Open refuses, but a key with KeyActions on
// indexes ["*"], since each run makes indexes of its own).
func TestConformanceLive(t *testing.T) {
	url := os.Getenv("PORTAL_TEST_MEILI_URL")
	if url == "" {
		t.Skip("PORTAL_TEST_MEILI_URL not set: skipping the live Meilisearch conformance run (request tests still run)")
	}
	key := os.Getenv("PORTAL_TEST_MEILI_KEY")
	prefix := fmt.Sprintf("portal_test_%d", time.Now().UnixNano())
	searchtest.Run(t, func(t *testing.T) search.Index {
		ctx := context.Background()
		uid := fmt.Sprintf("%s_%d", prefix, liveIndexSeq.Add(1))
		a, err := Open(ctx, url, key, uid)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			_ = a.dropIndex(context.Background(), uid)
			_ = a.dropIndex(context.Background(), uid+"_rebuild")
		})
		return a
	})
}
