package catalog

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations returns the catalog's schema migrations. Each migration
// declares the tables as they were at that version, so later changes to
// the model types never rewrite history.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0001_catalog",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &departmentV1{}, &topicV1{}, &datasetV1{}, &dataItemV1{}, &resourceV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("resources", "data_items", "datasets", "topics", "departments")
		},
	}}
}

type departmentV1 struct {
	ID          string `gorm:"primaryKey;size:64"`
	Name        string `gorm:"size:200;not null"`
	RegionLevel string `gorm:"size:16;not null"`
	Region      string `gorm:"size:100;not null"`
	ParentID    string `gorm:"size:64"`
	CreatedAt   time.Time
}

func (departmentV1) TableName() string { return "departments" }

type topicV1 struct {
	ID        string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"size:100;not null"`
	NameEN    string `gorm:"size:100"`
	SortOrder int
}

func (topicV1) TableName() string { return "topics" }

type datasetV1 struct {
	ID              string `gorm:"primaryKey;size:64"`
	Title           string `gorm:"size:300;not null"`
	Description     string `gorm:"type:text"`
	DepartmentID    string `gorm:"size:64;not null;index"`
	TopicID         string `gorm:"size:64;not null;index"`
	OpenType        string `gorm:"size:16;not null;index"`
	OpenConditions  string `gorm:"type:text"`
	NotOpenReason   string `gorm:"type:text"`
	UsageScope      string `gorm:"type:text"`
	UpdateFrequency string `gorm:"size:16;not null"`
	Classification  string `gorm:"size:64"`
	Grade           string `gorm:"size:8"`
	Tags            string `gorm:"type:text"`
	Region          string `gorm:"size:100"`
	Status          string `gorm:"size:16;not null;index"`
	Version         int    `gorm:"not null;default:1"`
	PublishedAt     *time.Time
	UpdatedAt       time.Time `gorm:"index"`
	CreatedAt       time.Time
	Downloads       int64 `gorm:"not null;default:0"`
	APICalls        int64 `gorm:"not null;default:0"`

	Department departmentV1 `gorm:"foreignKey:DepartmentID"`
	Topic      topicV1      `gorm:"foreignKey:TopicID"`
}

func (datasetV1) TableName() string { return "datasets" }

type dataItemV1 struct {
	ID          uint   `gorm:"primaryKey"`
	DatasetID   string `gorm:"size:64;not null;index"`
	Position    int    `gorm:"not null"`
	Name        string `gorm:"size:64;not null"`
	Label       string `gorm:"size:100;not null"`
	Type        string `gorm:"size:16;not null"`
	Description string `gorm:"type:text"`
	Required    bool   `gorm:"not null;default:false"`

	Dataset datasetV1 `gorm:"foreignKey:DatasetID;constraint:OnDelete:CASCADE"`
}

func (dataItemV1) TableName() string { return "data_items" }

type resourceV1 struct {
	ID         string `gorm:"primaryKey;size:64"`
	DatasetID  string `gorm:"size:64;not null;index"`
	Position   int    `gorm:"not null"`
	Name       string `gorm:"size:300;not null"`
	Format     string `gorm:"size:16;not null"`
	MediaType  string `gorm:"size:100;not null"`
	Size       int64  `gorm:"not null"`
	SHA256     string `gorm:"column:sha256;size:64;not null"`
	Rows       int64  `gorm:"not null;default:0"`
	StorageKey string `gorm:"size:200;not null"`
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Dataset datasetV1 `gorm:"foreignKey:DatasetID;constraint:OnDelete:CASCADE"`
}

func (resourceV1) TableName() string { return "resources" }
