package corrections

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/policy"
)

// CatalogReader is what corrections need from the catalog.
type CatalogReader interface {
	// PublicDataset returns an entry the public may see (NotFound otherwise).
	PublicDataset(ctx context.Context, id string) (*catalog.Dataset, error)
}

// Notifier writes inbox notices in the caller's transaction (notify.Service).
type Notifier interface {
	Send(tx *gorm.DB, notices ...notify.Notice) error
}

// Limits protect departments from floods of reports.
type Limits struct {
	PerIPHour, PerIPDay           int // reports per client address
	PerAccountHour, PerAccountDay int // reports per signed-in account
	OpenPerContact                int // open reports per e-mail/phone/account
	MaxForwards                   int // a report is forwarded at most this often
	EvidenceBytes                 int64
	EvidencePerParty              int // files per report and party
}

// DefaultLimits are the production limits.
func DefaultLimits() Limits {
	return Limits{PerIPHour: 10, PerIPDay: 30, PerAccountHour: 10, PerAccountDay: 30, OpenPerContact: 5,
		MaxForwards: 3, EvidenceBytes: 5 << 20, EvidencePerParty: 3}
}

// Service holds the rules of corrections and owns their transactions.
type Service struct {
	DB       *gorm.DB
	Catalog  CatalogReader
	Blobs    blob.Store
	Calendar *calendar.Calendar
	Profile  policy.Profile
	Notify   Notifier
	Mail     mail.Sender // nil or mail.Disabled: no e-mail to visitors
	Staff    Staff
	Log      *slog.Logger
	Now      func() time.Time
	Limits   Limits
}

// MailKind is the outbox kind of a report event's e-mail to the contact.
const MailKind = "correction-mail"

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// ---- tracking codes --------------------------------------------------------

// codeBytes of randomness: 144 bits, 24 URL-safe characters.
const codeBytes = 18

// CodeLen is the length of a tracking code.
var CodeLen = base64.RawURLEncoding.EncodedLen(codeBytes)

func newTrackingCode() (string, error) {
	b := make([]byte, codeBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidCode reports whether s has the shape of a tracking code.
func ValidCode(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return false
		}
	}
	return true
}

