// Package publishing is how catalog entries enter and change in the
// portal: a provider department drafts an entry (every field of 000 Art
// 13), uploads its resources and submits it; the same-level data authority
// reviews it and approves (the entry goes public and into search) or
// returns it with comments for the provider to fix (000 Art 12; 001 Art
// 17). Changing a published entry makes a new version that goes through
// the same review while the public keeps seeing the last approved one.
// Every version is kept; the public sees the change history.
//
// Drafts and versions live in this package's tables (dataset_versions with
// a JSON snapshot, version_resources, dataset_reviews); approval copies a
// version into the catalog tables in one transaction with its outbox event.
package publishing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/store"
)

// Status is where a version is in review.
type Status string

const (
	StatusDraft     Status = "draft"     // being written by the provider
	StatusSubmitted Status = "submitted" // waiting for the authority (Regulations on Government Data Sharing, Art. 17 ¶3 for updates; the same days for a first submission: our choice)
	StatusReturned  Status = "returned"  // sent back with comments (Heilongjiang Interim Measures for Government Data Management, Art. 12: fixed within 5 working days)
	StatusApproved  Status = "approved"  // published; kept for the history, never changed again
)

// Editable reports whether the provider may change a version in s.
func (s Status) Editable() bool { return s == StatusDraft || s == StatusReturned }

// Entry statuses shown in the console besides the version ones.
const (
	EntryPublished = "published" // public, no change pending
	EntryRevoked   = "revoked"
)

// Ref names a related object. A draft may give it as {"id":…} (the shape
// of the public JSON) or as a bare id string.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// UnmarshalJSON accepts "id" or {"id": "…"}.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		r.Name = ""
		return json.Unmarshal(b, &r.ID)
	}
	type plain Ref
	return json.Unmarshal(b, (*plain)(r))
}

// DataItem is one declared field of the data (000 Art 13).
type DataItem struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	// Domain is the value domain the data checks test its cells against
	// (catalog.DataItemDomains), "" for none.
	Domain string `json:"domain"`
}

// Draft is a catalog entry as a provider writes it. Its field names are
// those of the public dataset JSON (catalog.DatasetJSON), so a published
// entry's JSON minus its ids and resources is a valid draft; read-only
// members of that JSON (department, formats, version, dates…) are ignored.
type Draft struct {
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	Topic           Ref              `json:"topic"`
	OpenType        catalog.OpenType `json:"open_type"`
	OpenConditions  string           `json:"open_conditions,omitempty"`
	UsageScope      string           `json:"usage_scope,omitempty"`
	NotOpenReason   string           `json:"not_open_reason,omitempty"`
	DataItems       []DataItem       `json:"data_items"`
	UpdateFrequency string           `json:"update_frequency"`
	Classification  string           `json:"classification"`
	Grade           string           `json:"grade"`
	Tags            []string         `json:"tags"`
	Region          string           `json:"region"`
	// The catalog record of Regulations on Government Data Sharing, Art. 13 and the national guide. The
	// provider code is the department's (department.code), not the draft's.
	ResourceCode    string            `json:"resource_code"`
	ShareType       catalog.ShareType `json:"share_type"`
	ShareConditions string            `json:"share_conditions"`
	ShareMethod     string            `json:"share_method"`
	Formats         []string          `json:"formats"`
}

// Limits of a draft.
const (
	MaxTitle       = 300
	MaxDescription = 10000
	MaxText        = 4000
	MaxDataItems   = 300
	MaxTags        = 20
	MaxResources   = 20
)

