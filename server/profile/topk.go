package profile

import (
	"cmp"
	"slices"
)

// frequent finds the most frequent values of a stream in k counters: the
// Misra–Gries summary, purged by the median count as the Apache
// DataSketches frequent-items sketch does, so that a purge frees at least
// half the counters and costs O(1) amortised per value. A count is a
// lower bound of the value's true count (true ≤ count + offset), and
// every value more frequent than about 2n/k keeps a counter.
type frequent struct {
	k       int
	table   hashTable // value hash → items index
	items   []mgItem  // items[len:cap] keep their value buffers for reuse
	offset  int64
	scratch []int64
}

type mgItem struct {
	hash  uint64
	count int64
	// val is the value, clipped to keepBytes; copied only when the value
	// comes again, which spares the copy for the many values seen once.
	val    []byte
	hasVal bool
}

func newFrequent(k int) frequent {
	return frequent{k: k, table: newHashTable(), items: make([]mgItem, 0, k)}
}

// seed adds a value with a known count (from the exact phase).
func (f *frequent) seed(h uint64, v string, count int64) {
	slot, found := f.table.find(h)
	if found {
		f.items[f.table.get(slot)].count += count
		return
	}
	if len(f.items) == f.k {
		f.purge()
		slot, _ = f.table.find(h)
	}
	i := len(f.items)
	f.items = f.items[:i+1]
	it := &f.items[i]
	it.hash, it.count, it.hasVal = h, count, true
	it.val = append(it.val[:0], clipBytes(v, keepBytes)...)
	f.table.put(slot, h, int32(i))
}

func (f *frequent) add(h uint64, v string) {
	slot, found := f.table.find(h)
	if found {
		it := &f.items[f.table.get(slot)]
		it.count++
		if !it.hasVal {
			it.val, it.hasVal = append(it.val[:0], clipBytes(v, keepBytes)...), true
		}
		return
	}
	if len(f.items) == f.k {
		f.purge()
		slot, _ = f.table.find(h)
	}
	i := len(f.items)
	f.items = f.items[:i+1]
	f.items[i].hash, f.items[i].count, f.items[i].hasVal = h, 1, false
	f.table.put(slot, h, int32(i))
}

// purge subtracts the median count from every counter and frees those
// that reach zero.
func (f *frequent) purge() {
	f.scratch = f.scratch[:0]
	for _, it := range f.items {
		f.scratch = append(f.scratch, it.count)
	}
	m := median(f.scratch)
	f.offset += m
	j := 0
	for i := range f.items {
		if c := f.items[i].count - m; c > 0 {
			f.items[i].count = c
			f.items[i], f.items[j] = f.items[j], f.items[i]
			j++
		}
	}
	f.items = f.items[:j]
	f.table.clear()
	for i, it := range f.items {
		slot, _ := f.table.find(it.hash)
		f.table.put(slot, it.hash, int32(i))
	}
}

// median returns the lower median of s (reordering it): quickselect.
func median(s []int64) int64 {
	k := (len(s) - 1) / 2
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for s[i] < p {
				i++
			}
			for s[j] > p {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// top returns the n values with the highest counts; values seen once
// since the summary began are not listed (their text was not kept).
func (f *frequent) top(n int) []TopValue {
	out := make([]TopValue, 0, len(f.items))
	for _, it := range f.items {
		if it.hasVal {
			out = append(out, TopValue{Value: string(it.val), Count: it.count})
		}
	}
	sortTop(out)
	return out[:min(n, len(out))]
}

func sortTop(t []TopValue) {
	slices.SortFunc(t, func(a, b TopValue) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
}
