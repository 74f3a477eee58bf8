package publishing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/store"
)

var _ deadlines.Recomputer = (*Service)(nil)

// ActionDueRecomputed is the audit action of a review or fix due date
// moved by a calendar change.
const ActionDueRecomputed = "catalog.due_recomputed"

// NoticeDueChanged is the notice kind of a moved review or fix due date.
const NoticeDueChanged = "catalog.due_changed"

// DueChange is one recomputation of a version's review or fix due date
// after the calendar changed: the deadline's history, and what starts its
// reminders again (a new round, see roundOf).
type DueChange struct {
	ID        uint64    `gorm:"primaryKey"`
	VersionID uint64    `gorm:"not null;index"`
	DatasetID string    `gorm:"size:64;not null;index"`
	Subject   string    `gorm:"size:32;not null"` // SubjectReview | SubjectFix
	OldDue    time.Time `gorm:"not null"`
	NewDue    time.Time `gorm:"not null"`
	At        time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (DueChange) TableName() string { return "catalog_due_changes" }

// DueChangeMigrations creates the table of recomputed due dates. The
// snapshot struct is frozen.
func DueChangeMigrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID:       "0061_catalog_due_changes",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &dueChangeV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("catalog_due_changes") },
	}}
}

type dueChangeV1 struct {
	ID        uint64    `gorm:"primaryKey"`
	VersionID uint64    `gorm:"not null;index"`
	DatasetID string    `gorm:"size:64;not null;index"`
	Subject   string    `gorm:"size:32;not null"`
	OldDue    time.Time `gorm:"not null"`
	NewDue    time.Time `gorm:"not null"`
	At        time.Time `gorm:"not null"`
}

func (dueChangeV1) TableName() string { return "catalog_due_changes" }

// roundStride separates the rounds of recomputed due dates from those of
// returns (a version is never returned this often).
const roundStride = 1000

// roundOf is the deadline round of a review or fix clock: one per
// submission (review) or return (fix), and a new one each time its due
// date was recomputed.
func roundOf(subject string, returns, recomputed int) int {
	if subject == SubjectReview {
		return returns + 1 + roundStride*recomputed
	}
	return returns + roundStride*recomputed
}

// recomputedCounts counts the recomputations of each version's clocks.
func (s *Service) recomputedCounts(ctx context.Context, db *gorm.DB, versionIDs []uint64) (map[uint64]map[string]int, error) {
	out := map[uint64]map[string]int{}
	for start := 0; start < len(versionIDs); start += 500 {
		var rows []DueChange
		if err := db.WithContext(ctx).Select("version_id, subject").Where("version_id IN ?", versionIDs[start:min(start+500, len(versionIDs))]).Find(&rows).Error; err != nil {
			return nil, apperr.Internalf(err, "count recomputed due dates")
		}
		for _, r := range rows {
			if out[r.VersionID] == nil {
				out[r.VersionID] = map[string]int{}
			}
			out[r.VersionID][r.Subject]++
		}
	}
	return out, nil
}

// clock is a version's running deadline: its subject, start, due date,
// working days and column.
type clock struct {
	subject, column string
	status          Status
	start, due      *time.Time
	days            int
}

func (s *Service) clockOf(v *Version) (clock, bool) {
	switch v.Status {
	case StatusSubmitted:
		// 001 Art 17: the authority reviews within 2 working days of the submission.
		return clock{SubjectReview, "review_due", v.Status, v.SubmittedAt, v.ReviewDue, s.Profile.CatalogReviewByAuthority}, v.SubmittedAt != nil && v.ReviewDue != nil
	case StatusReturned:
		// 000 Art 12: the provider fixes within 5 working days of the return.
		return clock{SubjectFix, "fix_due", v.Status, v.ReturnedAt, v.FixDue, s.Profile.CatalogFixByProvider}, v.ReturnedAt != nil && v.FixDue != nil
	}
	return clock{}, false
}

// dueProvisional reports whether a version's running review or fix due
// date was counted through a provisional calendar year (the due date's
// year alone when the start was not loaded).
func (s *Service) dueProvisional(v *Version) bool {
	c, _ := s.clockOf(v)
	if c.due == nil {
		return false
	}
	start := c.due
	if c.start != nil {
		start = c.start
	}
	return s.Calendar.ProvisionalSpan(*start, *c.due)
}

