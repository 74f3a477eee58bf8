package profile

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/catalog"
)

// keepBytes bounds a value kept for the top list or as min/max, so that
// memory does not depend on how long cells are.
const keepBytes = 256

// Domain-check columns for Propose: the domains a column of a file with
// no data items is tested against, in catalog.DataItemDomains order.
var proposeDomains = [...]string{catalog.DomainCreditCode, catalog.DomainRegionCode, catalog.DomainPhone, catalog.DomainEmail}

// rules in the order ties are broken.
var ruleOrder = [...]string{RuleType, RuleDate, RuleCreditCode, RuleRegionCode, RulePhone, RuleEmail}

const (
	ruleType = iota
	ruleDate
	ruleCreditCode
	ruleRegionCode
	rulePhone
	ruleEmail
)

// maxRegions bounds Column.Regions (the national list has about 340
// prefecture-level divisions plus 31 provinces).
const maxRegions = 1000

// column is the running profile of one column. Columns are profiled by
// different goroutines: the padding keeps the hot fields of neighbouring
// columns off shared cache lines (false sharing cost a third of the
// time).
type column struct {
	_        [64]byte
	out      Column
	typ      string   // declared type, "string" for undeclared columns
	typeBit  typeMask // typ's bit, 0 for string
	domain   int      // rule index of the domain check, -1 for none
	workbook bool

	fit      typeMask // the types every non-empty cell fitted so far
	nonEmpty int64
	rules    [len(ruleOrder)]int64

	minV, maxV   value
	minS, maxS   []byte // the cells, as written (clipped to keepBytes)
	hasMin       bool
	maxExamples  int
	exactLimit   int
	topN         int
	exact        hashTable // value hash → entries index, until exactLimit
	entries      []topEntry
	hll          *hyperLogLog // past the exact limit, with freq
	freq         frequent
	regions      map[uint32]int64
	trackDomains bool                       // undeclared: count the cells each domain accepts
	domainHits   [len(proposeDomains)]int64 // for Propose
	_            [64]byte
}

// frequentCounters is the Misra–Gries summary's size past the exact
// limit: a value in more than about 2/256 of the rows (0.8 %) is sure to
// be kept, and its count is short by at most that much. Small, so that
// it stays in the CPU cache: it is probed for every cell.
const frequentCounters = 256

type topEntry struct {
	hash  uint64
	val   string
	count int64
}

func newColumn(out Column, it *Item, opt *Options, exactLimit int) *column {
	c := &column{out: out, typ: "string", domain: -1, workbook: opt.Workbook, fit: fitAll,
		maxExamples: opt.MaxExamples, exactLimit: exactLimit, topN: opt.TopN,
		exact: newHashTable()}
	if it == nil {
		c.trackDomains = true
		return c
	}
	if it.Type != "" {
		c.typ = it.Type
	}
	c.typeBit = typeBit(c.typ)
	switch it.Domain {
	case catalog.DomainCreditCode:
		c.domain = ruleCreditCode
	case catalog.DomainRegionCode:
		c.domain = ruleRegionCode
		c.regions = map[uint32]int64{}
	case catalog.DomainPhone:
		c.domain = rulePhone
	case catalog.DomainEmail:
		c.domain = ruleEmail
	}
	return c
}

// add profiles one cell, already trimmed and not empty, of row line; h
// is the cell's hash.
func (c *column) add(v string, h uint64, line int64) {
	c.nonEmpty++
	pv := value{ok: true}
	if c.typeBit != 0 { // strings need no parsing
		pv = parseAs(c.typ, v, c.workbook)
	}
	if c.fit != 0 {
		// The declared type's verdict is known already, and so is that of
		// the wider type it implies when the value is valid.
		known := c.typeBit
		if pv.ok {
			known |= implied(c.typeBit)
		}
		got := fits(v, c.fit&^known, c.workbook)
		if pv.ok {
			got |= known
		}
		c.fit &= got
	}
	c.count(v, h)
	if c.trackDomains {
		c.checkDomains(v)
	}
	if !pv.ok {
		c.invalid(ruleType, v, line) // type breaks take precedence
		return
	}
	c.bound(v, pv)
	if c.typeBit&(fitDate|fitDatetime) != 0 && (pv.year < 1900 || pv.year > 2100) {
		c.invalid(ruleDate, v, line)
		return
	}
	switch c.domain {
	case ruleCreditCode:
		if !ValidCreditCode(v) {
			c.invalid(ruleCreditCode, v, line)
		}
	case ruleRegionCode:
		n, ok := regionNumber(v)
		if _, known := regionNames[n]; !ok || !known {
			c.invalid(ruleRegionCode, v, line)
			return
		}
		pref := n / 100 * 100
		if _, ok := c.regions[pref]; ok || len(c.regions) < maxRegions {
			c.regions[pref]++
		}
	case rulePhone:
		if !ValidPhone(v) {
			c.invalid(rulePhone, v, line)
		}
	case ruleEmail:
		if !ValidEmail(v) {
			c.invalid(ruleEmail, v, line)
		}
	}
}

func (c *column) checkDomains(v string) {
	if ValidCreditCode(v) {
		c.domainHits[0]++
	}
	if ValidRegionCode(v) {
		c.domainHits[1]++
	}
	if ValidPhone(v) {
		c.domainHits[2]++
	}
	if ValidEmail(v) {
		c.domainHits[3]++
	}
}

