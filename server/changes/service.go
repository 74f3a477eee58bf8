package changes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/policy"
)

// Staff finds who acts for a department and who oversees it
// (corrections.Directory).
type Staff interface {
	Providers(ctx context.Context, departmentID string) ([]uint64, error)
	Authorities(ctx context.Context, departmentID string) ([]uint64, error)
}

// Notifier writes inbox notices in the caller's transaction (notify.Service).
type Notifier interface {
	Send(tx *gorm.DB, notices ...notify.Notice) error
}

// Service holds the rules of catalog change notices and owns their
// transactions.
type Service struct {
	DB       *gorm.DB
	Calendar *calendar.Calendar
	Profile  policy.Profile
	Notify   Notifier
	Staff    Staff
	Log      *slog.Logger
	Now      func() time.Time
}

// Audit actions.
const (
	ActionNoticed            = "catalog_change.noticed"
	ActionExtensionRequested = "catalog_change.extension_requested"
	ActionExtensionDecided   = "catalog_change.extension_decided"
	ActionEntryConfirmed     = "catalog_change.entry_confirmed"
	ActionCompleted          = "catalog_change.completed"
	ActionEscalated          = "catalog_change.escalated"
	ActionDueRecomputed      = "catalog_change.due_recomputed"
)

// Notice kinds (inbox).
const (
	KindNoticed            = "catalog_change.noticed"
	KindExtensionRequested = "catalog_change.extension_requested"
	KindExtensionDecided   = "catalog_change.extension_decided"
	KindCompleted          = "catalog_change.completed"
	KindReminder           = "catalog_change.reminder"
	KindEscalated          = "catalog_change.escalated"
	KindDueChanged         = "catalog_change.due_changed"
)

// submittedAction is the audit action publishing writes when a department
// submits a version of an entry for review (publishing.ActionSubmitted):
// the record of an update, with its time and version number.
const submittedAction = "catalog.submitted"

var (
	errNotFound = apperr.New(apperr.NotFound, "catalog change notice not found")
	errChanged  = apperr.New(apperr.Conflict, "the notice changed meanwhile: reload it and try again")
)

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// role is how the caller stands to a department's notices.
type role int

const (
	roleNone      role = iota
	roleProvider       // the department's own staff
	roleAuthority      // the same-level authority (000 Art 15: it consents to extensions)
)

func roleOf(p *authz.Principal, dep *catalog.Department) role {
	switch {
	case p == nil || dep == nil:
		return roleNone
	case p.Has(authz.RoleProvider) && p.DepartmentID != "" && p.DepartmentID == dep.ID:
		return roleProvider
	case p.Has(authz.RoleAuthority) && p.Region != "" && p.Region == dep.Region:
		return roleAuthority
	}
	return roleNone
}

func (s *Service) department(ctx context.Context, id string) (*catalog.Department, error) {
	var dep catalog.Department
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&dep).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load department %s", id)
	}
	return &dep, nil
}

// load returns a notice, its department and the caller's role; a notice
// the caller may not see is not found.
func (s *Service) load(ctx context.Context, p *authz.Principal, id uint64) (*Notice, *catalog.Department, role, error) {
	var n Notice
	err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, roleNone, errNotFound
	}
	if err != nil {
		return nil, nil, roleNone, apperr.Internalf(err, "load catalog change %d", id)
	}
	dep, err := s.department(ctx, n.DepartmentID)
	if err != nil {
		return nil, nil, roleNone, err
	}
	r := roleOf(p, dep)
	if r == roleNone {
		return nil, nil, roleNone, errNotFound
	}
	return &n, dep, r, nil
}

// ---- recording a notice --------------------------------------------------------

