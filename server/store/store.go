// Package store opens the portal's database (embedded SQLite or MySQL) and
// runs the versioned migrations every domain package contributes.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hlj-opendata/portal/server/config"
)

// Pool sizes: the pools keep as many idle connections as they may open.
const (
	SQLitePoolSize = 8
	MySQLPoolSize  = 32
)

// SQLite settings every pooled connection gets (see SQLiteDSN).
const (
	// SQLiteCacheKiB is the page cache per connection (the default is 2 MB,
	// which made a reindex read most pages from the file again).
	SQLiteCacheKiB = 32768
	// SQLiteMmapBytes maps up to 1 GiB of the file: reads skip a copy.
	SQLiteMmapBytes = 1 << 30
)

// SQLiteDSN is the one place that spells the driver's DSN for a database
// file: pragmas given as DSN parameters run on every new connection, not
// only on the first one.
func SQLiteDSN(path string) string {
	pragmas := []string{
		"journal_mode(WAL)",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
		fmt.Sprintf("cache_size(-%d)", SQLiteCacheKiB),
		fmt.Sprintf("mmap_size(%d)", SQLiteMmapBytes),
		"temp_store(MEMORY)",
	}
	return path + "?_pragma=" + strings.Join(pragmas, "&_pragma=") + "&_txlock=immediate"
}

// Open connects to the configured database with sane pool settings.
// SQLite gets WAL, a busy timeout and foreign keys.
func Open(cfg config.Config, log *slog.Logger) (*gorm.DB, error) {
	gcfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: false,
		TranslateError:                           true,
	}
	var db *gorm.DB
	var err error
	switch cfg.DBDriver {
	case config.SQLite:
		if err := os.MkdirAll(filepath.Dir(cfg.DBConn), 0o750); err != nil {
			return nil, fmt.Errorf("store: create database folder: %w", err)
		}
		db, err = gorm.Open(sqlite.Open(SQLiteDSN(cfg.DBConn)), gcfg)
		if err == nil {
			sqlDB, _ := db.DB()
			// One writer at a time is what SQLite allows; readers share WAL.
			// Idle == open: a closed connection loses its page cache and
			// costs a reopen plus the pragmas under load.
			sqlDB.SetMaxOpenConns(SQLitePoolSize)
			sqlDB.SetMaxIdleConns(SQLitePoolSize)
			sqlDB.SetConnMaxIdleTime(0)
		}
	case config.MySQL:
		// No GORM PrepareStmt: it measured detail CPU -25% and list -17% on
		// MariaDB, but its statements can run outside their transaction
		// once a connection dies (go-gorm/gorm#5508), and the database
		// restart drill saw a committed revoke answered 503 with it on.
		// The response cache carries the read path instead.
		db, err = gorm.Open(mysql.New(mysql.Config{DSN: cfg.DBConn, DefaultStringSize: 191}), gcfg)
		if err == nil {
			sqlDB, _ := db.DB()
			// Idle == open, so a burst does not close and reopen connections.
			sqlDB.SetMaxOpenConns(MySQLPoolSize)
			sqlDB.SetMaxIdleConns(MySQLPoolSize)
			sqlDB.SetConnMaxLifetime(30 * time.Minute)
			// Idle connections are dropped before a server or proxy does:
			// after a database restart the pool refills with fresh ones.
			sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, fmt.Errorf("store: unknown driver %q", cfg.DBDriver)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.DBDriver, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Ping(ctx, db); err != nil {
		return nil, fmt.Errorf("store: %s does not answer: %w", cfg.DBDriver, err)
	}
	if log != nil {
		log.Info("database open", "driver", cfg.DBDriver)
	}
	return db, nil
}

// Ping checks that the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the underlying pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// AutoMigrate creates or extends tables for migration snapshots. On MySQL
// every table is InnoDB utf8mb4 whatever the server's default charset.
func AutoMigrate(tx *gorm.DB, models ...any) error {
	if tx.Dialector.Name() == "mysql" {
		// One chained call: a *gorm.DB from Set must not be reused.
		return tx.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").AutoMigrate(models...)
	}
	return tx.AutoMigrate(models...)
}

// Migrate applies every migration not yet applied, in id order. Migration
// ids start with a sortable number ("0001_catalog"). Migrations never drop
// data: a column change adds a column and copies values.
func Migrate(db *gorm.DB, migrations []*gormigrate.Migration) error {
	return migrator(db, migrations).Migrate()
}

// MigrateTo applies migrations up to and including id (used by upgrade tests).
func MigrateTo(db *gorm.DB, migrations []*gormigrate.Migration, id string) error {
	return migrator(db, migrations).MigrateTo(id)
}

// Pending lists the ids of migrations not yet applied.
func Pending(db *gorm.DB, migrations []*gormigrate.Migration) ([]string, error) {
	var applied []string
	if db.Migrator().HasTable("schema_migrations") {
		if err := db.Table("schema_migrations").Pluck("id", &applied).Error; err != nil {
			return nil, err
		}
	}
	done := map[string]bool{}
	for _, id := range applied {
		done[id] = true
	}
	var out []string
	for _, m := range sorted(migrations) {
		if !done[m.ID] {
			out = append(out, m.ID)
		}
	}
	return out, nil
}

func migrator(db *gorm.DB, migrations []*gormigrate.Migration) *gormigrate.Gormigrate {
	opts := &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 190, UseTransaction: db.Dialector.Name() != "mysql", ValidateUnknownMigrations: false}
	return gormigrate.New(db, opts, sorted(migrations))
}

func sorted(ms []*gormigrate.Migration) []*gormigrate.Migration {
	out := append([]*gormigrate.Migration(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IsDuplicate reports a unique-key violation on either engine.
func IsDuplicate(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") || strings.Contains(err.Error(), "Duplicate entry"))
}

// TableOptions returns tx with the MySQL table options set; use the result
// for exactly one call (see AutoMigrate).
func TableOptions(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() == "mysql" {
		return tx.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	return tx
}
