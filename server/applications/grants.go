package applications

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/store"
)

// Access is what a grant lets its holder read right now.
type Access struct {
	GrantID     string
	DataItems   []string // approved data item names; every other column is removed
	PeriodStart time.Time
	PeriodEnd   time.Time
	AccessUntil time.Time // PeriodEnd, or the end of a revocation's grace period
}

// GrantAccess returns the principal's access to a conditional dataset: an
// approved grant that is not suspended (000 Art 43), inside its period and
// before AccessUntil. A grant-scoped token (p.TokenGrantID) reaches only its
// own grant. Anything else is Forbidden, with a message saying why. When
// several grants qualify, the most recent approval counts.
func (s *Service) GrantAccess(ctx context.Context, p *authz.Principal, datasetID string) (*Access, error) {
	if p == nil {
		return nil, apperr.New(apperr.Forbidden, "this dataset is conditionally open: sign in and apply for access first")
	}
	now := s.now()
	q := s.DB.WithContext(ctx).Where("user_id = ? AND dataset_id = ?", p.UserID, datasetID)
	if p.TokenGrantID != nil {
		q = q.Where("id = ?", *p.TokenGrantID)
	}
	var list []Grant
	if err := q.Order("created_at DESC").Order("id DESC").Find(&list).Error; err != nil {
		return nil, apperr.Internalf(err, "load grants")
	}
	why := "this dataset is conditionally open: you have no approved application for it"
	for i := range list {
		g := &list[i]
		switch g.State(now) {
		case "active":
			return &Access{GrantID: g.ID, DataItems: append([]string(nil), g.DataItems...), PeriodStart: g.PeriodStart, PeriodEnd: g.PeriodEnd, AccessUntil: g.AccessUntil}, nil
		case "suspended":
			why = "your access to this dataset is suspended: " + g.SuspendReason
		case "expired":
			if !strings.Contains(why, "suspended") {
				why = "your access to this dataset ended on " + chinaDate(minTime(g.AccessUntil, g.PeriodEnd))
			}
		case "not_started":
			if !strings.Contains(why, "suspended") {
				why = "your approved period of use starts on " + chinaDate(g.PeriodStart)
			}
		}
	}
	return nil, apperr.New(apperr.Forbidden, "%s", why)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Use is one download or API call under a grant.
type Use struct {
	GrantID    string
	UserID     uint64
	ResourceID string
	Format     string // CSV, JSON, XLSX, API…
	Fields     []string
	Rows       int64
	Bytes      int64
	At         time.Time
}

// RecordUse keeps a use record (000 Art 28; 001 Art 29: kept at least 3
// years, nothing here deletes them) and its audit entry, in one
// transaction.
func (s *Service) RecordUse(ctx context.Context, u Use) error {
	_, err := s.StartUse(ctx, u)
	return err
}

// StartUse writes the use record and its audit entry in one transaction
// and returns the record's id. The developer API calls it before the first
// byte of data leaves and serves nothing when it fails (000 Art 11: every
// use leaves a trace; 000 Art 28). Counts known only after sending are
// added by CompleteUse.
func (s *Service) StartUse(ctx context.Context, u Use) (uint64, error) {
	if u.GrantID == "" || u.UserID == 0 || u.ResourceID == "" {
		return 0, apperr.New(apperr.Invalid, "a use record needs a grant, a user and a resource")
	}
	if u.At.IsZero() {
		u.At = s.Now()
	}
	fields := Strings(append([]string{}, u.Fields...))
	format := u.Format
	if len(format) > 16 {
		format = format[:16]
	}
	var id uint64
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var g Grant
		if err := tx.Select("id", "dataset_id", "department_id").Where("id = ?", u.GrantID).Take(&g).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, "grant not found")
			}
			return err
		}
		rec := &UseRecord{GrantID: g.ID, UserID: u.UserID, DatasetID: g.DatasetID, DepartmentID: g.DepartmentID,
			ResourceID: u.ResourceID, Format: format, Fields: fields, Rows: u.Rows, Bytes: u.Bytes, At: store.DBTime(u.At)}
		if err := tx.Create(rec).Error; err != nil {
			return err
		}
		id = rec.ID
		_, err := audit.Append(tx, audit.Record{At: u.At, Actor: audit.Actor{UserID: u.UserID, Label: authz.Subject(u.UserID)},
			Action: audit.ConditionalDownload, ObjectType: "grant", ObjectID: g.ID,
			Details: map[string]any{"resource_id": u.ResourceID, "use_id": rec.ID, "format": format}})
		return err
	})
	if err != nil {
		return 0, apperr.OrInternal(err, "record use")
	}
	return id, nil
}

