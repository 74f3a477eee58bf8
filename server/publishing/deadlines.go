package publishing

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
)

// Deadline subjects in deadline_events: the authority's review of a
// submitted version (001 Art 17) and the provider's fixes of a returned one
// (000 Art 12). The round is the submission (review) or return (fix)
// number of the version, and moves on when a calendar change recomputed
// the due date (roundOf), so each restarted clock is chased again.
const (
	SubjectReview = "catalog-review"
	SubjectFix    = "catalog-fix"
)

// Notice kinds of deadline follow-ups.
const (
	NoticeDueSoon   = "catalog.due_soon"
	NoticeEscalated = "catalog.overdue"
)

// ActionEscalated is the audit action of an overdue review or fix.
const ActionEscalated = "catalog.deadline_escalated"

func (s *Service) job() *deadlines.Job {
	return &deadlines.Job{DB: s.DB, Calendar: s.Calendar, Now: s.Now, Log: s.Log, RemindBefore: s.Profile.ReminderBeforeDueDays}
}

// RunDeadlines reminds whoever must act before a review or fix deadline
// (Profile.ReminderBeforeDueDays working days ahead) and escalates what is
// late (000 Art 42: the authority chases late departments; a late review is
// reported to the provincial authority), each step once per round however
// many replicas run it.
func (s *Service) RunDeadlines(ctx context.Context) (deadlines.Result, error) {
	horizon := s.Calendar.AddWorkingDays(s.Now(), s.Profile.ReminderBeforeDueDays+1).UTC()
	var list []Version
	err := s.DB.WithContext(ctx).Select("id, dataset_id, status, review_due, fix_due").
		Where("(status = ? AND review_due <= ?) OR (status = ? AND fix_due <= ?)", StatusSubmitted, horizon, StatusReturned, horizon).
		Order("id").Find(&list).Error
	if err != nil {
		return deadlines.Result{}, apperr.Internalf(err, "catalog deadline candidates")
	}
	ids := make([]uint64, len(list))
	for i, v := range list {
		ids[i] = v.ID
	}
	recomputed, err := s.recomputedCounts(ctx, s.DB, ids)
	if err != nil {
		return deadlines.Result{}, err
	}
	var items []deadlines.Item
	for _, v := range list {
		returns, err := s.returns(ctx, s.DB, v.ID)
		if err != nil {
			return deadlines.Result{}, err
		}
		id := strconv.FormatUint(v.ID, 10)
		if v.Status == StatusSubmitted && v.ReviewDue != nil {
			items = append(items, deadlines.Item{Subject: SubjectReview, ID: id, Round: roundOf(SubjectReview, returns, recomputed[v.ID][SubjectReview]), Due: *v.ReviewDue})
		}
		if v.Status == StatusReturned && v.FixDue != nil {
			items = append(items, deadlines.Item{Subject: SubjectFix, ID: id, Round: roundOf(SubjectFix, returns, recomputed[v.ID][SubjectFix]), Due: *v.FixDue})
		}
	}
	return s.job().Process(ctx, items, deadlines.Handlers{Remind: s.remind, Escalate: s.escalate})
}

// returns counts how often a version was returned.
func (s *Service) returns(ctx context.Context, db *gorm.DB, versionID uint64) (int, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Review{}).Where("version_id = ? AND decision = ?", versionID, Return).Count(&n).Error; err != nil {
		return 0, apperr.Internalf(err, "count returns")
	}
	return int(n), nil
}

// stillDue loads the version of a deadline item if it still waits in the
// same state and round.
func (s *Service) stillDue(tx *gorm.DB, it deadlines.Item) (*Version, *catalog.Department, error) {
	want := StatusSubmitted
	if it.Subject == SubjectFix {
		want = StatusReturned
	}
	var v Version
	if err := tx.Where("id = ? AND status = ?", it.ID, want).Limit(1).Find(&v).Error; err != nil || v.ID == 0 {
		return nil, nil, err
	}
	returns, err := s.returns(context.Background(), tx, v.ID)
	if err != nil {
		return nil, nil, err
	}
	recomputed, err := s.recomputedCounts(context.Background(), tx, []uint64{v.ID})
	if err != nil {
		return nil, nil, err
	}
	if roundOf(it.Subject, returns, recomputed[v.ID][it.Subject]) != it.Round {
		return nil, nil, nil
	}
	var dep catalog.Department
	if err := tx.Where("id = ?", v.DepartmentID).Take(&dep).Error; err != nil {
		return nil, nil, err
	}
	return &v, &dep, nil
}

