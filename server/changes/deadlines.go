package changes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/deadlines"
)

// DeadlineSubject names change notices in the deadline claims table.
const DeadlineSubject = "catalog-change"

var _ deadlines.Recomputer = (*Service)(nil)

func (s *Service) open(ctx context.Context) ([]Notice, error) {
	var open []Notice
	if err := s.DB.WithContext(ctx).Where("status = ?", StatusOpen).Order("id").Find(&open).Error; err != nil {
		return nil, apperr.Internalf(err, "open catalog changes")
	}
	return open, nil
}

// FollowUp first records the updates submitted since the last run, then
// reminds the department of notices due soon and escalates overdue ones to
// the authority and the department (000 Art 42: the authority chases late
// departments), each once per round whatever the number of replicas. An
// approved extension or a recomputed due date is a new round.
func (s *Service) FollowUp(ctx context.Context) (deadlines.Result, error) {
	open, err := s.open(ctx)
	if err != nil {
		return deadlines.Result{}, err
	}
	if err := s.sync(ctx, open); err != nil {
		return deadlines.Result{}, err
	}
	if open, err = s.open(ctx); err != nil {
		return deadlines.Result{}, err
	}
	items := make([]deadlines.Item, len(open))
	for i, n := range open {
		items[i] = deadlines.Item{Subject: DeadlineSubject, ID: idString(n.ID), Round: n.Round, Due: n.DueAt}
	}
	job := &deadlines.Job{DB: s.DB, Calendar: s.Calendar, Now: s.Now, Log: s.Log, RemindBefore: s.Profile.ReminderBeforeDueDays}
	return job.Process(ctx, items, deadlines.Handlers{Remind: s.remind, Escalate: s.escalate})
}

// stillDue loads the notice of a deadline item if it is still open in the
// same round.
func (s *Service) stillDue(tx *gorm.DB, it deadlines.Item) (*Notice, error) {
	var n Notice
	if err := tx.Where("id = ? AND status = ? AND round = ?", it.ID, StatusOpen, it.Round).Limit(1).Find(&n).Error; err != nil || n.ID == 0 {
		return nil, err
	}
	return &n, nil
}

func (s *Service) remind(tx *gorm.DB, it deadlines.Item, left int) error {
	n, err := s.stillDue(tx, it)
	if err != nil || n == nil {
		return err
	}
	ctx := tx.Statement.Context
	dep, err := s.department(ctx, n.DepartmentID)
	if err != nil || dep == nil {
		return err
	}
	to, err := s.Staff.Providers(ctx, n.DepartmentID)
	if err != nil {
		return err
	}
	if err := s.addEvent(tx, n, Event{Kind: EventReminded, DueAt: &n.DueAt}); err != nil {
		return err
	}
	when := "今天到期"
	if left > 0 {
		when = fmt.Sprintf("还剩 %d 个工作日", left)
	}
	return s.Notify.Send(tx, noticesTo(to, 0, KindReminder, "目录变更更新即将到期",
		fmt.Sprintf("目录变更通知（%s）涉及的目录应于 %s 前完成更新（%s）。", clip(n.Reason, 100), fmtDue(n.DueAt), when), link(n.ID))...)
}

func (s *Service) escalate(tx *gorm.DB, it deadlines.Item, left int) error {
	n, err := s.stillDue(tx, it)
	if err != nil || n == nil {
		return err
	}
	ctx := tx.Statement.Context
	dep, err := s.department(ctx, n.DepartmentID)
	if err != nil || dep == nil {
		return err
	}
	now := s.now()
	res := tx.Model(&Notice{}).Where("id = ? AND status = ? AND round = ?", n.ID, StatusOpen, n.Round).Update("escalated_at", now)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	if err := s.addEvent(tx, n, Event{Kind: EventEscalated, DueAt: &n.DueAt}); err != nil {
		return err
	}
	if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: ActionEscalated, ObjectType: "catalog_change", ObjectID: it.ID,
		Details: map[string]any{"department_id": n.DepartmentID, "due_at": n.DueAt.Format(time.RFC3339), "round": n.Round, "working_days_late": -left}}); err != nil {
		return err
	}
	// 000 Art 42: the authority chases the late department; the department hears of it too.
	to, err := s.Staff.Authorities(ctx, n.DepartmentID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	providers, err := s.Staff.Providers(ctx, n.DepartmentID)
	if err != nil {
		return err
	}
	return s.Notify.Send(tx, noticesTo(append(to, providers...), 0, KindEscalated, "目录变更更新已逾期："+clip(dep.Name, 100),
		fmt.Sprintf("%s未在期限（%s）内完成目录变更通知涉及的目录更新，已逾期 %d 个工作日，请督办。", dep.Name, fmtDue(n.DueAt), -left), link(n.ID))...)
}

