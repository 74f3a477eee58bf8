package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/calendar"
)

func cmdCalendar(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		// Help needs no configuration.
		fmt.Fprintln(stdout, "Usage: portal calendar due --from YYYY-MM-DD --days N | portal calendar show YEAR")
		fmt.Fprintln(stdout)
		return calendar.RunCLI(args[:1], nil, stdout, stderr)
	}
	cfg, ok := loadConfig(stderr)
	if !ok {
		return exitUsage
	}
	// The shipped years, PORTAL_CALENDAR_DIR and the years uploaded to the database.
	cal, err := app.LoadCalendarForCLI(cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintf(stderr, "portal calendar: %v\n", err)
		return exitFail
	}
	return calendar.RunCLI(args, cal, stdout, stderr)
}
