package requests

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/policy"
	"github.com/hlj-opendata/portal/server/store"
)

// Staff finds who acts for and who oversees a department
// (corrections.Directory implements it).
type Staff interface {
	Providers(ctx context.Context, departmentID string) ([]uint64, error)
	Authorities(ctx context.Context, departmentID string) ([]uint64, error)
	ProvinceAuthorities(ctx context.Context) ([]uint64, error)
	Oversees(ctx context.Context, region, departmentID string) (bool, error)
	Provincial(ctx context.Context, region string) (bool, error)
}

// CatalogReader is what requests need from the catalog.
type CatalogReader interface {
	PublicDataset(ctx context.Context, id string) (*catalog.Dataset, error)
}

// Notifier writes inbox notices in the caller's transaction (notify.Service).
type Notifier interface {
	Send(tx *gorm.DB, notices ...notify.Notice) error
}

// Limits protect the list from floods.
type Limits struct {
	PerAccountDay int // new requests per account and day
}

// DefaultLimits are the production limits.
func DefaultLimits() Limits { return Limits{PerAccountDay: 10} }

// Service holds the rules of data requests and owns their transactions.
type Service struct {
	DB       *gorm.DB
	Catalog  CatalogReader
	Calendar *calendar.Calendar
	Profile  policy.Profile
	Notify   Notifier
	Staff    Staff
	Log      *slog.Logger
	Now      func() time.Time
	Limits   Limits
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

var errNotFound = apperr.New(apperr.NotFound, "request not found")

// duplicateError points at the open request with the same title, so the
// client can offer to support it instead.
type duplicateError struct {
	err *apperr.Error
	id  uint64
}

func (e *duplicateError) Error() string             { return e.err.Error() }
func (e *duplicateError) Unwrap() error             { return e.err }
func (e *duplicateError) ExtraBody() map[string]any { return map[string]any{"duplicate_of": e.id} }

func (s *Service) department(ctx context.Context, id, field string) (*catalog.Department, error) {
	var d catalog.Department
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Field(field, "no such department")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load department")
	}
	return &d, nil
}

// Create files a request for p. Naming department_id routes it at once
// (the user picks the department); otherwise the authority routes it.
func (s *Service) Create(ctx context.Context, p *authz.Principal, ip string, in Input) (*Request, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	for field, id := range map[string]string{"department_id": in.DepartmentID, "suggested_department_id": in.SuggestedDepartmentID} {
		if id != "" {
			if _, err := s.department(ctx, id, field); err != nil {
				return nil, err
			}
		}
	}
	now := s.now()
	db := s.DB.WithContext(ctx).Model(&Request{})
	if s.Limits.PerAccountDay > 0 {
		var n int64
		if err := db.Session(&gorm.Session{}).Where("requester_id = ? AND created_at > ?", p.UserID, now.Add(-24*time.Hour)).Count(&n).Error; err != nil {
			return nil, apperr.Internalf(err, "count requests")
		}
		if n >= int64(s.Limits.PerAccountDay) {
			return nil, apperr.New(apperr.RateLimited, "too many requests from this account today; try again tomorrow")
		}
	}
	key := TitleKey(in.Title)
	var dup Request
	err := db.Session(&gorm.Session{}).Select("id").Where("title_key = ? AND status IN ?", key, []Status{StatusSubmitted, StatusRouted, StatusAccepted}).Order("id").Take(&dup).Error
	if err == nil {
		return nil, &duplicateError{apperr.New(apperr.Conflict, "the same data is already requested (request %d): support it instead", dup.ID), dup.ID}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Internalf(err, "find duplicates")
	}
	r := &Request{Title: in.Title, TitleKey: key, Description: in.Description, IntendedUse: in.IntendedUse,
		SuggestedDepartmentID: in.SuggestedDepartmentID, RequesterID: p.UserID, Status: StatusSubmitted, CreatedAt: now, Round: 1}
	var notices func(id uint64) ([]notify.Notice, error)
	if in.DepartmentID != "" {
		s.routeTo(r, in.DepartmentID, p.UserID, now)
		notices = func(id uint64) ([]notify.Notice, error) { return s.routedNotices(ctx, r) }
	} else {
		// No article sets a routing deadline: the profile's (our choice), so
		// that the 000 Art 29 clock cannot be held back by waiting to route.
		due := s.Calendar.AddWorkingDays(now, s.Profile.DataRequestRouting).UTC()
		r.RouteDueAt = &due
		notices = func(id uint64) ([]notify.Notice, error) {
			var ids []uint64
			var err error
			if r.SuggestedDepartmentID != "" {
				ids, err = s.Staff.Authorities(ctx, r.SuggestedDepartmentID)
			} else {
				ids, err = s.Staff.ProvinceAuthorities(ctx)
			}
			return noticesTo(ids, "data_request.to_route", "新的数据需求待分派",
				fmt.Sprintf("数据需求“%s”待分派到数据提供部门，请于 %s 前分派。", r.Title, fmtDue(due)), manageLink(id)), err
		}
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		note := ""
		if r.RouteDueAt != nil {
			note = day(*r.RouteDueAt)
		}
		if err := event(tx, r.ID, now, "created", note); err != nil {
			return err
		}
		if r.Status == StatusRouted {
			if err := event(tx, r.ID, now, "routed", day(*r.AnswerDueAt)); err != nil {
				return err
			}
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "data_request.created", ObjectType: "data_request",
			ObjectID: idString(r.ID), Details: map[string]any{"department_id": r.DepartmentID}}); err != nil {
			return err
		}
		ns, err := notices(r.ID)
		if err != nil {
			return err
		}
		return s.Notify.Send(tx, ns...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "save request")
	}
	return r, nil
}

