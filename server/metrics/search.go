package metrics

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// TimedIndex wraps a search index so every query is timed into
// SearchDuration. Other methods pass through unchanged.
func TimedIndex(idx search.Index) search.Index { return timedIndex{idx} }

type timedIndex struct{ search.Index }

func (t timedIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	start := time.Now()
	res, err := t.Index.Search(ctx, q)
	ObserveSearch(time.Since(start), err)
	return res, err
}
