// Package revocations is the withdrawal of published open data (000 Art
// 35, 16): a provider department asks to revoke one of its published
// datasets (or one resource of it) with reasons and a legal basis; the
// same-level data authority approves or rejects it; an approval is filed
// (备案) with the provincial authority and announced on the portal in a
// permanent, numbered announcement (黑数开公告〔2026〕第3号) that is also in
// the Atom feed. On the effective date the data leaves the catalog, the
// search index and the machine-readable outputs, and its URLs answer 410
// Gone with a tombstone. Grant holders keep access for the profile's grace
// period (000 Art 16: 6 months) or until their grant ends.
//
// Nothing here edits an announcement: a correction is a new announcement
// that names the one it corrects.
package revocations

import "time"

// Status is where a revocation request is.
type Status string

const (
	Pending  Status = "pending"  // waiting for the same-level authority
	Approved Status = "approved" // filed and announced; withdrawn on the effective date
	Rejected Status = "rejected" // refused with reasons; nothing changed publicly
)

// Statuses lists every status in the order of the procedure.
var Statuses = []Status{Pending, Approved, Rejected}

// Decisions the authority may take.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// Announcement kinds.
const (
	KindRevocation = "revocation" // the announcement of an approved revocation
	KindCorrection = "correction" // corrects an earlier announcement (never edited in place)
)

// Limits on what people send.
const (
	MaxText            = 2000 // characters in a reason, legal basis or correction
	MaxEffectiveDays   = 366  // the furthest proposed effective date, in days from today
	MaxCorrectionTitle = 200
)