// CompleteUse adds the rows and bytes of a use once the data went out.
func (s *Service) CompleteUse(ctx context.Context, id uint64, rows, bytes int64) error {
	err := s.DB.WithContext(ctx).Model(&UseRecord{}).Where("id = ?", id).Updates(map[string]any{"rows": rows, "bytes": bytes}).Error
	return apperr.OrInternal(err, "complete use record")
}

// GrantListParams select grants.
type GrantListParams struct {
	Scope     string // "mine" or "manage"; "" picks manage for staff
	DatasetID string
	Page      int
	PageSize  int
}

// GrantList is one page of grants.
type GrantList struct {
	Items []Grant
	Total int64
	Scope string
}

// Grants lists the caller's own grants, or those of the data it oversees.
func (s *Service) Grants(ctx context.Context, p *authz.Principal, lp GrantListParams) (*GrantList, error) {
	v := s.viewer(p)
	scope, err := mineOrManage(lp.Scope, v.staff() || len(v.grantRegions) > 0)
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Model(&Grant{})
	if scope == "mine" {
		q = q.Where("user_id = ?", p.UserID)
	} else {
		q = v.staffScope(q, union(v.regions, v.grantRegions))
	}
	if lp.DatasetID != "" {
		q = q.Where("dataset_id = ?", lp.DatasetID)
	}
	out := &GrantList{Scope: scope}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count grants")
	}
	if err := q.Order("created_at DESC").Order("id").Offset((lp.Page - 1) * lp.PageSize).Limit(lp.PageSize).Find(&out.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "list grants")
	}
	return out, nil
}

// Grant returns one grant its viewer may read; others look missing.
func (s *Service) Grant(ctx context.Context, p *authz.Principal, id string) (*Grant, error) {
	g, err := s.loadGrant(s.DB.WithContext(ctx), id, false)
	return visible(g, err, s.viewer(p).canReadGrant, "grant")
}

func (s *Service) loadGrant(db *gorm.DB, id string, lock bool) (*Grant, error) {
	return loadByID[Grant](db, id, "gr", "grant", lock)
}

// GrantHistory lists a grant's suspensions and reinstatements.
func (s *Service) GrantHistory(ctx context.Context, g *Grant) ([]GrantEvent, error) {
	return eventsOf[GrantEvent](s.DB.WithContext(ctx), "grant_id", g.ID, "grant history")
}

// Suspend stops a grant at once (000 Art 43; 001 Art 27): harm to others,
// missing security measures or a serious breach of the terms. The holder is
// told why.
func (s *Service) Suspend(ctx context.Context, p *authz.Principal, id, reason string) (*Grant, error) {
	reason = strings.TrimSpace(reason)
	return s.changeGrant(ctx, p, id, func(tx *gorm.DB, g *Grant, now time.Time) (notify.Notice, error) {
		var va apperr.Validation
		va.Check(reason != "", "reason", "a suspension must give its reason")
		va.Check(utf8.RuneCountInString(reason) <= MaxText, "reason", "reason is longer than %d characters", MaxText)
		if err := va.Err(); err != nil {
			return notify.Notice{}, err
		}
		if g.Status == GrantSuspended {
			return notify.Notice{}, apperr.New(apperr.Conflict, "the grant is already suspended")
		}
		g.Status, g.SuspendedAt, g.SuspendedBy, g.SuspendReason = GrantSuspended, &now, p.UserID, reason
		return notify.Notice{Kind: "grant.suspended", Title: "数据使用已暂停：" + g.DatasetTitle,
			Body: "您对《" + g.DatasetTitle + "》的数据使用已依据《黑龙江省政务数据管理暂行办法》第四十三条暂停，理由：" + reason + "。整改后可申请恢复。"}, s.grantEvent(tx, g, now, p, "suspended", reason)
	})
}

