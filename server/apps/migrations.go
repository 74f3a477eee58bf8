package apps

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the app tables. The structs are used as they are:
// a later change gets its own migration with a frozen copy.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0083_apps",
		Migrate: func(tx *gorm.DB) error {
			return store.AutoMigrate(tx, &App{}, &Quota{}, &Nonce{}, &Counter{}, &Day{}, &CallError{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("app_call_errors", "app_usage_days", "app_counters", "app_nonces", "app_quotas", "apps")
		},
	}}
}