// Revocation is a provider's request to withdraw published open data and
// the authority's decision on it.
type Revocation struct {
	ID             string    `gorm:"primaryKey;size:32"`
	DatasetID      string    `gorm:"size:64;not null;index"`
	DatasetTitle   string    `gorm:"size:300;not null"`
	ResourceID     string    `gorm:"size:64;not null;default:'';index"` // "": the whole dataset
	ResourceName   string    `gorm:"size:300;not null;default:''"`
	ResourceFormat string    `gorm:"size:16;not null;default:''"`
	OpenType       string    `gorm:"size:16;not null"`
	DepartmentID   string    `gorm:"size:64;not null;index"`
	DepartmentName string    `gorm:"size:200;not null"`
	Region         string    `gorm:"size:100;not null;index"` // the department's region: its same-level authority decides
	Reason         string    `gorm:"type:text;not null"`
	LegalBasis     string    `gorm:"type:text;not null"`
	ProposedDate   string    `gorm:"size:10;not null"` // YYYY-MM-DD (China) the provider proposed
	Status         Status    `gorm:"size:16;not null;index"`
	RequestedBy    uint64    `gorm:"not null"`
	RequesterName  string    `gorm:"size:200;not null"`
	RequestedAt    time.Time `gorm:"not null"`

	DecidedAt      *time.Time
	DecidedBy      uint64
	DeciderName    string `gorm:"size:200;not null;default:''"`
	DecisionReason string `gorm:"type:text"`
	// Set on approval: when the data goes, and how long grant holders keep it.
	EffectiveAt    *time.Time `gorm:"index"`
	GraceEnd       *time.Time
	AnnouncementID string `gorm:"size:32;not null;default:''"`
	FilingID       string `gorm:"size:32;not null;default:''"`
	// AppliedAt is when the effective-date job withdrew the data.
	AppliedAt *time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name stable.
func (Revocation) TableName() string { return "revocations" }

// Whole reports whether the whole dataset is revoked (not one resource).
func (r *Revocation) Whole() bool { return r.ResourceID == "" }

// InEffect reports whether the data is withdrawn at now: approved and the
// effective time reached, whether or not the job has applied it yet.
func (r *Revocation) InEffect(now time.Time) bool {
	return r.Status == Approved && r.EffectiveAt != nil && !now.Before(*r.EffectiveAt)
}

// Announcement is a public, permanent notice (公告). Rows are only ever
// inserted: a correction is a new row whose CorrectsID names the old one.
type Announcement struct {
	ID             string    `gorm:"primaryKey;size:32"`
	Number         string    `gorm:"size:64;not null;uniqueIndex"` // 黑数开公告〔2026〕第3号
	Year           int       `gorm:"not null;uniqueIndex:idx_ann_year_seq,priority:1"`
	Seq            int       `gorm:"not null;uniqueIndex:idx_ann_year_seq,priority:2"`
	Kind           string    `gorm:"size:16;not null"`
	Title          string    `gorm:"size:300;not null"`
	RevocationID   string    `gorm:"size:32;not null;index"`
	CorrectsID     string    `gorm:"size:32;not null;default:'';index"`
	DatasetID      string    `gorm:"size:64;not null;index"`
	DatasetTitle   string    `gorm:"size:300;not null"`
	ResourceID     string    `gorm:"size:64;not null;default:''"`
	ResourceName   string    `gorm:"size:300;not null;default:''"`
	DepartmentID   string    `gorm:"size:64;not null"`
	DepartmentName string    `gorm:"size:200;not null"`
	Region         string    `gorm:"size:100;not null;index"`
	Reason         string    `gorm:"type:text;not null"`
	LegalBasis     string    `gorm:"type:text;not null"`
	ApprovedAt     time.Time `gorm:"not null"`
	EffectiveAt    time.Time `gorm:"not null"`
	GraceMonths    int       `gorm:"not null"`
	GraceEnd       time.Time `gorm:"not null"`
	ExistingUsers  string    `gorm:"type:text;not null"` // what happens to those already using the data
	Correction     string    `gorm:"type:text"`          // corrections: what was wrong and what is right
	Body           string    `gorm:"type:text;not null"` // the full text as published
	PublishedAt    time.Time `gorm:"not null;index"`
	PublishedBy    uint64    `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Announcement) TableName() string { return "announcements" }

// Filing is the record of an approved revocation with the provincial data
// authority (备案, 000 Art 35), which acknowledges receiving it.
type Filing struct {
	ID               string    `gorm:"primaryKey;size:32"`
	Number           string    `gorm:"size:64;not null;uniqueIndex"` // 黑数开备〔2026〕第3号
	Year             int       `gorm:"not null;uniqueIndex:idx_filing_year_seq,priority:1"`
	Seq              int       `gorm:"not null;uniqueIndex:idx_filing_year_seq,priority:2"`
	RevocationID     string    `gorm:"size:32;not null;uniqueIndex"`
	AnnouncementID   string    `gorm:"size:32;not null"`
	DatasetID        string    `gorm:"size:64;not null"`
	DatasetTitle     string    `gorm:"size:300;not null"`
	ResourceID       string    `gorm:"size:64;not null;default:''"`
	ResourceName     string    `gorm:"size:300;not null;default:''"`
	DepartmentID     string    `gorm:"size:64;not null"`
	DepartmentName   string    `gorm:"size:200;not null"`
	Region           string    `gorm:"size:100;not null"`
	Reason           string    `gorm:"type:text;not null"`
	LegalBasis       string    `gorm:"type:text;not null"`
	ApprovedAt       time.Time `gorm:"not null"`
	ApprovedBy       uint64    `gorm:"not null"`
	ApproverName     string    `gorm:"size:200;not null"`
	EffectiveAt      time.Time `gorm:"not null"`
	FiledAt          time.Time `gorm:"not null;index"`
	AcknowledgedAt   *time.Time
	AcknowledgedBy   uint64
	AcknowledgerName string `gorm:"size:200;not null;default:''"`
	Note             string `gorm:"type:text"`
}

// TableName keeps the table name stable.
func (Filing) TableName() string { return "revocation_filings" }

// counter is the last number given in a series and year; its row is
// locked while a number is taken, so numbers never repeat or skip.
type counter struct {
	Series string `gorm:"primaryKey;size:16"`
	Year   int    `gorm:"primaryKey;autoIncrement:false"`
	Last   int    `gorm:"not null"`
}

func (counter) TableName() string { return "revocation_counters" }
