// Package deadlines chases working-day deadlines for any procedure
// (applications, corrections, data requests): the responsible party gets a
// reminder a few working days before the due date, and what is overdue is
// escalated to the data authority (000 Art 42: the authority tracks every
// deadline and chases late departments).
//
// Each step happens exactly once per item and round, whatever the number of
// portal replicas running the job: the step is claimed by inserting a row
// with a unique key (subject, item, round, step) in the same transaction as
// the step's own writes (its notices, its marks on the item). A second
// replica's insert fails on the unique key, its transaction rolls back and
// nothing is sent twice.
//
// A round is one running clock: a procedure that restarts its clock (an
// application resubmitted with the missing material) starts a new round, so
// the new deadline is chased again.
package deadlines

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/store"
)

// Step is what the job does about an item.
type Step string

const (
	Reminder   Step = "reminder"   // before the due date, to the responsible party
	Escalation Step = "escalation" // after the due date, to the authority (000 Art 42)
)

// Item is one open thing with a due date.
type Item struct {
	Subject string    // procedure, e.g. "application" (≤ 32 characters)
	ID      string    // the item's id within its subject (≤ 64 characters)
	Round   int       // the clock's round; a restarted clock is a new round
	Due     time.Time // calendar.AddWorkingDays result (23:59:59 China time)
}

// Event is the claim of one step on one item and round.
type Event struct {
	ID      uint64    `gorm:"primaryKey"`
	Subject string    `gorm:"size:32;not null;uniqueIndex:ux_deadline_event,priority:1"`
	ItemID  string    `gorm:"size:64;not null;uniqueIndex:ux_deadline_event,priority:2"`
	Round   int       `gorm:"not null;uniqueIndex:ux_deadline_event,priority:3"`
	Step    Step      `gorm:"size:16;not null;uniqueIndex:ux_deadline_event,priority:4"`
	DueAt   time.Time `gorm:"not null"`
	At      time.Time `gorm:"not null;index"`
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "deadline_events" }

// Migrations creates the claim table.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID:       "0020_deadline_events",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &eventV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("deadline_events") },
	}}
}

type eventV1 struct {
	ID      uint64    `gorm:"primaryKey"`
	Subject string    `gorm:"size:32;not null;uniqueIndex:ux_deadline_event,priority:1"`
	ItemID  string    `gorm:"size:64;not null;uniqueIndex:ux_deadline_event,priority:2"`
	Round   int       `gorm:"not null;uniqueIndex:ux_deadline_event,priority:3"`
	Step    string    `gorm:"size:16;not null;uniqueIndex:ux_deadline_event,priority:4"`
	DueAt   time.Time `gorm:"not null"`
	At      time.Time `gorm:"not null;index"`
}

func (eventV1) TableName() string { return "deadline_events" }

// Handlers do a step's work inside the claiming transaction. daysLeft is
// calendar.WorkingDaysLeft(now, due): ≥ 0 for a reminder, < 0 (minus the
// working days late) for an escalation. A nil handler skips that step.
type Handlers struct {
	Remind   func(tx *gorm.DB, it Item, daysLeft int) error
	Escalate func(tx *gorm.DB, it Item, daysLeft int) error
}

// Job decides which step is due for each item and claims it.
type Job struct {
	DB       *gorm.DB
	Calendar *calendar.Calendar
	Now      func() time.Time
	Log      *slog.Logger
	// RemindBefore: remind when at most this many working days are left
	// (policy.Profile.ReminderBeforeDueDays); 0 sends no reminders.
	RemindBefore int
}

// Result counts the steps this run claimed and did.
type Result struct {
	Reminded  int
	Escalated int
}

// StepFor says which step, if any, is due for an item at now.
func (j *Job) StepFor(now time.Time, it Item) (Step, int, bool) {
	left := j.Calendar.WorkingDaysLeft(now, it.Due)
	if now.After(it.Due) {
		return Escalation, left, true
	}
	if j.RemindBefore > 0 && left <= j.RemindBefore {
		return Reminder, left, true
	}
	return "", left, false
}