// Create records a change notice: the authority for a department of its
// region, or a provider for its own department. The clock starts now.
func (s *Service) Create(ctx context.Context, p *authz.Principal, ip string, in Input) (*NoticeJSON, error) {
	if in.DepartmentID == "" && p.Has(authz.RoleProvider) {
		in.DepartmentID = p.DepartmentID
	}
	today := s.Now().In(calendar.Zone).Format(time.DateOnly)
	if err := in.Validate(today); err != nil {
		return nil, err
	}
	if in.DepartmentID == "" {
		return nil, apperr.Field("department_id", "name the department whose entries change")
	}
	dep, err := s.department(ctx, in.DepartmentID)
	if err != nil {
		return nil, err
	}
	r := roleOf(p, dep)
	if r == roleNone {
		// Another region's or another department's: as if it did not exist.
		return nil, apperr.New(apperr.NotFound, "department not found")
	}
	var list []catalog.Dataset
	if err := s.DB.WithContext(ctx).Select("id, title").Where("department_id = ? AND status <> ?", dep.ID, catalog.StatusRevoked).
		Order("id").Find(&list).Error; err != nil {
		return nil, apperr.Internalf(err, "entries of %s", dep.ID)
	}
	titles := make(map[string]string, len(list))
	for _, d := range list {
		titles[d.ID] = d.Title
	}
	ids := in.DatasetIDs
	if in.AllEntries {
		ids = make([]string, len(list))
		for i, d := range list {
			ids[i] = d.ID
		}
	}
	var unknown []string
	for _, id := range ids {
		if _, ok := titles[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, apperr.Field("dataset_ids", "not catalog entries of this department: "+strings.Join(unknown, ", "))
	case len(ids) == 0:
		return nil, apperr.Field("dataset_ids", "the department has no catalog entries")
	case len(ids) > MaxEntries:
		return nil, apperr.Field("dataset_ids", fmt.Sprintf("at most %d entries in one notice", MaxEntries))
	}
	now := s.now()
	days := s.Profile.CatalogUpdateAfterChange
	n := Notice{DepartmentID: dep.ID, Reason: in.Reason, ChangedOn: in.ChangedOn, AllEntries: in.AllEntries, CreatedBy: p.UserID,
		CreatedRole: authz.RoleProvider, NoticedAt: now, Days: days, Round: 1, Status: StatusOpen,
		// 000 Art 15: the affected entries are updated within 3 working days (the profile's days).
		DueAt: s.Calendar.AddWorkingDays(now, days).UTC()}
	if r == roleAuthority {
		n.CreatedRole = authz.RoleAuthority
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		rows := make([]Entry, len(ids))
		for i, id := range ids {
			rows[i] = Entry{NoticeID: n.ID, DatasetID: id, Title: clip(titles[id], 300), Status: EntryPending}
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		if err := s.addEvent(tx, &n, Event{Kind: EventNoticed, ActorID: &p.UserID, DueAt: &n.DueAt, Note: n.Reason}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: ActionNoticed, ObjectType: "catalog_change", ObjectID: idString(n.ID),
			Details: map[string]any{"department_id": dep.ID, "entries": len(ids), "all_entries": in.AllEntries, "changed_on": in.ChangedOn, "due_at": n.DueAt.Format(time.RFC3339)}}); err != nil {
			return err
		}
		body := fmt.Sprintf("因%s，%s的 %d 个目录需要更新。请于 %s 前提交更新后的目录，或说明无需变更的理由。", clip(n.Reason, 200), dep.Name, len(ids), fmtDue(n.DueAt))
		to, err := s.Staff.Providers(ctx, dep.ID)
		if err != nil {
			return err
		}
		if r == roleProvider {
			// The department recorded it itself: the authority follows it.
			more, err := s.Staff.Authorities(ctx, dep.ID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			to = append(to, more...)
		}
		return s.Notify.Send(tx, noticesTo(to, p.UserID, KindNoticed, "目录变更通知："+clip(dep.Name, 100), body, link(n.ID))...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "record catalog change")
	}
	return s.render(ctx, &n, dep, r, true)
}

// ---- reading -------------------------------------------------------------------

// ListQuery filters the notices a caller follows.
type ListQuery struct {
	Status     string // open | completed | "" (all)
	Overdue    bool   // open and past the due date
	Department string
	Page       int
	PageSize   int
}

// Page is one page of notices.
type Page struct {
	Total    int64        `json:"total"`
	Page     int          `json:"page"`
	PageSize int          `json:"page_size"`
	Items    []NoticeJSON `json:"items"`
}

// scope restricts db to the notices p follows: its department's
// (provider) or its region's (authority).
func (s *Service) scope(db *gorm.DB, p *authz.Principal) (*gorm.DB, error) {
	switch {
	case p.Has(authz.RoleProvider) && p.DepartmentID != "":
		return db.Where("department_id = ?", p.DepartmentID), nil
	case p.Has(authz.RoleAuthority) && p.Region != "":
		return db.Where("department_id IN (?)", s.DB.Model(&catalog.Department{}).Select("id").Where("region = ?", p.Region)), nil
	}
	return nil, apperr.New(apperr.Forbidden, "only provider departments and the data authority follow catalog change notices")
}

// List shows a provider its department's notices and the authority its
// region's, open ones first (the most urgent on top).
func (s *Service) List(ctx context.Context, p *authz.Principal, q ListQuery) (*Page, error) {
	base, err := s.scope(s.DB.WithContext(ctx).Model(&Notice{}), p)
	if err != nil {
		return nil, err
	}
	var open []Notice
	if err := base.Session(&gorm.Session{}).Where("status = ?", StatusOpen).Find(&open).Error; err != nil {
		return nil, apperr.Internalf(err, "open catalog changes")
	}
	if err := s.sync(ctx, open); err != nil {
		return nil, err
	}
	db := base.Session(&gorm.Session{})
	switch q.Status {
	case "":
	case string(StatusOpen), string(StatusCompleted):
		db = db.Where("status = ?", q.Status)
	default:
		return nil, apperr.Field("status", "status must be open or completed")
	}
	if q.Overdue {
		db = db.Where("status = ? AND due_at < ?", StatusOpen, s.now())
	}
	if q.Department != "" {
		db = db.Where("department_id = ?", q.Department)
	}
	out := Page{Page: q.Page, PageSize: q.PageSize, Items: []NoticeJSON{}}
	if err := db.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count catalog changes")
	}
	var list []Notice
	err = db.Order("CASE WHEN status = 'open' THEN 0 ELSE 1 END").Order("due_at").Order("id DESC").
		Offset((q.Page - 1) * q.PageSize).Limit(q.PageSize).Find(&list).Error
	if err != nil {
		return nil, apperr.Internalf(err, "list catalog changes")
	}
	deps := map[string]*catalog.Department{}
	for i := range list {
		n := &list[i]
		dep := deps[n.DepartmentID]
		if dep == nil {
			if dep, err = s.department(ctx, n.DepartmentID); err != nil {
				return nil, err
			}
			deps[n.DepartmentID] = dep
		}
		j, err := s.render(ctx, n, dep, roleOf(p, dep), false)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *j)
	}
	return &out, nil
}