func hashOf(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

func codeHash(code string) string { return hashOf("tracking", code) }

// ---- reporting --------------------------------------------------------------

// Created is what a reporter gets back: the code is shown once.
type Created struct {
	ID           uint64
	TrackingCode string
	DueAt        time.Time
	// DueProvisional: DueAt counts a provisional calendar year.
	DueProvisional bool
}

// Create files a report. p is nil for a visitor.
func (s *Service) Create(ctx context.Context, p *authz.Principal, ip string, in ReportInput) (*Created, error) {
	if in.AboutSelf && p == nil {
		// 涉及自身的数据: the department must know who asks about their own record.
		return nil, apperr.New(apperr.Unauthorized, "sign in to report an error in data about yourself")
	}
	if err := in.Validate(p != nil); err != nil {
		return nil, err
	}
	ds, err := s.Catalog.PublicDataset(ctx, in.DatasetID)
	if apperr.Is(err, apperr.NotFound) {
		e := apperr.New(apperr.Invalid, "no published dataset %q", in.DatasetID)
		e.Fields = map[string]string{"dataset_id": "no published dataset with this id"}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	var v apperr.Validation
	if in.ResourceID != "" {
		v.Check(slices.ContainsFunc(ds.Resources, func(r catalog.Resource) bool { return r.ID == in.ResourceID }), "resource_id", "this dataset has no such resource")
	}
	if in.DataItem != "" {
		v.Check(slices.ContainsFunc(ds.DataItems, func(it catalog.DataItem) bool { return it.Name == in.DataItem }), "data_item", "this dataset has no such data item")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	now := s.now()
	c := &Correction{
		DatasetID: ds.ID, Status: StatusOpen, DepartmentID: ds.DepartmentID, OriginDepartmentID: ds.DepartmentID,
		ResourceID: in.ResourceID, DataItem: in.DataItem, RowKey: in.RowKey, Description: in.Description,
		ProposedValue: in.ProposedValue, AboutSelf: in.AboutSelf,
		ContactName: in.Contact.Name, ContactEmail: in.Contact.Email, ContactPhone: in.Contact.Phone,
		IPHash: hashOf("ip", ip), CreatedAt: now, ClockStart: now, Round: 1,
	}
	switch {
	case p != nil:
		uid := p.UserID
		c.ReporterUserID = &uid
		c.ContactKey = hashOf("contact", "u:"+strconv.FormatUint(uid, 10))
		if in.Contact.Empty() {
			c.ContactEmail = p.Email // reachable through the account
		}
		if c.ContactName == "" {
			c.ContactName = p.Name
		}
	case in.Contact.Email != "":
		c.ContactKey = hashOf("contact", "e:"+in.Contact.Email)
	default:
		c.ContactKey = hashOf("contact", "p:"+in.Contact.Phone)
	}
	if err := s.checkLimits(ctx, c, now); err != nil {
		return nil, err
	}
	// 000 Art 24: answer within the profile's working days (day of receipt not counted).
	c.DueAt = s.Calendar.AddWorkingDays(now, s.Profile.CorrectionAnswer).UTC()
	code, err := newTrackingCode()
	if err != nil {
		return nil, apperr.Internalf(err, "tracking code")
	}
	c.TrackingHash = codeHash(code)

	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if err := s.addEvent(tx, c, Event{Kind: EventSubmitted, DepartmentID: c.DepartmentID, DueAt: &c.DueAt}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "correction.submitted", ObjectType: "correction",
			ObjectID: idString(c.ID), Details: map[string]any{"dataset_id": c.DatasetID, "department_id": c.DepartmentID, "about_self": c.AboutSelf}}); err != nil {
			return err
		}
		notices, err := s.staffNotices(ctx, c.DepartmentID, "correction.received", fmt.Sprintf("新的数据纠错：%s", ds.Title),
			fmt.Sprintf("收到对数据集“%s”的纠错报告，请于 %s 前核实并答复（《黑龙江省政务数据管理暂行办法》第二十四条）。", ds.Title, fmtDue(c.DueAt)), c.ID)
		if err != nil {
			return err
		}
		if p != nil {
			notices = append(notices, notify.Notice{UserID: p.UserID, Kind: "correction.submitted", Title: "纠错报告已提交",
				Body: fmt.Sprintf("您对“%s”的纠错报告已提交，答复期限为 %s。", ds.Title, fmtDue(c.DueAt)), Link: "/corrections/track"})
		}
		return s.Notify.Send(tx, notices...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "save correction")
	}
	return &Created{ID: c.ID, TrackingCode: code, DueAt: c.DueAt, DueProvisional: s.Calendar.ProvisionalSpan(c.ClockStart, c.DueAt)}, nil
}

// checkLimits applies the rate limits and the open-report cap. The counts
// come from the reports themselves, so every replica sees the same numbers.
func (s *Service) checkLimits(ctx context.Context, c *Correction, now time.Time) error {
	db := s.DB.WithContext(ctx).Model(&Correction{})
	count := func(where string, args ...any) (int64, error) {
		var n int64
		err := db.Session(&gorm.Session{}).Where(where, args...).Count(&n).Error
		return n, err
	}
	hour, day := now.Add(-time.Hour), now.Add(-24*time.Hour)
	type check struct {
		limit int
		where string
		args  []any
		msg   string
	}
	checks := []check{
		{s.Limits.PerIPHour, "ip_hash = ? AND created_at > ?", []any{c.IPHash, hour}, "too many reports from this address in the last hour; try again later"},
		{s.Limits.PerIPDay, "ip_hash = ? AND created_at > ?", []any{c.IPHash, day}, "too many reports from this address today; try again tomorrow"},
	}
	if c.ReporterUserID != nil {
		checks = append(checks,
			check{s.Limits.PerAccountHour, "reporter_user_id = ? AND created_at > ?", []any{*c.ReporterUserID, hour}, "too many reports from this account in the last hour; try again later"},
			check{s.Limits.PerAccountDay, "reporter_user_id = ? AND created_at > ?", []any{*c.ReporterUserID, day}, "too many reports from this account today; try again tomorrow"})
	}
	for _, ch := range checks {
		if ch.limit <= 0 {
			continue
		}
		n, err := count(ch.where, ch.args...)
		if err != nil {
			return apperr.Internalf(err, "count reports")
		}
		if n >= int64(ch.limit) {
			return apperr.New(apperr.RateLimited, "%s", ch.msg)
		}
	}
	var open []Correction
	if err := db.Session(&gorm.Session{}).Select("id, dataset_id, description").Where("contact_key = ? AND status = ?", c.ContactKey, StatusOpen).Find(&open).Error; err != nil {
		return apperr.Internalf(err, "count open reports")
	}
	for _, o := range open {
		if o.DatasetID == c.DatasetID && o.Description == c.Description {
			return apperr.New(apperr.Conflict, "you already reported this and it is still open: follow it with its tracking code")
		}
	}
	if s.Limits.OpenPerContact > 0 && len(open) >= s.Limits.OpenPerContact {
		return apperr.New(apperr.Conflict, "%d of your reports are still open; wait for their answers before sending more", len(open))
	}
	return nil
}

// ---- reading ----------------------------------------------------------------

// View is how much of a report a caller may see.
type View int

const (
	ViewNone       View = iota
	ViewReporter        // the signed-in reporter, or the holder of the code: status, no personal data
	ViewAuthority       // the overseeing authority: the report without identity or contact
	ViewDepartment      // the handling department: everything
)

// Detail is a report with what its pages show.
type Detail struct {
	Correction
	View           View
	DatasetTitle   string
	DepartmentName string
	Events         []Event
	Evidence       []Evidence
	// CanDecide: the caller is the profile's approver of the extension
	// request waiting on this report.
	CanDecide bool
}

// viewOf decides what p may see of c; ViewNone looks like a missing report.
func (s *Service) viewOf(ctx context.Context, p *authz.Principal, c *Correction) (View, error) {
	if p == nil {
		return ViewNone, nil
	}
	if p.Has(authz.RoleProvider) && p.DepartmentID != "" && p.DepartmentID == c.DepartmentID {
		return ViewDepartment, nil
	}
	if p.Has(authz.RoleProviderHead) && p.DepartmentID != "" && p.DepartmentID == c.DepartmentID {
		// The department's head decides extensions (where the profile says
		// so): the report, without the reporter's identity, as the authority.
		return ViewAuthority, nil
	}
	if p.Has(authz.RoleAuthority) {
		ok, err := s.Staff.Oversees(ctx, p.Region, c.DepartmentID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return ViewNone, err
		}
		if ok {
			return ViewAuthority, nil
		}
	}
	if c.ReporterUserID != nil && *c.ReporterUserID == p.UserID {
		return ViewReporter, nil
	}
	return ViewNone, nil
}

func (s *Service) load(ctx context.Context, db *gorm.DB, id uint64) (*Correction, error) {
	var c Correction
	err := db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load correction %d", id)
	}
	return &c, nil
}

