package applications

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
)

// DeadlineSubject names applications in deadline_events.
const DeadlineSubject = "application"

func (s *Service) job() *deadlines.Job {
	return &deadlines.Job{DB: s.DB, Calendar: s.Calendar, Now: s.Now, Log: s.Log, RemindBefore: s.Profile.ReminderBeforeDueDays}
}

// RunDeadlines reminds providers of applications due within
// Profile.ReminderBeforeDueDays working days and escalates overdue ones to
// the same-level authority (000 Art 42), each once per round, however many
// replicas run it.
func (s *Service) RunDeadlines(ctx context.Context) (deadlines.Result, error) {
	now := s.now()
	horizon := s.Calendar.AddWorkingDays(now, s.Profile.ReminderBeforeDueDays+1)
	var list []Application
	if err := s.DB.WithContext(ctx).Select("id", "clock_round", "due_at").
		Where("status IN ? AND due_at IS NOT NULL AND due_at <= ?", []Status{Submitted, Resubmitted}, horizon.UTC()).
		Order("due_at").Find(&list).Error; err != nil {
		return deadlines.Result{}, fmt.Errorf("applications: deadline candidates: %w", err)
	}
	items := make([]deadlines.Item, len(list))
	for i, a := range list {
		items[i] = deadlines.Item{Subject: DeadlineSubject, ID: a.ID, Round: a.ClockRound, Due: *a.DueAt}
	}
	return s.job().Process(ctx, items, deadlines.Handlers{Remind: s.remind, Escalate: s.escalate})
}

// pendingIn loads the application of a deadline item if it is still
// waiting for a decision on the same clock (deadline round).
func pendingIn(tx *gorm.DB, it deadlines.Item) (*Application, error) {
	var a Application
	err := tx.Where("id = ? AND clock_round = ? AND status IN ?", it.ID, it.Round, []Status{Submitted, Resubmitted}).Limit(1).Find(&a).Error
	if err != nil || a.ID == "" {
		return nil, err
	}
	return &a, nil
}

func (s *Service) remind(tx *gorm.DB, it deadlines.Item, left int) error {
	a, err := pendingIn(tx, it)
	if err != nil || a == nil {
		return err
	}
	when := "今天"
	if left > 0 {
		when = "还剩 " + strconv.Itoa(left) + " 个工作日"
	}
	return s.send(tx, s.providerStaff(a.DepartmentID), notify.Notice{
		Kind: "application.due_soon", Title: "申请即将到期：" + a.DatasetTitle,
		Body: "《" + a.DatasetTitle + "》的申请应于 " + chinaDate(it.Due) + " 前作出决定（" + when + "，《黑龙江省政务数据管理暂行办法》第三十四条）。",
		Link: "/applications/" + a.ID,
	})
}

func (s *Service) escalate(tx *gorm.DB, it deadlines.Item, left int) error {
	a, err := pendingIn(tx, it)
	if err != nil || a == nil {
		return err
	}
	now := s.now()
	if err := tx.Model(&Application{}).Where("id = ?", a.ID).
		Updates(map[string]any{"escalated_at": now, "escalations": gorm.Expr("escalations + 1"),
			"late_at": gorm.Expr("COALESCE(late_at, ?)", it.Due.UTC())}).Error; err != nil {
		return err
	}
	late := strconv.Itoa(-left)
	if err := s.event(tx, a.ID, now, 0, "escalated", "due "+chinaDate(it.Due)); err != nil {
		return err
	}
	if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: "application.escalated",
		ObjectType: "application", ObjectID: a.ID, Details: map[string]any{"due_at": it.Due.UTC(), "round": a.Round, "clock_round": it.Round, "department_id": a.DepartmentID}}); err != nil {
		return err
	}
	body := a.DepartmentName + " 对《" + a.DatasetTitle + "》的申请应于 " + chinaDate(it.Due) + " 前作出决定，已逾期 " + late + " 个工作日（《黑龙江省政务数据管理暂行办法》第三十四条、第四十二条）。"
	if err := s.send(tx, s.authorityStaff(a.Region), notify.Notice{
		Kind: "application.escalated", Title: "申请办理逾期：" + a.DepartmentName, Body: body, Link: "/review/overdue",
	}); err != nil {
		return err
	}
	return s.send(tx, s.providerStaff(a.DepartmentID), notify.Notice{
		Kind: "application.overdue", Title: "申请已逾期并上报主管部门：" + a.DatasetTitle, Body: body, Link: "/applications/" + a.ID,
	})
}

// DepartmentStats counts a department's applications for the statistics
// pages: overdue ones and escalations are public (000 Art 42 has the
// authority track them; publishing the figures is our choice).
type DepartmentStats struct {
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name"`
	Received       int64  `json:"received"`
	Pending        int64  `json:"pending"`
	Overdue        int64  `json:"overdue"` // pending and past the due date now
	Approved       int64  `json:"approved"`
	Rejected       int64  `json:"rejected"`
	DecidedLate    int64  `json:"decided_late"`
	Escalated      int64  `json:"escalated"` // applications escalated at least once
	// Late counts applications that missed a due date at any point: decided
	// late, still pending past it, or late before a missing-material notice
	// (a later round does not erase it).
	Late int64 `json:"late"`
}