// routeTo starts the department's clock: 000 Art 29, answer within
// data_request_answer working days of receiving the request (the routing
// day is not counted).
func (s *Service) routeTo(r *Request, departmentID string, by uint64, now time.Time) {
	due := s.Calendar.AddWorkingDays(now, s.Profile.DataRequestAnswer).UTC()
	r.DepartmentID, r.Status, r.RoutedAt, r.RoutedBy, r.AnswerDueAt = departmentID, StatusRouted, &now, &by, &due
}

func (s *Service) routedNotices(ctx context.Context, r *Request) ([]notify.Notice, error) {
	ids, err := s.Staff.Providers(ctx, r.DepartmentID)
	return noticesTo(ids, "data_request.routed", "新的数据需求", fmt.Sprintf("数据需求“%s”请于 %s 前答复：受理或说明不予受理的理由（《黑龙江省政务数据管理暂行办法》第二十九条）。",
		r.Title, fmtDue(*r.AnswerDueAt)), manageLink(r.ID)), err
}

func (s *Service) load(ctx context.Context, id uint64) (*Request, error) {
	var r Request
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load request %d", id)
	}
	return &r, nil
}

// Route sends a submitted request to a department the authority oversees.
func (s *Service) Route(ctx context.Context, p *authz.Principal, ip string, id uint64, in Route) (*Request, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.authoritySees(ctx, p, r); err != nil {
		return nil, err
	} else if !ok {
		return nil, errNotFound
	}
	in.DepartmentID = strings.TrimSpace(in.DepartmentID)
	if in.DepartmentID == "" {
		return nil, apperr.Field("department_id", "name the department")
	}
	if _, err := s.department(ctx, in.DepartmentID, "department_id"); err != nil {
		return nil, err
	}
	if ok, err := s.mayRouteTo(ctx, p, in.DepartmentID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.Field("department_id", "this department is outside your region")
	}
	if r.Status != StatusSubmitted {
		return nil, apperr.New(apperr.Conflict, "this request was routed already")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s.routeTo(r, in.DepartmentID, p.UserID, now)
		res := tx.Model(&Request{}).Where("id = ? AND status = ?", r.ID, StatusSubmitted).
			Updates(map[string]any{"department_id": r.DepartmentID, "status": r.Status, "routed_at": now, "routed_by": p.UserID, "answer_due_at": *r.AnswerDueAt,
				"escalated": false}) // escalated describes the running clock: the answer's from now on
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		r.Escalated = false
		if err := event(tx, r.ID, now, "routed", day(*r.AnswerDueAt)); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "data_request.routed", ObjectType: "data_request",
			ObjectID: idString(r.ID), Details: map[string]any{"department_id": r.DepartmentID, "late": r.RouteLate(now)}}); err != nil {
			return err
		}
		ns, err := s.routedNotices(ctx, r)
		if err != nil {
			return err
		}
		ns = append(ns, notify.Notice{UserID: r.RequesterID, Kind: "data_request.routed", Title: "您的数据需求已分派",
			Body: fmt.Sprintf("数据需求“%s”已分派至数据提供部门，答复期限为 %s。", r.Title, fmtDue(*r.AnswerDueAt)), Link: publicLink(r.ID)})
		return s.Notify.Send(tx, ns...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "route request")
	}
	return r, nil
}

