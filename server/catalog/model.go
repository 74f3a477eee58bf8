// Package catalog is the open-data catalog: departments, topics, catalog
// entries (datasets) with their data items and resources, and the public
// API that lists and serves them.
package catalog

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// OpenType is 开放类型 (000 Art 33).
type OpenType string

const (
	Unconditional OpenType = "unconditional" // anyone downloads, no application
	Conditional   OpenType = "conditional"   // metadata public; data through an approved application (Heilongjiang Interim Measures for Government Data Management, Art. 34)
	NotOpen       OpenType = "not_open"      // never served to the public; the entry records why
)

// Valid reports whether t is one of the three open types.
func (t OpenType) Valid() bool {
	return t == Unconditional || t == Conditional || t == NotOpen
}

// Public reports whether entries of this type are visible to the public.
func (t OpenType) Public() bool { return t == Unconditional || t == Conditional }

// ShareType is 共享类型: whether other government departments may use the
// data, distinct from the open type (001 Art 14).
type ShareType string

const (
	ShareUnconditional ShareType = "unconditional" // every department may use it
	ShareConditional   ShareType = "conditional"   // under the conditions the entry lists (Regulations on Government Data Sharing, Art. 15)
	NotShared          ShareType = "not_shared"    // the entry states the reason and its legal basis (Regulations on Government Data Sharing, Art. 15)
)

// Valid reports whether t is one of the three share types.
func (t ShareType) Valid() bool {
	return t == ShareUnconditional || t == ShareConditional || t == NotShared
}

// ShareTypeFor is the share type an entry gets when nobody stated one
// (migration 0050, generated catalogs): the open type's counterpart.
func ShareTypeFor(o OpenType) ShareType {
	switch o {
	case Unconditional:
		return ShareUnconditional
	case Conditional:
		return ShareConditional
	}
	return NotShared
}

// ShareMethods are the 共享方式 an entry may state: an interface (API)
// call, a file download, or a database (table) exchange.
var ShareMethods = []string{"api", "file", "database"}

// DeclaredFormats are the data formats an entry may declare; they are the
// formats the portal accepts as resources.
var DeclaredFormats = []string{"CSV", "XLSX", "JSON"}

// Status is where an entry is in its life.
type Status string

const (
	StatusDraft     Status = "draft"     // never published; only its department sees it
	StatusPublished Status = "published" // public (if its open type allows)
	StatusRevoked   Status = "revoked"   // withdrawn after an approved revocation (000 Art 35)
)

// UpdateFrequencies lists the allowed update frequencies in display order.
var UpdateFrequencies = []string{"realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"}

// Grades lists the classification grades (分级), lowest risk first.
var Grades = []string{"L1", "L2", "L3", "L4"}

// DataItemTypes lists the allowed data item (field) types.
var DataItemTypes = []string{"string", "integer", "number", "date", "datetime", "boolean"}

// Value domains a data item may declare: its values are then checked
// against the rule of that domain (server/profile).
const (
	DomainCreditCode = "credit_code" // 统一社会信用代码, GB 32100 check character
	DomainRegionCode = "region_code" // 行政区划代码, GB/T 2260
	DomainPhone      = "phone"       // mainland mobile or fixed-line number
	DomainEmail      = "email"
)

// DataItemDomains lists the value domains in display order.
var DataItemDomains = []string{DomainCreditCode, DomainRegionCode, DomainPhone, DomainEmail}

// GuessDomain proposes a value domain from a data item's name and label
// (for existing items and proposed dictionaries); "" when nothing fits.
// Dates need none: the date and datetime types are checked as such.
func GuessDomain(name, label, typ string) string {
	n, l := strings.ToLower(name), label
	switch {
	case strings.Contains(l, "信用代码") || n == "uscc" || strings.Contains(n, "credit_code"):
		return DomainCreditCode
	case strings.Contains(l, "区划代码") || strings.Contains(n, "region_code") || strings.Contains(n, "division_code") || n == "adcode":
		return DomainRegionCode
	case strings.Contains(l, "邮箱") || strings.Contains(l, "电子邮件") || strings.Contains(n, "email"):
		return DomainEmail
	case typ == "string" && (strings.Contains(l, "电话") || strings.Contains(l, "手机") || strings.Contains(n, "phone") || n == "tel" || strings.HasSuffix(n, "_tel") || n == "mobile"):
		return DomainPhone
	}
	return ""
}

// RegionLevels of departments.
var RegionLevels = []string{"province", "city", "county"}

// Department is a data provider department (数据提供部门).
type Department struct {
	ID          string `gorm:"primaryKey;size:64"`
	Name        string `gorm:"size:200;not null"`
	RegionLevel string `gorm:"size:16;not null"`
	Region      string `gorm:"size:100;not null"`
	ParentID    string `gorm:"size:64"`
	// Code is the department's 统一社会信用代码 (GB 32100), the provider code
	// of its catalog entries; "" until an administrator records it.
	Code      string `gorm:"size:18;not null;default:''"`
	CreatedAt time.Time
}