// Get shows one notice with its entries and history.
func (s *Service) Get(ctx context.Context, p *authz.Principal, id uint64) (*NoticeJSON, error) {
	n, dep, r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.sync(ctx, []Notice{*n}); err != nil {
		return nil, err
	}
	if n, dep, r, err = s.load(ctx, p, id); err != nil {
		return nil, err
	}
	return s.render(ctx, n, dep, r, true)
}

// ---- the department's answers --------------------------------------------------

// RequestExtension asks the same-level authority for more time: once per
// notice, before the due date, at most catalog_update_extension_max
// working days, with the special reason and its policy basis (000 Art 15:
// "需提供相关政策依据，并经同级政务数据主管部门同意，可延长5个工作日").
func (s *Service) RequestExtension(ctx context.Context, p *authz.Principal, ip string, id uint64, in ExtensionInput) (*NoticeJSON, error) {
	n, dep, r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if r != roleProvider {
		return nil, errNotFound
	}
	if s.Profile.CatalogUpdateExtensionMax == 0 {
		return nil, apperr.New(apperr.Conflict, "the policy profile %q allows no extension", s.Profile.Name)
	}
	in.Reason, in.Basis = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Basis)
	var v apperr.Validation
	v.Check(in.Days >= 1 && in.Days <= s.Profile.CatalogUpdateExtensionMax, "days", "an extension is 1 to %d working days", s.Profile.CatalogUpdateExtensionMax)
	v.Check(HasContent(in.Reason) && utf8.RuneCountInString(in.Reason) <= MaxText, "reason", "give the special reason for the extension (at most %d characters)", MaxText)
	v.Check(HasContent(in.Basis) && utf8.RuneCountInString(in.Basis) <= MaxText, "basis", "give the policy basis for the extension (at most %d characters)", MaxText)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.sync(ctx, []Notice{*n}); err != nil {
		return nil, err
	}
	if n, dep, r, err = s.load(ctx, p, id); err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case n.Status != StatusOpen:
		return nil, apperr.New(apperr.Conflict, "every entry of this notice is already updated")
	case n.ExtensionStatus != "":
		return nil, apperr.New(apperr.Conflict, "an extension can be asked for once per notice, and this one was")
	case now.After(n.DueAt):
		return nil, apperr.New(apperr.Conflict, "the deadline has passed: an extension must be asked for before it")
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Notice{}).Where("id = ? AND status = ? AND extension_status = ?", n.ID, StatusOpen, "").
			Updates(map[string]any{"extension_status": ExtensionRequested, "extension_days": in.Days, "extension_reason": in.Reason,
				"extension_basis": in.Basis, "extension_requested_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		n.ExtensionStatus, n.ExtensionDays, n.ExtensionReason, n.ExtensionBasis, n.ExtensionRequestedAt = ExtensionRequested, in.Days, in.Reason, in.Basis, &now
		if err := s.addEvent(tx, n, Event{Kind: EventExtensionRequested, ActorID: &p.UserID, Note: in.Reason}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: ActionExtensionRequested, ObjectType: "catalog_change",
			ObjectID: idString(n.ID), Details: map[string]any{"days": in.Days, "due_at": n.DueAt.Format(time.RFC3339)}}); err != nil {
			return err
		}
		to, err := s.Staff.Authorities(ctx, n.DepartmentID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return s.Notify.Send(tx, noticesTo(to, 0, KindExtensionRequested, "目录变更更新延期申请待审批："+clip(dep.Name, 100),
			fmt.Sprintf("%s申请将目录变更更新期限（%s）延长 %d 个工作日。理由：%s；政策依据：%s", dep.Name, fmtDue(n.DueAt), in.Days, in.Reason, in.Basis), link(n.ID))...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "request extension")
	}
	return s.render(ctx, n, dep, r, true)
}