// Stats counts applications per department; departments limits the
// result when not empty.
func (s *Service) Stats(ctx context.Context, departments []string) ([]DepartmentStats, error) {
	type row struct {
		DepartmentID   string
		DepartmentName string
		Status         Status
		DecidedLate    bool
		Escalated      bool
		N              int64
	}
	scoped := func() *gorm.DB {
		q := s.DB.WithContext(ctx).Model(&Application{})
		if len(departments) > 0 {
			q = q.Where("department_id IN ?", departments)
		}
		return q
	}
	const escalated = "CASE WHEN escalations > 0 THEN 1 ELSE 0 END"
	var rows []row
	if err := scoped().Select("department_id, MAX(department_name) AS department_name, status, decided_late, " + escalated + " AS escalated, COUNT(*) AS n").
		Group("department_id, status, decided_late, " + escalated).Scan(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "application statistics")
	}
	type count struct {
		DepartmentID string
		N            int64
	}
	var overdue, late []count
	now := s.now()
	if err := scoped().Select("department_id, COUNT(*) AS n").Where("status IN ? AND due_at < ?", []Status{Submitted, Resubmitted}, now).
		Group("department_id").Scan(&overdue).Error; err != nil {
		return nil, apperr.Internalf(err, "overdue statistics")
	}
	if err := scoped().Select("department_id, COUNT(*) AS n").
		Where("late_at IS NOT NULL OR decided_late = ? OR (status IN ? AND due_at < ?)", true, []Status{Submitted, Resubmitted}, now).
		Group("department_id").Scan(&late).Error; err != nil {
		return nil, apperr.Internalf(err, "late statistics")
	}
	by := map[string]*DepartmentStats{}
	for _, r := range rows {
		d := by[r.DepartmentID]
		if d == nil {
			d = &DepartmentStats{DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName}
			by[r.DepartmentID] = d
		}
		d.Received += r.N
		switch {
		case r.Status.Pending():
			d.Pending += r.N
		case r.Status == Approved:
			d.Approved += r.N
		case r.Status == Rejected:
			d.Rejected += r.N
		}
		if r.DecidedLate {
			d.DecidedLate += r.N
		}
		if r.Escalated {
			d.Escalated += r.N
		}
	}
	for _, o := range overdue {
		if d := by[o.DepartmentID]; d != nil {
			d.Overdue = o.N
		}
	}
	for _, l := range late {
		if d := by[l.DepartmentID]; d != nil {
			d.Late = l.N
		}
	}
	out := make([]DepartmentStats, 0, len(by))
	for _, d := range by {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Overdue != out[j].Overdue {
			return out[i].Overdue > out[j].Overdue
		}
		return out[i].DepartmentID < out[j].DepartmentID
	})
	return out, nil
}

// OverdueReport is the authority's deadline board (000 Art 42).
type OverdueReport struct {
	Items            []Application
	Departments      []DepartmentStats
	CalendarWarnings []string
}

// Overdue lists the pending applications past their due date in what the
// caller oversees, the counts per department, and the calendar's warnings
// (a year without an official holiday file is counted on a provisional
// calendar).
func (s *Service) Overdue(ctx context.Context, p *authz.Principal) (*OverdueReport, error) {
	v := s.viewer(p)
	now := s.now()
	out := &OverdueReport{Items: []Application{}, Departments: []DepartmentStats{}, CalendarWarnings: s.CalendarWarnings(now)}
	if !v.staff() {
		// The provincial authority holds deadlines:read province-wide: it
		// sees the counts per department, not the applications themselves
		// (only the same-level authority reads those).
		if p != nil && slices.Contains(s.Policy.Domains(p, authz.DeadlinesRead), authz.Global) {
			st, err := s.Stats(ctx, nil)
			if err != nil {
				return nil, err
			}
			out.Departments = st
		}
		return out, nil
	}
	q := v.staffScope(s.DB.WithContext(ctx).Model(&Application{}), v.regions).
		Where("status IN ? AND due_at < ?", []Status{Submitted, Resubmitted}, now)
	if err := q.Order("due_at").Order("id").Limit(500).Find(&out.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "overdue applications")
	}
	var depts []string
	if err := v.staffScope(s.DB.WithContext(ctx).Model(&Application{}), v.regions).Distinct().Pluck("department_id", &depts).Error; err != nil {
		return nil, apperr.Internalf(err, "departments overseen")
	}
	if len(depts) > 0 {
		st, err := s.Stats(ctx, depts)
		if err != nil {
			return nil, err
		}
		out.Departments = st
	}
	return out, nil
}

// warnAhead is how many days ahead a provisional calendar year is
// reported: more than the longest deadline, so no due date falls in such a
// year unannounced.
const warnAhead = 45

// CalendarWarnings lists, for staff, the calendar's recorded warnings plus
// the years from now to warnAhead days ahead that have no official holiday
// file: deadlines in them are counted on a provisional calendar and are
// recomputed when the file arrives.
func (s *Service) CalendarWarnings(now time.Time) []string {
	out := s.Calendar.Warnings()
	for _, y := range s.Calendar.MissingYears(now, now.AddDate(0, 0, warnAhead)) {
		if msg := calendar.ProvisionalWarning(y); !slices.Contains(out, msg) {
			out = append(out, msg)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
