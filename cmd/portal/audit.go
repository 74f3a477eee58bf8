package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/store"
)

const auditUsage = `Usage: portal audit verify

Check the audit trail's hash chain (000 Art 11, 28; 001 Art 35): every
entry must hash to its stored hash and point at the one before it. Prints
OK with the number of entries, or the first broken entry and exits 1.
`

func cmdAudit(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, auditUsage)
		return exitOK
	case "verify":
	default:
		fmt.Fprintf(stderr, "portal audit: unknown command %q\n\n%s", args[0], auditUsage)
		return exitUsage
	}
	fs := newFlags("audit verify", "Check the audit trail's hash chain; exit 1 at the first broken entry.", stdout)
	if code, done := parseFlags(fs, args[1:], stderr); done {
		return code
	}
	cfg, ok := loadConfig(stderr)
	if !ok {
		return exitUsage
	}
	db, err := store.Open(cfg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "portal audit verify: %v\n", err)
		return exitFail
	}
	defer store.Close(db)
	if !db.Migrator().HasTable("audit_head") {
		fmt.Fprintln(stderr, "portal audit verify: no audit trail in this database (run portal migrate)")
		return exitFail
	}
	res, err := audit.Check(context.Background(), db)
	if err != nil {
		fmt.Fprintf(stderr, "portal audit verify: %v\n", err)
		return exitFail
	}
	if res.FirstBroken != nil {
		fmt.Fprintf(stdout, "audit trail BROKEN at entry %d: %s (%d entries before it verified)\n", *res.FirstBroken, res.Reason, res.Count)
		return exitFail
	}
	fmt.Fprintf(stdout, "audit trail OK: %d entries verified, last hash %s\n", res.Count, res.LastHash)
	return exitOK
}
