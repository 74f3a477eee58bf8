package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hlj-opendata/portal/server/config"
)

func TestClassifyErrors(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	enospc := &fs.PathError{Op: "write", Path: "/data/tmp/put-1", Err: syscall.ENOSPC}
	cases := []struct {
		name              string
		err               error
		unavailable, full bool
	}{
		{"nil", nil, false, false},
		{"not found", gorm.ErrRecordNotFound, false, false},
		{"duplicate", gorm.ErrDuplicatedKey, false, false},
		{"syntax", &mysql.MySQLError{Number: 1064, Message: "You have an error in your SQL syntax"}, false, false},
		{"bad conn", fmt.Errorf("load session: %w", driver.ErrBadConn), true, false},
		{"invalid conn", fmt.Errorf("x: %w", mysql.ErrInvalidConn), true, false},
		{"conn done", sql.ErrConnDone, true, false},
		{"refused", fmt.Errorf("store: %w", refused), true, false},
		{"reset", &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}, true, false},
		{"ping deadline", fmt.Errorf("ping: %w", context.DeadlineExceeded), true, false},
		{"i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true, false},
		{"too many connections", &mysql.MySQLError{Number: 1040, Message: "Too many connections"}, true, false},
		{"shutdown", &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, true, false},
		{"gone away", &mysql.MySQLError{Number: 2006, Message: "MySQL server has gone away"}, true, false},
		{"lost", &mysql.MySQLError{Number: 2013, Message: "Lost connection to MySQL server during query"}, true, false},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), true, false},
		{"closed pool", errors.New("sql: database is closed"), true, false},
		{"enospc", fmt.Errorf("blob: write: %w", enospc), false, true},
		{"edquot", &fs.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, false, true},
		{"sqlite full", errors.New("database or disk is full (13) (SQLITE_FULL)"), false, true},
		{"mariadb disk full", &mysql.MySQLError{Number: 1021, Message: "Disk full (/tmp/#sql_1.MAI); waiting for someone to free some space..."}, false, true},
		{"mariadb table full", &mysql.MySQLError{Number: 1114, Message: "The table 'resources' is full"}, false, true},
		{"mariadb write errno 28", &mysql.MySQLError{Number: 3, Message: `Error writing file './ibtmp1' (Errcode: 28 "No space left on device")`}, false, true},
		{"mariadb engine error 28", &mysql.MySQLError{Number: 1030, Message: `Got error 28 "No space left on device" from storage engine InnoDB`}, false, true},
		{"mariadb write other errno", &mysql.MySQLError{Number: 3, Message: `Error writing file './x' (Errcode: 13 "Permission denied")`}, false, false},
	}
	for _, c := range cases {
		if got := IsUnavailable(c.err); got != c.unavailable {
			t.Errorf("%s: IsUnavailable = %v, want %v", c.name, got, c.unavailable)
		}
		if got := IsStorageFull(c.err); got != c.full {
			t.Errorf("%s: IsStorageFull = %v, want %v", c.name, got, c.full)
		}
	}
}