var errNotFound = apperr.New(apperr.NotFound, "correction not found")

// Get returns a report as p may see it; reports p may not see are not found.
func (s *Service) Get(ctx context.Context, p *authz.Principal, id uint64) (*Detail, error) {
	c, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	v, err := s.viewOf(ctx, p, c)
	if err != nil {
		return nil, err
	}
	if v == ViewNone {
		return nil, errNotFound
	}
	d, err := s.detail(ctx, c, v)
	if err != nil {
		return nil, err
	}
	return d, s.markDecider(ctx, p, d)
}

// markDecider sets d.CanDecide for the profile's approver of a waiting
// extension request.
func (s *Service) markDecider(ctx context.Context, p *authz.Principal, d *Detail) error {
	if d.View < ViewAuthority || !d.Open() || d.ExtensionStatus != ExtensionRequested {
		return nil
	}
	ok, err := s.mayDecideExtension(ctx, p, &d.Correction)
	d.CanDecide = ok
	return err
}

// Track returns a report by its tracking code, as its reporter sees it.
func (s *Service) Track(ctx context.Context, code string) (*Detail, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, c, ViewReporter)
}

func (s *Service) byCode(ctx context.Context, code string) (*Correction, error) {
	if !ValidCode(code) {
		return nil, errNotFound
	}
	var c Correction
	err := s.DB.WithContext(ctx).Where("tracking_hash = ?", codeHash(code)).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, apperr.Internalf(err, "track correction")
	}
	return &c, nil
}

func (s *Service) detail(ctx context.Context, c *Correction, v View) (*Detail, error) {
	d := &Detail{Correction: *c, View: v}
	db := s.DB.WithContext(ctx)
	var ds catalog.Dataset
	if err := db.Select("id, title").Where("id = ?", c.DatasetID).Take(&ds).Error; err == nil {
		d.DatasetTitle = ds.Title
	}
	var dep catalog.Department
	if err := db.Select("id, name").Where("id = ?", c.DepartmentID).Take(&dep).Error; err == nil {
		d.DepartmentName = dep.Name
	}
	evq := db.Where("correction_id = ?", c.ID).Order("id")
	if v < ViewAuthority {
		evq = evq.Where("public = ?", true)
	}
	if err := evq.Find(&d.Events).Error; err != nil {
		return nil, apperr.Internalf(err, "load correction events")
	}
	evd := db.Where("correction_id = ?", c.ID).Order("created_at, id")
	if v != ViewDepartment {
		// Reporter evidence may hold personal data: the department only.
		evd = evd.Where("party = ?", PartyDepartment)
	}
	if err := evd.Find(&d.Evidence).Error; err != nil {
		return nil, apperr.Internalf(err, "load correction evidence")
	}
	return d, nil
}