var errChanged = apperr.New(apperr.Conflict, "the request changed meanwhile: reload it")

// Answer records the department's decision. Accepting starts the catalog
// clock (000 Art 29: an entry within data_request_catalog working days);
// a refusal states its reason.
func (s *Service) Answer(ctx context.Context, p *authz.Principal, ip string, id uint64, in Answer) (*Request, error) {
	r, err := s.forDepartment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v apperr.Validation
	v.Check(in.Decision == "accept" || in.Decision == "refuse", "decision", "decision must be accept or refuse")
	v.Check(in.Decision != "refuse" || hasContent(in.Reason), "reason", "a refusal must state its reasons")
	v.Check(utf8.RuneCountInString(in.Reason) <= 2000, "reason", "at most 2000 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if r.Status != StatusRouted {
		return nil, apperr.New(apperr.Conflict, "this request was answered already")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		up := map[string]any{"answered_at": now, "answered_by": p.UserID, "reason": in.Reason}
		title, body := "您的数据需求未被受理", fmt.Sprintf("数据需求“%s”未被受理。理由：%s", r.Title, in.Reason)
		if in.Decision == "accept" {
			due := s.Calendar.AddWorkingDays(now, s.Profile.DataRequestCatalog).UTC()
			up["status"], up["catalog_due_at"], up["round"], up["escalated"] = StatusAccepted, due, r.Round+1, false
			r.Status, r.CatalogDueAt, r.Round, r.Escalated = StatusAccepted, &due, r.Round+1, false
			title, body = "您的数据需求已受理", fmt.Sprintf("数据需求“%s”已受理，相应目录预计于 %s 前发布。", r.Title, fmtDue(due))
		} else {
			up["status"] = StatusRefused
			r.Status = StatusRefused
		}
		res := tx.Model(&Request{}).Where("id = ? AND status = ?", r.ID, StatusRouted).Updates(up)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		uid := p.UserID
		r.AnsweredAt, r.AnsweredBy, r.Reason = &now, &uid, in.Reason
		note := in.Reason
		if r.CatalogDueAt != nil {
			note = day(*r.CatalogDueAt)
		}
		if err := event(tx, r.ID, now, string(r.Status), note); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "data_request.answered", ObjectType: "data_request",
			ObjectID: idString(r.ID), Details: map[string]any{"decision": in.Decision, "on_time": !r.AnswerLate(now)}}); err != nil {
			return err
		}
		return s.Notify.Send(tx, notify.Notice{UserID: r.RequesterID, Kind: "data_request." + in.Decision, Title: title, Body: body, Link: publicLink(r.ID)})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "answer request")
	}
	return r, nil
}

