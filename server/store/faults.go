package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
)

// IsUnavailable reports whether err says the database (or another backend
// reached over the network) cannot answer right now, so the same request
// may succeed in a few seconds: the HTTP layer answers 503 with
// Retry-After, not 500. It walks the whole wrapped chain.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{driver.ErrBadConn, mysql.ErrInvalidConn, sql.ErrConnDone,
		context.DeadlineExceeded, os.ErrDeadlineExceeded,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
		syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH} {
		if errors.Is(err, target) {
			return true
		}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, // too many connections
			1053, // server shutdown in progress
			1317, // query interrupted (server going down)
			1927, // connection killed
			2006, // server has gone away
			2013: // lost connection during query
			return true
		}
	}
	msg := err.Error()
	// SQLite gives up after its busy timeout; database/sql after Close.
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked") ||
		strings.Contains(msg, "sql: database is closed")
}

// IsStorageFull reports whether err says the disk is full: ENOSPC or
// EDQUOT anywhere in the chain (spool, blob store), SQLite's
// SQLITE_FULL, or MariaDB's disk-full errors. Nothing was kept: the HTTP
// layer answers 507.
func IsStorageFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1021, // ER_DISK_FULL
			1114: // ER_RECORD_FILE_FULL: the table is full
			return true
		case 1, 3, 1026, 1030: // can't create/write file, error from engine: full only with errno 28
			return hasErrno28(me.Message)
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device") ||
		strings.Contains(msg, "XMinioStorageFull")
}

// hasErrno28 finds ENOSPC in a MariaDB message such as `Error writing file
// '…' (Errcode: 28 "No space left on device")` or `Got error 28 from
// storage engine`.
func hasErrno28(msg string) bool {
	for _, p := range []string{"Errcode: 28", "errno: 28", "error 28 ", "No space left on device"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