// DecideExtension is the same-level authority's approval or refusal
// (000 Art 15). An approved extension adds its working days to the clock:
// due = notice + days + extension, on the calendar.
func (s *Service) DecideExtension(ctx context.Context, p *authz.Principal, ip string, id uint64, in DecisionInput) (*NoticeJSON, error) {
	n, dep, r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if r != roleAuthority {
		return nil, errNotFound
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var v apperr.Validation
	v.Check(in.Decision == "approve" || in.Decision == "refuse", "decision", "decision must be approve or refuse")
	v.Check(in.Decision != "refuse" || HasContent(in.Comment), "comment", "a refusal states its reason")
	v.Check(utf8.RuneCountInString(in.Comment) <= MaxText, "comment", "at most %d characters", MaxText)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if n.Status != StatusOpen || n.ExtensionStatus != ExtensionRequested {
		return nil, apperr.New(apperr.Conflict, "no extension request is waiting on this notice")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		guard := tx.Model(&Notice{}).Where("id = ? AND status = ? AND round = ? AND extension_status = ?", n.ID, StatusOpen, n.Round, ExtensionRequested)
		upd := map[string]any{"extension_comment": in.Comment, "extension_decided_at": now, "extension_decided_by": p.UserID}
		ev := Event{ActorID: &p.UserID, Note: in.Comment}
		title, body := "目录变更更新延期申请未获批准", fmt.Sprintf("请在原期限（%s）内完成更新。理由：%s", fmtDue(n.DueAt), in.Comment)
		if in.Decision == "approve" {
			due := s.Calendar.AddWorkingDays(n.NoticedAt, n.Days+n.ExtensionDays).UTC()
			upd["extension_status"], upd["due_at"], upd["round"], upd["escalated_at"] = ExtensionApproved, due, n.Round+1, nil
			n.ExtensionStatus, n.DueAt, n.Round, n.EscalatedAt = ExtensionApproved, due, n.Round+1, nil
			ev.Kind, ev.DueAt = EventExtensionApproved, &due
			title, body = "目录变更更新延期申请已批准", fmt.Sprintf("新的更新期限为 %s。", fmtDue(due))
			if in.Comment != "" {
				body += "意见：" + in.Comment
			}
		} else {
			upd["extension_status"] = ExtensionRefused
			n.ExtensionStatus = ExtensionRefused
			ev.Kind = EventExtensionRefused
		}
		res := guard.Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		n.ExtensionComment, n.ExtensionDecidedAt, n.ExtensionDecidedBy = in.Comment, &now, &p.UserID
		if err := s.addEvent(tx, n, ev); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: ActionExtensionDecided, ObjectType: "catalog_change",
			ObjectID: idString(n.ID), Details: map[string]any{"decision": in.Decision, "days": n.ExtensionDays, "due_at": n.DueAt.Format(time.RFC3339)}}); err != nil {
			return err
		}
		to, err := s.Staff.Providers(ctx, n.DepartmentID)
		if err != nil {
			return err
		}
		return s.Notify.Send(tx, noticesTo(to, 0, KindExtensionDecided, title, body, link(n.ID))...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "decide extension")
	}
	return s.render(ctx, n, dep, r, true)
}

