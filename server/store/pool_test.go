package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/store"
)

// TestPoolKeepsConnections opens as many connections as the pool allows,
// gives them back, and checks that all stay idle (none closed and reopened
// under load) and that every SQLite connection carries the pragmas.
func TestPoolKeepsConnections(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.OpenDB(t, engine)
			sqlDB, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			want := store.SQLitePoolSize
			if engine == "mysql" {
				want = store.MySQLPoolSize
			}
			if db.Config.PrepareStmt {
				t.Errorf("GORM prepared statements are on (see store.Open)")
			}
			if got := sqlDB.Stats().MaxOpenConnections; got != want {
				t.Fatalf("max open = %d, want %d", got, want)
			}
			ctx := context.Background()
			conns := make([]*sql.Conn, want)
			for i := range conns {
				c, err := sqlDB.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns[i] = c
				if engine == "sqlite" {
					checkPragmas(t, ctx, c, i)
				}
			}
			if st := sqlDB.Stats(); st.OpenConnections != want || st.InUse != want {
				t.Fatalf("after taking %d: %+v", want, st)
			}
			for _, c := range conns {
				c.Close()
			}
			st := sqlDB.Stats()
			if st.Idle != want || st.MaxIdleClosed != 0 {
				t.Fatalf("after returning %d: idle %d, closed as surplus %d; want all idle, none closed", want, st.Idle, st.MaxIdleClosed)
			}
		})
	}
}

func checkPragmas(t *testing.T, ctx context.Context, c *sql.Conn, i int) {
	t.Helper()
	want := map[string]int64{
		"cache_size":   -store.SQLiteCacheKiB,
		"mmap_size":    store.SQLiteMmapBytes,
		"temp_store":   2, // MEMORY
		"foreign_keys": 1,
		"busy_timeout": 10000,
		"synchronous":  1, // NORMAL
	}
	for name, v := range want {
		var got int64
		if err := c.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
			t.Fatalf("connection %d: PRAGMA %s: %v", i, name, err)
		}
		if got != v {
			t.Errorf("connection %d: %s = %d, want %d", i, name, got, v)
		}
	}
	var mode string
	if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("connection %d: journal_mode = %q (%v), want wal", i, mode, err)
	}
}