// Fulfil links the published entry that answers an accepted request. The
// entry must be public and the department's own.
func (s *Service) Fulfil(ctx context.Context, p *authz.Principal, ip string, id uint64, in Fulfil) (*Request, error) {
	r, err := s.forDepartment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in.DatasetID = strings.TrimSpace(in.DatasetID)
	if in.DatasetID == "" {
		return nil, apperr.Field("dataset_id", "name the published dataset")
	}
	if r.Status != StatusAccepted {
		return nil, apperr.New(apperr.Conflict, "only an accepted request can be fulfilled")
	}
	ds, err := s.Catalog.PublicDataset(ctx, in.DatasetID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Field("dataset_id", "no published dataset with this id")
	} else if err != nil {
		return nil, err
	}
	if ds.DepartmentID != r.DepartmentID {
		return nil, apperr.Field("dataset_id", "the dataset belongs to another department")
	}
	var supporters []uint64
	if err := s.DB.WithContext(ctx).Model(&Support{}).Where("request_id = ?", r.ID).Pluck("user_id", &supporters).Error; err != nil {
		return nil, apperr.Internalf(err, "supporters")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Request{}).Where("id = ? AND status = ?", r.ID, StatusAccepted).
			Updates(map[string]any{"status": StatusFulfilled, "dataset_id": ds.ID, "fulfilled_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		r.Status, r.DatasetID, r.FulfilledAt = StatusFulfilled, ds.ID, &now
		if err := event(tx, r.ID, now, "fulfilled", ds.ID); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "data_request.fulfilled", ObjectType: "data_request",
			ObjectID: idString(r.ID), Details: map[string]any{"dataset_id": ds.ID, "late": r.CatalogLate(now)}}); err != nil {
			return err
		}
		ids := append([]uint64{r.RequesterID}, supporters...)
		return s.Notify.Send(tx, noticesTo(ids, "data_request.fulfilled", "您关注的数据已发布",
			fmt.Sprintf("数据需求“%s”对应的数据目录“%s”已发布。", r.Title, ds.Title), "/datasets/"+ds.ID)...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "fulfil request")
	}
	return r, nil
}

// forDepartment loads a request routed to the caller's department.
func (s *Service) forDepartment(ctx context.Context, p *authz.Principal, id uint64) (*Request, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Has(authz.RoleProvider) || p.DepartmentID == "" || r.DepartmentID != p.DepartmentID {
		return nil, errNotFound
	}
	return r, nil
}

// authoritySees reports whether an authority may act on r: the
// provincial authority on every request, another on requests of (or
// suggested for) departments of its region.
func (s *Service) authoritySees(ctx context.Context, p *authz.Principal, r *Request) (bool, error) {
	if p == nil || !p.Has(authz.RoleAuthority) {
		return false, nil
	}
	if prov, err := s.Staff.Provincial(ctx, p.Region); err != nil || prov {
		return prov, err
	}
	dep := r.DepartmentID
	if dep == "" {
		dep = r.SuggestedDepartmentID
	}
	if dep == "" {
		return false, nil
	}
	ok, err := s.Staff.Oversees(ctx, p.Region, dep)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return ok, err
}

// mayRouteTo: the provincial authority routes to any department (it runs
// the provincial platform); another authority within its region.
func (s *Service) mayRouteTo(ctx context.Context, p *authz.Principal, departmentID string) (bool, error) {
	if prov, err := s.Staff.Provincial(ctx, p.Region); err != nil || prov {
		return prov, err
	}
	return s.Staff.Oversees(ctx, p.Region, departmentID)
}

// Private reports whether p may see the request's non-public parts (the
// intended use): its requester, its department, its authority.
func (s *Service) Private(ctx context.Context, p *authz.Principal, r *Request) (bool, error) {
	if p == nil {
		return false, nil
	}
	if r.RequesterID == p.UserID || (p.Has(authz.RoleProvider) && p.DepartmentID != "" && p.DepartmentID == r.DepartmentID) {
		return true, nil
	}
	return s.authoritySees(ctx, p, r)
}