// ListQuery filters a queue.
type ListQuery struct {
	Status    string // open | answered | "" (all)
	Extension string // requested: extension requests waiting for the authority
	Overdue   bool
	Page      int
	PageSize  int
}

// Page is one page of reports.
type Page struct {
	Total int64
	Items []Detail
}

// List returns p's queue: the department's reports for a provider, the
// overseen departments' for an authority, one's own reports otherwise.
func (s *Service) List(ctx context.Context, p *authz.Principal, q ListQuery) (*Page, error) {
	db := s.DB.WithContext(ctx).Model(&Correction{})
	view := ViewReporter
	switch {
	case p.Has(authz.RoleProvider) && p.DepartmentID != "":
		db = db.Where("department_id = ?", p.DepartmentID)
		view = ViewDepartment
	case p.Has(authz.RoleProviderHead) && p.DepartmentID != "":
		db = db.Where("department_id = ?", p.DepartmentID)
		view = ViewAuthority
	case p.Has(authz.RoleAuthority):
		db = db.Where("department_id IN (?)", s.DB.Model(&catalog.Department{}).Select("id").Where("region = ?", p.Region))
		view = ViewAuthority
	default:
		db = db.Where("reporter_user_id = ?", p.UserID)
	}
	switch q.Status {
	case "":
	case string(StatusOpen), string(StatusAnswered):
		db = db.Where("status = ?", q.Status)
	default:
		return nil, apperr.Field("status", "status must be open or answered")
	}
	switch q.Extension {
	case "":
	case ExtensionRequested:
		db = db.Where("status = ? AND extension_status = ?", StatusOpen, ExtensionRequested)
	default:
		return nil, apperr.Field("extension", "extension must be requested")
	}
	if q.Overdue {
		db = db.Where("status = ? AND due_at < ?", StatusOpen, s.now())
	}
	var out Page
	if err := db.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count corrections")
	}
	var list []Correction
	// Open reports first, the most urgent on top; then the latest answers.
	err := db.Order("CASE WHEN status = 'open' THEN 0 ELSE 1 END").Order("due_at").Order("id DESC").
		Offset((q.Page - 1) * q.PageSize).Limit(q.PageSize).Find(&list).Error
	if err != nil {
		return nil, apperr.Internalf(err, "list corrections")
	}
	out.Items = make([]Detail, 0, len(list))
	for i := range list {
		d, err := s.detail(ctx, &list[i], view)
		if err != nil {
			return nil, err
		}
		if err := s.markDecider(ctx, p, d); err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *d)
	}
	return &out, nil
}

// ---- answering --------------------------------------------------------------

// forDepartment loads a report the caller's department handles.
func (s *Service) forDepartment(ctx context.Context, p *authz.Principal, id uint64) (*Correction, error) {
	c, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if v, err := s.viewOf(ctx, p, c); err != nil {
		return nil, err
	} else if v != ViewDepartment {
		return nil, errNotFound
	}
	return c, nil
}

