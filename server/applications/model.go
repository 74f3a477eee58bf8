// Package applications is conditional open data (有条件开放, 000 Art 34):
// applications reviewed within the profile's working days on the official
// calendar, grants limited to the approved data items and period,
// suspension (000 Art 43), use records (000 Art 28), and the job that
// reminds providers and escalates overdue applications to the authority
// (000 Art 42).
//
// The clock: an application's deadline runs from the day it is submitted
// (that day not counted) for Profile.ApplicationReview working days (000
// Art 34: "从发出申请之日起5个工作日内"). A "needs more material" notice
// (001 Art 21: one notice listing everything missing, at most once per
// application) stops the clock; the applicant's resubmission starts a new
// one of the full length from the day of resubmission (a new round).
//
// That restart is our interpretation, not the text: 000 Art 34 counts only
// from the application, and 001 Art 21 (written for sharing between
// departments) requires the one-time notice but says nothing about the
// clock. We restart it because the provider can only decide on complete
// material. What the restart never does is erase lateness: a provider that
// missed a due date (escalated, or acting after it, the missing-material
// notice included) leaves LateAt set for good, and the final decision is
// recorded as decided late however quickly it follows the resubmission.
package applications

import (
	"time"

	"github.com/hlj-opendata/portal/server/catalog"
)

// Status is where an application is.
type Status string

const (
	Submitted    Status = "submitted"           // waiting for the provider's decision, clock running
	NeedMaterial Status = "needs_more_material" // provider listed what is missing; clock stopped
	Resubmitted  Status = "resubmitted"         // material supplied; a new clock runs
	Approved     Status = "approved"            // a grant exists
	Rejected     Status = "rejected"            // refused with reasons (Heilongjiang Interim Measures for Government Data Management, Art. 34)
	Withdrawn    Status = "withdrawn"           // by the applicant
)

// Statuses lists every status, in the order of the procedure.
var Statuses = []Status{Submitted, NeedMaterial, Resubmitted, Approved, Rejected, Withdrawn}

// Pending reports whether the provider owes a decision (the clock runs).
func (s Status) Pending() bool { return s == Submitted || s == Resubmitted }

// Open reports whether the application is not finished.
func (s Status) Open() bool { return s.Pending() || s == NeedMaterial }

// Decisions a provider may take.
const (
	DecisionApprove      = "approve"
	DecisionReject       = "reject"
	DecisionNeedMaterial = "need_material"
)