// Reinstate lifts a suspension; the reinstatement is recorded.
func (s *Service) Reinstate(ctx context.Context, p *authz.Principal, id, reason string) (*Grant, error) {
	reason = strings.TrimSpace(reason)
	return s.changeGrant(ctx, p, id, func(tx *gorm.DB, g *Grant, now time.Time) (notify.Notice, error) {
		if utf8.RuneCountInString(reason) > MaxText {
			return notify.Notice{}, &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Fields: map[string]string{"reason": "reason is too long"}}
		}
		if g.Status != GrantSuspended {
			return notify.Notice{}, apperr.New(apperr.Conflict, "the grant is not suspended")
		}
		g.Status, g.SuspendedAt, g.SuspendedBy, g.SuspendReason = GrantActive, nil, 0, ""
		return notify.Notice{Kind: "grant.reinstated", Title: "数据使用已恢复：" + g.DatasetTitle,
			Body: "您对《" + g.DatasetTitle + "》的数据使用已恢复。"}, s.grantEvent(tx, g, now, p, "reinstated", reason)
	})
}

func (s *Service) changeGrant(ctx context.Context, p *authz.Principal, id string, change func(*gorm.DB, *Grant, time.Time) (notify.Notice, error)) (*Grant, error) {
	now := s.now()
	var out *Grant
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := s.viewer(p)
		g, err := s.loadGrant(tx, id, true)
		g, err = visible(g, err, v.canReadGrant, "grant")
		if g, err = permitted(g, err, v.canManageGrant, "only the providing department or its authority manages this grant"); err != nil {
			return err
		}
		n, err := change(tx, g, now)
		if err != nil {
			return err
		}
		g.UpdatedAt = now
		if err := tx.Save(g).Error; err != nil {
			return err
		}
		out = g
		n.Link = "/account/grants"
		return s.send(tx, []uint64{g.UserID}, n)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "change grant")
	}
	return out, nil
}

func (s *Service) grantEvent(tx *gorm.DB, g *Grant, now time.Time, p *authz.Principal, action, reason string) error {
	if err := tx.Create(&GrantEvent{GrantID: g.ID, At: now, ActorID: p.UserID, Action: action, Reason: reason}).Error; err != nil {
		return err
	}
	_, err := audit.Append(tx, audit.Record{At: now, Actor: actor(p), Action: "grant." + action, ObjectType: "grant", ObjectID: g.ID,
		Details: map[string]any{"dataset_id": g.DatasetID, "reason": reason}})
	return err
}

// mineOrManage checks a list scope, "mine" or "manage"; "" picks manage
// for staff.
func mineOrManage(scope string, staff bool) (string, error) {
	if scope == "" {
		scope = "mine"
		if staff {
			scope = "manage"
		}
	}
	if scope != "mine" && scope != "manage" {
		return "", &apperr.Error{Code: apperr.Invalid, Message: "scope must be mine or manage", Fields: map[string]string{"scope": "mine or manage"}}
	}
	return scope, nil
}

// UseParams select use records.
type UseParams struct {
	Scope    string // "mine" or "manage"; "" picks manage for staff
	GrantID  string
	Page     int
	PageSize int
}

// UseList is one page of use records, newest first.
type UseList struct {
	Items []UseRecord
	Total int64
	Scope string
}

// Uses lists use records: the holder's own, or those of the data the
// provider department (or its authority) oversees (000 Art 28).
func (s *Service) Uses(ctx context.Context, p *authz.Principal, up UseParams) (*UseList, error) {
	v := s.viewer(p)
	scope, err := mineOrManage(up.Scope, v.staff())
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Model(&UseRecord{})
	if scope == "mine" {
		q = q.Where("user_id = ?", p.UserID)
	} else {
		var depts []string
		if len(v.regions) > 0 {
			// grant_uses has no region column: take the region's departments from its grants.
			if err := s.DB.WithContext(ctx).Model(&Grant{}).Where("region IN ?", v.regions).Distinct().Pluck("department_id", &depts).Error; err != nil {
				return nil, apperr.Internalf(err, "departments of region")
			}
		}
		depts = union(v.readDepts, depts)
		if len(depts) == 0 {
			q = q.Where("1 = 0")
		} else {
			q = q.Where("department_id IN ?", depts)
		}
	}
	if up.GrantID != "" {
		q = q.Where("grant_id = ?", up.GrantID)
	}
	out := &UseList{Scope: scope}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count use records")
	}
	if err := q.Order("at DESC").Order("id DESC").Offset((up.Page - 1) * up.PageSize).Limit(up.PageSize).Find(&out.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "list use records")
	}
	return out, nil
}