// Answer records the department's answer: corrected or not an error close
// the report; forwarded hands it to another department.
func (s *Service) Answer(ctx context.Context, p *authz.Principal, ip string, id uint64, in AnswerInput) (*Detail, error) {
	// A report the caller may not see is missing, whatever the body says.
	c, err := s.forDepartment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, apperr.New(apperr.Conflict, "this report was already answered")
	}
	now := s.now()
	var target *catalog.Department
	switch in.Outcome {
	case Corrected:
		if in.NewResourceID != "" {
			ok, err := s.resourceOf(ctx, in.NewResourceID, c.DatasetID)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, apperr.Field("new_resource_id", "no resource with this id in the reported dataset")
			}
		}
	case Forwarded:
		var dep catalog.Department
		err := s.DB.WithContext(ctx).Where("id = ?", in.DepartmentID).Take(&dep).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Field("department_id", "no such department")
		} else if err != nil {
			return nil, apperr.Internalf(err, "load department")
		}
		if dep.ID == c.DepartmentID {
			return nil, apperr.Field("department_id", "the report is already with this department")
		}
		if s.Limits.MaxForwards > 0 && c.Forwards >= s.Limits.MaxForwards {
			return nil, apperr.New(apperr.Conflict, "this report was forwarded %d times already: answer it", c.Forwards)
		}
		target = &dep
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		guard := tx.Model(&Correction{}).Where("id = ? AND status = ? AND department_id = ? AND round = ?", c.ID, StatusOpen, c.DepartmentID, c.Round)
		var ev Event
		var notices []notify.Notice
		if in.Outcome == Forwarded {
			// Forwarding restarts the clock: the receiving department gets
			// the full period from the forwarding day (not counted), as for
			// a report it received directly. A pending extension request
			// lapses with it; the one extension a report may have is kept
			// for the whole report (ExtensionsUsed is not reset).
			due := s.Calendar.AddWorkingDays(now, s.Profile.CorrectionAnswer).UTC()
			ext := c.ExtensionStatus
			if ext == ExtensionRequested {
				ext = ""
			}
			res := guard.Updates(map[string]any{"department_id": target.ID, "forwards": c.Forwards + 1, "clock_start": now, "due_at": due,
				"round": c.Round + 1, "extension_status": ext, "escalated_at": nil})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errChanged
			}
			c.DepartmentID, c.DueAt, c.Round, c.Forwards, c.ClockStart, c.ExtensionStatus = target.ID, due, c.Round+1, c.Forwards+1, now, ext
			ev = Event{Kind: EventForwarded, DepartmentID: target.ID, DueAt: &due, Note: in.Explanation}
			more, err := s.staffNotices(ctx, target.ID, "correction.forwarded", "转来的数据纠错",
				fmt.Sprintf("一份数据纠错报告已转交贵部门处理，请于 %s 前答复。转交说明：%s", fmtDue(due), in.Explanation), c.ID)
			if err != nil {
				return err
			}
			notices = more
		} else {
			uid := p.UserID
			res := guard.Updates(map[string]any{"status": StatusAnswered, "outcome": in.Outcome, "explanation": in.Explanation,
				"new_resource_id": in.NewResourceID, "answered_at": now, "answered_by": uid})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errChanged
			}
			c.Status, c.Outcome, c.Explanation, c.NewResourceID, c.AnsweredAt, c.AnsweredBy = StatusAnswered, in.Outcome, in.Explanation, in.NewResourceID, &now, &uid
			// The entry's quality score counts answered reports (server/quality).
			if err := outbox.Enqueue(tx, now, "quality", c.DatasetID); err != nil {
				return err
			}
			ev = Event{Kind: EventAnswered, DepartmentID: c.DepartmentID, Note: in.Explanation}
		}
		if err := s.addEvent(tx, c, ev); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: audit.CorrectionAnswered, ObjectType: "correction", ObjectID: idString(c.ID),
			Details: map[string]any{"outcome": string(in.Outcome), "department_id": c.DepartmentID, "new_resource_id": in.NewResourceID, "on_time": !now.After(c.DueAt) || in.Outcome == Forwarded}}); err != nil {
			return err
		}
		if c.ReporterUserID != nil {
			notices = append(notices, notify.Notice{UserID: *c.ReporterUserID, Kind: "correction." + string(in.Outcome), Title: reporterTitle(in.Outcome),
				Body: in.Explanation, Link: "/corrections/track"})
		}
		return s.Notify.Send(tx, notices...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "answer correction")
	}
	return s.detail(ctx, c, ViewDepartment)
}

// resourceOf reports whether id is a resource of the dataset: published
// (catalog), or uploaded to a new version still under the authority's
// review (server/publishing's version tables, read by name so this
// package does not depend on that one). A correction is often answered
// with the new version while it waits for approval (000 Art 12).
func (s *Service) resourceOf(ctx context.Context, id, datasetID string) (bool, error) {
	db := s.DB.WithContext(ctx)
	var n int64
	if err := db.Model(&catalog.Resource{}).Where("id = ? AND dataset_id = ?", id, datasetID).Count(&n).Error; err != nil {
		return false, apperr.Internalf(err, "check resource")
	}
	if n > 0 || !db.Migrator().HasTable("version_resources") || !db.Migrator().HasTable("dataset_versions") {
		return n > 0, nil
	}
	err := db.Table("version_resources").Joins("JOIN dataset_versions ON dataset_versions.id = version_resources.version_id").
		Where("version_resources.resource_id = ? AND dataset_versions.dataset_id = ?", id, datasetID).Count(&n).Error
	if err != nil {
		return false, apperr.Internalf(err, "check resource version")
	}
	return n > 0, nil
}

var errChanged = apperr.New(apperr.Conflict, "the report changed meanwhile (answered, forwarded or extended): reload it")

func reporterTitle(o Outcome) string {
	switch o {
	case Corrected:
		return "您报告的数据错误已更正"
	case NotAnError:
		return "您的纠错报告已答复：经核实数据无误"
	default:
		return "您的纠错报告已转交其他部门办理"
	}
}

