package embedded

import "github.com/hlj-opendata/portal/search"

// noValue marks a slot without a value in a single-valued facet column.
const noValue = ^uint32(0)

// facetColumn holds one facet field's value ids for every slot, column-wise
// so filtering and counting read small arrays instead of chasing pointers.
// Multi-valued fields (formats, tags) use offsets into a shared value list.
type facetColumn struct {
	dict   map[string]uint32
	values []string // value id -> value

	multi  bool
	single []uint32 // slot -> value id or noValue
	off    []uint32 // multi: slot i's ids are ids[off[i]:off[i+1]]
	ids    []uint32
}

func newFacetColumns(capacity int) []facetColumn {
	cols := make([]facetColumn, numFacetFields)
	for i, f := range search.FacetFields {
		c := &cols[i]
		c.dict = make(map[string]uint32)
		c.multi = f == search.FieldFormat || f == search.FieldTag
		if c.multi {
			c.off = make([]uint32, 1, capacity+1)
		} else {
			c.single = make([]uint32, 0, capacity)
		}
	}
	return cols
}

func (c *facetColumn) id(v string) uint32 {
	id, ok := c.dict[v]
	if !ok {
		id = uint32(len(c.values))
		c.dict[v] = id
		c.values = append(c.values, v)
	}
	return id
}

// add appends the next slot's values; a repeated value counts once.
func (c *facetColumn) add(values []string) {
	if !c.multi {
		id := noValue
		if len(values) > 0 && values[0] != "" {
			id = c.id(values[0])
		}
		c.single = append(c.single, id)
		return
	}
	start := len(c.ids)
	for _, v := range values {
		if v == "" {
			continue
		}
		id := c.id(v)
		dup := false
		for _, x := range c.ids[start:] {
			dup = dup || x == id
		}
		if !dup {
			c.ids = append(c.ids, id)
		}
	}
	c.off = append(c.off, uint32(len(c.ids)))
}

// has reports whether slot holds any wanted value.
func (c *facetColumn) has(slot uint32, wanted []bool) bool {
	if !c.multi {
		v := c.single[slot]
		return v != noValue && wanted[v]
	}
	for _, v := range c.ids[c.off[slot]:c.off[slot+1]] {
		if wanted[v] {
			return true
		}
	}
	return false
}

// count adds slot's values to counts.
func (c *facetColumn) count(slot uint32, counts []int32) {
	if !c.multi {
		if v := c.single[slot]; v != noValue {
			counts[v]++
		}
		return
	}
	for _, v := range c.ids[c.off[slot]:c.off[slot+1]] {
		counts[v]++
	}
}