// Topic is a 领域 grouping datasets.
type Topic struct {
	ID        string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"size:100;not null"`
	NameEN    string `gorm:"size:100"`
	SortOrder int
}

// Dataset is a catalog entry (目录) as the public sees it: the last
// published version. Drafts of later versions live beside it (Publishing).
type Dataset struct {
	ID              string   `gorm:"primaryKey;size:64"`
	Title           string   `gorm:"size:300;not null"`
	Description     string   `gorm:"type:text"`
	DepartmentID    string   `gorm:"size:64;not null;index"`
	TopicID         string   `gorm:"size:64;not null;index"`
	OpenType        OpenType `gorm:"size:16;not null;index"`
	OpenConditions  string   `gorm:"type:text"` // conditional: the conditions (000 Art 33)
	NotOpenReason   string   `gorm:"type:text"` // not_open: the reason (000 Art 33)
	UsageScope      string   `gorm:"type:text"` // conditional: scope and use allowed
	UpdateFrequency string   `gorm:"size:16;not null"`
	Classification  string   `gorm:"size:64"`
	Grade           string   `gorm:"size:8"`
	Tags            Strings  `gorm:"type:text"`
	Region          string   `gorm:"size:100"`
	// The catalog record of 《政务信息资源目录编制指南》 and 001 Art 13: the
	// resource code (ResourceCodeFormat), share type, conditions and
	// method, and the declared data formats (upper case, e.g. CSV).
	ResourceCode    string    `gorm:"size:32;not null;default:''"`
	ShareType       ShareType `gorm:"size:16;not null;default:''"`
	ShareConditions string    `gorm:"type:text"` // conditional: the conditions; not_shared: the reason and basis
	ShareMethod     string    `gorm:"size:16;not null;default:''"`
	DeclaredFormats Strings   `gorm:"column:formats;type:text"`
	Status          Status    `gorm:"size:16;not null;index"`
	Version         int       `gorm:"not null;default:1"`
	PublishedAt     *time.Time
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false;index"` // catalog "last updated", set explicitly
	CreatedAt       time.Time
	Downloads       int64 `gorm:"not null;default:0"`
	APICalls        int64 `gorm:"not null;default:0"`
	// QualityScore is the 0–100 score server/quality last computed (0
	// until then); the catalog sorts and filters by it.
	QualityScore int `gorm:"not null;default:0;index"`

	Department Department `gorm:"foreignKey:DepartmentID"`
	Topic      Topic      `gorm:"foreignKey:TopicID"`
	DataItems  []DataItem `gorm:"foreignKey:DatasetID"`
	Resources  []Resource `gorm:"foreignKey:DatasetID"`
}

// Public reports whether the entry may be shown to anyone.
func (d *Dataset) Public() bool { return d.Status == StatusPublished && d.OpenType.Public() }

// Formats are the entry's declared formats; an entry that never declared
// any (a generated catalog) shows its resources' formats.
func (d *Dataset) Formats() []string {
	if len(d.DeclaredFormats) > 0 {
		return append([]string{}, d.DeclaredFormats...)
	}
	return d.ResourceFormats()
}

// ResourceFormats lists the distinct resource formats in order of first appearance.
func (d *Dataset) ResourceFormats() []string {
	seen := map[string]bool{}
	out := []string{}
	for _, r := range d.Resources {
		if !seen[r.Format] {
			seen[r.Format] = true
			out = append(out, r.Format)
		}
	}
	return out
}

// DataItem is one field of the data (数据项, 000 Art 13).
type DataItem struct {
	ID          uint   `gorm:"primaryKey"`
	DatasetID   string `gorm:"size:64;not null;index"`
	Position    int    `gorm:"not null"`
	Name        string `gorm:"size:64;not null"`
	Label       string `gorm:"size:100;not null"`
	Type        string `gorm:"size:16;not null"`
	Description string `gorm:"type:text"`
	Required    bool   `gorm:"not null;default:false"`
	// Domain is the value domain the data checks test (DataItemDomains),
	// "" for none.
	Domain string `gorm:"size:16;not null;default:''"`
}

// Resource is one stored file of a dataset. StorageKey is generated by the
// blob store from the content hash, never from a user-supplied name.
type Resource struct {
	ID         string `gorm:"primaryKey;size:64"`
	DatasetID  string `gorm:"size:64;not null;index"`
	Position   int    `gorm:"not null"`
	Name       string `gorm:"size:300;not null"`
	Format     string `gorm:"size:16;not null"`
	MediaType  string `gorm:"size:100;not null"`
	Size       int64  `gorm:"not null"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Rows       int64  `gorm:"not null;default:0"`
	StorageKey string `gorm:"size:200;not null"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Strings is a list stored as a JSON array in one text column.
type Strings []string

// Value implements driver.Valuer.
func (s Strings) Value() (driver.Value, error) {
	if s == nil {
		s = Strings{}
	}
	b, err := json.Marshal([]string(s))
	return string(b), err
}

// Scan implements sql.Scanner.
func (s *Strings) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*s = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("catalog: cannot scan %T into Strings", src)
	}
	if len(b) == 0 {
		*s = nil
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}