// Support adds p's +1 (idempotent); the requester's own request already counts.
func (s *Service) Support(ctx context.Context, p *authz.Principal, id uint64, on bool) (*Request, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.RequesterID == p.UserID {
		return nil, apperr.New(apperr.Conflict, "this is your own request")
	}
	if on && (r.Status == StatusRefused || r.Status == StatusFulfilled) {
		return nil, apperr.New(apperr.Conflict, "the request is closed")
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if on {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Support{RequestID: r.ID, UserID: p.UserID, CreatedAt: s.now()}).Error; err != nil && !store.IsDuplicate(err) {
				return err
			}
		} else if err := tx.Where("request_id = ? AND user_id = ?", r.ID, p.UserID).Delete(&Support{}).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Support{}).Where("request_id = ?", r.ID).Count(&n).Error; err != nil {
			return err
		}
		r.Supporters = int(n)
		return tx.Model(&Request{}).Where("id = ?", r.ID).Update("supporters", n).Error
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "support request")
	}
	return r, nil
}

// Supported returns which of ids p supports.
func (s *Service) Supported(ctx context.Context, p *authz.Principal, ids []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if p == nil || len(ids) == 0 {
		return out, nil
	}
	var got []uint64
	if err := s.DB.WithContext(ctx).Model(&Support{}).Where("user_id = ? AND request_id IN ?", p.UserID, ids).Pluck("request_id", &got).Error; err != nil {
		return nil, apperr.Internalf(err, "supports")
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// ListQuery filters the public list and the queues.
type ListQuery struct {
	Status     string
	Department string
	Query      string
	Sort       string // newest (default) | supporters
	Overdue    bool   // only requests whose running clock is past its due date
	Page       int
	PageSize   int
}

// Validate checks the filters.
func (q *ListQuery) Validate() error {
	var v apperr.Validation
	switch Status(q.Status) {
	case "", StatusSubmitted, StatusRouted, StatusAccepted, StatusRefused, StatusFulfilled:
	default:
		v.Add("status", "status must be submitted, routed, accepted, refused or fulfilled")
	}
	v.Check(q.Sort == "" || q.Sort == "newest" || q.Sort == "supporters", "sort", "sort must be newest or supporters")
	v.Check(utf8.RuneCountInString(q.Query) <= 100, "q", "at most 100 characters")
	v.Check(len(q.Department) <= 64, "department", "unknown department")
	return v.Err()
}

// Page is one page of requests.
type Page struct {
	Total int64
	Items []Request
}

func (s *Service) page(db *gorm.DB, q ListQuery) (*Page, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	if q.Department != "" {
		db = db.Where("department_id = ?", q.Department)
	}
	if q.Overdue {
		now := s.now()
		db = db.Where("((status = ? AND route_due_at < ?) OR (status = ? AND answer_due_at < ?) OR (status = ? AND catalog_due_at < ?))",
			StatusSubmitted, now, StatusRouted, now, StatusAccepted, now)
	}
	if q.Query != "" {
		// "!" escapes the wildcards the same way on SQLite and MySQL.
		like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(q.Query) + "%"
		db = db.Where("(title LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!')", like, like)
	}
	var out Page
	if err := db.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count requests")
	}
	if q.Sort == "supporters" {
		db = db.Order("supporters DESC")
	}
	if err := db.Order("id DESC").Offset((q.Page - 1) * q.PageSize).Limit(q.PageSize).Find(&out.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "list requests")
	}
	return &out, nil
}

// List is the public list.
func (s *Service) List(ctx context.Context, q ListQuery) (*Page, error) {
	return s.page(s.DB.WithContext(ctx).Model(&Request{}), q)
}

// Queue is p's work list: the department's requests for a provider, the
// requests an authority oversees (to route, and to chase), one's own
// requests otherwise.
func (s *Service) Queue(ctx context.Context, p *authz.Principal, q ListQuery) (*Page, error) {
	db := s.DB.WithContext(ctx).Model(&Request{})
	switch {
	case p.Has(authz.RoleProvider) && p.DepartmentID != "":
		db = db.Where("department_id = ?", p.DepartmentID)
	case p.Has(authz.RoleAuthority):
		prov, err := s.Staff.Provincial(ctx, p.Region)
		if err != nil {
			return nil, err
		}
		if !prov {
			region := s.DB.Model(&catalog.Department{}).Select("id").Where("region = ?", p.Region)
			db = db.Where("department_id IN (?) OR (department_id = '' AND suggested_department_id IN (?))", region, region)
		}
	default:
		db = db.Where("requester_id = ?", p.UserID)
	}
	return s.page(db, q)
}

