// Package profile reads a table once, in constant memory, and says what is
// in it: for every column the inferred type against the declared one, how
// many cells are empty, distinct values, the range, the most frequent
// values and the cells that break the declared type or value domain; for
// the table its row count and duplicate rows. It knows nothing of the
// database: server/quality stores and serves what it finds.
package profile

import "time"

// Item is a declared data item (信息项) a column is checked against.
type Item struct {
	Name   string // the CSV header names the item by Name or by Label
	Label  string
	Type   string // catalog.DataItemTypes
	Domain string // catalog.DataItemDomains, "" for none
}

// Rules an invalid cell can break (Column.InvalidRule).
const (
	RuleType       = "type"        // not a value of the declared type
	RuleDate       = "date"        // a date or datetime outside 1900–2100
	RuleCreditCode = "credit_code" // GB 32100 length, charset or check character
	RuleRegionCode = "region_code" // not a GB/T 2260 code
	RulePhone      = "phone"
	RuleEmail      = "email"
)

// Result is the profile of one table. Row numbers count the header as row
// 1, as a spreadsheet shows them.
type Result struct {
	Rows          int64    `json:"rows"`
	DuplicateRows int64    `json:"duplicate_rows"` // rows equal to an earlier row
	Columns       []Column `json:"columns"`
	// Undeclared: header names no data item matches; Missing: declared
	// items the header lacks.
	Undeclared []string  `json:"undeclared_columns"`
	Missing    []string  `json:"missing_columns"`
	ProfiledAt time.Time `json:"profiled_at"`
}

// Column is the profile of one column, in file order.
type Column struct {
	ID             string `json:"id"`    // the data item name (the header when undeclared)
	Label          string `json:"label"` // the data item label, "" when undeclared
	DeclaredType   string `json:"declared_type"`
	Domain         string `json:"domain"`
	InferredType   string `json:"inferred_type"` // narrowest type every non-empty cell fits
	Empty          int64  `json:"empty"`
	Distinct       int64  `json:"distinct"`
	DistinctApprox bool   `json:"distinct_approx"` // an estimate (HyperLogLog) past the exact limit
	// Min and Max by the declared type's order (numbers numerically);
	// nil when the column has no valid value.
	Min             *string    `json:"min"`
	Max             *string    `json:"max"`
	Top             []TopValue `json:"top"`              // most frequent values, most first
	TopApprox       bool       `json:"top_approx"`       // counts are lower bounds past the exact limit
	Invalid         int64      `json:"invalid"`          // cells breaking the type or the domain
	InvalidRule     string     `json:"invalid_rule"`     // the rule most of them break
	InvalidExamples []int64    `json:"invalid_examples"` // the first row numbers (at most 20)
	InvalidValues   []string   `json:"invalid_values"`   // the cells at those rows (clipped)
	// Regions counts the valid cells of a region_code column by
	// prefecture-level division (the dataset page's map), most first.
	Regions []RegionCount `json:"regions,omitempty"`

	// domainHits counts, for a column without a data item, the non-empty
	// cells each of proposeDomains accepts (for Propose; not serialised).
	domainHits [4]int64
}

// RegionCount is the number of cells in one prefecture-level division:
// Code is the 6-digit code of the prefecture (the first four digits of
// the cell's code and "00"), or of the province for a province's own code.
type RegionCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// TopValue is one frequent value.
type TopValue struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Proposal is a data item proposed from a profiled file with no data
// items yet, for the provider to confirm.
type Proposal struct {
	Name     string `json:"name"`  // ASCII identifier (pinyin of a Chinese header)
	Label    string `json:"label"` // the header as written
	Type     string `json:"type"`
	Domain   string `json:"domain"`
	Required bool   `json:"required"` // no empty cell
}