func (s *Service) remind(tx *gorm.DB, it deadlines.Item, left int) error {
	v, dep, err := s.stillDue(tx, it)
	if err != nil || v == nil {
		return err
	}
	when := "今天到期"
	if left > 0 {
		when = fmt.Sprintf("还剩 %d 个工作日", left)
	}
	n := notify.Notice{Kind: NoticeDueSoon}
	var to []uint64
	if it.Subject == SubjectReview {
		to = authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(dep.Region))
		n.Title, n.Link = "目录审核即将到期："+clipTitle(v.Title), reviewLink(v.DatasetID)
		n.Body = fmt.Sprintf("%s 提交的目录“%s”应于 %s 前审核（%s，《政务数据共享条例》第十七条）。", dep.Name, v.Title, chinaDate(it.Due), when)
	} else {
		to = authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(dep.ID))
		n.Title, n.Link = "目录修改即将到期："+clipTitle(v.Title), consoleLink(v.DatasetID)
		n.Body = fmt.Sprintf("被退回的目录“%s”应于 %s 前修改并重新提交（%s，《黑龙江省政务数据管理暂行办法》第十二条）。", v.Title, chinaDate(it.Due), when)
	}
	return s.Notify.Send(tx, address(n, to)...)
}

func (s *Service) escalate(tx *gorm.DB, it deadlines.Item, left int) error {
	v, dep, err := s.stillDue(tx, it)
	if err != nil || v == nil {
		return err
	}
	late := -left
	n := notify.Notice{Kind: NoticeEscalated}
	var to []uint64
	if it.Subject == SubjectReview {
		// The authority itself is late: its region's reviewers and the
		// provincial authority hear of it.
		to = append(authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(dep.Region)), s.Policy.UsersWithRole(authz.RoleProvince)...)
		n.Title, n.Link = "目录审核已逾期："+clipTitle(v.Title), reviewLink(v.DatasetID)
		n.Body = fmt.Sprintf("%s 提交的目录“%s”应于 %s 前审核，已逾期 %d 个工作日（《政务数据共享条例》第十七条）。", dep.Name, v.Title, chinaDate(it.Due), late)
	} else {
		// 000 Art 42: the authority chases the late department.
		to = append(authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(dep.ID)), authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(dep.Region))...)
		n.Title, n.Link = "目录修改已逾期："+clipTitle(v.Title), consoleLink(v.DatasetID)
		n.Body = fmt.Sprintf("%s 被退回的目录“%s”应于 %s 前修改，已逾期 %d 个工作日（《黑龙江省政务数据管理暂行办法》第十二条）。", dep.Name, v.Title, chinaDate(it.Due), late)
	}
	if err := s.Notify.Send(tx, address(n, to)...); err != nil {
		return err
	}
	_, err = audit.Append(tx, audit.Record{At: s.now(), Actor: audit.Actor{Label: "system"}, Action: ActionEscalated, ObjectType: "dataset", ObjectID: v.DatasetID,
		Details: map[string]any{"deadline": it.Subject, "due_at": it.Due.UTC(), "round": it.Round, "working_days_late": late, "department_id": dep.ID}})
	return err
}

// address copies n to each distinct user.
func address(n notify.Notice, to []uint64) []notify.Notice {
	seen := map[uint64]bool{}
	var out []notify.Notice
	for _, id := range to {
		if !seen[id] {
			seen[id] = true
			m := n
			m.UserID = id
			out = append(out, m)
		}
	}
	return out
}