// RequestExtension asks for more time (only where the profile allows it:
// national profile: once, at most 10 working days), from the approver the
// profile names (see mayDecideExtension). It must be asked before the
// deadline passes.
func (s *Service) RequestExtension(ctx context.Context, p *authz.Principal, ip string, id uint64, in ExtensionInput) (*Detail, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	c, err := s.forDepartment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if s.Profile.CorrectionExtensionsAllowed == 0 {
		return nil, apperr.New(apperr.Conflict, "the policy profile %q allows no extension of the %d working days", s.Profile.Name, s.Profile.CorrectionAnswer)
	}
	var v apperr.Validation
	v.Check(in.Days >= 1 && in.Days <= s.Profile.CorrectionExtensionMax, "days", "an extension is 1 to %d working days", s.Profile.CorrectionExtensionMax)
	v.Check(HasContent(in.Reason) && utf8.RuneCountInString(in.Reason) <= MaxExplanation, "reason", "give the reason for the extension (at most %d characters)", MaxExplanation)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case !c.Open():
		return nil, apperr.New(apperr.Conflict, "this report was already answered")
	case c.ExtensionStatus == ExtensionRequested:
		return nil, apperr.New(apperr.Conflict, "an extension request is already waiting for the authority")
	case c.ExtensionsUsed >= s.Profile.CorrectionExtensionsAllowed:
		return nil, apperr.New(apperr.Conflict, "this report had its extension already")
	case now.After(c.DueAt):
		return nil, apperr.New(apperr.Conflict, "the deadline has passed: an extension must be asked for before it")
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Correction{}).Where("id = ? AND status = ? AND round = ? AND extension_status <> ?", c.ID, StatusOpen, c.Round, ExtensionRequested).
			Updates(map[string]any{"extension_status": ExtensionRequested, "extension_days": in.Days, "extension_reason": in.Reason,
				"extension_comment": "", "extension_requested_at": now, "extension_decided_at": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		c.ExtensionStatus, c.ExtensionDays, c.ExtensionReason, c.ExtensionRequestedAt = ExtensionRequested, in.Days, in.Reason, &now
		if err := s.addEvent(tx, c, Event{Kind: EventExtensionRequested, DepartmentID: c.DepartmentID, Note: in.Reason, Public: false}); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "correction.extension_requested", ObjectType: "correction",
			ObjectID: idString(c.ID), Details: map[string]any{"days": in.Days}}); err != nil {
			return err
		}
		ids, err := s.approvers(ctx, c.DepartmentID)
		if err != nil {
			return err
		}
		var notices []notify.Notice
		for _, uid := range ids {
			notices = append(notices, notify.Notice{UserID: uid, Kind: "correction.extension_requested", Title: "数据纠错延期申请待审批",
				Body: fmt.Sprintf("部门申请将纠错答复期限延长 %d 个工作日。理由：%s", in.Days, in.Reason), Link: manageLink(c.ID)})
		}
		return s.Notify.Send(tx, notices...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "request extension")
	}
	return s.detail(ctx, c, ViewDepartment)
}