// ConfirmEntry records the department's statement that an affected entry
// needs no change, with its reason (our interpretation, see the package
// comment). The last entry done completes the notice.
func (s *Service) ConfirmEntry(ctx context.Context, p *authz.Principal, ip string, id uint64, datasetID string, in ConfirmInput) (*NoticeJSON, error) {
	n, dep, r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if r != roleProvider {
		return nil, errNotFound
	}
	var e Entry
	if err := s.DB.WithContext(ctx).Where("notice_id = ? AND dataset_id = ?", n.ID, datasetID).Limit(1).Find(&e).Error; err != nil {
		return nil, apperr.Internalf(err, "load entry")
	}
	if e.NoticeID == 0 {
		return nil, apperr.New(apperr.NotFound, "this entry is not named in the notice")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v apperr.Validation
	v.Check(HasContent(in.Reason) && utf8.RuneCountInString(in.Reason) <= MaxText, "reason", "say why the entry needs no change (at most %d characters)", MaxText)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.sync(ctx, []Notice{*n}); err != nil {
		return nil, err
	}
	if n, dep, r, err = s.load(ctx, p, id); err != nil {
		return nil, err
	}
	if err := s.DB.WithContext(ctx).Where("notice_id = ? AND dataset_id = ?", n.ID, datasetID).Take(&e).Error; err != nil {
		return nil, apperr.Internalf(err, "load entry")
	}
	if e.Status != EntryPending {
		return nil, apperr.New(apperr.Conflict, "this entry is already updated or confirmed")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Entry{}).Where("notice_id = ? AND dataset_id = ? AND status = ?", n.ID, datasetID, EntryPending).
			Updates(map[string]any{"status": EntryConfirmed, "done_at": now, "note": in.Reason, "done_by": p.UserID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		if err := s.addEvent(tx, n, Event{Kind: EventEntryConfirmed, ActorID: &p.UserID, DatasetID: datasetID, Note: in.Reason}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: ActionEntryConfirmed, ObjectType: "catalog_change",
			ObjectID: idString(n.ID), Details: map[string]any{"dataset_id": datasetID}}); err != nil {
			return err
		}
		return s.completeIfDone(ctx, tx, n, dep, actorOf(p, ip))
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "confirm entry")
	}
	if n, dep, r, err = s.load(ctx, p, id); err != nil {
		return nil, err
	}
	return s.render(ctx, n, dep, r, true)
}