var errSkip = errors.New("changes: due date moved meanwhile")

// RecomputeDeadlines implements deadlines.Recomputer: after the calendar of
// years changed, every open notice whose clock touches one of them gets
// due = notice + days + approved extension on the current calendar. A
// changed due date is written guarded by the old one (a second replica
// finds nothing to do), starts a new round, goes into the history and the
// audit trail, and is told to the authority (who waits on the update) and
// the department (who must meet it).
func (s *Service) RecomputeDeadlines(ctx context.Context, years []int) (int, error) {
	open, err := s.open(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	var errs []error
	for i := range open {
		n := &open[i]
		if !deadlines.Touches(n.NoticedAt, n.DueAt, years) {
			continue
		}
		old := n.DueAt
		due := s.Calendar.AddWorkingDays(n.NoticedAt, n.Days+n.ApprovedDays()).UTC()
		if due.Equal(old) {
			continue
		}
		dep, err := s.department(ctx, n.DepartmentID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		now := s.now()
		err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&Notice{}).Where("id = ? AND status = ? AND due_at = ?", n.ID, StatusOpen, old).
				Updates(map[string]any{"due_at": due, "round": n.Round + 1, "escalated_at": nil})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errSkip
			}
			n.DueAt = due
			if err := s.addEvent(tx, n, Event{Kind: EventDueRecomputed, DueAt: &due, Note: fmtDue(old)}); err != nil {
				return err
			}
			if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: ActionDueRecomputed, ObjectType: "catalog_change",
				ObjectID: idString(n.ID), Details: map[string]any{"old_due_at": old.Format(time.RFC3339), "due_at": due.Format(time.RFC3339), "years": years}}); err != nil {
				return err
			}
			to, err := s.Staff.Authorities(ctx, n.DepartmentID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			providers, err := s.Staff.Providers(ctx, n.DepartmentID)
			if err != nil {
				return err
			}
			name := n.DepartmentID
			if dep != nil {
				name = dep.Name
			}
			return s.Notify.Send(tx, noticesTo(append(to, providers...), 0, KindDueChanged, "目录变更更新期限已调整",
				fmt.Sprintf("根据正式公布的节假日安排，%s目录变更更新期限由 %s 调整为 %s。", name, fmtDue(old), fmtDue(due)), link(n.ID))...)
		})
		switch {
		case errors.Is(err, errSkip):
		case err != nil:
			errs = append(errs, apperr.Internalf(err, "recompute catalog change %d", n.ID))
		default:
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// Fact is one notice for the statistics.
type Fact struct {
	DepartmentID string
	NoticedAt    time.Time
	DueAt        time.Time
	CompletedAt  *time.Time
}

// Facts lists the notices recorded in [from, to), after recording the
// updates submitted since the last run.
func (s *Service) Facts(ctx context.Context, from, to time.Time) ([]Fact, error) {
	open, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.sync(ctx, open); err != nil {
		return nil, err
	}
	var rows []Notice
	if err := s.DB.WithContext(ctx).Select("department_id, noticed_at, due_at, completed_at").
		Where("noticed_at >= ? AND noticed_at < ?", from.UTC(), to.UTC()).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "catalog change facts")
	}
	out := make([]Fact, len(rows))
	for i, n := range rows {
		out[i] = Fact{DepartmentID: n.DepartmentID, NoticedAt: n.NoticedAt, DueAt: n.DueAt, CompletedAt: n.CompletedAt}
	}
	return out, nil
}
