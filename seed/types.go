// Package seed holds the demo catalog generator, the working-day calendar
// files and the default role policy. Everything it generates is synthetic
// and deterministic: the same call returns the same bytes.
package seed

import (
	"io"
	"time"
)

// Catalog is a whole demo catalog, ready to be loaded by the catalog service.
type Catalog struct {
	Departments []Department
	Topics      []Topic
	Datasets    []Dataset
}

// Department is a data provider department.
type Department struct {
	ID          string // stable slug, e.g. "hlj-sjj" (used in URLs and filters)
	Name        string // 黑龙江省市场监督管理局
	RegionLevel string // province | city | county
	Region      string // 黑龙江省, 哈尔滨市, ...
	ParentID    string // for city departments: "" (kept for later use)
	Code        string // 统一社会信用代码 (GB 32100), e.g. 11230000MB0000000X
}

// Topic is a 领域 such as 经济建设 or 交通出行.
type Topic struct {
	Code   string // stable slug, e.g. "transport"
	Name   string // 交通出行
	NameEN string
}

// Dataset is one catalog entry (000 Art 13).
type Dataset struct {
	ID              string // stable id, e.g. "ds-000123"
	Title           string
	Description     string
	DepartmentID    string
	TopicCode       string
	OpenType        string // unconditional | conditional | not_open
	OpenConditions  string // required for conditional
	NotOpenReason   string // required for not_open
	UpdateFrequency string // realtime | daily | weekly | monthly | quarterly | yearly | irregular
	Classification  string // 分类, e.g. 基础数据 / 主题数据 / 部门数据
	Grade           string // 分级: L1 | L2 | L3 | L4
	Tags            []string
	Region          string
	UsageScope      string // conditional: scope and use allowed
	// The catalog record of the national guide (001 Art 13). Empty values
	// are derived when loading: share type from the open type, formats
	// from the resources.
	ResourceCode    string   // 信息资源代码, e.g. 213001/000042
	ShareType       string   // unconditional | conditional | not_shared
	ShareConditions string   // conditional: the conditions; not_shared: the reason and basis
	ShareMethod     string   // api | file | database ("" when not shared)
	Formats         []string // declared formats, upper case
	DataItems       []DataItem
	Resources       []Resource
	PublishedAt     time.Time
	UpdatedAt       time.Time
	Downloads       int64
}

// DataItem is one field of the data (数据项).
type DataItem struct {
	Name        string // machine name, e.g. "credit_code"
	Label       string // Chinese label, e.g. 统一社会信用代码
	Type        string // string | integer | number | date | datetime | boolean
	Description string
	Required    bool
	Domain      string // credit_code | region_code | phone | email; "" = guessed from name and label
}

// Resource is one downloadable file of a dataset.
type Resource struct {
	ID     string // stable id, e.g. "res-000123-1"
	Name   string
	Format string // CSV
	// Write renders the file (UTF-8 CSV with a header row of data-item
	// names). Deterministic.
	Write func(w io.Writer) error
	Rows  int
}
