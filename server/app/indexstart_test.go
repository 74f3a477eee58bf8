package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/server/apptest"
)

// gatedIndex is an index still loading until open is closed (WaitReady
// blocks like the embedded engine's background load).
type gatedIndex struct {
	search.Index
	open chan struct{}
}

func (g *gatedIndex) WaitReady(ctx context.Context) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The server listens before the index has been checked against the
// database; /readyz says it is starting until that check ends, and the
// public list answers meanwhile.
func TestReadyzWhileIndexStarts(t *testing.T) {
	gate := &gatedIndex{open: make(chan struct{})}
	p := apptest.New(t, apptest.Options{Seed: "small", WrapIndex: func(ix search.Index) search.Index {
		gate.Index = ix
		return gate
	}})
	p.EnsureIndexInBackground()
	var body struct {
		Ready  bool           `json:"ready"`
		Checks map[string]any `json:"checks"`
	}
	r := p.Get(t, "/readyz")
	r.JSON(t, &body)
	if r.Status != http.StatusServiceUnavailable || body.Ready {
		t.Fatalf("readyz while the index starts: %d %s", r.Status, r.Body)
	}
	if s, _ := body.Checks["search"].(string); s == "ok" || s == "" {
		t.Errorf("search check while starting: %q", s)
	}
	if l := p.Get(t, "/api/v1/datasets"); l.Status != http.StatusOK {
		t.Errorf("list while the index starts: %d %s", l.Status, l.Body)
	}
	close(gate.open)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r = p.Get(t, "/readyz")
		if r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after the index is ready: %d %s", r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
