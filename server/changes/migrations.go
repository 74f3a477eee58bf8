package changes

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the catalog change tables. The snapshot structs below
// are frozen: later changes add migrations, never edit these.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0060_catalog_changes",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &noticeV1{}, &entryV1{}, &eventV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("catalog_change_events", "catalog_change_entries", "catalog_changes")
		},
	}}
}

type noticeV1 struct {
	ID                   uint64    `gorm:"primaryKey"`
	DepartmentID         string    `gorm:"size:64;not null;index"`
	Reason               string    `gorm:"type:text;not null"`
	ChangedOn            string    `gorm:"size:10;not null"`
	AllEntries           bool      `gorm:"not null"`
	CreatedBy            uint64    `gorm:"not null"`
	CreatedRole          string    `gorm:"size:16;not null"`
	NoticedAt            time.Time `gorm:"not null;index"`
	Days                 int       `gorm:"not null"`
	DueAt                time.Time `gorm:"not null;index:idx_catalog_changes_status_due,priority:2"`
	Round                int       `gorm:"not null;default:1"`
	Status               string    `gorm:"size:16;not null;index:idx_catalog_changes_status_due,priority:1"`
	CompletedAt          *time.Time
	EscalatedAt          *time.Time
	ExtensionStatus      string `gorm:"size:16;not null;default:''"`
	ExtensionDays        int    `gorm:"not null;default:0"`
	ExtensionReason      string `gorm:"type:text"`
	ExtensionBasis       string `gorm:"type:text"`
	ExtensionComment     string `gorm:"type:text"`
	ExtensionRequestedAt *time.Time
	ExtensionDecidedAt   *time.Time
	ExtensionDecidedBy   *uint64
}

func (noticeV1) TableName() string { return "catalog_changes" }

type entryV1 struct {
	NoticeID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	DatasetID string `gorm:"primaryKey;size:64;index"`
	Title     string `gorm:"size:300;not null"`
	Status    string `gorm:"size:16;not null"`
	DoneAt    *time.Time
	Version   int    `gorm:"not null;default:0"`
	Note      string `gorm:"type:text"`
	DoneBy    *uint64
}

func (entryV1) TableName() string { return "catalog_change_entries" }

type eventV1 struct {
	ID        uint64    `gorm:"primaryKey"`
	NoticeID  uint64    `gorm:"not null;index"`
	Kind      string    `gorm:"size:32;not null"`
	At        time.Time `gorm:"not null"`
	ActorID   *uint64
	DatasetID string `gorm:"size:64;not null;default:''"`
	DueAt     *time.Time
	Note      string `gorm:"type:text"`
}

func (eventV1) TableName() string { return "catalog_change_events" }
