package publishing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/store"
)

// FreshnessResult counts what one check found and reported.
type FreshnessResult struct {
	Overdue  int // published entries behind their update schedule
	Flagged  int // newly reported this run
	Notified int // notices written
}

// overdueEntry is an entry behind schedule.
type overdueEntry struct {
	ID, Title, DepartmentID string
	Due                     time.Time
}

// CheckFreshness finds published entries whose next update is overdue by
// the update frequency they declare (a promise to their users, not the
// change-triggered update of 000 Art 15, which is server/changes) and
// reports each overdue due date once, to the department's providers and
// the same-level authority: one notice per person per department and run.
// Several replicas may run it: a due date is claimed by its flag row.
func (s *Service) CheckFreshness(ctx context.Context) (FreshnessResult, error) {
	var res FreshnessResult
	now := s.Now()
	byDept := map[string][]overdueEntry{}
	after := ""
	for {
		var batch []catalog.Dataset
		err := s.DB.WithContext(ctx).Select("id, title, department_id, update_frequency, updated_at").
			Where("status = ? AND update_frequency <> ? AND id > ?", catalog.StatusPublished, "irregular", after).
			Order("id").Limit(1000).Find(&batch).Error
		if err != nil {
			return res, apperr.Internalf(err, "list entries for freshness")
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			ds := &batch[i]
			due, ok := catalog.NextUpdateDue(ds.UpdatedAt, ds.UpdateFrequency)
			if ok && now.After(due) {
				res.Overdue++
				byDept[ds.DepartmentID] = append(byDept[ds.DepartmentID], overdueEntry{ds.ID, ds.Title, ds.DepartmentID, due.UTC().Truncate(time.Second)})
			}
		}
		after = batch[len(batch)-1].ID
	}
	for dept, list := range byDept {
		flagged, notified, err := s.flagDepartment(ctx, dept, list, now)
		if err != nil {
			return res, err
		}
		res.Flagged += flagged
		res.Notified += notified
	}
	return res, nil
}

func (s *Service) flagDepartment(ctx context.Context, dept string, list []overdueEntry, now time.Time) (int, int, error) {
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	var flags []FreshnessFlag
	if err := s.DB.WithContext(ctx).Where("dataset_id IN ?", ids).Find(&flags).Error; err != nil {
		return 0, 0, apperr.Internalf(err, "load freshness flags")
	}
	done := map[string]bool{}
	for _, f := range flags {
		done[f.DatasetID+"|"+f.DueAt.UTC().Format(time.RFC3339)] = true
	}
	var fresh []overdueEntry
	for _, e := range list {
		if !done[e.ID+"|"+e.Due.Format(time.RFC3339)] {
			fresh = append(fresh, e)
		}
	}
	if len(fresh) == 0 {
		return 0, 0, nil
	}
	var dep catalog.Department
	if err := s.DB.WithContext(ctx).Where("id = ?", dept).Take(&dep).Error; err != nil {
		return 0, 0, apperr.Internalf(err, "load department %s", dept)
	}
	notified := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows := make([]FreshnessFlag, len(fresh))
		for i, e := range fresh {
			rows[i] = FreshnessFlag{DatasetID: e.ID, DueAt: e.Due, FlaggedAt: now.UTC().Truncate(time.Second)}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
		var lines []string
		for i, e := range fresh {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("……等共 %d 个", len(fresh)))
				break
			}
			lines = append(lines, fmt.Sprintf("“%s”应于 %s 前更新", e.Title, chinaDate(e.Due)))
		}
		title := fmt.Sprintf("%d 个目录未按更新频率更新", len(fresh))
		if len(fresh) == 1 {
			title = "目录未按更新频率更新：" + clipTitle(fresh[0].Title)
		}
		link := "/console?overdue=1"
		if len(fresh) == 1 {
			link = consoleLink(fresh[0].ID)
		}
		body := dep.Name + "：" + strings.Join(lines, "；") + "。请按目录公布的更新频率及时更新。"
		var notices []notify.Notice
		for _, uid := range authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(dept)) {
			notices = append(notices, notify.Notice{UserID: uid, Kind: NoticeOverdue, Title: title, Body: body, Link: link})
		}
		for _, uid := range authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(dep.Region)) {
			notices = append(notices, notify.Notice{UserID: uid, Kind: NoticeOverdue, Title: title, Body: body, Link: "/review?overdue=1"})
		}
		notified = len(notices)
		return s.Notify.Send(tx, notices...)
	})
	if store.IsDuplicate(err) {
		return 0, 0, nil // another replica reported them
	}
	if err != nil {
		return 0, 0, apperr.Internalf(err, "flag overdue entries of %s", dept)
	}
	return len(fresh), notified, nil
}

// RunFreshness checks freshness every interval until ctx is done.
func (s *Service) RunFreshness(ctx context.Context, every time.Duration) {
	t := time.NewTimer(time.Minute) // let start-up finish first
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.CheckFreshness(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Warn("freshness check failed, will retry", "err", err)
		}
		t.Reset(every)
	}
}
