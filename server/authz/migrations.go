package authz

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the casbin policy table (the layout gorm-adapter v3
// expects, created here so the adapter never runs DDL itself) and the
// policy_version row replicas poll.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0003_authz",
		Migrate: func(tx *gorm.DB) error {
			// A fresh session: on MySQL the migrator's own tx carries
			// Table("schema_migrations") from its bookkeeping.
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			if err := tx.AutoMigrate(&casbinRuleV1{}, &policyVersionV1{}); err != nil {
				return err
			}
			return tx.Create(&policyVersionV1{ID: 1, Version: 1, UpdatedAt: time.Now().UTC()}).Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("policy_version", "casbin_rule")
		},
	}, {
		// Remembers every default rule ever stored (see StoreDefaults).
		// Databases that loaded the defaults before this table existed
		// hold them already: the first start records them without change.
		ID: "0003_authz_defaults",
		Migrate: func(tx *gorm.DB) error {
			return store.TableOptions(tx.Session(&gorm.Session{NewDB: true})).AutoMigrate(&policyDefaultV1{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("policy_defaults") },
	}}
}

// policyDefaultV1 is one default rule as stored ("p, role, dom, obj, act").
type policyDefaultV1 struct {
	ID       uint      `gorm:"primaryKey"`
	Rule     string    `gorm:"size:191;not null;uniqueIndex"`
	StoredAt time.Time `gorm:"not null"`
}

func (policyDefaultV1) TableName() string { return "policy_defaults" }

// casbinRuleV1 matches gormadapter.CasbinRule with the unique index the
// adapter would add (idx_casbin_rule).
type casbinRuleV1 struct {
	ID    uint   `gorm:"primaryKey;autoIncrement"`
	Ptype string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:1"`
	V0    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:2"`
	V1    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:3"`
	V2    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:4"`
	V3    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:5"`
	V4    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:6"`
	V5    string `gorm:"size:100;uniqueIndex:idx_casbin_rule,priority:7"`
}

func (casbinRuleV1) TableName() string { return "casbin_rule" }

// policyVersionV1 is one row (id 1) bumped by every policy change.
type policyVersionV1 struct {
	ID        uint  `gorm:"primaryKey;autoIncrement:false"`
	Version   int64 `gorm:"not null"`
	UpdatedAt time.Time
}

func (policyVersionV1) TableName() string { return "policy_version" }