// Get returns one request (public).
func (s *Service) Get(ctx context.Context, id uint64) (*Request, error) { return s.load(ctx, id) }

// Names returns department and dataset titles for display.
func (s *Service) Names(ctx context.Context, list []Request) (deps, datasets map[string]string, err error) {
	deps, datasets = map[string]string{}, map[string]string{}
	var depIDs, dsIDs []string
	for _, r := range list {
		for _, id := range []string{r.DepartmentID, r.SuggestedDepartmentID} {
			if id != "" {
				depIDs = append(depIDs, id)
			}
		}
		if r.DatasetID != "" {
			dsIDs = append(dsIDs, r.DatasetID)
		}
	}
	if len(depIDs) > 0 {
		var rows []catalog.Department
		if err := s.DB.WithContext(ctx).Select("id, name").Where("id IN ?", depIDs).Find(&rows).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "department names")
		}
		for _, d := range rows {
			deps[d.ID] = d.Name
		}
	}
	if len(dsIDs) > 0 {
		var rows []catalog.Dataset
		if err := s.DB.WithContext(ctx).Select("id, title").Where("id IN ?", dsIDs).Find(&rows).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "dataset titles")
		}
		for _, d := range rows {
			datasets[d.ID] = d.Title
		}
	}
	return deps, datasets, nil
}

// ---- follow-up ------------------------------------------------------------------

// DeadlineSubject names data requests in the deadline claims table (the
// department's answer and catalog clocks); RoutingSubject names the
// authority's routing clock of requests that name no department.
const (
	DeadlineSubject = "data_request"
	RoutingSubject  = "data_request_routing"
)

