package devapi

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the tables that hold resources' rows for the row API.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0030_resource_rows",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &resourceTableV1{}, &resourceRowV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("resource_rows", "resource_tables")
		},
	}, {
		ID: "0056_token_dataset_uses",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &tokenUseV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("token_dataset_uses")
		},
	}}
}

// tokenUseV1 is the table as migration 0056 created it: the last use of an
// unconditional dataset by an API token (evidence for 000 Art 16 grace).
type tokenUseV1 struct {
	TokenID    uint64    `gorm:"primaryKey;autoIncrement:false"`
	DatasetID  string    `gorm:"primaryKey;size:64"`
	LastUsedAt time.Time `gorm:"not null"`
}

func (tokenUseV1) TableName() string { return "token_dataset_uses" }

// resourceTableV1 is the table as migration 0030 created it.
type resourceTableV1 struct {
	ResourceID string `gorm:"primaryKey;size:64"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Columns    string `gorm:"type:text;not null"`
	Rows       int64  `gorm:"not null;default:0"`
	State      string `gorm:"size:16;not null"`
	Error      string `gorm:"size:500"`
	LeaseUntil *time.Time
	LoadedAt   *time.Time
}

func (resourceTableV1) TableName() string { return "resource_tables" }

// resourceRowV1: one row of a resource's table, its values as a JSON array
// in column order (typed: numbers, booleans, null, strings).
type resourceRowV1 struct {
	ResourceID string `gorm:"primaryKey;size:64;autoIncrement:false"`
	RowNo      int64  `gorm:"primaryKey;autoIncrement:false"`
	Data       string `gorm:"type:mediumtext;not null"`
}

func (resourceRowV1) TableName() string { return "resource_rows" }