// OnDatasetRevoked applies an approved revocation inside the approval's
// transaction tx: from approvedAt no new application for the dataset is
// accepted (000 Art 35), pending ones are closed with that reason, and
// every grant still running keeps access only until graceEnd, its own end
// if earlier (000 Art 16: data in use keeps being provided for the grace
// period). Holders and applicants are notified.
func (s *Service) OnDatasetRevoked(tx *gorm.DB, datasetID string, approvedAt, graceEnd time.Time) error {
	at, grace := store.DBTime(approvedAt), store.DBTime(graceEnd)
	c := Closure{DatasetID: datasetID, ClosedAt: at, GraceEnd: grace}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dataset_id"}}, DoUpdates: clause.AssignmentColumns([]string{"closed_at", "grace_end"})}).Create(&c).Error; err != nil {
		return err
	}
	const why = "该数据目录已撤销开放（《黑龙江省政务数据管理暂行办法》第三十五条），不再受理申请。"
	var pending []Application
	if err := tx.Where("dataset_id = ? AND status IN ?", datasetID, []Status{Submitted, NeedMaterial, Resubmitted}).Find(&pending).Error; err != nil {
		return err
	}
	for i := range pending {
		a := &pending[i]
		a.Status, a.Reason, a.DueAt, a.DecidedAt, a.UpdatedAt = Rejected, why, nil, &at, at
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		if err := s.event(tx, a.ID, at, 0, string(Rejected), why); err != nil {
			return err
		}
		if err := s.send(tx, []uint64{a.ApplicantID}, decisionNotice(a)); err != nil {
			return err
		}
	}
	var running []Grant
	if err := tx.Where("dataset_id = ? AND access_until > ?", datasetID, at).Find(&running).Error; err != nil {
		return err
	}
	for i := range running {
		g := &running[i]
		if g.AccessUntil.After(grace) {
			g.AccessUntil = grace
		}
		g.RevokedAt, g.UpdatedAt = &at, at
		if err := tx.Save(g).Error; err != nil {
			return err
		}
		if err := tx.Create(&GrantEvent{GrantID: g.ID, At: at, Action: "revoked", Reason: "access until " + chinaDate(g.AccessUntil)}).Error; err != nil {
			return err
		}
		if err := s.send(tx, []uint64{g.UserID}, notify.Notice{Kind: "grant.revoked", Title: "数据开放撤销通知：" + g.DatasetTitle,
			Body: "《" + g.DatasetTitle + "》已撤销开放。依据《黑龙江省政务数据管理暂行办法》第十六条，您仍可使用至 " + chinaDate(minTime(g.AccessUntil, g.PeriodEnd)) + "。",
			Link: "/account/grants"}); err != nil {
			return err
		}
	}
	return nil
}

// grantActions says what the viewer may do with a grant.
func (v viewer) grantActions(g *Grant) []string {
	out := []string{}
	if v.canManageGrant(g) {
		if g.Status == GrantSuspended {
			out = append(out, "reinstate")
		} else {
			out = append(out, "suspend")
		}
	}
	return out
}

// applicationActions says what the viewer may do with an application.
func (v viewer) applicationActions(a *Application) []string {
	out := []string{}
	if v.p != nil && a.ApplicantID == v.p.UserID {
		if a.Status == NeedMaterial {
			out = append(out, "resubmit")
		}
		if a.Status.Open() {
			out = append(out, "upload_commitment", "withdraw")
		}
	}
	if v.canDecide(a) && a.Status.Pending() {
		out = append(out, DecisionApprove, DecisionReject)
		if a.MaterialRequestedAt == nil {
			out = append(out, DecisionNeedMaterial)
		}
	}
	return slices.Clip(out)
}
