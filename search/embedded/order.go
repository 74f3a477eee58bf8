package embedded

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hlj-opendata/portal/search"
)

// maxPending: slots added since a presorted order was built are kept aside
// and merged in while walking; past this many the next search merges them
// into a new base, dropping dead slots: linear, never a full sort again.
const maxPending = 1024

// sortOrders are the sorts with a presorted order.
var sortOrders = []string{search.SortUpdated, search.SortPublished, search.SortDownloads, search.SortQuality, search.SortName}

// presorted is one sort's slot order: base was sorted when built (it may
// hold slots that died since; their keys stay, so it stays sorted), and
// pending lists slots added afterwards.
type presorted struct {
	base    []uint32
	built   uint32 // slot count when base was built
	clean   bool   // no slot of base has died since: base[k] is the k-th live slot
	pending []uint32
	sorted  []uint32 // pending, sorted; nil when stale
}

// orderCache holds what browsing without query text needs per index
// generation: presorted orders and the unfiltered facet counts. Writers
// update it under the engine's write lock; searches, which run in
// parallel under the read lock, build missing parts under mu.
type orderCache struct {
	mu     sync.Mutex
	orders map[string]*presorted
	facets [][]int32 // per facet field, over every live slot; nil when stale
}

// added records a new slot; a write also stales the facet totals.
func (c *orderCache) added(slot uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.orders {
		o.pending = append(o.pending, slot)
		o.sorted = nil
	}
	c.facets = nil
}

func (c *orderCache) removed(slot uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.orders {
		if slot < o.built {
			o.clean = false
		}
	}
	c.facets = nil
}

// order returns sortBy's presorted base and its sorted pending slots,
// building them if needed. Both are read-only for the caller.
func (s *state) order(sortBy string, less func(a, b uint32) bool) (base, pending []uint32, clean bool) {
	c := &s.orders
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orders == nil {
		c.orders = map[string]*presorted{}
	}
	cmp := func(a, b uint32) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	}
	o := c.orders[sortBy]
	if o == nil {
		base := make([]uint32, 0, s.live)
		for i, alive := range s.keys.alive {
			if alive {
				base = append(base, uint32(i))
			}
		}
		slices.SortFunc(base, cmp)
		o = &presorted{base: base, built: uint32(len(s.slots)), clean: true}
		c.orders[sortBy] = o
	}
	if o.sorted == nil {
		o.sorted = slices.Clone(o.pending)
		slices.SortFunc(o.sorted, cmp)
	}
	if len(o.sorted) > maxPending {
		o = &presorted{base: s.mergeOrder(o.base, o.sorted, less), built: uint32(len(s.slots)), clean: true}
		c.orders[sortBy] = o
	}
	return o.base, o.sorted, o.clean
}

// mergeOrder merges two sorted slot lists into a new one of live slots.
func (s *state) mergeOrder(base, pending []uint32, less func(a, b uint32) bool) []uint32 {
	out := make([]uint32, 0, s.live)
	alive := s.keys.alive
	i, j := 0, 0
	for i < len(base) || j < len(pending) {
		var sl uint32
		if j >= len(pending) || i < len(base) && less(base[i], pending[j]) {
			sl, i = base[i], i+1
		} else {
			sl, j = pending[j], j+1
		}
		if alive[sl] {
			out = append(out, sl)
		}
	}
	return out
}

// warmOrders builds every presorted order now, so no search pays for the
// first sort (about a second at a million documents). Callers either own
// s (a state being built aside) or hold the engine's read lock.
func (s *state) warmOrders(sorts ...string) {
	for _, sortBy := range sorts {
		s.order(sortBy, s.slotLess(sortBy))
	}
}