// Application is one request for a conditional dataset.
type Application struct {
	ID             string  `gorm:"primaryKey;size:32"`
	ApplicantID    uint64  `gorm:"not null;index"`
	ApplicantName  string  `gorm:"size:200;not null"`
	ApplicantKind  string  `gorm:"size:16;not null"`
	DatasetID      string  `gorm:"size:64;not null;index"`
	DatasetTitle   string  `gorm:"size:300;not null"`
	DepartmentID   string  `gorm:"size:64;not null;index:idx_app_queue,priority:1"`
	DepartmentName string  `gorm:"size:200;not null"`
	Region         string  `gorm:"size:100;not null;index"` // the department's region: its same-level authority
	Status         Status  `gorm:"size:24;not null;index:idx_app_queue,priority:2"`
	Purpose        string  `gorm:"type:text;not null"`
	Scenario       string  `gorm:"type:text;not null"`
	Basis          string  `gorm:"type:text;not null"`
	DataItems      Strings `gorm:"type:text;not null"`
	PeriodStart    time.Time
	PeriodEnd      time.Time
	Security       string `gorm:"type:text;not null"`
	Contact        string `gorm:"size:300;not null"`

	CommitmentKey  string `gorm:"size:200"` // blob key of the signed commitment letter (PDF)
	CommitmentName string `gorm:"size:200"`
	CommitmentSize int64

	SubmittedAt time.Time `gorm:"not null"`
	Round       int       `gorm:"not null;default:1"` // 1, then 2 after a resubmission
	// ClockRound is the deadline round chased by the deadlines job: a
	// resubmission and a recomputed due date (calendar change) each start
	// a new one, so reminders chase the new date.
	ClockRound     int        `gorm:"not null;default:1"`
	RoundStartedAt time.Time  `gorm:"not null"`
	DueAt          *time.Time `gorm:"index:idx_app_queue,priority:3"` // nil while the clock is stopped or after the decision

	Missing             Strings `gorm:"type:text"` // everything missing, listed at once (001 Art 21)
	MaterialRequestedAt *time.Time
	MaterialNote        string `gorm:"type:text"` // the applicant's answer on resubmission

	// LateAt is the first due date the provider missed (set on escalation,
	// or when it acts after the due date); never cleared, so neither the
	// missing-material notice nor the new round after resubmission hides it.
	LateAt *time.Time

	DecidedAt     *time.Time
	DecidedBy     uint64
	DecidedLate   bool    // decided after a due date, in this round or an earlier one
	Reason        string  `gorm:"type:text"` // refusal reasons, or the provider's note
	ApprovedItems Strings `gorm:"type:text"`
	GrantID       string  `gorm:"size:32"`

	EscalatedAt *time.Time // last escalation to the authority (000 Art 42)
	Escalations int        `gorm:"not null;default:0"`

	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name stable.
func (Application) TableName() string { return "applications" }

// Event is one step in an application's history, shown to its parties.
type Event struct {
	ID            uint64    `gorm:"primaryKey"`
	ApplicationID string    `gorm:"size:32;not null;index"`
	At            time.Time `gorm:"not null"`
	ActorID       uint64    `gorm:"not null"` // 0: the system
	Action        string    `gorm:"size:32;not null"`
	Note          string    `gorm:"type:text"`
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "application_events" }

// Grant status stored on the row; expiry is computed from the dates.
const (
	GrantActive    = "active"
	GrantSuspended = "suspended"
)

// Grant is the access an approved application gives: one holder, one
// dataset, the approved data items, the approved period.
type Grant struct {
	ID            string    `gorm:"primaryKey;size:32"`
	ApplicationID string    `gorm:"size:32;not null;uniqueIndex"`
	UserID        uint64    `gorm:"not null;index:idx_grant_holder,priority:1"`
	DatasetID     string    `gorm:"size:64;not null;index:idx_grant_holder,priority:2;index"`
	DatasetTitle  string    `gorm:"size:300;not null"`
	DepartmentID  string    `gorm:"size:64;not null;index"`
	Region        string    `gorm:"size:100;not null;index"`
	DataItems     Strings   `gorm:"type:text;not null"`
	PeriodStart   time.Time `gorm:"not null"`
	PeriodEnd     time.Time `gorm:"not null"`
	// AccessUntil is PeriodEnd, or earlier when the dataset was revoked
	// (000 Art 16: data in use keeps being provided for the grace period).
	AccessUntil   time.Time `gorm:"not null"`
	Status        string    `gorm:"size:16;not null"`
	SuspendedAt   *time.Time
	SuspendedBy   uint64
	SuspendReason string     `gorm:"type:text"`
	RevokedAt     *time.Time // the dataset's revocation was approved
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName keeps the table name stable.
func (Grant) TableName() string { return "grants" }

// State is the grant's status as a client sees it at now.
func (g *Grant) State(now time.Time) string {
	switch {
	case g.Status == GrantSuspended:
		return "suspended"
	case now.After(g.AccessUntil) || now.After(g.PeriodEnd):
		return "expired"
	case now.Before(g.PeriodStart):
		return "not_started"
	}
	return "active"
}

// GrantEvent records a suspension or reinstatement (000 Art 43).
type GrantEvent struct {
	ID      uint64    `gorm:"primaryKey"`
	GrantID string    `gorm:"size:32;not null;index"`
	At      time.Time `gorm:"not null"`
	ActorID uint64    `gorm:"not null"`
	Action  string    `gorm:"size:32;not null"` // suspended | reinstated | revoked
	Reason  string    `gorm:"type:text"`
}

// TableName keeps the table name stable.
func (GrantEvent) TableName() string { return "grant_events" }

// UseRecord is one download or API call under a grant (000 Art 28). There
// is no code path that deletes these rows: they are kept at least 3 years
// (Profile.UseRecordRetentionYears); archiving older ones is an operator
// task.
type UseRecord struct {
	ID           uint64    `gorm:"primaryKey"`
	GrantID      string    `gorm:"size:32;not null;index"`
	UserID       uint64    `gorm:"not null;index"`
	DatasetID    string    `gorm:"size:64;not null"`
	DepartmentID string    `gorm:"size:64;not null;index:idx_use_dept,priority:1"`
	ResourceID   string    `gorm:"size:64;not null"`
	Format       string    `gorm:"size:16;not null"`
	Fields       Strings   `gorm:"type:text;not null"`
	Rows         int64     `gorm:"not null"`
	Bytes        int64     `gorm:"not null"`
	At           time.Time `gorm:"not null;index:idx_use_dept,priority:2"`
}

// TableName keeps the table name stable.
func (UseRecord) TableName() string { return "grant_uses" }

// Closure stops new applications for a dataset whose revocation was
// approved (000 Art 35, 16).
type Closure struct {
	DatasetID string    `gorm:"primaryKey;size:64"`
	ClosedAt  time.Time `gorm:"not null"`
	GraceEnd  time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Closure) TableName() string { return "application_closures" }

// Strings is a list stored as a JSON array in one text column.
type Strings = catalog.Strings
