package deadlines_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/store"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func official(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Load(seed.CalendarFS)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestStepFor: which step is due when, on the official calendar.
func TestStepFor(t *testing.T) {
	cal := official(t)
	due := cal.AddWorkingDays(cst("2025-09-26 09:00"), 5) // 2025-10-10, across National Day
	cases := []struct {
		now    string
		before int
		step   deadlines.Step
		left   int
		ok     bool
	}{
		{"2025-09-28 09:00", 1, "", 4, false},                   // make-up Sunday counts as a working day
		{"2025-09-30 18:00", 1, deadlines.Reminder, 2, false},   // 2 left (Oct 9, 10): not yet with 1
		{"2025-09-30 18:00", 2, deadlines.Reminder, 2, true},    // …but with 2
		{"2025-10-05 12:00", 2, deadlines.Reminder, 2, true},    // holiday: still 2 left
		{"2025-10-09 08:00", 1, deadlines.Reminder, 1, true},    // the working day before
		{"2025-10-10 23:59", 1, deadlines.Reminder, 0, true},    // due today
		{"2025-10-10 23:59", 0, "", 0, false},                   // no reminders configured
		{"2025-10-11 00:00", 1, deadlines.Escalation, -1, true}, // make-up Saturday: 1 late
		{"2025-10-13 09:00", 0, deadlines.Escalation, -2, true},
	}
	for _, tc := range cases {
		j := &deadlines.Job{Calendar: cal, RemindBefore: tc.before}
		step, left, ok := j.StepFor(cst(tc.now), deadlines.Item{Due: due})
		if ok != tc.ok || left != tc.left || (ok && step != tc.step) {
			t.Errorf("at %s (remind %d): %q %d %v, want %q %d %v", tc.now, tc.before, step, left, ok, tc.step, tc.left, tc.ok)
		}
	}
}

// TestProcessOnce: each step is done once per item and round, by one of
// several concurrent runs; a failing handler leaves its step for the next
// run; a new round is chased again.
func TestProcessOnce(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := apptest.OpenDB(t, engine)
			if err := store.Migrate(db, deadlines.Migrations()); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("CREATE TABLE sent (item VARCHAR(64), round INT, step VARCHAR(16))").Error; err != nil {
				t.Fatal(err)
			}
			cal := official(t)
			now := cst("2026-02-13 10:00") // Friday before Spring Festival
			job := &deadlines.Job{DB: db, Calendar: cal, Now: func() time.Time { return now }, RemindBefore: 1}
			items := []deadlines.Item{
				{Subject: "test", ID: "late", Round: 1, Due: cst("2026-02-12 23:59").Add(59 * time.Second)},
				{Subject: "test", ID: "soon", Round: 1, Due: cal.AddWorkingDays(now, 1)}, // make-up Saturday 02-14
				{Subject: "test", ID: "later", Round: 1, Due: cal.AddWorkingDays(now, 3)},
			}
			var failing sync.Map
			record := func(step string) func(*gorm.DB, deadlines.Item, int) error {
				return func(tx *gorm.DB, it deadlines.Item, _ int) error {
					if _, bad := failing.Load(it.ID); bad {
						return errors.New("mail server down")
					}
					return tx.Exec("INSERT INTO sent (item, round, step) VALUES (?, ?, ?)", it.ID, it.Round, step).Error
				}
			}
			h := deadlines.Handlers{Remind: record("reminder"), Escalate: record("escalation")}
			sent := func(item, step string) int64 {
				var n int64
				db.Table("sent").Where("item = ? AND step = ?", item, step).Count(&n)
				return n
			}

			failing.Store("soon", true)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var total deadlines.Result
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, _ := job.Process(ctx, items, h) // "soon" fails in every run
					mu.Lock()
					total.Reminded += res.Reminded
					total.Escalated += res.Escalated
					mu.Unlock()
				}()
			}
			wg.Wait()
			if total != (deadlines.Result{Escalated: 1}) || sent("late", "escalation") != 1 || sent("soon", "reminder") != 0 || sent("later", "reminder") != 0 {
				t.Errorf("six concurrent runs: %+v; late escalated %d, soon reminded %d", total, sent("late", "escalation"), sent("soon", "reminder"))
			}
			var claims int64
			db.Model(&deadlines.Event{}).Where("item_id = ?", "soon").Count(&claims)
			if claims != 0 {
				t.Errorf("a failed step kept its claim (%d rows): it would never be retried", claims)
			}

			failing.Delete("soon")
			res, err := job.Process(ctx, items, h)
			if err != nil || res != (deadlines.Result{Reminded: 1}) || sent("soon", "reminder") != 1 {
				t.Errorf("retry: %+v %v", res, err)
			}
			if res, _ := job.Process(ctx, items, h); res != (deadlines.Result{}) {
				t.Errorf("nothing left: %+v", res)
			}

			// The clock restarts for "late" (a new round): chased again.
			items[0].Round, items[0].Due = 2, cst("2026-02-13 09:00")
			if res, _ := job.Process(ctx, items, h); res != (deadlines.Result{Escalated: 1}) {
				t.Errorf("round 2: %+v", res)
			}
			evs, err := deadlines.Claimed(ctx, db, "test", "late")
			if err != nil || len(evs) != 2 || evs[0].Round != 1 || evs[1].Round != 2 || evs[1].Step != deadlines.Escalation {
				t.Errorf("claims of late: %+v %v", evs, err)
			}
		})
	}
}

// TestLoopRunsAndStops: the loop runs at once and stops with its context.
func TestLoopRunsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		deadlines.Loop(ctx, nil, "test", time.Hour, func(context.Context) error {
			select {
			case ran <- struct{}{}:
			default:
			}
			return nil
		})
		close(done)
	}()
	<-ran
	cancel()
	<-done
}

// TestTouches: which clocks a calendar change of some years concerns
// (China dates, inclusive, either order).
func TestTouches(t *testing.T) {
	cases := []struct {
		start, due string
		years      []int
		want       bool
	}{
		{"2027-12-30 10:00", "2028-01-07 23:59", []int{2028}, true},
		{"2027-12-30 10:00", "2028-01-07 23:59", []int{2027}, true},
		{"2027-12-01 10:00", "2027-12-08 23:59", []int{2028}, false},
		{"2026-12-28 10:00", "2028-01-04 23:59", []int{2027}, true}, // spans the year
		{"2028-01-07 23:59", "2027-12-30 10:00", []int{2028}, true}, // either order
		{"2027-12-30 10:00", "2028-01-07 23:59", nil, false},
	}
	for _, c := range cases {
		if got := deadlines.Touches(cst(c.start), cst(c.due), c.years); got != c.want {
			t.Errorf("Touches(%s, %s, %v) = %v", c.start, c.due, c.years, got)
		}
	}
	// 2027-12-31 16:00 UTC is already 2028 in China.
	if !deadlines.Touches(time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 16, 0, 0, 0, time.UTC), []int{2028}) {
		t.Error("Touches must use China dates")
	}
}
