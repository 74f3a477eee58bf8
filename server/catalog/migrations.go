package catalog

import (
	"encoding/json"
	"slices"
	"strings"
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
	}, {
		ID:      "0050_catalog_record",
		Migrate: migrateCatalogRecord,
		Rollback: func(tx *gorm.DB) error {
			for _, col := range []string{"resource_code", "share_type", "share_conditions", "share_method", "formats"} {
				if err := tx.Migrator().DropColumn(&datasetV2{}, col); err != nil {
					return err
				}
			}
			return tx.Migrator().DropColumn(&departmentV2{}, "code")
		},
	}, {
		ID:      "0070_data_quality",
		Migrate: migrateDataQuality,
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropColumn(&datasetV3{}, "quality_score"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn(&dataItemV2{}, "domain")
		},
	}, browseIndexMigration()}
}

// migrateDataQuality adds each data item's value domain (guessed from its
// name and label for existing items, so the data checks run at once; a
// department corrects a wrong guess like any other field) and each entry's
// quality score (0 until server/quality first scores it).
func migrateDataQuality(tx *gorm.DB) error {
	if err := store.AutoMigrate(tx, &dataItemV2{}, &datasetV3{}); err != nil {
		return err
	}
	var items []dataItemV2
	if err := tx.Select("id", "name", "label", "type").FindInBatches(&items, 1000, func(b *gorm.DB, _ int) error {
		for _, it := range items {
			if d := GuessDomain(it.Name, it.Label, it.Type); d != "" {
				if err := b.Model(&dataItemV2{}).Where("id = ?", it.ID).Update("domain", d).Error; err != nil {
					return err
				}
			}
		}
		return nil
	}).Error; err != nil {
		return err
	}
	return nil
}

type dataItemV2 struct {
	ID     uint   `gorm:"primaryKey"`
	Name   string `gorm:"size:64;not null"`
	Label  string `gorm:"size:100;not null"`
	Type   string `gorm:"size:16;not null"`
	Domain string `gorm:"size:16;not null;default:''"`
}

func (dataItemV2) TableName() string { return "data_items" }

type datasetV3 struct {
	ID           string `gorm:"primaryKey;size:64"`
	QualityScore int    `gorm:"not null;default:0;index"`
}

func (datasetV3) TableName() string { return "datasets" }

// migrateCatalogRecord adds the catalog record of the national guide: the
// department's credit code, and each entry's resource code, share type,
// conditions, method and declared formats. Existing entries get the share
// type of their open type (their open conditions or not-open reason stand
// as share conditions until the department states its own), "file" as the
// method of shared data (the portal serves files), and the formats of their
// resources. Resource and department codes cannot be guessed: they stay
// empty until someone records them.
func migrateCatalogRecord(tx *gorm.DB) error {
	if err := store.AutoMigrate(tx, &departmentV2{}, &datasetV2{}); err != nil {
		return err
	}
	steps := []struct {
		set   map[string]any
		where string
	}{
		{map[string]any{"share_type": "unconditional", "share_method": "file"}, "open_type = 'unconditional'"},
		{map[string]any{"share_type": "conditional", "share_method": "file", "share_conditions": gorm.Expr("open_conditions")}, "open_type = 'conditional'"},
		{map[string]any{"share_type": "not_shared", "share_method": "", "share_conditions": gorm.Expr("not_open_reason")}, "open_type = 'not_open'"},
	}
	for _, st := range steps {
		if err := tx.Model(&datasetV2{}).Where("share_type = ''").Where(st.where).UpdateColumns(st.set).Error; err != nil {
			return err
		}
	}
	var rows []struct {
		DatasetID string
		Format    string
	}
	if err := tx.Table("resources").Select("dataset_id, format").Order("dataset_id, position").Scan(&rows).Error; err != nil {
		return err
	}
	formats := map[string][]string{}
	for _, r := range rows {
		f := strings.ToUpper(r.Format)
		if !slices.Contains(formats[r.DatasetID], f) {
			formats[r.DatasetID] = append(formats[r.DatasetID], f)
		}
	}
	byValue := map[string][]string{}
	for id, fs := range formats {
		b, _ := json.Marshal(fs)
		byValue[string(b)] = append(byValue[string(b)], id)
	}
	for value, ids := range byValue {
		slices.Sort(ids)
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			if err := tx.Model(&datasetV2{}).Where("id IN ? AND (formats IS NULL OR formats = '' OR formats = '[]')", chunk).UpdateColumn("formats", value).Error; err != nil {
				return err
			}
		}
	}
	return tx.Model(&datasetV2{}).Where("formats IS NULL OR formats = ''").UpdateColumn("formats", "[]").Error
}

// departmentV2 is the departments table as migration 0050 left it.
type departmentV2 struct {
	ID          string `gorm:"primaryKey;size:64"`
	Name        string `gorm:"size:200;not null"`
	RegionLevel string `gorm:"size:16;not null"`
	Region      string `gorm:"size:100;not null"`
	ParentID    string `gorm:"size:64"`
	Code        string `gorm:"size:18;not null;default:''"`
	CreatedAt   time.Time
}

func (departmentV2) TableName() string { return "departments" }

// datasetV2 is the datasets table as migration 0050 left it.
type datasetV2 struct {
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
	ResourceCode    string `gorm:"size:32;not null;default:''"`
	ShareType       string `gorm:"size:16;not null;default:''"`
	ShareConditions string `gorm:"type:text"`
	ShareMethod     string `gorm:"size:16;not null;default:''"`
	Formats         string `gorm:"column:formats;type:text"`
	Status          string `gorm:"size:16;not null;index"`
	Version         int    `gorm:"not null;default:1"`
	PublishedAt     *time.Time
	UpdatedAt       time.Time `gorm:"index"`
	CreatedAt       time.Time
	Downloads       int64 `gorm:"not null;default:0"`
	APICalls        int64 `gorm:"not null;default:0"`

	Department departmentV2 `gorm:"foreignKey:DepartmentID"`
	Topic      topicV1      `gorm:"foreignKey:TopicID"`
}

func (datasetV2) TableName() string { return "datasets" }

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
