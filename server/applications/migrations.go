package applications

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the tables of applications, grants and use records.
// The structs below are frozen snapshots: later model changes add new
// migrations instead of editing these.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0021_applications",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &applicationV1{}, &applicationEventV1{}, &grantV1{}, &grantEventV1{}, &useRecordV1{}, &closureV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("application_closures", "grant_uses", "grant_events", "grants", "application_events", "applications")
		},
	}, {
		// late_at: lateness that a missing-material notice or a new round
		// cannot erase. Rows escalated before get the due date their
		// escalation chased; rows only decided late get their decision time
		// (their missed due date was not kept). clock_round: the deadline
		// round, which a recomputed due date bumps without making a new
		// material round; it starts equal to round, so claims already made
		// keep matching.
		ID: "0045_application_late_at",
		Migrate: func(tx *gorm.DB) error {
			for _, col := range []string{"LateAt", "ClockRound"} {
				if !tx.Migrator().HasColumn(&applicationV2{}, col) {
					if err := tx.Migrator().AddColumn(&applicationV2{}, col); err != nil {
						return err
					}
				}
			}
			if err := tx.Exec("UPDATE applications SET clock_round = round").Error; err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE applications SET late_at = (SELECT MIN(d.due_at) FROM deadline_events d
				WHERE d.subject = 'application' AND d.item_id = applications.id AND d.step = 'escalation')
				WHERE late_at IS NULL AND escalations > 0`).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE applications SET late_at = decided_at WHERE late_at IS NULL AND decided_late = ?", true).Error
		},
		Rollback: func(tx *gorm.DB) error {
			for _, col := range []string{"ClockRound", "LateAt"} {
				if err := tx.Migrator().DropColumn(&applicationV2{}, col); err != nil {
					return err
				}
			}
			return nil
		},
	}}
}

// applicationV2 holds the columns migration 0045 adds.
type applicationV2 struct {
	LateAt     *time.Time
	ClockRound int `gorm:"not null;default:1"`
}

func (applicationV2) TableName() string { return "applications" }

type applicationV1 struct {
	ID                  string `gorm:"primaryKey;size:32"`
	ApplicantID         uint64 `gorm:"not null;index"`
	ApplicantName       string `gorm:"size:200;not null"`
	ApplicantKind       string `gorm:"size:16;not null"`
	DatasetID           string `gorm:"size:64;not null;index"`
	DatasetTitle        string `gorm:"size:300;not null"`
	DepartmentID        string `gorm:"size:64;not null;index:idx_app_queue,priority:1"`
	DepartmentName      string `gorm:"size:200;not null"`
	Region              string `gorm:"size:100;not null;index"`
	Status              string `gorm:"size:24;not null;index:idx_app_queue,priority:2"`
	Purpose             string `gorm:"type:text;not null"`
	Scenario            string `gorm:"type:text;not null"`
	Basis               string `gorm:"type:text;not null"`
	DataItems           string `gorm:"type:text;not null"`
	PeriodStart         time.Time
	PeriodEnd           time.Time
	Security            string `gorm:"type:text;not null"`
	Contact             string `gorm:"size:300;not null"`
	CommitmentKey       string `gorm:"size:200"`
	CommitmentName      string `gorm:"size:200"`
	CommitmentSize      int64
	SubmittedAt         time.Time  `gorm:"not null"`
	Round               int        `gorm:"not null;default:1"`
	RoundStartedAt      time.Time  `gorm:"not null"`
	DueAt               *time.Time `gorm:"index:idx_app_queue,priority:3"`
	Missing             string     `gorm:"type:text"`
	MaterialRequestedAt *time.Time
	MaterialNote        string `gorm:"type:text"`
	DecidedAt           *time.Time
	DecidedBy           uint64
	DecidedLate         bool
	Reason              string `gorm:"type:text"`
	ApprovedItems       string `gorm:"type:text"`
	GrantID             string `gorm:"size:32"`
	EscalatedAt         *time.Time
	Escalations         int `gorm:"not null;default:0"`
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (applicationV1) TableName() string { return "applications" }

type applicationEventV1 struct {
	ID            uint64    `gorm:"primaryKey"`
	ApplicationID string    `gorm:"size:32;not null;index"`
	At            time.Time `gorm:"not null"`
	ActorID       uint64    `gorm:"not null"`
	Action        string    `gorm:"size:32;not null"`
	Note          string    `gorm:"type:text"`
}

func (applicationEventV1) TableName() string { return "application_events" }

type grantV1 struct {
	ID            string    `gorm:"primaryKey;size:32"`
	ApplicationID string    `gorm:"size:32;not null;uniqueIndex"`
	UserID        uint64    `gorm:"not null;index:idx_grant_holder,priority:1"`
	DatasetID     string    `gorm:"size:64;not null;index:idx_grant_holder,priority:2;index"`
	DatasetTitle  string    `gorm:"size:300;not null"`
	DepartmentID  string    `gorm:"size:64;not null;index"`
	Region        string    `gorm:"size:100;not null;index"`
	DataItems     string    `gorm:"type:text;not null"`
	PeriodStart   time.Time `gorm:"not null"`
	PeriodEnd     time.Time `gorm:"not null"`
	AccessUntil   time.Time `gorm:"not null"`
	Status        string    `gorm:"size:16;not null"`
	SuspendedAt   *time.Time
	SuspendedBy   uint64
	SuspendReason string `gorm:"type:text"`
	RevokedAt     *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (grantV1) TableName() string { return "grants" }

type grantEventV1 struct {
	ID      uint64    `gorm:"primaryKey"`
	GrantID string    `gorm:"size:32;not null;index"`
	At      time.Time `gorm:"not null"`
	ActorID uint64    `gorm:"not null"`
	Action  string    `gorm:"size:32;not null"`
	Reason  string    `gorm:"type:text"`
}

func (grantEventV1) TableName() string { return "grant_events" }

type useRecordV1 struct {
	ID           uint64    `gorm:"primaryKey"`
	GrantID      string    `gorm:"size:32;not null;index"`
	UserID       uint64    `gorm:"not null;index"`
	DatasetID    string    `gorm:"size:64;not null"`
	DepartmentID string    `gorm:"size:64;not null;index:idx_use_dept,priority:1"`
	ResourceID   string    `gorm:"size:64;not null"`
	Format       string    `gorm:"size:16;not null"`
	Fields       string    `gorm:"type:text;not null"`
	Rows         int64     `gorm:"not null"`
	Bytes        int64     `gorm:"not null"`
	At           time.Time `gorm:"not null;index:idx_use_dept,priority:2"`
}

func (useRecordV1) TableName() string { return "grant_uses" }

type closureV1 struct {
	DatasetID string    `gorm:"primaryKey;size:64"`
	ClosedAt  time.Time `gorm:"not null"`
	GraceEnd  time.Time `gorm:"not null"`
}

func (closureV1) TableName() string { return "application_closures" }