var errMoved = errors.New("publishing: due date moved meanwhile")

// RecomputeDeadlines implements deadlines.Recomputer for the review (001
// Art 17) and fix (000 Art 12) clocks of catalog versions: due = start +
// the profile's working days on the current calendar; a changed due date
// is written guarded by the old one, recorded (catalog_due_changes, a new
// deadline round; the audit trail) and told to the party who waits (a
// review: the provider who submitted; a fix: the authority) and to the one
// who must act.
func (s *Service) RecomputeDeadlines(ctx context.Context, years []int) (int, error) {
	var list []Version
	err := s.DB.WithContext(ctx).Select("id, dataset_id, number, department_id, status, title, submitted_at, review_due, returned_at, fix_due").
		Where("(status = ? AND review_due IS NOT NULL) OR (status = ? AND fix_due IS NOT NULL)", StatusSubmitted, StatusReturned).
		Order("id").Find(&list).Error
	if err != nil {
		return 0, apperr.Internalf(err, "open catalog deadlines")
	}
	changed := 0
	var errs []error
	for i := range list {
		v := &list[i]
		c, ok := s.clockOf(v)
		if !ok || !deadlines.Touches(*c.start, *c.due, years) {
			continue
		}
		old := *c.due
		due := s.Calendar.AddWorkingDays(*c.start, c.days).UTC()
		if due.Equal(old) {
			continue
		}
		err := s.tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&Version{}).Where("id = ? AND status = ? AND "+c.column+" = ?", v.ID, c.status, old).Update(c.column, due)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errMoved
			}
			now := s.now()
			if err := tx.Create(&DueChange{VersionID: v.ID, DatasetID: v.DatasetID, Subject: c.subject, OldDue: old, NewDue: due, At: now}).Error; err != nil {
				return err
			}
			if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: ActionDueRecomputed, ObjectType: "dataset", ObjectID: v.DatasetID,
				Details: map[string]any{"deadline": c.subject, "version": v.Number, "old_due_at": old.Format(time.RFC3339), "due_at": due.Format(time.RFC3339), "years": years}}); err != nil {
				return err
			}
			return s.Notify.Send(tx, s.dueChangedNotices(tx, v, c.subject, old, due)...)
		})
		switch {
		case errors.Is(err, errMoved):
		case err != nil:
			errs = append(errs, apperr.OrInternal(err, "recompute catalog deadline of version "+strconv.FormatUint(v.ID, 10)))
		default:
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// dueChangedNotices tells of a moved review due date the provider who
// submitted (the department's providers if unknown) and the reviewing
// authority, and of a moved fix due date the authority and the department.
func (s *Service) dueChangedNotices(tx *gorm.DB, v *Version, subject string, old, due time.Time) []notify.Notice {
	var dep catalog.Department
	tx.Where("id = ?", v.DepartmentID).Limit(1).Find(&dep)
	authority := authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(dep.Region))
	providers := authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(v.DepartmentID))
	n := notify.Notice{Kind: NoticeDueChanged}
	var to []uint64
	if subject == SubjectReview {
		var submitter []uint64
		tx.Table("audit_entries").Where("action = ? AND object_type = ? AND object_id = ? AND actor_id IS NOT NULL", ActionSubmitted, "dataset", v.DatasetID).
			Order("seq DESC").Limit(1).Pluck("actor_id", &submitter)
		if len(submitter) == 0 {
			submitter = providers
		}
		to = append(submitter, authority...)
		n.Title, n.Link = "目录审核期限已调整："+clipTitle(v.Title), consoleLink(v.DatasetID)
		n.Body = fmt.Sprintf("根据正式公布的节假日安排，%s 提交的目录“%s”（第 %d 版）的审核期限由 %s 调整为 %s。", dep.Name, v.Title, v.Number, chinaDate(old), chinaDate(due))
	} else {
		to = append(authority, providers...)
		n.Title, n.Link = "目录修改期限已调整："+clipTitle(v.Title), consoleLink(v.DatasetID)
		n.Body = fmt.Sprintf("根据正式公布的节假日安排，%s 被退回的目录“%s”（第 %d 版）的修改期限由 %s 调整为 %s。", dep.Name, v.Title, v.Number, chinaDate(old), chinaDate(due))
	}
	return address(n, to)
}