// FollowUp reminds departments of answers and catalog entries due soon
// and escalates overdue ones to the authority (000 Art 42); it chases the
// authority's own routing clock the same way, escalating to the
// provincial authority. Each step once per deadline even with several
// replicas (server/deadlines claims).
func (s *Service) FollowUp(ctx context.Context) (deadlines.Result, error) {
	if err := s.giveRouteDue(ctx); err != nil {
		return deadlines.Result{}, err
	}
	var list []Request
	if err := s.DB.WithContext(ctx).Where("status IN ?", []Status{StatusSubmitted, StatusRouted, StatusAccepted}).Order("id").Find(&list).Error; err != nil {
		return deadlines.Result{}, apperr.Internalf(err, "open requests")
	}
	byID := map[string]*Request{}
	var items []deadlines.Item
	for i := range list {
		r := &list[i]
		subject, _, due := r.clock()
		if due == nil {
			continue
		}
		byID[idString(r.ID)] = r
		items = append(items, deadlines.Item{Subject: subject, ID: idString(r.ID), Round: r.Round, Due: *due})
	}
	what := func(r *Request) string {
		if r.Status == StatusAccepted {
			return "发布对应的数据目录"
		}
		return "答复数据需求"
	}
	job := &deadlines.Job{DB: s.DB, Calendar: s.Calendar, Now: s.Now, Log: s.Log, RemindBefore: s.Profile.ReminderBeforeDueDays}
	return job.Process(ctx, items, deadlines.Handlers{
		Remind: func(tx *gorm.DB, it deadlines.Item, left int) error {
			r := byID[it.ID]
			if it.Subject == RoutingSubject {
				ids, err := s.routers(ctx, r)
				if err != nil {
					return err
				}
				return s.Notify.Send(tx, noticesTo(ids, "data_request.route_reminder", "数据需求即将到期",
					fmt.Sprintf("请于 %s 前将数据需求“%s”分派到数据提供部门。", fmtDue(it.Due), r.Title), manageLink(r.ID))...)
			}
			ids, err := s.Staff.Providers(ctx, r.DepartmentID)
			if err != nil {
				return err
			}
			return s.Notify.Send(tx, noticesTo(ids, "data_request.reminder", "数据需求即将到期",
				fmt.Sprintf("请于 %s 前%s：“%s”（《黑龙江省政务数据管理暂行办法》第二十九条）。", fmtDue(it.Due), what(r), r.Title), manageLink(r.ID))...)
		},
		Escalate: func(tx *gorm.DB, it deadlines.Item, left int) error {
			r := byID[it.ID]
			if it.Subject == RoutingSubject {
				return s.escalateRouting(ctx, tx, r, it, left)
			}
			ids, err := s.Staff.Authorities(ctx, r.DepartmentID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			res := tx.Model(&Request{}).Where("id = ? AND status = ? AND round = ?", r.ID, r.Status, r.Round).Update("escalated", true)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			if err := event(tx, r.ID, s.now(), "escalated", day(it.Due)); err != nil {
				return err
			}
			if _, err := audit.Append(tx, audit.Record{At: s.now(), Actor: audit.Actor{Label: "system"}, Action: "data_request.escalated", ObjectType: "data_request",
				ObjectID: it.ID, Details: map[string]any{"department_id": r.DepartmentID, "status": string(r.Status), "working_days_late": -left}}); err != nil {
				return err
			}
			return s.Notify.Send(tx, noticesTo(ids, "data_request.escalated", "数据需求逾期",
				fmt.Sprintf("部门 %s 未在 %s 前%s：“%s”，已逾期 %d 个工作日，请督办（《黑龙江省政务数据管理暂行办法》第四十二条）。", r.DepartmentID, fmtDue(it.Due), what(r), r.Title, -left), manageLink(r.ID))...)
		},
	})
}

// clock is the request's running deadline: its subject, its start and its
// due date (nil when no clock runs).
func (r *Request) clock() (subject string, start, due *time.Time) {
	switch r.Status {
	case StatusSubmitted:
		return RoutingSubject, &r.CreatedAt, r.RouteDueAt
	case StatusRouted:
		return DeadlineSubject, r.RoutedAt, r.AnswerDueAt
	case StatusAccepted:
		return DeadlineSubject, r.AnsweredAt, r.CatalogDueAt
	}
	return "", nil, nil
}

// Overdue reports whether the running clock is past its due date.
func (r *Request) Overdue(now time.Time) bool {
	_, _, due := r.clock()
	return due != nil && now.After(*due)
}

// dueProvisional reports whether the running clock's due date was counted
// through a provisional calendar year (it may move when the year's
// official calendar arrives).
func (s *Service) dueProvisional(r *Request) bool {
	_, start, due := r.clock()
	return start != nil && due != nil && s.Calendar.ProvisionalSpan(*start, *due)
}

// routers are the authority accounts that route r: the suggested
// department's authority, or the provincial one.
func (s *Service) routers(ctx context.Context, r *Request) ([]uint64, error) {
	if r.SuggestedDepartmentID != "" {
		ids, err := s.Staff.Authorities(ctx, r.SuggestedDepartmentID)
		if err == nil || !apperr.Is(err, apperr.NotFound) {
			return ids, err
		}
	}
	return s.Staff.ProvinceAuthorities(ctx)
}

// escalateRouting tells the provincial authority (and the authority that
// routes) that a request waits past its routing due date.
func (s *Service) escalateRouting(ctx context.Context, tx *gorm.DB, r *Request, it deadlines.Item, left int) error {
	res := tx.Model(&Request{}).Where("id = ? AND status = ? AND round = ?", r.ID, StatusSubmitted, r.Round).Update("escalated", true)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	ids, err := s.routers(ctx, r)
	if err != nil {
		return err
	}
	prov, err := s.Staff.ProvinceAuthorities(ctx)
	if err != nil {
		return err
	}
	for _, id := range prov {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if err := event(tx, r.ID, s.now(), "route_escalated", day(it.Due)); err != nil {
		return err
	}
	if _, err := audit.Append(tx, audit.Record{At: s.now(), Actor: audit.Actor{Label: "system"}, Action: "data_request.route_escalated", ObjectType: "data_request",
		ObjectID: it.ID, Details: map[string]any{"suggested_department_id": r.SuggestedDepartmentID, "route_due_at": it.Due.UTC(), "working_days_late": -left}}); err != nil {
		return err
	}
	return s.Notify.Send(tx, noticesTo(ids, "data_request.route_escalated", "数据需求分派逾期",
		fmt.Sprintf("数据需求“%s”应于 %s 前分派到数据提供部门，已逾期 %d 个工作日，请督办。", r.Title, fmtDue(it.Due), -left), manageLink(r.ID))...)
}

// giveRouteDue sets the routing due date of requests that were waiting
// before the routing clock existed (migration 0046), counted from their
// submission.
func (s *Service) giveRouteDue(ctx context.Context) error {
	var list []Request
	if err := s.DB.WithContext(ctx).Select("id", "created_at").Where("status = ? AND department_id = '' AND route_due_at IS NULL", StatusSubmitted).
		Find(&list).Error; err != nil {
		return apperr.Internalf(err, "requests without a routing due date")
	}
	for _, r := range list {
		due := s.Calendar.AddWorkingDays(r.CreatedAt, s.Profile.DataRequestRouting).UTC()
		if err := s.DB.WithContext(ctx).Model(&Request{}).Where("id = ? AND route_due_at IS NULL", r.ID).Update("route_due_at", due).Error; err != nil {
			return apperr.Internalf(err, "set routing due date")
		}
	}
	return nil
}

// Fact is one routed request for the department statistics.
type Fact struct {
	DepartmentID string
	RoutedAt     time.Time
	AnswerDueAt  time.Time
	AnsweredAt   *time.Time
	Accepted     bool
	CatalogLate  bool
	AnswerLate   bool // answered after its due date, or still unanswered past it
}

// Facts lists requests routed in [from, to).
func (s *Service) Facts(ctx context.Context, from, to time.Time) ([]Fact, error) {
	var list []Request
	err := s.DB.WithContext(ctx).Where("routed_at >= ? AND routed_at < ?", from.UTC(), to.UTC()).Find(&list).Error
	if err != nil {
		return nil, apperr.Internalf(err, "request facts")
	}
	now := s.now()
	out := make([]Fact, 0, len(list))
	for _, r := range list {
		if r.RoutedAt == nil || r.AnswerDueAt == nil {
			continue
		}
		out = append(out, Fact{DepartmentID: r.DepartmentID, RoutedAt: *r.RoutedAt, AnswerDueAt: *r.AnswerDueAt, AnsweredAt: r.AnsweredAt,
			Accepted: r.CatalogDueAt != nil, CatalogLate: r.CatalogLate(now), AnswerLate: r.AnswerLate(now)})
	}
	return out, nil
}

// ---- helpers ----------------------------------------------------------------------

func event(tx *gorm.DB, id uint64, at time.Time, action, note string) error {
	return tx.Create(&Event{RequestID: id, At: at, Action: action, Note: note}).Error
}

// History lists a request's events, oldest first.
func (s *Service) History(ctx context.Context, id uint64) ([]Event, error) {
	var out []Event
	if err := s.DB.WithContext(ctx).Where("request_id = ?", id).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "request history")
	}
	return out, nil
}

func noticesTo(ids []uint64, kind, title, body, link string) []notify.Notice {
	out := make([]notify.Notice, 0, len(ids))
	for _, uid := range ids {
		out = append(out, notify.Notice{UserID: uid, Kind: kind, Title: title, Body: body, Link: link})
	}
	return out
}

func manageLink(id uint64) string { return "/console/requests?id=" + idString(id) }
func publicLink(id uint64) string { return "/requests?id=" + idString(id) }

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

var china = calendar.Zone

func fmtDue(t time.Time) string { return t.In(china).Format("2006-01-02 15:04") }

// day is the China date of t, as history notes carry it.
func day(t time.Time) string { return t.In(china).Format(time.DateOnly) }

func actorOf(p *authz.Principal, ip string) audit.Actor {
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: ip}
}