func (c *column) invalid(rule int, v string, line int64) {
	c.out.Invalid++
	c.rules[rule]++
	if len(c.out.InvalidExamples) < c.maxExamples {
		c.out.InvalidExamples = append(c.out.InvalidExamples, line)
		c.out.InvalidValues = append(c.out.InvalidValues, clipRunes(v, 50))
	}
}

// bound updates min and max, ordered by the declared type.
func (c *column) bound(v string, pv value) {
	if !c.hasMin {
		c.hasMin = true
		c.minV, c.maxV = pv, pv
		c.minS = append(c.minS[:0], clipBytes(v, keepBytes)...)
		c.maxS = append(c.maxS[:0], c.minS...)
		return
	}
	var lo, hi bool
	switch c.typeBit {
	case fitInteger, fitDate, fitDatetime:
		lo, hi = pv.n < c.minV.n, pv.n > c.maxV.n
	case fitNumber:
		lo, hi = pv.f < c.minV.f, pv.f > c.maxV.f
	default: // strings (and yes/no values) by bytes
		lo = v < string(c.minS)
		hi = !lo && string(c.maxS) < v
	}
	if lo {
		c.minV = pv
		c.minS = append(c.minS[:0], clipBytes(v, keepBytes)...)
	}
	if hi {
		c.maxV = pv
		c.maxS = append(c.maxS[:0], clipBytes(v, keepBytes)...)
	}
}

// count tracks distinct values and their frequencies: exactly up to the
// exact limit, then by HyperLogLog and Misra–Gries.
func (c *column) count(v string, h uint64) {
	if c.hll != nil {
		c.hll.add(h)
		c.freq.add(h, v)
		return
	}
	slot, found := c.exact.find(h)
	if found {
		s := &c.exact.slots[slot]
		if s.n++; s.n == math.MaxUint32 {
			c.entries[s.val].count += int64(s.n)
			s.n = 0
		}
		return
	}
	if len(c.entries) < c.exactLimit {
		c.exact.put(slot, h, int32(len(c.entries)))
		c.entries = append(c.entries, topEntry{hash: h, val: strings.Clone(clipBytes(v, keepBytes))})
		return
	}
	// Past the exact limit: estimates from here on, seeded with what the
	// exact phase counted.
	c.collectCounts()
	c.hll = new(hyperLogLog)
	c.freq = newFrequent(frequentCounters)
	slices.SortFunc(c.entries, func(a, b topEntry) int { return cmp.Compare(b.count, a.count) })
	for i, e := range c.entries {
		c.hll.add(e.hash)
		if i < frequentCounters {
			c.freq.seed(e.hash, e.val, e.count)
		}
	}
	c.exact, c.entries = hashTable{}, nil
	c.hll.add(h)
	c.freq.add(h, v)
}

// collectCounts moves the exact phase's counts from the table into the
// entries.
func (c *column) collectCounts() {
	for i := range c.exact.slots {
		if s := &c.exact.slots[i]; s.key != 0 {
			c.entries[s.val].count += int64(s.n)
			s.n = 0
		}
	}
}

// finish completes the column's profile; rows is the table's row count.
func (c *column) finish(rows int64) Column {
	out := c.out
	out.Empty = rows - c.nonEmpty
	out.InferredType = "string"
	if c.nonEmpty > 0 {
		out.InferredType = c.fit.inferred()
	}
	if c.hll != nil {
		out.Distinct, out.DistinctApprox = c.hll.estimate(), true
		out.Top, out.TopApprox = c.freq.top(c.topN), true
	} else {
		c.collectCounts()
		out.Distinct = int64(len(c.entries))
		top := make([]TopValue, len(c.entries))
		for i, e := range c.entries {
			top[i] = TopValue{Value: clipRunes(e.val, 100), Count: e.count}
		}
		sortTop(top)
		out.Top = top[:min(c.topN, len(top))]
	}
	for i := range out.Top {
		out.Top[i].Value = clipRunes(out.Top[i].Value, 100)
	}
	if c.hasMin {
		lo, hi := clipRunes(string(c.minS), 100), clipRunes(string(c.maxS), 100)
		out.Min, out.Max = &lo, &hi
	}
	best := -1
	for i, n := range c.rules {
		if n > 0 && (best < 0 || n > c.rules[best]) {
			best = i
		}
	}
	if best >= 0 {
		out.InvalidRule = ruleOrder[best]
	}
	if out.InvalidExamples == nil {
		out.InvalidExamples, out.InvalidValues = []int64{}, []string{}
	}
	if c.regions != nil {
		out.Regions = make([]RegionCount, 0, len(c.regions))
		for code, n := range c.regions {
			out.Regions = append(out.Regions, RegionCount{Code: strconv.Itoa(int(code)), Name: prefectureName(code), Count: n})
		}
		slices.SortFunc(out.Regions, func(a, b RegionCount) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Code, b.Code)
		})
	}
	out.domainHits = c.domainHits
	return out
}

// prefectureName names a prefecture code for a map legend: the
// municipalities' "市辖区" and "县" parts by their province.
func prefectureName(code uint32) string {
	name := regionNames[code]
	if name == "市辖区" || name == "县" {
		return regionNames[code/10000*10000]
	}
	return name
}

// clipBytes cuts v to at most n bytes at a rune boundary.
func clipBytes(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

// clipRunes cuts v to n runes, marking the cut with "…".
func clipRunes(v string, n int) string {
	if len(v) <= n {
		return v
	}
	i := 0
	for j := range v {
		if i == n {
			return v[:j] + "…"
		}
		i++
	}
	return v
}
