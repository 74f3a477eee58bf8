package requests

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the data request tables (frozen snapshots below).
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0023_data_requests",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &requestV1{}, &supportV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("data_request_supports", "data_requests")
		},
	}, {
		// route_due_at: the authority's routing clock. Requests still
		// waiting without it are given theirs by the next follow-up run,
		// which knows the calendar.
		ID: "0046_data_request_route_due",
		Migrate: func(tx *gorm.DB) error {
			if tx.Migrator().HasColumn(&requestRouteV2{}, "RouteDueAt") {
				return nil
			}
			return tx.Migrator().AddColumn(&requestRouteV2{}, "RouteDueAt")
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn(&requestRouteV2{}, "RouteDueAt") },
	}, {
		// A request's history: routing, answers, escalations and due dates
		// moved by a calendar change. Older requests start with none.
		ID:       "0047_data_request_events",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &eventV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("data_request_events") },
	}}
}

type eventV1 struct {
	ID        uint64    `gorm:"primaryKey"`
	RequestID uint64    `gorm:"not null;index"`
	At        time.Time `gorm:"not null"`
	Action    string    `gorm:"size:32;not null"`
	Note      string    `gorm:"type:text"`
}

func (eventV1) TableName() string { return "data_request_events" }

// requestRouteV2 is the column migration 0046 adds.
type requestRouteV2 struct {
	RouteDueAt *time.Time
}

func (requestRouteV2) TableName() string { return "data_requests" }

type requestV1 struct {
	ID                    uint64    `gorm:"primaryKey"`
	Title                 string    `gorm:"size:200;not null"`
	TitleKey              string    `gorm:"size:200;not null;index"`
	Description           string    `gorm:"type:text;not null"`
	IntendedUse           string    `gorm:"type:text"`
	SuggestedDepartmentID string    `gorm:"size:64;not null;default:''"`
	DepartmentID          string    `gorm:"size:64;not null;default:'';index"`
	RequesterID           uint64    `gorm:"not null;index"`
	Status                string    `gorm:"size:16;not null;index"`
	CreatedAt             time.Time `gorm:"not null;index"`
	RoutedAt              *time.Time
	RoutedBy              *uint64
	AnswerDueAt           *time.Time
	AnsweredAt            *time.Time
	AnsweredBy            *uint64
	Reason                string `gorm:"type:text"`
	CatalogDueAt          *time.Time
	DatasetID             string `gorm:"size:64;not null;default:''"`
	FulfilledAt           *time.Time
	Supporters            int  `gorm:"not null;default:0"`
	Round                 int  `gorm:"not null;default:1"`
	Escalated             bool `gorm:"not null;default:false"`
}

func (requestV1) TableName() string { return "data_requests" }

type supportV1 struct {
	RequestID uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time `gorm:"not null"`
}

func (supportV1) TableName() string { return "data_request_supports" }