// Process does the due step of every item once. Items whose step another
// run (or replica) already claimed are skipped; a failing handler rolls its
// item back and is retried on the next run, the others go on.
func (j *Job) Process(ctx context.Context, items []Item, h Handlers) (Result, error) {
	var res Result
	if len(items) == 0 {
		return res, nil
	}
	now := j.Now()
	done, err := j.claimed(ctx, items)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, it := range items {
		step, left, ok := j.StepFor(now, it)
		if !ok || done[key{it.Subject, it.ID, it.Round, step}] {
			continue
		}
		fn := h.Remind
		if step == Escalation {
			fn = h.Escalate
		}
		if fn == nil {
			continue
		}
		claimed, err := j.do(ctx, now, it, step, left, fn)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s %s %s: %w", step, it.Subject, it.ID, it.Due.Format(time.DateOnly), err))
			continue
		}
		if claimed && step == Escalation {
			res.Escalated++
		} else if claimed {
			res.Reminded++
		}
	}
	return res, errors.Join(errs...)
}

var errClaimedElsewhere = errors.New("deadlines: step already claimed")

// do claims step for it and runs fn in one transaction.
func (j *Job) do(ctx context.Context, now time.Time, it Item, step Step, left int, fn func(*gorm.DB, Item, int) error) (bool, error) {
	err := j.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ev := Event{Subject: it.Subject, ItemID: it.ID, Round: it.Round, Step: step, DueAt: it.Due.UTC(), At: now.UTC()}
		if err := tx.Create(&ev).Error; err != nil {
			if store.IsDuplicate(err) {
				return errClaimedElsewhere
			}
			return err
		}
		return fn(tx, it, left)
	})
	if errors.Is(err, errClaimedElsewhere) {
		return false, nil
	}
	return err == nil, err
}

type key struct {
	subject, id string
	round       int
	step        Step
}

// claimed loads the steps already claimed for items, so a periodic run
// does not open a transaction per item just to find that out.
func (j *Job) claimed(ctx context.Context, items []Item) (map[key]bool, error) {
	bySubject := map[string][]string{}
	for _, it := range items {
		bySubject[it.Subject] = append(bySubject[it.Subject], it.ID)
	}
	out := map[key]bool{}
	for subject, ids := range bySubject {
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(start+500, len(ids))]
			var evs []Event
			if err := j.DB.WithContext(ctx).Select("subject", "item_id", "round", "step").
				Where("subject = ? AND item_id IN ?", subject, part).Find(&evs).Error; err != nil {
				return nil, fmt.Errorf("deadlines: load claims: %w", err)
			}
			for _, e := range evs {
				out[key{e.Subject, e.ItemID, e.Round, e.Step}] = true
			}
		}
	}
	return out, nil
}

// Claimed lists the steps claimed for one item, oldest first (for display).
func Claimed(ctx context.Context, db *gorm.DB, subject, id string) ([]Event, error) {
	var evs []Event
	err := db.WithContext(ctx).Where("subject = ? AND item_id = ?", subject, id).Order("id").Find(&evs).Error
	return evs, err
}

// Loop calls run every interval until ctx is done (and once at once). A
// failing run is logged and retried on the next tick. Several replicas may
// loop at the same time: Process claims each step once.
func Loop(ctx context.Context, log *slog.Logger, name string, every time.Duration, run func(context.Context) error) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := run(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("deadline job failed, will retry", "job", name, "err", err)
		}
		t.Reset(every)
	}
}

// Recomputer recomputes the open deadlines of one procedure after the
// calendar of some years changed (an official year file replaced a
// provisional year, or an official file was corrected). Contract: for each
// open item whose clock touches one of years, due = AddWorkingDays(clock
// start, days) (+ approved extensions) on the current calendar; when it
// differs from the stored due date, update it guarded by the old value
// (UPDATE ... WHERE id = ? AND due_at = ?; go on only when one row
// changed, so two replicas never notify twice), start a new deadline round
// so reminders chase the new date, add a history event, write an audit
// entry, and notify the party who waits of the new due date. It returns
// how many items changed.
type Recomputer interface {
	RecomputeDeadlines(ctx context.Context, years []int) (changed int, err error)
}

// Touches reports whether the span from start to due (China dates,
// inclusive, either order) touches one of years.
func Touches(start, due time.Time, years []int) bool {
	a, b := start.In(calendar.Zone).Year(), due.In(calendar.Zone).Year()
	if a > b {
		a, b = b, a
	}
	for _, y := range years {
		if y >= a && y <= b {
			return true
		}
	}
	return false
}