// DecideExtension is the approver's approval or refusal (the profile's
// correction_extension_approver). An approved extension counts from the
// current due date; the reporter is told the new date (event, inbox,
// e-mail). Who cannot see the report gets 404; staff who see it but are
// not the profile's approver get 403.
func (s *Service) DecideExtension(ctx context.Context, p *authz.Principal, ip string, id uint64, in ExtensionDecision) (*Detail, error) {
	c, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if view, err := s.viewOf(ctx, p, c); err != nil {
		return nil, err
	} else if view < ViewAuthority {
		return nil, errNotFound
	}
	if ok, err := s.mayDecideExtension(ctx, p, c); err != nil {
		return nil, err
	} else if !ok {
		if s.Profile.CorrectionExtensionApprover == policy.ApproverProviderHead {
			return nil, apperr.New(apperr.Forbidden, "under the policy profile %q the head of the handling department decides extensions", s.Profile.Name)
		}
		return nil, apperr.New(apperr.Forbidden, "under the policy profile %q the same-level data authority decides extensions", s.Profile.Name)
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var v apperr.Validation
	v.Check(in.Decision == "approve" || in.Decision == "refuse", "decision", "decision must be approve or refuse")
	v.Check(in.Decision != "refuse" || HasContent(in.Comment), "comment", "a refusal states its reason")
	v.Check(utf8.RuneCountInString(in.Comment) <= MaxExplanation, "comment", "at most %d characters", MaxExplanation)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !c.Open() || c.ExtensionStatus != ExtensionRequested {
		return nil, apperr.New(apperr.Conflict, "no extension request is waiting on this report")
	}
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		guard := tx.Model(&Correction{}).Where("id = ? AND status = ? AND round = ? AND extension_status = ?", c.ID, StatusOpen, c.Round, ExtensionRequested)
		var res *gorm.DB
		var ev Event
		if in.Decision == "approve" {
			due := s.Calendar.AddWorkingDays(c.DueAt, c.ExtensionDays).UTC()
			res = guard.Updates(map[string]any{"extension_status": ExtensionApproved, "extension_comment": in.Comment, "extension_decided_at": now,
				"extensions_used": c.ExtensionsUsed + 1, "due_at": due, "round": c.Round + 1, "escalated_at": nil})
			c.ExtensionStatus, c.ExtensionsUsed, c.DueAt, c.Round = ExtensionApproved, c.ExtensionsUsed+1, due, c.Round+1
			ev = Event{Kind: EventExtensionApproved, DepartmentID: c.DepartmentID, DueAt: &due, Note: c.ExtensionReason}
		} else {
			res = guard.Updates(map[string]any{"extension_status": ExtensionRefused, "extension_comment": in.Comment, "extension_decided_at": now})
			c.ExtensionStatus = ExtensionRefused
			ev = Event{Kind: EventExtensionRefused, DepartmentID: c.DepartmentID, Note: in.Comment, Public: false}
		}
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errChanged
		}
		c.ExtensionComment, c.ExtensionDecidedAt = in.Comment, &now
		if err := s.addEvent(tx, c, ev); err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actorOf(p, ip), Action: "correction.extension_decided", ObjectType: "correction",
			ObjectID: idString(c.ID), Details: map[string]any{"decision": in.Decision, "days": c.ExtensionDays, "due_at": c.DueAt.Format(time.RFC3339)}}); err != nil {
			return err
		}
		title := "纠错答复延期申请已批准"
		body := fmt.Sprintf("新的答复期限为 %s。", fmtDue(c.DueAt))
		if in.Decision != "approve" {
			title, body = "纠错答复延期申请未获批准", "请在原期限内答复。理由："+in.Comment
		}
		notices, err := s.staffNotices(ctx, c.DepartmentID, "correction.extension_"+in.Decision, title, body, c.ID)
		if err != nil {
			return err
		}
		if in.Decision == "approve" && c.ReporterUserID != nil {
			notices = append(notices, notify.Notice{UserID: *c.ReporterUserID, Kind: "correction.extended", Title: "纠错答复期限已延长",
				Body: fmt.Sprintf("经批准，您的纠错报告答复期限延长至 %s。", fmtDue(c.DueAt)), Link: "/corrections/track"})
		}
		return s.Notify.Send(tx, notices...)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "decide extension")
	}
	return s.detail(ctx, c, ViewAuthority)
}

// mayDecideExtension: the profile names who approves a correction's
// extension. provider_head: the head of the handling department (003 Art
// 21: 经政务数据提供部门主要负责人同意); authority: the same-level data
// authority overseeing the department.
func (s *Service) mayDecideExtension(ctx context.Context, p *authz.Principal, c *Correction) (bool, error) {
	if s.Profile.CorrectionExtensionApprover == policy.ApproverProviderHead {
		return p.Has(authz.RoleProviderHead) && p.DepartmentID != "" && p.DepartmentID == c.DepartmentID, nil
	}
	if !p.Has(authz.RoleAuthority) {
		return false, nil
	}
	ok, err := s.Staff.Oversees(ctx, p.Region, c.DepartmentID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	return ok, nil
}

// approvers are the accounts to ask for an extension decision.
func (s *Service) approvers(ctx context.Context, departmentID string) ([]uint64, error) {
	if s.Profile.CorrectionExtensionApprover == policy.ApproverProviderHead {
		if h, ok := s.Staff.(interface {
			Heads(context.Context, string) ([]uint64, error)
		}); ok {
			return h.Heads(ctx, departmentID)
		}
		return nil, nil
	}
	return s.Staff.Authorities(ctx, departmentID)
}

// ---- public marks and history ----------------------------------------------

// Disputes implements catalog.DisputeChecker: for each given dataset with
// an open report, the names of the data items under dispute (empty when
// the report names none). Datasets without open reports are absent.
func (s *Service) Disputes(ctx context.Context, datasetIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(datasetIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DatasetID string
		DataItem  string
	}
	err := s.DB.WithContext(ctx).Model(&Correction{}).Distinct("dataset_id", "data_item").
		Where("status = ? AND dataset_id IN ?", StatusOpen, datasetIDs).Scan(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "open corrections")
	}
	for _, r := range rows {
		items := out[r.DatasetID]
		if items == nil {
			items = []string{}
		}
		if r.DataItem != "" && !slices.Contains(items, r.DataItem) {
			items = append(items, r.DataItem)
		}
		out[r.DatasetID] = items
	}
	return out, nil
}