var itemName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Normalise trims every text and drops what the open type does not use.
func (d *Draft) Normalise() {
	trim := strings.TrimSpace
	d.Title, d.Description = trim(d.Title), trim(d.Description)
	d.Topic.ID, d.Topic.Name = trim(d.Topic.ID), ""
	d.OpenType = catalog.OpenType(trim(string(d.OpenType)))
	d.OpenConditions, d.UsageScope, d.NotOpenReason = trim(d.OpenConditions), trim(d.UsageScope), trim(d.NotOpenReason)
	if d.OpenType != catalog.Conditional {
		d.OpenConditions, d.UsageScope = "", ""
	}
	if d.OpenType != catalog.NotOpen {
		d.NotOpenReason = ""
	}
	d.UpdateFrequency, d.Classification, d.Grade, d.Region = trim(d.UpdateFrequency), trim(d.Classification), trim(d.Grade), trim(d.Region)
	d.ResourceCode, d.ShareType = trim(d.ResourceCode), catalog.ShareType(trim(string(d.ShareType)))
	d.ShareConditions, d.ShareMethod = trim(d.ShareConditions), trim(d.ShareMethod)
	if d.ShareType == catalog.ShareUnconditional {
		d.ShareConditions = ""
	}
	if d.ShareType == catalog.NotShared {
		d.ShareMethod = ""
	}
	formats := []string{}
	for _, f := range d.Formats {
		if f = strings.ToUpper(trim(f)); f != "" && !slices.Contains(formats, f) {
			formats = append(formats, f)
		}
	}
	d.Formats = formats
	for i := range d.DataItems {
		it := &d.DataItems[i]
		it.Name, it.Label, it.Type, it.Description = trim(it.Name), trim(it.Label), trim(it.Type), trim(it.Description)
		it.Domain = trim(it.Domain)
	}
	if d.DataItems == nil {
		d.DataItems = []DataItem{}
	}
	tags := []string{}
	for _, t := range d.Tags {
		if t = trim(t); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	d.Tags = tags
}

// Validate checks every field of 000 Art 13 and reports all problems at
// once, by field ("data_items[2].type"). Topic existence is checked by the
// service. A draft may have no data items yet (the provider may propose
// them from a file); submitting needs them (Service.Submit).
func (d *Draft) Validate() error {
	var v apperr.Validation
	runes := utf8.RuneCountInString
	v.Check(d.Title != "", "title", "the catalog name is required")
	v.Check(runes(d.Title) <= MaxTitle, "title", "at most %d characters", MaxTitle)
	v.Check(d.Description != "", "description", "the description is required")
	v.Check(runes(d.Description) <= MaxDescription, "description", "at most %d characters", MaxDescription)
	v.Check(d.Topic.ID != "", "topic", "choose a topic")
	switch d.OpenType {
	case catalog.Unconditional:
	case catalog.Conditional:
		// 000 Art 33: conditional entries state their open conditions.
		v.Check(d.OpenConditions != "", "open_conditions", "a conditionally open entry must state its open conditions")
		v.Check(d.UsageScope != "", "usage_scope", "a conditionally open entry must state the scope and use allowed")
	case catalog.NotOpen:
		// 000 Art 33: entries not opened record why.
		v.Check(d.NotOpenReason != "", "not_open_reason", "an entry that is not opened must state the reason")
	default:
		v.Add("open_type", "open_type must be unconditional, conditional or not_open")
	}
	v.Check(runes(d.OpenConditions) <= MaxText, "open_conditions", "at most %d characters", MaxText)
	v.Check(runes(d.UsageScope) <= MaxText, "usage_scope", "at most %d characters", MaxText)
	v.Check(runes(d.NotOpenReason) <= MaxText, "not_open_reason", "at most %d characters", MaxText)
	if d.ResourceCode != "" {
		// 《政务信息资源目录编制指南》: 类/项/目/细目 and a sequence number.
		if msg := catalog.CheckResourceCode(d.ResourceCode, d.Classification); msg != "" {
			v.Add("resource_code", "%s", msg)
		}
	}
	switch d.ShareType {
	case catalog.ShareUnconditional:
	case catalog.ShareConditional:
		// 001 Art 15: conditional entries list the scope and use conditions.
		v.Check(d.ShareConditions != "", "share_conditions", "a conditionally shared entry must list its share conditions (scope and use)")
	case catalog.NotShared:
		// 001 Art 15: entries not shared state the reason and its legal basis.
		v.Check(d.ShareConditions != "", "share_conditions", "an entry that is not shared must state the reason and its legal basis")
	default:
		v.Add("share_type", "share_type must be unconditional, conditional or not_shared")
	}
	v.Check(runes(d.ShareConditions) <= MaxText, "share_conditions", "at most %d characters", MaxText)
	if d.ShareType != catalog.NotShared {
		v.Check(slices.Contains(catalog.ShareMethods, d.ShareMethod), "share_method", "share_method must be one of %s", strings.Join(catalog.ShareMethods, ", "))
	}
	v.Check(len(d.Formats) <= len(catalog.DeclaredFormats), "formats", "at most %d formats", len(catalog.DeclaredFormats))
	for _, f := range d.Formats {
		v.Check(slices.Contains(catalog.DeclaredFormats, f), "formats", "formats must be among %s", strings.Join(catalog.DeclaredFormats, ", "))
	}
	v.Check(slices.Contains(catalog.UpdateFrequencies, d.UpdateFrequency), "update_frequency", "update_frequency must be one of %s", strings.Join(catalog.UpdateFrequencies, ", "))
	v.Check(d.Classification != "", "classification", "the classification (分类) is required")
	v.Check(runes(d.Classification) <= 64, "classification", "at most 64 characters")
	v.Check(slices.Contains(catalog.Grades, d.Grade), "grade", "grade must be one of %s", strings.Join(catalog.Grades, ", "))
	v.Check(runes(d.Region) <= 100, "region", "at most 100 characters")
	v.Check(len(d.Tags) <= MaxTags, "tags", "at most %d tags", MaxTags)
	for i, t := range d.Tags {
		v.Check(runes(t) <= 30, fmt.Sprintf("tags[%d]", i), "a tag has at most 30 characters")
	}
	v.Check(len(d.DataItems) <= MaxDataItems, "data_items", "at most %d data items", MaxDataItems)
	names := map[string]int{}
	for i, it := range d.DataItems {
		f := func(name string) string { return fmt.Sprintf("data_items[%d].%s", i, name) }
		v.Check(itemName.MatchString(it.Name), f("name"), "a name is letters, digits and _, starting with a letter or _, at most 64")
		if j, dup := names[strings.ToLower(it.Name)]; dup && it.Name != "" {
			v.Add(f("name"), "the same name as data item %d", j)
		}
		names[strings.ToLower(it.Name)] = i
		v.Check(it.Label != "", f("label"), "the label is required")
		v.Check(runes(it.Label) <= 100, f("label"), "at most 100 characters")
		v.Check(slices.Contains(catalog.DataItemTypes, it.Type), f("type"), "type must be one of %s", strings.Join(catalog.DataItemTypes, ", "))
		v.Check(runes(it.Description) <= 2000, f("description"), "at most 2000 characters")
		v.Check(it.Domain == "" || slices.Contains(catalog.DataItemDomains, it.Domain), f("domain"), "domain must be empty or one of %s", strings.Join(catalog.DataItemDomains, ", "))
	}
	return v.Err()
}

// DraftFromDataset is the draft a published entry stands for.
func DraftFromDataset(ds *catalog.Dataset) Draft {
	d := Draft{
		Title: ds.Title, Description: ds.Description, Topic: Ref{ID: ds.TopicID}, OpenType: ds.OpenType,
		OpenConditions: ds.OpenConditions, UsageScope: ds.UsageScope, NotOpenReason: ds.NotOpenReason,
		UpdateFrequency: ds.UpdateFrequency, Classification: ds.Classification, Grade: ds.Grade,
		Tags: append([]string{}, ds.Tags...), Region: ds.Region, DataItems: []DataItem{},
		ResourceCode: ds.ResourceCode, ShareType: ds.ShareType, ShareConditions: ds.ShareConditions, ShareMethod: ds.ShareMethod,
		Formats: append([]string{}, ds.DeclaredFormats...),
	}
	for _, it := range ds.DataItems {
		d.DataItems = append(d.DataItems, DataItem{Name: it.Name, Label: it.Label, Type: it.Type, Description: it.Description, Required: it.Required, Domain: it.Domain})
	}
	return d
}

// Version is one version of an entry: the first draft, each later change,
// and every approved state. Approved versions are never changed again.
type Version struct {
	ID           uint64 `gorm:"primaryKey"`
	DatasetID    string `gorm:"size:64;not null;uniqueIndex:ux_dataset_version,priority:1"`
	Number       int    `gorm:"not null;uniqueIndex:ux_dataset_version,priority:2"`
	DepartmentID string `gorm:"size:64;not null;index"`
	Status       Status `gorm:"size:16;not null;index"`
	Title        string `gorm:"size:300;not null"`
	Snapshot     string `gorm:"type:text;not null"` // the Draft as JSON
	Note         string `gorm:"type:text"`          // the provider's summary of the change
	Changes      string `gorm:"type:text"`          // JSON list of what changed, set on approval
	CreatedBy    uint64 `gorm:"not null;default:0"`
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
	SubmittedAt  *time.Time
	ReviewDue    *time.Time // 001 Art 17
	ReturnedAt   *time.Time
	FixDue       *time.Time // 000 Art 12
	ApprovedAt   *time.Time
	ApprovedBy   *uint64

	Resources []VersionResource `gorm:"foreignKey:VersionID"`
}

// TableName keeps the table name stable.
func (Version) TableName() string { return "dataset_versions" }

// Draft decodes the snapshot.
func (v *Version) Draft() (Draft, error) {
	var d Draft
	err := json.Unmarshal([]byte(v.Snapshot), &d)
	return d, err
}

// VersionResource is a resource file as one version holds it. A resource
// carried into a new version keeps its id, so public links stay valid.
type VersionResource struct {
	VersionID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	ResourceID string `gorm:"primaryKey;size:64"`
	Position   int    `gorm:"not null"`
	Name       string `gorm:"size:300;not null"`
	Format     string `gorm:"size:16;not null"`
	MediaType  string `gorm:"size:100;not null"`
	Size       int64  `gorm:"not null"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Rows       int64  `gorm:"not null;default:0"`
	StorageKey string `gorm:"size:200;not null;index"`
	Columns    string `gorm:"type:text"` // JSON list of data item names found in the file
	Encoding   string `gorm:"size:16"`   // CSV: the encoding it arrived in
	CreatedAt  time.Time
	UpdatedAt  time.Time `gorm:"autoUpdateTime:false"`
}

// TableName keeps the table name stable.
func (VersionResource) TableName() string { return "version_resources" }

// ColumnNames decodes Columns.
func (r *VersionResource) ColumnNames() []string {
	var out []string
	_ = json.Unmarshal([]byte(r.Columns), &out)
	return out
}

// Review is one decision of the authority on a submitted version.
type Review struct {
	ID         uint64    `gorm:"primaryKey"`
	VersionID  uint64    `gorm:"not null;index"`
	DatasetID  string    `gorm:"size:64;not null;index"`
	Decision   string    `gorm:"size:16;not null"` // approve | return
	Comment    string    `gorm:"type:text"`
	ReviewerID uint64    `gorm:"not null"`
	At         time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Review) TableName() string { return "dataset_reviews" }

// Review decisions.
const (
	Approve = "approve"
	Return  = "return"
)

// FreshnessFlag records that an overdue update was reported, once per due
// date (the update frequency the entry declares).
type FreshnessFlag struct {
	DatasetID string    `gorm:"primaryKey;size:64"`
	DueAt     time.Time `gorm:"primaryKey"`
	FlaggedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (FreshnessFlag) TableName() string { return "freshness_flags" }

// Migrations creates the publishing tables.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0005_catalog_versions",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &versionV1{}, &versionResourceV1{}, &reviewV1{}, &freshnessFlagV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("freshness_flags", "dataset_reviews", "version_resources", "dataset_versions")
		},
	}, {
		ID:      "0051_catalog_record_versions",
		Migrate: migrateVersionRecords,
		// The added members are harmless to the older code: nothing to undo.
		Rollback: func(tx *gorm.DB) error { return nil },
	}}
}

// migrateVersionRecords gives every stored version's snapshot the catalog
// record members migration 0050 gave the catalog rows, on the same rules:
// the share type of the open type (the open conditions or not-open reason
// as share conditions), "file" as the method of shared data, the formats of
// the version's own files and no resource code. Members a snapshot already
// has are kept.
func migrateVersionRecords(tx *gorm.DB) error {
	var last uint64
	for {
		var batch []versionV1
		if err := tx.Where("id > ?", last).Order("id").Limit(500).Find(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, ver := range batch {
			last = ver.ID
			var snap map[string]any
			if err := json.Unmarshal([]byte(ver.Snapshot), &snap); err != nil || snap == nil {
				continue // not a draft object: leave it as it is
			}
			if _, ok := snap["share_type"]; ok {
				continue
			}
			open, _ := snap["open_type"].(string)
			share, method, cond := "not_shared", "", snap["not_open_reason"]
			switch open {
			case "unconditional":
				share, method, cond = "unconditional", "file", ""
			case "conditional":
				share, method, cond = "conditional", "file", snap["open_conditions"]
			}
			if cond == nil {
				cond = ""
			}
			var rs []versionResourceV1
			if err := tx.Where("version_id = ?", ver.ID).Order("position").Find(&rs).Error; err != nil {
				return err
			}
			formats := []string{}
			for _, r := range rs {
				if f := strings.ToUpper(r.Format); !slices.Contains(formats, f) {
					formats = append(formats, f)
				}
			}
			snap["share_type"], snap["share_method"], snap["share_conditions"] = share, method, cond
			if _, ok := snap["resource_code"]; !ok {
				snap["resource_code"] = ""
			}
			if _, ok := snap["formats"]; !ok {
				snap["formats"] = formats
			}
			b, err := json.Marshal(snap)
			if err != nil {
				return err
			}
			if err := tx.Model(&versionV1{}).Where("id = ?", ver.ID).UpdateColumn("snapshot", string(b)).Error; err != nil {
				return err
			}
		}
	}
}

type versionV1 struct {
	ID           uint64 `gorm:"primaryKey"`
	DatasetID    string `gorm:"size:64;not null;uniqueIndex:ux_dataset_version,priority:1"`
	Number       int    `gorm:"not null;uniqueIndex:ux_dataset_version,priority:2"`
	DepartmentID string `gorm:"size:64;not null;index"`
	Status       string `gorm:"size:16;not null;index"`
	Title        string `gorm:"size:300;not null"`
	Snapshot     string `gorm:"type:text;not null"`
	Note         string `gorm:"type:text"`
	Changes      string `gorm:"type:text"`
	CreatedBy    uint64 `gorm:"not null;default:0"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SubmittedAt  *time.Time
	ReviewDue    *time.Time
	ReturnedAt   *time.Time
	FixDue       *time.Time
	ApprovedAt   *time.Time
	ApprovedBy   *uint64
}

func (versionV1) TableName() string { return "dataset_versions" }

type versionResourceV1 struct {
	VersionID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	ResourceID string `gorm:"primaryKey;size:64"`
	Position   int    `gorm:"not null"`
	Name       string `gorm:"size:300;not null"`
	Format     string `gorm:"size:16;not null"`
	MediaType  string `gorm:"size:100;not null"`
	Size       int64  `gorm:"not null"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Rows       int64  `gorm:"not null;default:0"`
	StorageKey string `gorm:"size:200;not null;index"`
	Columns    string `gorm:"type:text"`
	Encoding   string `gorm:"size:16"`
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Version versionV1 `gorm:"foreignKey:VersionID;constraint:OnDelete:CASCADE"`
}

func (versionResourceV1) TableName() string { return "version_resources" }

type reviewV1 struct {
	ID         uint64    `gorm:"primaryKey"`
	VersionID  uint64    `gorm:"not null;index"`
	DatasetID  string    `gorm:"size:64;not null;index"`
	Decision   string    `gorm:"size:16;not null"`
	Comment    string    `gorm:"type:text"`
	ReviewerID uint64    `gorm:"not null"`
	At         time.Time `gorm:"not null"`
}

func (reviewV1) TableName() string { return "dataset_reviews" }

type freshnessFlagV1 struct {
	DatasetID string    `gorm:"primaryKey;size:64"`
	DueAt     time.Time `gorm:"primaryKey"`
	FlaggedAt time.Time `gorm:"not null"`
}

func (freshnessFlagV1) TableName() string { return "freshness_flags" }
