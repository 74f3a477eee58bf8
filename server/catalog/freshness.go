package catalog

import (
	"time"

	"github.com/hlj-opendata/portal/server/calendar"
)

// chinaTime is the zone update schedules are counted in.
var chinaTime = calendar.Zone

// NextUpdateDue says when an entry updated at last is next due for an
// update given the update frequency it declares: a promise to its users,
// not the change-triggered update of 000 Art 15 (server/changes).
// The due time is the end of that day, China time. Irregular entries have
// no schedule (ok is false).
func NextUpdateDue(last time.Time, frequency string) (due time.Time, ok bool) {
	d := last.In(chinaTime)
	switch frequency {
	case "realtime", "daily":
		d = d.AddDate(0, 0, 1)
	case "weekly":
		d = d.AddDate(0, 0, 7)
	case "monthly":
		d = d.AddDate(0, 1, 0)
	case "quarterly":
		d = d.AddDate(0, 3, 0)
	case "yearly":
		d = d.AddDate(1, 0, 0)
	default:
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, chinaTime), true
}

// Freshness is whether an entry is updated on schedule.
type Freshness struct {
	NextUpdateDue *time.Time `json:"next_update_due"` // null: irregular updates
	OnSchedule    bool       `json:"on_schedule"`
}

// FreshnessAt reports an entry's schedule as of now.
func FreshnessAt(d *Dataset, now time.Time) Freshness {
	due, ok := NextUpdateDue(d.UpdatedAt, d.UpdateFrequency)
	if !ok {
		return Freshness{OnSchedule: true}
	}
	due = due.UTC()
	return Freshness{NextUpdateDue: &due, OnSchedule: !now.After(due)}
}
