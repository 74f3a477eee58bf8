package corrections

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the corrections tables. The snapshot structs below
// are frozen: later changes add migrations, never edit these.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0022_corrections",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &correctionV1{}, &eventV1{}, &evidenceV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("correction_evidence", "correction_events", "corrections")
		},
	}}
}

type correctionV1 struct {
	ID                   uint64    `gorm:"primaryKey"`
	TrackingHash         string    `gorm:"size:64;not null;uniqueIndex"`
	DatasetID            string    `gorm:"size:64;not null;index:idx_corrections_dataset,priority:1"`
	Status               string    `gorm:"size:16;not null;index:idx_corrections_dataset,priority:2;index:idx_corrections_status_due,priority:1"`
	DepartmentID         string    `gorm:"size:64;not null;index"`
	OriginDepartmentID   string    `gorm:"size:64;not null"`
	ResourceID           string    `gorm:"size:64;not null;default:''"`
	DataItem             string    `gorm:"size:64;not null;default:''"`
	RowKey               string    `gorm:"size:200;not null;default:''"`
	Description          string    `gorm:"type:text;not null"`
	ProposedValue        string    `gorm:"type:text"`
	AboutSelf            bool      `gorm:"not null;default:false"`
	ReporterUserID       *uint64   `gorm:"index"`
	ContactName          string    `gorm:"size:100;not null;default:''"`
	ContactEmail         string    `gorm:"size:191;not null;default:''"`
	ContactPhone         string    `gorm:"size:32;not null;default:''"`
	ContactKey           string    `gorm:"size:64;not null;index"`
	IPHash               string    `gorm:"size:64;not null;index:idx_corrections_ip,priority:1"`
	CreatedAt            time.Time `gorm:"not null;index:idx_corrections_ip,priority:2;index"`
	ClockStart           time.Time `gorm:"not null"`
	DueAt                time.Time `gorm:"not null;index:idx_corrections_status_due,priority:2"`
	Round                int       `gorm:"not null;default:1"`
	Forwards             int       `gorm:"not null;default:0"`
	ExtensionStatus      string    `gorm:"size:16;not null;default:''"`
	ExtensionDays        int       `gorm:"not null;default:0"`
	ExtensionReason      string    `gorm:"type:text"`
	ExtensionComment     string    `gorm:"type:text"`
	ExtensionRequestedAt *time.Time
	ExtensionDecidedAt   *time.Time
	ExtensionsUsed       int    `gorm:"not null;default:0"`
	Outcome              string `gorm:"size:16;not null;default:''"`
	Explanation          string `gorm:"type:text"`
	NewResourceID        string `gorm:"size:64;not null;default:''"`
	AnsweredAt           *time.Time
	AnsweredBy           *uint64
	EscalatedAt          *time.Time
}

func (correctionV1) TableName() string { return "corrections" }

type eventV1 struct {
	ID           uint64    `gorm:"primaryKey"`
	CorrectionID uint64    `gorm:"not null;index"`
	Kind         string    `gorm:"size:32;not null"`
	At           time.Time `gorm:"not null"`
	DepartmentID string    `gorm:"size:64;not null;default:''"`
	DueAt        *time.Time
	Note         string `gorm:"type:text"`
	Public       bool   `gorm:"not null;default:true"`
	MailedAt     *time.Time
}

func (eventV1) TableName() string { return "correction_events" }

type evidenceV1 struct {
	ID           string    `gorm:"primaryKey;size:32"`
	CorrectionID uint64    `gorm:"not null;index"`
	Party        string    `gorm:"size:16;not null"`
	MediaType    string    `gorm:"size:64;not null"`
	Size         int64     `gorm:"not null"`
	SHA256       string    `gorm:"column:sha256;size:64;not null"`
	StorageKey   string    `gorm:"size:200;not null"`
	CreatedAt    time.Time `gorm:"not null"`
}

func (evidenceV1) TableName() string { return "correction_evidence" }