// ---- updates read from the audit trail ------------------------------------------

// submission is a publishing "submitted" audit record.
type submission struct {
	ObjectID string
	At       time.Time
	Details  string
}

// sync marks the pending entries of open notices that the department has
// updated since: the first submission of a version of the entry at or
// after the notice, as publishing recorded it in the audit trail (its time
// is the update's, whenever sync runs). A notice whose last entry is done
// is completed. Safe to run on several replicas: every write is guarded by
// the state it changes.
func (s *Service) sync(ctx context.Context, notices []Notice) error {
	byID := map[uint64]*Notice{}
	var ids []uint64
	var since time.Time
	for i := range notices {
		n := &notices[i]
		if n.Status != StatusOpen {
			continue
		}
		byID[n.ID] = n
		ids = append(ids, n.ID)
		if since.IsZero() || n.NoticedAt.Before(since) {
			since = n.NoticedAt
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var pending []Entry
	for start := 0; start < len(ids); start += 500 {
		var part []Entry
		if err := s.DB.WithContext(ctx).Where("notice_id IN ? AND status = ?", ids[start:min(start+500, len(ids))], EntryPending).Find(&part).Error; err != nil {
			return apperr.Internalf(err, "pending catalog change entries")
		}
		pending = append(pending, part...)
	}
	datasets := map[string]bool{}
	var dsIDs []string
	for _, e := range pending {
		if !datasets[e.DatasetID] {
			datasets[e.DatasetID] = true
			dsIDs = append(dsIDs, e.DatasetID)
		}
	}
	subs := map[string][]submission{} // per entry, oldest first
	for start := 0; start < len(dsIDs); start += 500 {
		var part []submission
		err := s.DB.WithContext(ctx).Table("audit_entries").Select("object_id, at, details").
			Where("action = ? AND object_type = ? AND object_id IN ? AND at >= ?", submittedAction, "dataset", dsIDs[start:min(start+500, len(dsIDs))], since).
			Order("seq").Scan(&part).Error
		if err != nil {
			return apperr.Internalf(err, "catalog submissions")
		}
		for _, sub := range part {
			subs[sub.ObjectID] = append(subs[sub.ObjectID], sub)
		}
	}
	done := map[uint64][]Entry{}
	var order []uint64
	for _, e := range pending {
		n := byID[e.NoticeID]
		for _, sub := range subs[e.DatasetID] {
			if sub.At.Before(n.NoticedAt) {
				continue
			}
			at := sub.At.UTC().Truncate(time.Second)
			var d struct {
				Version int `json:"version"`
			}
			_ = json.Unmarshal([]byte(sub.Details), &d)
			e.Status, e.DoneAt, e.Version = EntryUpdated, &at, d.Version
			if len(done[n.ID]) == 0 {
				order = append(order, n.ID)
			}
			done[n.ID] = append(done[n.ID], e)
			break
		}
	}
	for _, id := range order {
		n := byID[id]
		dep, err := s.department(ctx, n.DepartmentID)
		if err != nil {
			return err
		}
		err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, e := range done[id] {
				res := tx.Model(&Entry{}).Where("notice_id = ? AND dataset_id = ? AND status = ?", id, e.DatasetID, EntryPending).
					Updates(map[string]any{"status": EntryUpdated, "done_at": *e.DoneAt, "version": e.Version})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected != 1 {
					continue // another replica or a confirmation got there first
				}
				ev := Event{NoticeID: id, Kind: EventEntryUpdated, At: *e.DoneAt, DatasetID: e.DatasetID, Note: fmt.Sprintf("v%d", e.Version)}
				if err := tx.Create(&ev).Error; err != nil {
					return err
				}
			}
			return s.completeIfDone(ctx, tx, n, dep, audit.Actor{Label: "system"})
		})
		if err != nil {
			return apperr.Internalf(err, "record updates of catalog change %d", id)
		}
	}
	return nil
}

