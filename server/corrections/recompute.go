package corrections

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
)

// EventDueRecomputed: the due date moved because the holiday calendar of
// a year it touches changed (an official file replaced a provisional year).
const EventDueRecomputed = "due_recomputed"

var _ deadlines.Recomputer = (*Service)(nil)

// expectedDue is the report's due date on the current calendar: the
// profile's working days from the clock start (creation or forwarding,
// that day not counted), plus an extension approved on this clock.
func (s *Service) expectedDue(c *Correction) time.Time {
	due := s.Calendar.AddWorkingDays(c.ClockStart, s.Profile.CorrectionAnswer)
	if c.ExtensionStatus == ExtensionApproved && c.ExtensionDays > 0 && c.ExtensionDecidedAt != nil && !c.ExtensionDecidedAt.Before(c.ClockStart) {
		due = s.Calendar.AddWorkingDays(due, c.ExtensionDays)
	}
	return due.UTC()
}

// RecomputeDeadlines implements deadlines.Recomputer: every open report
// whose clock (start to due date) touches one of years gets its due date
// recomputed on the current calendar. A changed date is written guarded by
// the old one (a second replica doing the same changes nothing and sends
// nothing), starts a new round (reminders and escalation chase the new
// date), and is recorded as a public history event (e-mailed to the
// contact), an audit entry and inbox notices to the reporter's account and
// the handling department.
func (s *Service) RecomputeDeadlines(ctx context.Context, years []int) (int, error) {
	var open []Correction
	if err := s.DB.WithContext(ctx).Where("status = ?", StatusOpen).Order("id").Find(&open).Error; err != nil {
		return 0, apperr.Internalf(err, "open corrections")
	}
	changed := 0
	for i := range open {
		c := &open[i]
		if !deadlines.Touches(c.ClockStart, c.DueAt, years) {
			continue
		}
		due := s.expectedDue(c)
		if due.Equal(c.DueAt) {
			continue
		}
		ok, err := s.moveDue(ctx, c, due, years)
		if err != nil {
			return changed, fmt.Errorf("correction %d: %w", c.ID, err)
		}
		if ok {
			changed++
		}
	}
	return changed, nil
}

func (s *Service) moveDue(ctx context.Context, c *Correction, due time.Time, years []int) (bool, error) {
	old := c.DueAt.UTC()
	now := s.now()
	moved := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Correction{}).Where("id = ? AND status = ? AND due_at = ?", c.ID, StatusOpen, old).
			Updates(map[string]any{"due_at": due, "round": gorm.Expr("round + 1"), "escalated_at": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return nil // answered, or moved by another replica meanwhile
		}
		moved = true
		c.DueAt, c.Round, c.EscalatedAt = due, c.Round+1, nil
		note := fmt.Sprintf("放假安排调整，答复期限由 %s 调整为 %s。", fmtDue(old), fmtDue(due))
		if err := s.addEvent(tx, c, Event{Kind: EventDueRecomputed, DepartmentID: c.DepartmentID, DueAt: &due, Note: note}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: "correction.due_recomputed", ObjectType: "correction",
			ObjectID: idString(c.ID), Details: map[string]any{"department_id": c.DepartmentID, "old_due_at": old.Format(time.RFC3339),
				"due_at": due.Format(time.RFC3339), "calendar_years": years}}); err != nil {
			return err
		}
		notices, err := s.staffNotices(ctx, c.DepartmentID, "correction.due_recomputed", "数据纠错答复期限已调整",
			fmt.Sprintf("因放假安排调整，一份数据纠错报告的答复期限由 %s 调整为 %s。", fmtDue(old), fmtDue(due)), c.ID)
		if err != nil {
			return err
		}
		if c.ReporterUserID != nil {
			notices = append(notices, notify.Notice{UserID: *c.ReporterUserID, Kind: "correction.due_recomputed", Title: "纠错答复期限已调整",
				Body: fmt.Sprintf("因放假安排调整，您的纠错报告答复期限调整为 %s。", fmtDue(due)), Link: "/corrections/track"})
		}
		return s.Notify.Send(tx, notices...)
	})
	return moved, err
}
