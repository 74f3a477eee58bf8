package requests

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
)

var _ deadlines.Recomputer = (*Service)(nil)

// errStale: another replica (or an answer) changed the row first.
var errStale = errors.New("requests: due date changed meanwhile")

// dueColumn is the column of the running clock's due date and its length
// in working days.
func (s *Service) dueColumn(st Status) (column string, days int) {
	switch st {
	case StatusSubmitted:
		return "route_due_at", s.Profile.DataRequestRouting
	case StatusRouted:
		return "answer_due_at", s.Profile.DataRequestAnswer
	case StatusAccepted:
		return "catalog_due_at", s.Profile.DataRequestCatalog
	}
	return "", 0
}

// RecomputeDeadlines counts again, on the calendar as it is now, the
// running due date of every open request (routing, answer or catalog
// entry) whose clock touches one of years. A changed due date is stored
// guarded by the old one, so of two replicas only one records it; it
// starts a new deadline round (reminders chase the new date), goes into
// the history and the audit chain, and the requester is told. It returns
// how many requests changed.
func (s *Service) RecomputeDeadlines(ctx context.Context, years []int) (int, error) {
	var list []Request
	if err := s.DB.WithContext(ctx).Where("status IN ?", []Status{StatusSubmitted, StatusRouted, StatusAccepted}).Order("id").Find(&list).Error; err != nil {
		return 0, fmt.Errorf("requests: open deadlines: %w", err)
	}
	changed := 0
	var errs []error
	for i := range list {
		r := &list[i]
		_, start, old := r.clock()
		if start == nil || old == nil || !deadlines.Touches(*start, *old, years) {
			continue
		}
		column, days := s.dueColumn(r.Status)
		due := s.Calendar.AddWorkingDays(*start, days).UTC()
		if due.Equal(*old) {
			continue
		}
		err := s.moveDue(ctx, r, column, *old, due, years)
		switch {
		case errors.Is(err, errStale):
		case err != nil:
			errs = append(errs, fmt.Errorf("request %d: %w", r.ID, err))
		default:
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// moveDue stores the new due date of one request, if its due date is still
// old, with its history event, audit entry and notice.
func (s *Service) moveDue(ctx context.Context, r *Request, column string, old, due time.Time, years []int) error {
	now := s.now()
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// escalated describes the running clock, which starts again.
		res := tx.Model(&Request{}).Where("id = ? AND status = ? AND round = ? AND "+column+" = ?", r.ID, r.Status, r.Round, old).
			Updates(map[string]any{column: due, "round": r.Round + 1, "escalated": false})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		if err := event(tx, r.ID, now, "due_changed", day(old)+" → "+day(due)); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: "data_request.due_recomputed", ObjectType: "data_request",
			ObjectID: idString(r.ID), Details: map[string]any{"clock": column, "old_due_at": old.UTC(), "due_at": due.UTC(), "years": years}}); err != nil {
			return err
		}
		what := map[Status]string{StatusSubmitted: "分派到数据提供部门", StatusRouted: "答复", StatusAccepted: "发布对应的数据目录"}[r.Status]
		return s.Notify.Send(tx, notify.Notice{UserID: r.RequesterID, Kind: "data_request.due_changed", Title: "数据需求办理期限已调整",
			Body: fmt.Sprintf("因节假日安排更新，数据需求“%s”应于 %s 前%s（原为 %s）。", r.Title, fmtDue(due), what, fmtDue(old)), Link: publicLink(r.ID)})
	})
}