// completeIfDone completes n when no entry is pending: completed at the
// last entry's update or confirmation, on time when that is by the due
// date. The authority, who waits on it, is told.
func (s *Service) completeIfDone(ctx context.Context, tx *gorm.DB, n *Notice, dep *catalog.Department, by audit.Actor) error {
	var entries []Entry
	if err := tx.Where("notice_id = ?", n.ID).Find(&entries).Error; err != nil {
		return err
	}
	var last time.Time
	for _, e := range entries {
		if e.Status == EntryPending || e.DoneAt == nil {
			return nil
		}
		if e.DoneAt.After(last) {
			last = *e.DoneAt
		}
	}
	last = last.UTC()
	res := tx.Model(&Notice{}).Where("id = ? AND status = ?", n.ID, StatusOpen).Updates(map[string]any{"status": StatusCompleted, "completed_at": last})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return nil
	}
	onTime := !last.After(n.DueAt)
	n.Status, n.CompletedAt = StatusCompleted, &last
	if err := s.addEvent(tx, n, Event{Kind: EventCompleted, At: last}); err != nil {
		return err
	}
	if _, err := audit.Append(tx, audit.Record{At: s.now(), Actor: by, Action: ActionCompleted, ObjectType: "catalog_change", ObjectID: idString(n.ID),
		Details: map[string]any{"department_id": n.DepartmentID, "completed_at": last.Format(time.RFC3339), "due_at": n.DueAt.Format(time.RFC3339), "on_time": onTime}}); err != nil {
		return err
	}
	to, err := s.Staff.Authorities(ctx, n.DepartmentID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	when := "按期"
	if !onTime {
		when = "逾期"
	}
	return s.Notify.Send(tx, noticesTo(to, 0, KindCompleted, "目录变更已完成更新："+clip(dep.Name, 100),
		fmt.Sprintf("%s已于 %s 完成目录变更通知涉及的全部目录更新（期限 %s，%s完成）。", dep.Name, fmtDue(last), fmtDue(n.DueAt), when), link(n.ID))...)
}

// ---- helpers ---------------------------------------------------------------------

// addEvent records a history event (At defaults to now).
func (s *Service) addEvent(tx *gorm.DB, n *Notice, ev Event) error {
	ev.NoticeID = n.ID
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	return tx.Create(&ev).Error
}

// noticesTo addresses one notice to each distinct user but skip (the
// caller, who knows already).
func noticesTo(ids []uint64, skip uint64, kind, title, body, link string) []notify.Notice {
	seen := map[uint64]bool{skip: true}
	var out []notify.Notice
	for _, uid := range ids {
		if !seen[uid] {
			seen[uid] = true
			out = append(out, notify.Notice{UserID: uid, Kind: kind, Title: title, Body: body, Link: link})
		}
	}
	return out
}

func link(id uint64) string { return "/console/changes?id=" + idString(id) }

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

func fmtDue(t time.Time) string { return t.In(calendar.Zone).Format("2006-01-02") }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func actorOf(p *authz.Principal, ip string) audit.Actor {
	if p == nil {
		return audit.Actor{Label: "anonymous", IP: ip}
	}
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: ip}
}