// Summary is the public history of reports, in aggregate.
type Summary struct {
	Received       int64
	Open           int64
	Answered       int64
	Corrected      int64
	NotAnError     int64
	AnsweredOnTime int64
	// MedianAnswerDays is the median of working days from report to
	// answer (nil before the first answer).
	MedianAnswerDays *float64
}

// Summarise counts reports about one dataset ("" = the whole portal).
func (s *Service) Summarise(ctx context.Context, datasetID string) (*Summary, error) {
	db := s.DB.WithContext(ctx).Model(&Correction{}).Select("status, outcome, created_at, due_at, answered_at")
	if datasetID != "" {
		db = db.Where("dataset_id = ?", datasetID)
	}
	var rows []Correction
	if err := db.Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "summarise corrections")
	}
	sum := &Summary{}
	var days []float64
	for _, c := range rows {
		sum.Received++
		if c.Open() {
			sum.Open++
			continue
		}
		sum.Answered++
		switch c.Outcome {
		case Corrected:
			sum.Corrected++
		case NotAnError:
			sum.NotAnError++
		}
		if c.AnsweredAt != nil {
			if !c.AnsweredAt.After(c.DueAt) {
				sum.AnsweredOnTime++
			}
			days = append(days, float64(s.Calendar.WorkingDaysLeft(c.CreatedAt, *c.AnsweredAt)))
		}
	}
	sum.MedianAnswerDays = Median(days)
	return sum, nil
}

// Median of xs, nil when empty.
func Median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// Fact is one report for the department statistics.
type Fact struct {
	DepartmentID string
	ReceivedAt   time.Time
	DueAt        time.Time
	AnsweredAt   *time.Time
}

// Facts lists the reports received in [from, to), attributed to the
// department handling them (after any forwarding).
func (s *Service) Facts(ctx context.Context, from, to time.Time) ([]Fact, error) {
	var rows []Correction
	err := s.DB.WithContext(ctx).Select("department_id, created_at, due_at, answered_at").
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Find(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "correction facts")
	}
	out := make([]Fact, len(rows))
	for i, c := range rows {
		out[i] = Fact{DepartmentID: c.DepartmentID, ReceivedAt: c.CreatedAt, DueAt: c.DueAt, AnsweredAt: c.AnsweredAt}
	}
	return out, nil
}

// ---- helpers ----------------------------------------------------------------

// addEvent records an event and, when it is public and the reporter left
// an e-mail address, queues the e-mail that tells them.
func (s *Service) addEvent(tx *gorm.DB, c *Correction, ev Event) error {
	ev.CorrectionID = c.ID
	ev.At = s.now()
	if ev.Kind != EventExtensionRequested && ev.Kind != EventExtensionRefused && ev.Kind != EventReminded {
		ev.Public = true
	}
	if err := tx.Create(&ev).Error; err != nil {
		return err
	}
	if ev.Public && c.ContactEmail != "" && s.mailOn() && ev.Kind != EventEvidenceAdded {
		return outbox.Enqueue(tx, ev.At, MailKind, idString(ev.ID))
	}
	return nil
}

func (s *Service) mailOn() bool {
	if s.Mail == nil {
		return false
	}
	_, disabled := s.Mail.(mail.Disabled)
	return !disabled
}

// staffNotices addresses one notice to every provider of a department.
func (s *Service) staffNotices(ctx context.Context, departmentID, kind, title, body string, id uint64) ([]notify.Notice, error) {
	ids, err := s.Staff.Providers(ctx, departmentID)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Notice, 0, len(ids))
	for _, uid := range ids {
		out = append(out, notify.Notice{UserID: uid, Kind: kind, Title: title, Body: body, Link: manageLink(id)})
	}
	return out, nil
}

func manageLink(id uint64) string { return "/console/corrections?id=" + idString(id) }

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

// china is the zone deadlines are stated in.
var china = calendar.Zone

func fmtDue(t time.Time) string { return t.In(china).Format("2006-01-02 15:04") }

func actorOf(p *authz.Principal, ip string) audit.Actor {
	if p == nil {
		return audit.Actor{Label: "anonymous", IP: ip}
	}
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: ip}
}
