package profile

// hashTable maps 64-bit value hashes to int32 indices by open addressing
// with linear probing, growing by doubling: the hot path of distinct and
// frequent values, where a small table that stays in the CPU cache beats a
// Go map. Hash 0 marks an empty slot, so a value hashing to 0 is stored as
// 1 (a collision at 2⁻⁶⁴ odds).
type hashTable struct {
	slots []tableSlot
	mask  uint64
	n     int
}

type tableSlot struct {
	key uint64
	val int32
	// n counts in place for the exact phase, sparing a second cache miss
	// per cell; it carries into topEntry.count every 2³² (see column.count).
	n uint32
}

func newHashTable() hashTable {
	return hashTable{slots: make([]tableSlot, 64), mask: 63}
}

func tableKey(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the slot of h, or the empty slot where it belongs.
func (t *hashTable) find(h uint64) (slot uint64, found bool) {
	h = tableKey(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].key {
		case h:
			return i, true
		case 0:
			return i, false
		}
	}
}

// get returns the value of h.
func (t *hashTable) get(slot uint64) int32 { return t.slots[slot].val }

// put stores h → v at a slot find returned empty; the table doubles when
// half full, which keeps probes short.
func (t *hashTable) put(slot, h uint64, v int32) {
	t.slots[slot] = tableSlot{key: tableKey(h), val: v, n: 1}
	t.n++
	if 2*t.n < len(t.slots) {
		return
	}
	old := t.slots
	t.slots = make([]tableSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.key != 0 {
			i, _ := t.find(s.key)
			t.slots[i] = s
		}
	}
}

func (t *hashTable) clear() {
	clear(t.slots)
	t.n = 0
}
