package embedded

import (
	"cmp"
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// TestBrowseOrderFollowsWrites checks the presorted orders against a sort
// done by hand while documents are replaced and deleted, past maxPending
// so pending slots are merged into a new base too, with offset and cursor paging.
func TestBrowseOrderFollowsWrites(t *testing.T) {
	ctx := context.Background()
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	docs := syntheticDocs(300)
	live := map[string]search.Document{}
	for _, d := range docs {
		d.Downloads %= 7 // many ties, broken by id
		live[d.ID] = d
	}
	if err := e.Upsert(ctx, slices.Collect(maps.Values(live))...); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	check := func(step int) {
		want := slices.Collect(maps.Values(live))
		slices.SortFunc(want, func(a, b search.Document) int {
			if c := cmp.Compare(b.Downloads, a.Downloads); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		wantIDs := make([]string, len(want))
		for i, d := range want {
			wantIDs[i] = d.ID
		}
		q := search.Query{Sort: search.SortDownloads, Limit: 7, Offset: r.IntN(len(want))}
		res, err := e.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		end := min(q.Offset+q.Limit, len(wantIDs))
		if got := resultIDs(res); !slices.Equal(got, wantIDs[q.Offset:end]) {
			t.Fatalf("step %d offset %d: %v, want %v", step, q.Offset, got, wantIDs[q.Offset:end])
		}
		if (res.Next != "") != (end < len(wantIDs)) {
			t.Fatalf("step %d offset %d: Next %q with %d hits of %d", step, q.Offset, res.Next, end, len(wantIDs))
		}
		if res.Next != "" {
			next, err := e.Search(ctx, search.Query{Sort: search.SortDownloads, Limit: 7, After: res.Next})
			if err != nil {
				t.Fatal(err)
			}
			if got, w := resultIDs(next), wantIDs[end:min(end+7, len(wantIDs))]; !slices.Equal(got, w) {
				t.Fatalf("step %d after offset %d by cursor: %v, want %v", step, q.Offset, got, w)
			}
		}
	}
	for step := range 2 * maxPending {
		d := docs[r.IntN(len(docs))]
		if r.IntN(4) == 0 {
			delete(live, d.ID)
			if err := e.Delete(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		} else {
			d.Downloads = int64(r.IntN(7))
			live[d.ID] = d
			if err := e.Upsert(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if step%16 == 0 {
			check(step)
		}
	}
	check(-1)
}

func resultIDs(res search.Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}
