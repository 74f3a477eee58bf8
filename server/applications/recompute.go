package applications

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/store"
)

var _ deadlines.Recomputer = (*Service)(nil)

// AuditDueRecomputed records a due date moved by a calendar change.
const AuditDueRecomputed = "application.due_recomputed"

// errStale: another replica (or a decision) changed the row first.
var errStale = errors.New("applications: due date changed meanwhile")

// RecomputeDeadlines counts again, on the calendar as it is now, the due
// date of every application awaiting a decision whose clock touches one of
// years (an official year file replaced a provisional year, or corrected
// one). A changed due date is stored guarded by the old one, so of two
// replicas only one records it; it starts a new deadline round (reminders
// chase the new date), goes into the history and the audit chain, and the
// applicant is told. It returns how many applications changed.
func (s *Service) RecomputeDeadlines(ctx context.Context, years []int) (int, error) {
	var list []Application
	if err := s.DB.WithContext(ctx).Select("id", "status", "clock_round", "round_started_at", "due_at").
		Where("status IN ? AND due_at IS NOT NULL", []Status{Submitted, Resubmitted}).Order("id").Find(&list).Error; err != nil {
		return 0, fmt.Errorf("applications: open deadlines: %w", err)
	}
	changed := 0
	var errs []error
	for _, a := range list {
		if !deadlines.Touches(a.RoundStartedAt, *a.DueAt, years) {
			continue
		}
		due := store.DBTime(s.Calendar.AddWorkingDays(a.RoundStartedAt, s.Profile.ApplicationReview))
		if due.Equal(*a.DueAt) {
			continue
		}
		err := s.moveDue(ctx, a.ID, *a.DueAt, a.ClockRound, due, years)
		switch {
		case errors.Is(err, errStale):
		case err != nil:
			errs = append(errs, fmt.Errorf("application %s: %w", a.ID, err))
		default:
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// moveDue stores the new due date of one application, if its due date is
// still old, with its history event, audit entry and notice.
func (s *Service) moveDue(ctx context.Context, id string, old time.Time, clock int, due time.Time, years []int) error {
	now := s.now()
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Application{}).Where("id = ? AND due_at = ? AND clock_round = ? AND status IN ?", id, old, clock, []Status{Submitted, Resubmitted}).
			Updates(map[string]any{"due_at": due, "clock_round": clock + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		a, err := s.load(tx, id, false)
		if err != nil {
			return err
		}
		note := chinaDate(old) + " → " + chinaDate(due)
		if err := s.event(tx, id, now, 0, "due_changed", note); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: AuditDueRecomputed, ObjectType: "application", ObjectID: id,
			Details: map[string]any{"old_due_at": old.UTC(), "due_at": due.UTC(), "years": years, "department_id": a.DepartmentID}}); err != nil {
			return err
		}
		return s.send(tx, []uint64{a.ApplicantID}, notify.Notice{
			Kind: "application.due_changed", Title: "申请办理期限已调整：" + a.DatasetTitle,
			Body: "因节假日安排更新，您对《" + a.DatasetTitle + "》的申请应于 " + chinaDate(due) + " 前作出决定（原为 " + chinaDate(old) + "）。",
			Link: "/applications/" + id,
		})
	})
}
