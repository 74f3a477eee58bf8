package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/calendar"
)

func cmdCalendar(args []string, stdout, stderr io.Writer) int {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return exitUsage
	}
	cal, err := app.LoadCalendar(cfg.CalendarDir, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintf(stderr, "portal calendar: %v\n", err)
		return exitFail
	}
	return calendar.RunCLI(args, cal, stdout, stderr)
}
