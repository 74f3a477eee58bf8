// Package quality stores and serves what the portal knows about the data
// it publishes: the profile of every CSV resource (server/profile reads the
// file; this package runs it as an outbox job, one replica per file, and
// keeps the result), and the 0–100 quality score of every public catalog
// entry, made of nine checks with fixed weights (docs/quality.md): the
// catalog record, open formats, updates on schedule, corrections
// answered, and five checks of the data itself from the profiles. The
// public sees scores and profiles (conditional data only through a grant);
// departments see what to fix first.
package quality

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Profile states.
const (
	StateRunning = "running" // a worker holds the lease and reads the file
	StateReady   = "ready"
	StateFailed  = "failed" // Transient: retried by the outbox; else for good (the file cannot be read)
)

// Profile is the stored profile of one resource file, made against the
// data items declared when it ran (ItemsHash). A row whose SHA256 or
// ItemsHash differs from the resource's current ones is stale.
type Profile struct {
	ResourceID string `gorm:"primaryKey;size:64"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	ItemsHash  string `gorm:"size:64;not null"`
	State      string `gorm:"size:16;not null"`
	// Result is the profile.Result as JSON ("" until ready); mediumtext
	// holds 16 MB on MySQL, and results are capped below (MaxResultBytes).
	Result    string `gorm:"type:mediumtext;not null"`
	Error     string `gorm:"size:500;not null;default:''"`
	Transient bool   `gorm:"not null"`
	// LeaseOwner and LeaseUntil: the worker profiling the file now. A
	// crashed worker's lease expires and the next attempt starts over.
	LeaseOwner string `gorm:"size:32;not null;default:''"`
	LeaseUntil *time.Time
	// Attempts counts the runs of this file against these items.
	Attempts   int `gorm:"not null;default:0"`
	ProfiledAt *time.Time
	UpdatedAt  time.Time `gorm:"autoUpdateTime:false"`
}

// TableName keeps the table name stable.
func (Profile) TableName() string { return "resource_profiles" }

// Score is the stored quality of one public entry.
type Score struct {
	DatasetID string `gorm:"primaryKey;size:64"`
	Score     int    `gorm:"not null"`
	Checks    string `gorm:"type:text;not null"` // JSON []storedCheck
	// IndexedScore is the score the search index last received: the entry
	// is reindexed until it equals Score (a failed reindex is retried).
	// (No default tag: GORM would write the default instead of a 0.)
	IndexedScore int       `gorm:"not null"`
	ComputedAt   time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Score) TableName() string { return "dataset_quality" }

// Failure is one failed check of a public entry, kept apart so "fix
// first" reads the biggest gains through an index instead of decoding
// every entry's checks.
type Failure struct {
	DatasetID    string `gorm:"primaryKey;size:64"`
	CheckID      string `gorm:"primaryKey;size:32"`
	Hint         string `gorm:"size:32;not null"` // the check's hint key (messages.go)
	DepartmentID string `gorm:"size:64;not null;index:idx_quality_failures_dept,priority:1"`
	Weight       int    `gorm:"not null;index:idx_quality_failures_gain,priority:1;index:idx_quality_failures_dept,priority:2"`
	Score        int    `gorm:"not null;index:idx_quality_failures_gain,priority:2;index:idx_quality_failures_dept,priority:3"`
}

// TableName keeps the table name stable.
func (Failure) TableName() string { return "quality_failures" }

// sweepRun records when the periodic sweep last ran, so replicas that
// start together sweep once.
type sweepRun struct {
	Name  string    `gorm:"primaryKey;size:32"`
	RanAt time.Time `gorm:"not null"`
}

func (sweepRun) TableName() string { return "quality_sweeps" }

// Migrations creates the quality tables (ids 0071–0079 are this package's).
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0071_quality",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &profileV1{}, &scoreV1{}, &failureV1{}, &sweepRunV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("quality_sweeps", "quality_failures", "dataset_quality", "resource_profiles")
		},
	}}
}

type profileV1 struct {
	ResourceID string `gorm:"primaryKey;size:64"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	ItemsHash  string `gorm:"size:64;not null"`
	State      string `gorm:"size:16;not null"`
	Result     string `gorm:"type:mediumtext;not null"`
	Error      string `gorm:"size:500;not null;default:''"`
	Transient  bool   `gorm:"not null"`
	LeaseOwner string `gorm:"size:32;not null;default:''"`
	LeaseUntil *time.Time
	Attempts   int `gorm:"not null;default:0"`
	ProfiledAt *time.Time
	UpdatedAt  time.Time
}

func (profileV1) TableName() string { return "resource_profiles" }

type scoreV1 struct {
	DatasetID    string    `gorm:"primaryKey;size:64"`
	Score        int       `gorm:"not null"`
	Checks       string    `gorm:"type:text;not null"`
	IndexedScore int       `gorm:"not null;default:-1"`
	ComputedAt   time.Time `gorm:"not null"`
}

func (scoreV1) TableName() string { return "dataset_quality" }

type failureV1 struct {
	DatasetID    string `gorm:"primaryKey;size:64"`
	CheckID      string `gorm:"primaryKey;size:32"`
	Hint         string `gorm:"size:32;not null"`
	DepartmentID string `gorm:"size:64;not null;index:idx_quality_failures_dept,priority:1"`
	Weight       int    `gorm:"not null;index:idx_quality_failures_gain,priority:1;index:idx_quality_failures_dept,priority:2"`
	Score        int    `gorm:"not null;index:idx_quality_failures_gain,priority:2;index:idx_quality_failures_dept,priority:3"`
}

func (failureV1) TableName() string { return "quality_failures" }

type sweepRunV1 struct {
	Name  string    `gorm:"primaryKey;size:32"`
	RanAt time.Time `gorm:"not null"`
}

func (sweepRunV1) TableName() string { return "quality_sweeps" }
