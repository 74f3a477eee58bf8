package authz_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-gormigrate/gormigrate/v2"
	_ "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/store"
)

// engines lists sqlite, and mysql when PORTAL_TEST_MYSQL_DSN is set (as
// apptest.Engines, without starting a whole portal).
func engines(t *testing.T) []string {
	if os.Getenv("PORTAL_TEST_MYSQL_DSN") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PORTAL_TEST_MYSQL_DSN must be set in CI")
		}
		return []string{"sqlite"}
	}
	return []string{"sqlite", "mysql"}
}

// openDB opens a fresh database on engine with migrations applied.
func openDB(t *testing.T, engine string, migrations []*gormigrate.Migration) *gorm.DB {
	t.Helper()
	cfg := config.Config{DBDriver: config.SQLite, DBConn: filepath.Join(t.TempDir(), "test.db")}
	if engine == "mysql" {
		u, err := url.Parse(os.Getenv("PORTAL_TEST_MYSQL_DSN"))
		if err != nil {
			t.Fatal(err)
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "portal_test_" + hex.EncodeToString(b[:])
		u.Path = "/mysql"
		admin, _ := config.MySQLConn(u.String())
		sqlDB, err := sql.Open("mysql", admin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sqlDB.Exec("DROP DATABASE IF EXISTS " + name); sqlDB.Close() })
		u.Path = "/" + name
		cfg.DBDriver = config.MySQL
		cfg.DBConn, _ = config.MySQLConn(u.String())
	}
	db, err := store.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(db) })
	if err := store.Migrate(db, migrations); err != nil {
		t.Fatal(err)
	}
	return db
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