// facetTotals returns the facet counts over every live slot for field fi,
// computed once per change.
func (s *state) facetTotals(fi int) []int32 {
	c := &s.orders
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.facets == nil {
		c.facets = make([][]int32, numFacetFields)
	}
	if c.facets[fi] == nil {
		counts := make([]int32, len(s.facets[fi].values))
		for i, alive := range s.keys.alive {
			if alive {
				s.facets[fi].count(uint32(i), counts)
			}
		}
		c.facets[fi] = counts
	}
	return c.facets[fi]
}

// slotLess orders slots for a sort, as better orders candidates.
func (s *state) slotLess(sortBy string) func(a, b uint32) bool {
	better := s.better(sortBy)
	return func(a, b uint32) bool { return better(candidate{slot: a}, candidate{slot: b}) }
}

// afterCursor returns whether a slot sorts strictly after c in sortBy
// order (ties by id ascending); nil without a cursor.
func (s *state) afterCursor(sortBy string, c *search.Cursor) func(slot uint32) bool {
	if c == nil {
		return nil
	}
	byInt := func(key []int64) func(uint32) bool {
		v := c.Ints[0]
		return func(slot uint32) bool {
			if k := key[slot]; k != v {
				return k < v // descending
			}
			return s.slots[slot].id > c.ID
		}
	}
	switch sortBy {
	case search.SortPublished:
		return byInt(s.keys.published)
	case search.SortDownloads:
		return byInt(s.keys.downloads)
	case search.SortQuality:
		return func(slot uint32) bool {
			if q := int64(s.keys.quality[slot]); q != c.Ints[0] {
				return q < c.Ints[0]
			}
			if u := s.keys.updated[slot]; u != c.Ints[1] {
				return u < c.Ints[1]
			}
			return s.slots[slot].id > c.ID
		}
	case search.SortName:
		return func(slot uint32) bool {
			if cmp := strings.Compare(s.slots[slot].title, c.Str); cmp != 0 {
				return cmp > 0
			}
			return s.slots[slot].id > c.ID
		}
	default:
		return byInt(s.keys.updated)
	}
}

// cursorOf is the cursor just after slot in sortBy order.
func (s *state) cursorOf(sortBy string, slot uint32) search.Cursor {
	c := search.Cursor{Sort: sortBy, ID: s.slots[slot].id}
	switch sortBy {
	case search.SortPublished:
		c.Ints = []int64{s.keys.published[slot]}
	case search.SortDownloads:
		c.Ints = []int64{s.keys.downloads[slot]}
	case search.SortQuality:
		c.Ints = []int64{int64(s.keys.quality[slot]), s.keys.updated[slot]}
	case search.SortName:
		c.Str = s.slots[slot].title
	default:
		c.Ints = []int64{s.keys.updated[slot]}
	}
	return c
}

// walkOrder visits live slots in sortBy order, starting after the cursor
// (binary search: the presorted order makes a cursor page cost a page),
// until visit returns false. It merges the base order with the pending one.
// When every live slot qualifies (allLive) and the order has no dead or
// pending slots, the *skip slots the caller would pass over are skipped by
// index before the walk, and *skip is reduced by as many.
func (s *state) walkOrder(sortBy string, after func(uint32) bool, allLive bool, skip *int, visit func(slot uint32) bool) {
	less := s.slotLess(sortBy)
	base, pending, clean := s.order(sortBy, less)
	i, j := 0, 0
	if after != nil {
		i = sort.Search(len(base), func(k int) bool { return after(base[k]) })
		j = sort.Search(len(pending), func(k int) bool { return after(pending[k]) })
	}
	if allLive && clean && len(pending) == 0 {
		n := min(*skip, len(base)-i)
		i, *skip = i+n, *skip-n
	}
	alive := s.keys.alive
	for i < len(base) || j < len(pending) {
		var sl uint32
		if j >= len(pending) || i < len(base) && less(base[i], pending[j]) {
			sl, i = base[i], i+1
		} else {
			sl, j = pending[j], j+1
		}
		if alive[sl] && !visit(sl) {
			return
		}
	}
}
