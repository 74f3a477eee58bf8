package apps

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
)

// UsageDay is one day's calls of one family.
type UsageDay struct {
	Date   string `json:"date"`
	Family string `json:"family"`
	Calls  int64  `json:"calls"`
	Errors int64  `json:"errors"`
}

// QuotaState is a family's limits and what is left of them now.
type QuotaState struct {
	Family          string `json:"family"`
	PerMinute       int    `json:"per_minute"`
	PerDay          int    `json:"per_day"`
	UsedMinute      int    `json:"used_minute"`
	UsedDay         int    `json:"used_day"`
	RemainingMinute int    `json:"remaining_minute"`
	RemainingDay    int    `json:"remaining_day"`
	ResetDay        string `json:"reset_day"`
}

// RecentError is one of the last errors.
type RecentError struct {
	At      time.Time `json:"at"`
	Method  string    `json:"method"`
	Path    string    `json:"path"`
	Status  int       `json:"status"`
	Message string    `json:"message"`
}

// Usage is an app's usage page.
type Usage struct {
	Days         []UsageDay    `json:"days"`
	Quota        []QuotaState  `json:"quota"`
	RecentErrors []RecentError `json:"recent_errors"`
}

// Usage reports an app's last days (China days, today included), its
// quotas now and its recent errors. ownerID 0 is the authority's view.
func (s *Service) Usage(ctx context.Context, id string, ownerID uint64, days int) (*Usage, error) {
	a, err := s.load(s.db(ctx), id, ownerID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := now.In(calendar.Zone)
	from := time.Date(today.Year(), today.Month(), today.Day()-(days-1), 0, 0, 0, 0, calendar.Zone).Format("2006-01-02")
	out := &Usage{Days: []UsageDay{}, Quota: []QuotaState{}, RecentErrors: []RecentError{}}
	var ds []Day
	if err := s.db(ctx).Where("app_id = ? AND usage_date >= ?", a.ID, from).Order("usage_date, family").Limit(90 * 8).Find(&ds).Error; err != nil {
		return nil, apperr.Internalf(err, "load usage")
	}
	for _, d := range ds {
		out.Days = append(out.Days, UsageDay{Date: d.Date, Family: d.Family, Calls: d.Calls, Errors: d.Errors})
	}
	qs, err := s.QuotasOf(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	mSlot, _ := minuteSlot(now)
	dSlot, dEnd := daySlot(now)
	var cs []Counter
	if err := s.db(ctx).Where("app_id = ? AND slot IN ?", a.ID, []string{mSlot, dSlot}).Find(&cs).Error; err != nil {
		return nil, apperr.Internalf(err, "load counters")
	}
	used := map[string]int{}
	for _, c := range cs {
		used[c.Family+c.Slot] = c.Calls
	}
	for _, f := range Families {
		l := qs[a.ID][f]
		q := QuotaState{Family: f, PerMinute: l.PerMinute, PerDay: l.PerDay, UsedMinute: used[f+mSlot], UsedDay: used[f+dSlot], ResetDay: dEnd.Format(time.RFC3339)}
		q.RemainingMinute, q.RemainingDay = max(l.PerMinute-q.UsedMinute, 0), max(l.PerDay-q.UsedDay, 0)
		out.Quota = append(out.Quota, q)
	}
	var es []CallError
	if err := s.db(ctx).Where("app_id = ?", a.ID).Order("id DESC").Limit(KeepErrors).Find(&es).Error; err != nil {
		return nil, apperr.Internalf(err, "load errors")
	}
	for _, e := range es {
		out.RecentErrors = append(out.RecentErrors, RecentError{At: e.At.In(calendar.Zone), Method: e.Method, Path: e.Path, Status: e.Status, Message: e.Message})
	}
	return out, nil
}

// ---- the authority ----

func requireAuthority(p *authz.Principal) error {
	if !p.Has(authz.RoleAuthority) {
		return apperr.New(apperr.Forbidden, "only the data authority manages apps")
	}
	return nil
}

// Owner is an app's owner as the authority sees it.
type Owner struct {
	ID    uint64 `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// AdminList lists every app for the authority: q matches the name, the
// key or the owner's e-mail; status filters.
func (s *Service) AdminList(ctx context.Context, p *authz.Principal, q, status string, page, size int) ([]App, map[uint64]Owner, int64, error) {
	if err := requireAuthority(p); err != nil {
		return nil, nil, 0, err
	}
	var v apperr.Validation
	v.Check(status == "" || status == StatusActive || status == StatusSuspended, "status", "status must be active or suspended")
	v.Check(len([]rune(q)) <= 100, "q", "q is at most 100 characters")
	if err := v.Err(); err != nil {
		return nil, nil, 0, err
	}
	tx := s.db(ctx).Model(&App{})
	if status != "" {
		tx = tx.Where("status = ?", status)
	}
	if q != "" {
		like := "%" + escapeLike(q) + "%"
		tx = tx.Where("(name LIKE ? ESCAPE '!' OR app_key LIKE ? ESCAPE '!' OR user_id IN (?))", like, like, s.DB.Model(&accounts.User{}).Select("id").Where("email LIKE ? ESCAPE '!'", like))
	}
	var total int64
	if err := tx.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, nil, 0, apperr.Internalf(err, "count apps")
	}
	var out []App
	if err := tx.Order("created_at DESC, id").Offset((page - 1) * size).Limit(size).Find(&out).Error; err != nil {
		return nil, nil, 0, apperr.Internalf(err, "list apps")
	}
	ids := make([]uint64, 0, len(out))
	for _, a := range out {
		ids = append(ids, a.UserID)
	}
	owners := map[uint64]Owner{}
	if len(ids) > 0 {
		var us []accounts.User
		if err := s.db(ctx).Where("id IN ?", ids).Find(&us).Error; err != nil {
			return nil, nil, 0, apperr.Internalf(err, "load owners")
		}
		for _, u := range us {
			owners[u.ID] = Owner{ID: u.ID, Name: u.Name, Email: u.Email}
		}
	}
	return out, owners, total, nil
}

func escapeLike(s string) string {
	r := []rune{}
	for _, c := range s {
		if c == '%' || c == '_' || c == '!' {
			r = append(r, '!')
		}
		r = append(r, c)
	}
	return string(r)
}

// AdminInput is the authority's change to an app.
type AdminInput struct {
	Status          *string       `json:"status"`
	SuspendedReason *string       `json:"suspended_reason"`
	Quotas          []FamilyQuota `json:"quotas"`
}

// FamilyQuota is one family's limits.
type FamilyQuota struct {
	Family    string `json:"family"`
	PerMinute int    `json:"per_minute"`
	PerDay    int    `json:"per_day"`
}

// AdminUpdate suspends or restores an app and sets its quotas.
func (s *Service) AdminUpdate(ctx context.Context, p *authz.Principal, id string, in AdminInput, ip string) (*App, error) {
	if err := requireAuthority(p); err != nil {
		return nil, err
	}
	var v apperr.Validation
	if in.Status != nil {
		v.Check(*in.Status == StatusActive || *in.Status == StatusSuspended, "status", "status must be active or suspended")
	}
	if in.SuspendedReason != nil {
		v.Check(len([]rune(*in.SuspendedReason)) <= 2000, "suspended_reason", "suspended_reason is at most 2000 characters")
	}
	v.Check(len(in.Quotas) <= len(Families), "quotas", "quotas lists each family once")
	seen := map[string]bool{}
	for _, q := range in.Quotas {
		known := false
		for _, f := range Families {
			known = known || f == q.Family
		}
		v.Check(known && !seen[q.Family], "quotas", "quotas lists each family once")
		v.Check(q.PerMinute >= 0 && q.PerMinute <= MaxQuota && q.PerDay >= 0 && q.PerDay <= MaxQuota, "quotas", "a quota is a whole number from 0 to %d (0 = no limit)", MaxQuota)
		seen[q.Family] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *App
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.load(tx, id, 0)
		if err != nil {
			return err
		}
		changes := map[string]any{}
		if in.Status != nil {
			a.Status, changes["status"] = *in.Status, *in.Status
			if *in.Status == StatusActive {
				a.SuspendedReason, changes["suspended_reason"] = "", ""
			}
		}
		if in.SuspendedReason != nil && a.Status == StatusSuspended {
			a.SuspendedReason, changes["suspended_reason"] = *in.SuspendedReason, *in.SuspendedReason
		}
		if len(changes) > 0 {
			if err := tx.Model(&App{}).Where("id = ?", a.ID).Updates(changes).Error; err != nil {
				return err
			}
		}
		for _, q := range in.Quotas {
			row := Quota{AppID: a.ID, Family: q.Family, PerMinute: q.PerMinute, PerDay: q.PerDay}
			if err := tx.Save(&row).Error; err != nil {
				return err
			}
		}
		if len(in.Quotas) > 0 {
			changes["quotas"] = in.Quotas
		}
		out = a
		if len(changes) == 0 {
			return nil
		}
		return s.record(tx, p, ip, AuditAuthority, a.ID, changes)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "update app")
	}
	return out, nil
}
