package main

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/calendar"
)

func cmdCalendar(args []string, stdout, stderr io.Writer) int {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return exitUsage
	}
	cal, err := loadCalendar(cfg.CalendarDir, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintf(stderr, "portal calendar: %v\n", err)
		return exitFail
	}
	return calendar.RunCLI(args, cal, stdout, stderr)
}

// loadCalendar reads the embedded official years, then the operator's
// folder, whose files add years or replace embedded ones.
func loadCalendar(operatorDir string, log *slog.Logger) (*calendar.Calendar, error) {
	sources := []calendar.Source{{Name: "embedded seed/calendar", FS: fs.FS(seed.CalendarFS)}}
	if operatorDir != "" {
		sources = append(sources, calendar.DirSource(operatorDir))
	}
	return calendar.LoadSources(log, sources...)
}
