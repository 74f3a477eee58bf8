// Package catalogtest holds test helpers for the catalog's users.
package catalogtest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hlj-opendata/portal/search"
)

// CursorIndex wraps an index for tests of the catalog's cursor paging and
// of its database fallback:
//
//   - it pages by cursor (Query.After, Result.Next) over the wrapped
//     index's ordered results, for engines that do not do it themselves
//     yet; an engine that fills Next keeps its own;
//   - SetDown makes every search answer search.ErrUnavailable, as an index
//     that is still opening does.
//
// It remembers the documents it was given, to read their sort keys, so it
// only serves result sets within search.MaxWindow: enough for test corpora.
type CursorIndex struct {
	search.Index
	down atomic.Bool
	mu   sync.Mutex
	docs map[string]search.Document
}

// NewCursorIndex wraps inner; pass it as apptest.Options.WrapIndex.
func NewCursorIndex(inner search.Index) *CursorIndex {
	return &CursorIndex{Index: inner, docs: map[string]search.Document{}}
}

// SetDown makes searches fail with search.ErrUnavailable (true) or pass
// through again (false).
func (x *CursorIndex) SetDown(down bool) { x.down.Store(down) }

func (x *CursorIndex) Upsert(ctx context.Context, docs ...search.Document) error {
	x.mu.Lock()
	for _, d := range docs {
		x.docs[d.ID] = d
	}
	x.mu.Unlock()
	return x.Index.Upsert(ctx, docs...)
}

func (x *CursorIndex) Delete(ctx context.Context, ids ...string) error {
	x.mu.Lock()
	for _, id := range ids {
		delete(x.docs, id)
	}
	x.mu.Unlock()
	return x.Index.Delete(ctx, ids...)
}

func (x *CursorIndex) Rebuild(ctx context.Context, source func(emit func(search.Document) error) error, progress func(n int)) error {
	seen := map[string]search.Document{}
	err := x.Index.Rebuild(ctx, func(emit func(search.Document) error) error {
		return source(func(d search.Document) error {
			seen[d.ID] = d
			return emit(d)
		})
	}, progress)
	if err == nil {
		x.mu.Lock()
		x.docs = seen
		x.mu.Unlock()
	}
	return err
}

func (x *CursorIndex) Health(ctx context.Context) error {
	if x.down.Load() {
		return search.ErrUnavailable
	}
	return x.Index.Health(ctx)
}

func (x *CursorIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	if x.down.Load() {
		return search.Result{}, search.ErrUnavailable
	}
	if err := search.ValidateQuery(q); err != nil {
		return search.Result{}, err
	}
	sort, _ := search.EffectiveSort(q)
	if q.After == "" {
		inner := q
		res, err := x.Index.Search(ctx, inner)
		if err != nil || res.Next != "" || sort == search.SortRelevance || len(res.Hits) == 0 || q.Offset+len(res.Hits) >= res.Total {
			return res, err
		}
		res.Next = x.key(res.Hits[len(res.Hits)-1].ID, sort).Encode()
		return res, nil
	}
	after, _ := search.DecodeCursor(q.After) // ValidateQuery checked it
	// The whole ordered result set, page by page, without the cursor.
	all := q
	all.After, all.Offset, all.Limit = "", 0, search.MaxLimit
	var hits []search.Hit
	var first search.Result
	for {
		res, err := x.Index.Search(ctx, all)
		if err != nil {
			return search.Result{}, err
		}
		if all.Offset == 0 {
			first = res
		}
		hits = append(hits, res.Hits...)
		all.Offset += search.MaxLimit
		if len(res.Hits) < search.MaxLimit || all.Offset+search.MaxLimit > search.MaxWindow {
			break
		}
	}
	start := len(hits)
	for i, h := range hits {
		if less(after, x.key(h.ID, sort)) {
			start = i
			break
		}
	}
	end := min(start+q.Limit, len(hits))
	out := search.Result{Total: first.Total, Facets: first.Facets, Hits: hits[start:end]}
	if end < len(hits) && end > start {
		out.Next = x.key(hits[end-1].ID, sort).Encode()
	}
	return out, nil
}

// key is a document's cursor in a sort, as search.Cursor documents it.
func (x *CursorIndex) key(id, sort string) search.Cursor {
	x.mu.Lock()
	d := x.docs[id]
	x.mu.Unlock()
	nanos := func(t interface{ IsZero() bool }, n int64) int64 {
		if t.IsZero() {
			return 0
		}
		return n
	}
	updated := nanos(d.UpdatedAt, d.UpdatedAt.UnixNano())
	c := search.Cursor{Sort: sort, ID: id}
	switch sort {
	case search.SortPublished:
		c.Ints = []int64{nanos(d.PublishedAt, d.PublishedAt.UnixNano())}
	case search.SortDownloads:
		c.Ints = []int64{d.Downloads}
	case search.SortQuality:
		c.Ints = []int64{int64(search.ClampQuality(d.Quality)), updated}
	case search.SortName:
		c.Str = d.Title
	default:
		c.Ints = []int64{updated}
	}
	return c
}

// less reports whether a sorts before b: integer keys descending, titles
// ascending, then ids ascending.
func less(a, b search.Cursor) bool {
	for i := range a.Ints {
		if a.Ints[i] != b.Ints[i] {
			return a.Ints[i] > b.Ints[i]
		}
	}
	if a.Str != b.Str {
		return a.Str < b.Str
	}
	return a.ID < b.ID
}
