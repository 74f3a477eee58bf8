package revocations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the tables of revocations, announcements, filings and
// their yearly number series. The structs below are frozen snapshots:
// later model changes add new migrations instead of editing these.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0023_revocations",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &revocationV1{}, &announcementV1{}, &filingV1{}, &counterV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("revocation_counters", "revocation_filings", "announcements", "revocations")
		},
	}}
}

type revocationV1 struct {
	ID             string    `gorm:"primaryKey;size:32"`
	DatasetID      string    `gorm:"size:64;not null;index"`
	DatasetTitle   string    `gorm:"size:300;not null"`
	ResourceID     string    `gorm:"size:64;not null;default:'';index"`
	ResourceName   string    `gorm:"size:300;not null;default:''"`
	ResourceFormat string    `gorm:"size:16;not null;default:''"`
	OpenType       string    `gorm:"size:16;not null"`
	DepartmentID   string    `gorm:"size:64;not null;index"`
	DepartmentName string    `gorm:"size:200;not null"`
	Region         string    `gorm:"size:100;not null;index"`
	Reason         string    `gorm:"type:text;not null"`
	LegalBasis     string    `gorm:"type:text;not null"`
	ProposedDate   string    `gorm:"size:10;not null"`
	Status         string    `gorm:"size:16;not null;index"`
	RequestedBy    uint64    `gorm:"not null"`
	RequesterName  string    `gorm:"size:200;not null"`
	RequestedAt    time.Time `gorm:"not null"`

	DecidedAt      *time.Time
	DecidedBy      uint64
	DeciderName    string     `gorm:"size:200;not null;default:''"`
	DecisionReason string     `gorm:"type:text"`
	EffectiveAt    *time.Time `gorm:"index"`
	GraceEnd       *time.Time
	AnnouncementID string `gorm:"size:32;not null;default:''"`
	FilingID       string `gorm:"size:32;not null;default:''"`
	AppliedAt      *time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
}

func (revocationV1) TableName() string { return "revocations" }

type announcementV1 struct {
	ID             string    `gorm:"primaryKey;size:32"`
	Number         string    `gorm:"size:64;not null;uniqueIndex"`
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
	ExistingUsers  string    `gorm:"type:text;not null"`
	Correction     string    `gorm:"type:text"`
	Body           string    `gorm:"type:text;not null"`
	PublishedAt    time.Time `gorm:"not null;index"`
	PublishedBy    uint64    `gorm:"not null"`
}

func (announcementV1) TableName() string { return "announcements" }

type filingV1 struct {
	ID               string    `gorm:"primaryKey;size:32"`
	Number           string    `gorm:"size:64;not null;uniqueIndex"`
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

func (filingV1) TableName() string { return "revocation_filings" }

type counterV1 struct {
	Series string `gorm:"primaryKey;size:16"`
	Year   int    `gorm:"primaryKey;autoIncrement:false"`
	Last   int    `gorm:"not null"`
}

func (counterV1) TableName() string { return "revocation_counters" }