// The classifications hold for the errors the real drivers return.
func TestClassifyRealSQLite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.db")
	db := openSQLite(t, dir)
	if err := db.Exec("CREATE TABLE t (v TEXT)").Error; err != nil {
		t.Fatal(err)
	}

	t.Run("full", func(t *testing.T) {
		// max_page_count is per connection: one connection.
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(1)
		if err := db.Exec("PRAGMA max_page_count = 8").Error; err != nil {
			t.Fatal(err)
		}
		var err error
		for i := 0; i < 100 && err == nil; i++ {
			err = db.Exec("INSERT INTO t (v) VALUES (?)", strings.Repeat("x", 4000)).Error
		}
		if err == nil || !IsStorageFull(err) || IsUnavailable(err) {
			t.Fatalf("insert into a full database: %v (full %v)", err, IsStorageFull(err))
		}
		if err := db.Exec("PRAGMA max_page_count = 1073741823").Error; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("locked", func(t *testing.T) {
		// A second handle with a short busy timeout meets a held write lock.
		other, err := gorm.Open(sqlite.Open(path+"?_pragma=busy_timeout(50)"), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { Close(other) })
		tx := db.Begin()
		if err := tx.Exec("INSERT INTO t (v) VALUES ('held')").Error; err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		err = other.Exec("INSERT INTO t (v) VALUES ('waits')").Error
		if err == nil || !IsUnavailable(err) {
			t.Fatalf("write under a held lock: %v", err)
		}
	})

	t.Run("closed", func(t *testing.T) {
		if err := Close(db); err != nil {
			t.Fatal(err)
		}
		var n int64
		err := db.Raw("SELECT COUNT(*) FROM t").Scan(&n).Error
		if err == nil || !IsUnavailable(err) {
			t.Fatalf("query on a closed pool: %v", err)
		}
	})
}

func openSQLite(t *testing.T, dir string) *gorm.DB {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"PORTAL_DATA_DIR": dir, "PORTAL_DB_DSN": "sqlite://" + filepath.Join(dir, "f.db")}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(db) })
	return db
}

// mysqlBase is PORTAL_TEST_MYSQL_DSN; in CI the MySQL variant must run.
func mysqlBase(t *testing.T) string {
	v := os.Getenv("PORTAL_TEST_MYSQL_DSN")
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PORTAL_TEST_MYSQL_DSN must be set in CI")
		}
		t.Skip("PORTAL_TEST_MYSQL_DSN not set: MySQL variant runs in CI")
	}
	return v
}

func openMySQL(t *testing.T, rawURL string) (*gorm.DB, error) {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"PORTAL_DATA_DIR": t.TempDir(), "PORTAL_DB_DSN": rawURL}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return Open(cfg, nil)
}

func TestClassifyRealMySQL(t *testing.T) {
	base := mysqlBase(t)

	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		_, err = openMySQL(t, fmt.Sprintf("mysql://root@127.0.0.1:%d/portal", port))
		if err == nil || !IsUnavailable(err) {
			t.Fatalf("database on a closed port: %v", err)
		}
	})

	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "portal_test_" + hex.EncodeToString(b[:])
	u.Path = "/mysql"
	admin, err := openMySQL(t, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(admin) })
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name) })
	u.Path = "/" + name
	db, err := openMySQL(t, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(db) })

	t.Run("table full", func(t *testing.T) {
		// A MEMORY table is capped by max_heap_table_size when created.
		conn := db.Session(&gorm.Session{})
		sqlDB, _ := conn.DB()
		sqlDB.SetMaxOpenConns(1)
		defer sqlDB.SetMaxOpenConns(32)
		if err := conn.Exec("SET SESSION max_heap_table_size = 16384").Error; err != nil {
			t.Fatal(err)
		}
		if err := conn.Exec("CREATE TABLE full_t (v VARCHAR(1000)) ENGINE=MEMORY").Error; err != nil {
			t.Fatal(err)
		}
		var err error
		for i := 0; i < 10000 && err == nil; i++ {
			err = conn.Exec("INSERT INTO full_t (v) VALUES (?)", strings.Repeat("x", 1000)).Error
		}
		var me *mysql.MySQLError
		if err == nil || !errors.As(err, &me) || me.Number != 1114 || !IsStorageFull(err) || IsUnavailable(err) {
			t.Fatalf("insert into a full table: %v", err)
		}
	})

	t.Run("killed", func(t *testing.T) {
		// A transaction's connection killed under it, as in a server restart.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tx := db.WithContext(ctx).Begin()
		defer tx.Rollback()
		var id int64
		if err := tx.Raw("SELECT CONNECTION_ID()").Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if err := admin.Exec(fmt.Sprintf("KILL CONNECTION %d", id)).Error; err != nil {
			t.Fatal(err)
		}
		var n int64
		err := tx.Raw("SELECT 1").Scan(&n).Error
		if err == nil || !IsUnavailable(err) || IsStorageFull(err) {
			t.Fatalf("query on a killed connection: %v", err)
		}
	})
}
