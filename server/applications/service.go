package applications

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/policy"
	"github.com/hlj-opendata/portal/server/store"
)

// Datasets finds the catalog entry applied for (catalog.Service).
type Datasets interface {
	PublicDataset(ctx context.Context, id string) (*catalog.Dataset, error)
}

// Notifier writes inbox notices in the caller's transaction (notify.Service).
type Notifier interface {
	Send(tx *gorm.DB, notices ...notify.Notice) error
}

// Policy says in which domains a principal holds a permission, and who
// holds a role where (authz.Enforcer).
type Policy interface {
	Domains(p *authz.Principal, perm authz.Permission) []string
	authz.Directory // who holds which roles
}

// Service holds the rules of applications, grants and use records and owns
// their transactions.
type Service struct {
	DB       *gorm.DB
	Datasets Datasets
	Blobs    blob.Store
	Notify   Notifier
	Policy   Policy
	Calendar *calendar.Calendar
	Profile  policy.Profile
	Now      func() time.Time
	Log      *slog.Logger
}

// Limits on what an applicant sends.
const (
	MaxText            = 2000     // characters in purpose, scenario, basis, measures, reasons
	MaxContact         = 200      // characters
	MaxMissing         = 30       // items in a "needs more material" list
	MaxMissingItem     = 500      // characters per missing item
	MaxPeriodDays      = 3 * 366  // longest period of use
	MaxCommitmentBytes = 10 << 20 // signed commitment letter (PDF)
)

// Input is what an applicant fills in (POST /applications).
type Input struct {
	DatasetID        string   `json:"dataset_id"`
	Purpose          string   `json:"purpose"`
	Scenario         string   `json:"scenario"`
	Basis            string   `json:"basis"`
	DataItems        []string `json:"data_items"`
	PeriodStart      string   `json:"period_start" example:"2026-01-01"`
	PeriodEnd        string   `json:"period_end" example:"2026-12-31"`
	SecurityMeasures string   `json:"security_measures"`
	Contact          string   `json:"contact"`
}

// ResubmitInput answers a "needs more material" notice: a note and any
// fields the applicant changes (omitted fields keep their value).
type ResubmitInput struct {
	Note             string    `json:"note"`
	Purpose          *string   `json:"purpose"`
	Scenario         *string   `json:"scenario"`
	Basis            *string   `json:"basis"`
	DataItems        *[]string `json:"data_items"`
	PeriodStart      *string   `json:"period_start"`
	PeriodEnd        *string   `json:"period_end"`
	SecurityMeasures *string   `json:"security_measures"`
	Contact          *string   `json:"contact"`
}

// DecisionInput is the provider's decision.
type DecisionInput struct {
	Decision  string   `json:"decision" enums:"approve,reject,need_material"`
	Reason    string   `json:"reason"`
	Missing   []string `json:"missing"`
	DataItems []string `json:"data_items"`
}

func (s *Service) now() time.Time { return store.DBTime(s.Now()) }

// ---- who sees what ---------------------------------------------------------

// viewer is what a principal may reach, from the casbin domains it holds:
// providers act in their department's domain, authorities in their region's.
type viewer struct {
	p            *authz.Principal
	review       []string // departments whose applications p decides
	readDepts    []string // departments whose applications and grants p reads
	regions      []string // regions p oversees as the authority
	grantDepts   []string // departments whose grants p suspends
	grantRegions []string // regions whose grants p suspends
}

func (s *Service) viewer(p *authz.Principal) viewer {
	v := viewer{p: p}
	if p == nil {
		return v
	}
	v.review = domainIDs(s.Policy.Domains(p, authz.ApplicationsReview), "dept:")
	v.readDepts = union(v.review, domainIDs(s.Policy.Domains(p, authz.DeadlinesRead), "dept:"))
	v.regions = domainIDs(s.Policy.Domains(p, authz.DeadlinesRead), "region:")
	manage := s.Policy.Domains(p, authz.GrantsManage)
	v.grantDepts = domainIDs(manage, "dept:")
	v.grantRegions = domainIDs(manage, "region:")
	v.readDepts = union(v.readDepts, v.grantDepts)
	return v
}

func domainIDs(domains []string, prefix string) []string {
	var out []string
	for _, d := range domains {
		if id, ok := strings.CutPrefix(d, prefix); ok && id != "" {
			out = append(out, id)
		}
	}
	return out
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// staff reports whether the viewer sees anything beyond its own.
func (v viewer) staff() bool { return len(v.readDepts) > 0 || len(v.regions) > 0 }

// canRead: only the applicant, the provider department and its same-level
// authority read an application (000 Art 38: no one reads another's).
func (v viewer) canRead(a *Application) bool {
	return v.p != nil && (a.ApplicantID == v.p.UserID || slices.Contains(v.readDepts, a.DepartmentID) || slices.Contains(v.regions, a.Region))
}

func (v viewer) canDecide(a *Application) bool { return slices.Contains(v.review, a.DepartmentID) }

func (v viewer) canReadGrant(g *Grant) bool {
	return v.p != nil && (g.UserID == v.p.UserID || slices.Contains(v.readDepts, g.DepartmentID) ||
		slices.Contains(v.regions, g.Region) || slices.Contains(v.grantRegions, g.Region))
}

func (v viewer) canManageGrant(g *Grant) bool {
	return slices.Contains(v.grantDepts, g.DepartmentID) || slices.Contains(v.grantRegions, g.Region)
}

// staffScope limits a query on a table with department_id and region
// columns to what the viewer oversees.
func (v viewer) staffScope(db *gorm.DB, regions []string) *gorm.DB {
	switch {
	case len(v.readDepts) > 0 && len(regions) > 0:
		return db.Where("department_id IN ? OR region IN ?", v.readDepts, regions)
	case len(v.readDepts) > 0:
		return db.Where("department_id IN ?", v.readDepts)
	case len(regions) > 0:
		return db.Where("region IN ?", regions)
	}
	return db.Where("1 = 0")
}

func actor(p *authz.Principal) audit.Actor {
	if p == nil {
		return audit.Actor{Label: "system"}
	}
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: p.IP}
}

// ---- validation ------------------------------------------------------------

// parseDate reads YYYY-MM-DD as a China date: start gives 00:00:00, end
// 23:59:59 China time.
func parseDate(s string, end bool) (time.Time, bool) {
	d, err := time.ParseInLocation(calendar.DateLayout, strings.TrimSpace(s), calendar.Zone)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		d = d.Add(24*time.Hour - time.Second)
	}
	return d, true
}

// chinaDate formats t as its China date.
func chinaDate(t time.Time) string { return t.In(calendar.Zone).Format(calendar.DateLayout) }

func text(v *apperr.Validation, field, value string, max int) string {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		v.Add(field, "%s is required", field)
	case !utf8.ValidString(value):
		v.Add(field, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(value) > max:
		v.Add(field, "%s is longer than %d characters", field, max)
	}
	return value
}

// checkItems validates a requested subset of allowed data items.
func checkItems(v *apperr.Validation, field string, items, allowed []string) Strings {
	if len(items) == 0 {
		v.Add(field, "choose at least one data item")
		return nil
	}
	out := Strings{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		switch {
		case !slices.Contains(allowed, it):
			v.Add(field, "%q is not a data item of this dataset", it)
		case slices.Contains(out, it):
			v.Add(field, "%q is listed twice", it)
		default:
			out = append(out, it)
		}
	}
	return out
}

func itemNames(ds *catalog.Dataset) []string {
	out := make([]string, len(ds.DataItems))
	for i, it := range ds.DataItems {
		out[i] = it.Name
	}
	return out
}

// fields holds validated application content.
type fields struct {
	purpose, scenario, basis, security, contact string
	items                                       Strings
	start, end                                  time.Time
}

func validateFields(v *apperr.Validation, in Input, allowed []string, now time.Time) fields {
	f := fields{
		purpose:  text(v, "purpose", in.Purpose, MaxText),
		scenario: text(v, "scenario", in.Scenario, MaxText),
		basis:    text(v, "basis", in.Basis, MaxText),
		security: text(v, "security_measures", in.SecurityMeasures, MaxText),
		contact:  text(v, "contact", in.Contact, MaxContact),
	}
	if allowed != nil {
		f.items = checkItems(v, "data_items", in.DataItems, allowed)
	}
	var okS, okE bool
	f.start, okS = parseDate(in.PeriodStart, false)
	f.end, okE = parseDate(in.PeriodEnd, true)
	v.Check(okS, "period_start", "period_start must be a date, YYYY-MM-DD")
	v.Check(okE, "period_end", "period_end must be a date, YYYY-MM-DD")
	if okS && okE {
		today := chinaDate(now)
		switch {
		case f.end.Before(f.start):
			v.Add("period_end", "period_end is before period_start")
		case chinaDate(f.end) < today:
			v.Add("period_end", "period_end is in the past")
		case f.end.Sub(f.start) > MaxPeriodDays*24*time.Hour:
			v.Add("period_end", "the period of use is longer than %d days", MaxPeriodDays)
		}
	}
	return f
}

// ---- applications ------------------------------------------------------------

// FormInfo is what the apply form shows before submitting.
type FormInfo struct {
	Dataset     *catalog.Dataset
	ReviewDays  int
	ExpectedDue time.Time
	Closed      bool
}

// Form returns the dataset's conditions and the due date an application
// submitted now would get (000 Art 34).
func (s *Service) Form(ctx context.Context, datasetID string) (*FormInfo, error) {
	if strings.TrimSpace(datasetID) == "" {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "dataset_id is required", Fields: map[string]string{"dataset_id": "required"}}
	}
	ds, err := s.conditionalDataset(ctx, datasetID)
	if err != nil {
		return nil, err
	}
	closed, err := s.closed(s.DB.WithContext(ctx), ds.ID, s.now())
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &FormInfo{Dataset: ds, ReviewDays: s.Profile.ApplicationReview, ExpectedDue: s.Calendar.AddWorkingDays(now, s.Profile.ApplicationReview), Closed: closed}, nil
}

func (s *Service) conditionalDataset(ctx context.Context, id string) (*catalog.Dataset, error) {
	ds, err := s.Datasets.PublicDataset(ctx, strings.TrimSpace(id))
	if apperr.Is(err, apperr.Gone) {
		return nil, errClosed
	}
	if err != nil {
		return nil, err
	}
	if ds.OpenType != catalog.Conditional {
		return nil, apperr.New(apperr.Invalid, "this dataset is not conditionally open: unconditional data is downloaded without applying")
	}
	return ds, nil
}

var errClosed = apperr.New(apperr.Conflict, "the opening of this dataset has been revoked: no new applications are accepted")

// closed reports whether the dataset's revocation was approved by now.
func (s *Service) closed(db *gorm.DB, datasetID string, now time.Time) (bool, error) {
	var n int64
	if err := db.Model(&Closure{}).Where("dataset_id = ? AND closed_at <= ?", datasetID, now).Count(&n).Error; err != nil {
		return false, apperr.Internalf(err, "check closure of %s", datasetID)
	}
	return n > 0, nil
}

// Submit files an application (000 Art 34; 001 Art 20) and starts the
// review clock: Profile.ApplicationReview working days, the day of
// submission not counted.
func (s *Service) Submit(ctx context.Context, p *authz.Principal, in Input) (*Application, error) {
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "sign in required")
	}
	now := s.now()
	var v apperr.Validation
	var ds *catalog.Dataset
	if strings.TrimSpace(in.DatasetID) == "" {
		v.Add("dataset_id", "dataset_id is required")
	} else if d, err := s.conditionalDataset(ctx, in.DatasetID); err != nil {
		if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Invalid {
			return nil, err
		}
		v.Add("dataset_id", "%s", errMessage(err))
	} else {
		ds = d
	}
	var allowed []string
	if ds != nil {
		allowed = itemNames(ds)
	}
	f := validateFields(&v, in, allowed, now)
	if ds == nil && len(in.DataItems) == 0 {
		v.Add("data_items", "choose at least one data item")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	due := store.DBTime(s.Calendar.AddWorkingDays(now, s.Profile.ApplicationReview))
	a := &Application{
		ID: store.NewID("ap"), ApplicantID: p.UserID, ApplicantName: p.Name, ApplicantKind: p.Kind,
		DatasetID: ds.ID, DatasetTitle: ds.Title, DepartmentID: ds.DepartmentID, DepartmentName: ds.Department.Name, Region: ds.Department.Region,
		Status: Submitted, Purpose: f.purpose, Scenario: f.scenario, Basis: f.basis, DataItems: f.items,
		PeriodStart: store.DBTime(f.start), PeriodEnd: store.DBTime(f.end), Security: f.security, Contact: f.contact,
		SubmittedAt: now, Round: 1, ClockRound: 1, RoundStartedAt: now, DueAt: &due, CreatedAt: now, UpdatedAt: now,
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if closed, err := s.closed(tx, ds.ID, now); err != nil {
			return err
		} else if closed {
			return errClosed
		}
		var open int64
		if err := tx.Model(&Application{}).Where("applicant_id = ? AND dataset_id = ? AND status IN ?", p.UserID, ds.ID,
			[]Status{Submitted, NeedMaterial, Resubmitted}).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "you already have an open application for this dataset")
		}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		if err := s.event(tx, a.ID, now, p.UserID, "submitted", ""); err != nil {
			return err
		}
		if err := s.auditStep(tx, now, p, AuditSubmitted, a, map[string]any{"dataset_id": a.DatasetID, "due_at": due.UTC()}); err != nil {
			return err
		}
		return s.send(tx, s.providerStaff(a.DepartmentID), notify.Notice{
			Kind: "application.submitted", Title: "新的有条件开放申请：" + a.DatasetTitle,
			Body: a.ApplicantName + " 申请使用《" + a.DatasetTitle + "》，请于 " + chinaDate(due) + " 前作出决定（《黑龙江省政务数据管理暂行办法》第三十四条）。",
			Link: "/applications/" + a.ID,
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "submit application")
	}
	return a, nil
}

func errMessage(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Audit actions of the applicant's steps (the provider's decision is
// audit.ApplicationDecided).
const (
	AuditSubmitted   = "application.submitted"
	AuditResubmitted = "application.resubmitted"
	AuditWithdrawn   = "application.withdrawn"
)

// auditStep appends an applicant's step to the audit chain in tx, the
// transaction that makes the change.
func (s *Service) auditStep(tx *gorm.DB, at time.Time, p *authz.Principal, action string, a *Application, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["status"] = string(a.Status)
	details["department_id"] = a.DepartmentID
	_, err := audit.Append(tx, audit.Record{At: at, Actor: actor(p), Action: action, ObjectType: "application", ObjectID: a.ID, Details: details})
	return err
}

func (s *Service) event(tx *gorm.DB, appID string, at time.Time, actorID uint64, action, note string) error {
	return tx.Create(&Event{ApplicationID: appID, At: at, ActorID: actorID, Action: action, Note: note}).Error
}

// send addresses one notice to each user.
func (s *Service) send(tx *gorm.DB, users []uint64, n notify.Notice) error {
	if len(users) == 0 || s.Notify == nil {
		return nil
	}
	list := make([]notify.Notice, len(users))
	for i, u := range users {
		list[i] = n
		list[i].UserID = u
	}
	return s.Notify.Send(tx, list...)
}

func (s *Service) providerStaff(dept string) []uint64 {
	return authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(dept))
}

func (s *Service) authorityStaff(region string) []uint64 {
	return authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(region))
}

// Get returns an application its viewer may read; others look missing.
func (s *Service) Get(ctx context.Context, p *authz.Principal, id string) (*Application, error) {
	a, err := s.load(s.DB.WithContext(ctx), id, false)
	return visible(a, err, s.viewer(p).canRead, "application")
}

func (s *Service) load(db *gorm.DB, id string, lock bool) (*Application, error) {
	return loadByID[Application](db, id, "ap", "application", lock)
}

// History lists an application's events, oldest first.
func (s *Service) History(ctx context.Context, a *Application) ([]Event, error) {
	return eventsOf[Event](s.DB.WithContext(ctx), "application_id", a.ID, "application history")
}

// loadByID loads the row of id (prefix is its id's, what its name in
// errors), locked for update when lock; a malformed id looks missing.
func loadByID[T any](db *gorm.DB, id, prefix, what string, lock bool) (*T, error) {
	if !store.ValidID(id, prefix) {
		return nil, apperr.New(apperr.NotFound, "%s not found", what)
	}
	if lock {
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row T
	err := db.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "%s not found", what)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load %s %s", what, id)
	}
	return &row, nil
}

// visible passes a loaded row on when its viewer may read it; others look
// missing.
func visible[T any](row *T, err error, canRead func(*T) bool, what string) (*T, error) {
	if err != nil {
		return nil, err
	}
	if !canRead(row) {
		return nil, apperr.New(apperr.NotFound, "%s not found", what)
	}
	return row, nil
}

// permitted passes a row on when its viewer may act on it; otherwise the
// action is forbidden, saying why.
func permitted[T any](row *T, err error, canAct func(*T) bool, why string) (*T, error) {
	if err != nil {
		return nil, err
	}
	if !canAct(row) {
		return nil, apperr.New(apperr.Forbidden, "%s", why)
	}
	return row, nil
}

// eventsOf lists the events whose column is id, oldest first.
func eventsOf[E any](db *gorm.DB, column, id, what string) ([]E, error) {
	var out []E
	if err := db.Where(column+" = ?", id).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "%s", what)
	}
	return out, nil
}

// ListParams select applications.
type ListParams struct {
	Scope     string // "mine" or "review"; "" picks review for staff
	Status    string // "", "open", "pending", "decided" or a Status
	DatasetID string
	Overdue   bool
	Page      int
	PageSize  int
}

// ListResult is one page.
type ListResult struct {
	Items []Application
	Total int64
	Scope string
}

// List returns the caller's own applications, or the queue it oversees:
// its department's for a provider, its region's for the authority. The
// queue puts pending applications first, the most overdue on top.
func (s *Service) List(ctx context.Context, p *authz.Principal, lp ListParams) (*ListResult, error) {
	v := s.viewer(p)
	var va apperr.Validation
	scope := lp.Scope
	if scope == "" {
		scope = "mine"
		if v.staff() {
			scope = "review"
		}
	}
	va.Check(scope == "mine" || scope == "review", "scope", "scope must be mine or review")
	switch lp.Status {
	case "", "open", "pending", "decided":
	default:
		va.Check(slices.Contains(Statuses, Status(lp.Status)), "status", "unknown status %q", lp.Status)
	}
	if err := va.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	q := s.DB.WithContext(ctx).Model(&Application{})
	if scope == "mine" {
		q = q.Where("applicant_id = ?", p.UserID)
	} else {
		q = v.staffScope(q, v.regions)
	}
	switch lp.Status {
	case "":
	case "open":
		q = q.Where("status IN ?", []Status{Submitted, NeedMaterial, Resubmitted})
	case "pending":
		q = q.Where("status IN ?", []Status{Submitted, Resubmitted})
	case "decided":
		q = q.Where("status IN ?", []Status{Approved, Rejected, Withdrawn})
	default:
		q = q.Where("status = ?", lp.Status)
	}
	if lp.DatasetID != "" {
		q = q.Where("dataset_id = ?", lp.DatasetID)
	}
	if lp.Overdue {
		q = q.Where("status IN ? AND due_at < ?", []Status{Submitted, Resubmitted}, now)
	}
	res := &ListResult{Scope: scope}
	if err := q.Count(&res.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count applications")
	}
	if scope == "review" {
		q = q.Order(clause.Expr{SQL: "CASE WHEN status IN ('submitted','resubmitted') THEN 0 WHEN status = 'needs_more_material' THEN 1 ELSE 2 END"}).
			Order("due_at").Order("updated_at DESC").Order("id")
	} else {
		q = q.Order("created_at DESC").Order("id")
	}
	if err := q.Offset((lp.Page - 1) * lp.PageSize).Limit(lp.PageSize).Find(&res.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "list applications")
	}
	return res, nil
}

// Decide records the provider's decision (000 Art 34): approval creates
// the grant for the approved data items and period; a refusal states its
// reasons; a "needs more material" notice lists everything missing at once
// and can be sent once per application (001 Art 21).
func (s *Service) Decide(ctx context.Context, p *authz.Principal, id string, in DecisionInput) (*Application, error) {
	now := s.now()
	var out *Application
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := s.viewer(p)
		a, err := s.load(tx, id, true)
		a, err = visible(a, err, v.canRead, "application")
		if a, err = permitted(a, err, v.canDecide, "only the providing department decides this application"); err != nil {
			return err
		}
		if !a.Status.Pending() {
			return apperr.New(apperr.Conflict, "the application is %s: there is nothing to decide", a.Status)
		}
		var va apperr.Validation
		reason := strings.TrimSpace(in.Reason)
		va.Check(utf8.RuneCountInString(reason) <= MaxText, "reason", "reason is longer than %d characters", MaxText)
		// Acting after the due date, even only to ask for material, marks the
		// application late for good (see the package comment).
		if a.DueAt != nil && now.After(*a.DueAt) && a.LateAt == nil {
			missed := *a.DueAt
			a.LateAt = &missed
		}
		late := a.LateAt != nil
		switch in.Decision {
		case DecisionApprove:
			items := in.DataItems
			if len(items) == 0 {
				items = a.DataItems
			}
			approved := checkItems(&va, "data_items", items, a.DataItems)
			if err := va.Err(); err != nil {
				return err
			}
			if closed, err := s.closed(tx, a.DatasetID, now); err != nil {
				return err
			} else if closed {
				return errClosed
			}
			g := &Grant{
				ID: store.NewID("gr"), ApplicationID: a.ID, UserID: a.ApplicantID, DatasetID: a.DatasetID, DatasetTitle: a.DatasetTitle,
				DepartmentID: a.DepartmentID, Region: a.Region, DataItems: approved, PeriodStart: a.PeriodStart, PeriodEnd: a.PeriodEnd,
				AccessUntil: a.PeriodEnd, Status: GrantActive, CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.Create(g).Error; err != nil {
				return err
			}
			a.Status, a.ApprovedItems, a.GrantID = Approved, approved, g.ID
		case DecisionReject:
			// 000 Art 34: a refusal states its reasons.
			va.Check(reason != "", "reason", "a rejection must give its reasons")
			if err := va.Err(); err != nil {
				return err
			}
			a.Status = Rejected
		case DecisionNeedMaterial:
			if a.MaterialRequestedAt != nil {
				return apperr.New(apperr.Conflict, "missing material can be requested only once: approve or reject the application now")
			}
			missing := Strings{}
			for _, m := range in.Missing {
				if m = strings.TrimSpace(m); m != "" {
					missing = append(missing, m)
				}
				va.Check(utf8.RuneCountInString(m) <= MaxMissingItem, "missing", "each missing item is at most %d characters", MaxMissingItem)
			}
			va.Check(len(missing) > 0, "missing", "list everything that is missing")
			va.Check(len(missing) <= MaxMissing, "missing", "at most %d missing items", MaxMissing)
			if err := va.Err(); err != nil {
				return err
			}
			a.Status, a.Missing, a.MaterialRequestedAt = NeedMaterial, missing, &now
		default:
			va.Add("decision", "decision must be approve, reject or need_material")
			return va.Err()
		}
		if a.Status != NeedMaterial {
			a.DecidedAt, a.DecidedBy, a.DecidedLate = &now, p.UserID, late
		}
		a.Reason, a.DueAt, a.UpdatedAt = reason, nil, now
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		note := reason
		if a.Status == NeedMaterial {
			note = strings.Join(a.Missing, "\n")
		}
		if err := s.event(tx, a.ID, now, p.UserID, string(a.Status), note); err != nil {
			return err
		}
		if err := audit.ApplicationDecision(tx, now, actor(p), a.ID, in.Decision, reason); err != nil {
			return err
		}
		out = a
		return s.send(tx, []uint64{a.ApplicantID}, decisionNotice(a))
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "decide application")
	}
	return out, nil
}

func decisionNotice(a *Application) notify.Notice {
	n := notify.Notice{Kind: "application." + string(a.Status), Link: "/applications/" + a.ID}
	switch a.Status {
	case Approved:
		n.Title = "申请已通过：" + a.DatasetTitle
		n.Body = "您对《" + a.DatasetTitle + "》的申请已通过，可在 " + chinaDate(a.PeriodStart) + " 至 " + chinaDate(a.PeriodEnd) +
			" 期间使用批准的数据项：" + strings.Join(a.ApprovedItems, "、") + "。"
	case Rejected:
		n.Title = "申请未通过：" + a.DatasetTitle
		n.Body = "理由：" + a.Reason
	case NeedMaterial:
		n.Title = "申请需要补充材料：" + a.DatasetTitle
		n.Body = "请一次补齐以下材料后重新提交：\n" + strings.Join(a.Missing, "\n")
	}
	return n
}

// Resubmit answers a "needs more material" notice. The clock restarts: a
// new round of Profile.ApplicationReview working days from the day of
// resubmission. This is our interpretation (neither 000 Art 34 nor 001 Art
// 21 says when the clock restarts); an application already late keeps
// LateAt and is decided late whatever happens in the new round.
func (s *Service) Resubmit(ctx context.Context, p *authz.Principal, id string, in ResubmitInput) (*Application, error) {
	now := s.now()
	var out *Application
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.ownOpen(tx, p, id)
		if err != nil {
			return err
		}
		if a.Status != NeedMaterial {
			return apperr.New(apperr.Conflict, "only an application that needs more material can be resubmitted")
		}
		merged := Input{Purpose: a.Purpose, Scenario: a.Scenario, Basis: a.Basis, DataItems: a.DataItems,
			PeriodStart: chinaDate(a.PeriodStart), PeriodEnd: chinaDate(a.PeriodEnd), SecurityMeasures: a.Security, Contact: a.Contact}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&merged.Purpose, in.Purpose)
		set(&merged.Scenario, in.Scenario)
		set(&merged.Basis, in.Basis)
		set(&merged.PeriodStart, in.PeriodStart)
		set(&merged.PeriodEnd, in.PeriodEnd)
		set(&merged.SecurityMeasures, in.SecurityMeasures)
		set(&merged.Contact, in.Contact)
		var allowed []string
		if in.DataItems != nil {
			merged.DataItems = *in.DataItems
			ds, err := s.Datasets.PublicDataset(ctx, a.DatasetID)
			if err != nil {
				return apperr.New(apperr.Conflict, "the dataset is no longer open")
			}
			allowed = itemNames(ds)
		}
		var va apperr.Validation
		note := strings.TrimSpace(in.Note)
		va.Check(utf8.RuneCountInString(note) <= MaxText, "note", "note is longer than %d characters", MaxText)
		f := validateFields(&va, merged, allowed, now)
		if err := va.Err(); err != nil {
			return err
		}
		if in.DataItems != nil {
			a.DataItems = f.items
		}
		due := store.DBTime(s.Calendar.AddWorkingDays(now, s.Profile.ApplicationReview))
		a.Purpose, a.Scenario, a.Basis, a.Security, a.Contact = f.purpose, f.scenario, f.basis, f.security, f.contact
		a.PeriodStart, a.PeriodEnd = store.DBTime(f.start), store.DBTime(f.end)
		a.Status, a.Round, a.ClockRound, a.RoundStartedAt, a.DueAt, a.MaterialNote, a.UpdatedAt = Resubmitted, a.Round+1, a.ClockRound+1, now, &due, note, now
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		if err := s.event(tx, a.ID, now, p.UserID, "resubmitted", note); err != nil {
			return err
		}
		if err := s.auditStep(tx, now, p, AuditResubmitted, a, map[string]any{"round": a.Round, "due_at": due.UTC()}); err != nil {
			return err
		}
		out = a
		return s.send(tx, s.providerStaff(a.DepartmentID), notify.Notice{
			Kind: "application.resubmitted", Title: "申请已补充材料：" + a.DatasetTitle,
			Body: a.ApplicantName + " 已补充材料，请于 " + chinaDate(due) + " 前作出决定。", Link: "/applications/" + a.ID,
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "resubmit application")
	}
	return out, nil
}

// ownOpen loads and locks the caller's own application.
func (s *Service) ownOpen(tx *gorm.DB, p *authz.Principal, id string) (*Application, error) {
	a, err := s.load(tx, id, true)
	a, err = visible(a, err, s.viewer(p).canRead, "application")
	return permitted(a, err, func(a *Application) bool { return a.ApplicantID == p.UserID }, "only the applicant may do this")
}

// Withdraw ends an open application at the applicant's request.
func (s *Service) Withdraw(ctx context.Context, p *authz.Principal, id string) (*Application, error) {
	now := s.now()
	var out *Application
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.ownOpen(tx, p, id)
		if err != nil {
			return err
		}
		if !a.Status.Open() {
			return apperr.New(apperr.Conflict, "the application is %s and can no longer be withdrawn", a.Status)
		}
		if a.Status.Pending() && a.DueAt != nil && now.After(*a.DueAt) && a.LateAt == nil {
			missed := *a.DueAt // the provider was late before the applicant gave up
			a.LateAt = &missed
		}
		a.Status, a.DueAt, a.UpdatedAt = Withdrawn, nil, now
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		if err := s.event(tx, a.ID, now, p.UserID, "withdrawn", ""); err != nil {
			return err
		}
		if err := s.auditStep(tx, now, p, AuditWithdrawn, a, nil); err != nil {
			return err
		}
		out = a
		return s.send(tx, s.providerStaff(a.DepartmentID), notify.Notice{
			Kind: "application.withdrawn", Title: "申请已撤回：" + a.DatasetTitle, Body: a.ApplicantName + " 撤回了申请。", Link: "/applications/" + a.ID,
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "withdraw application")
	}
	return out, nil
}

// SetCommitment stores the signed commitment letter of an open application.
// The content must be a PDF (it starts with %PDF-) of at most
// MaxCommitmentBytes; the name is only a label.
func (s *Service) SetCommitment(ctx context.Context, p *authz.Principal, id, name string, body io.Reader) (*Application, error) {
	a, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if a.ApplicantID != p.UserID {
		return nil, apperr.New(apperr.Forbidden, "only the applicant may do this")
	}
	if !a.Status.Open() {
		return nil, apperr.New(apperr.Conflict, "the application is %s: its material can no longer change", a.Status)
	}
	br := bufio.NewReader(body)
	head, err := br.Peek(5)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, uploadErr(err)
	}
	if string(head) != "%PDF-" {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "the commitment letter must be a PDF file", Fields: map[string]string{"file": "not a PDF (no %PDF- header)"}}
	}
	st, err := s.Blobs.Put(ctx, br, MaxCommitmentBytes)
	if err != nil {
		return nil, uploadErr(err)
	}
	name = cleanName(name)
	now := s.now()
	var out *Application
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.ownOpen(tx, p, id)
		if err != nil {
			return err
		}
		if !a.Status.Open() {
			return apperr.New(apperr.Conflict, "the application is %s: its material can no longer change", a.Status)
		}
		a.CommitmentKey, a.CommitmentName, a.CommitmentSize, a.UpdatedAt = st.Key, name, st.Size, now
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		out = a
		return s.event(tx, a.ID, now, p.UserID, "commitment_uploaded", name)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "store commitment letter")
	}
	return out, nil
}

func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.Is(err, blob.ErrTooLarge) || errors.As(err, &mbe) {
		return apperr.New(apperr.TooLarge, "the commitment letter is larger than %d MB", MaxCommitmentBytes>>20)
	}
	return apperr.Internalf(err, "read commitment letter")
}

// cleanName keeps a display name for an uploaded file.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f || r == '"' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if !utf8.ValidString(name) || name == "" {
		name = "commitment.pdf"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// Commitment opens an application's commitment letter for its readers.
func (s *Service) Commitment(ctx context.Context, p *authz.Principal, id string) (*Application, blob.Object, error) {
	a, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if a.CommitmentKey == "" {
		return nil, nil, apperr.New(apperr.NotFound, "no commitment letter was uploaded")
	}
	obj, err := s.Blobs.Open(ctx, a.CommitmentKey)
	if err != nil {
		return nil, nil, apperr.Internalf(err, "open commitment letter of %s", a.ID)
	}
	return a, obj, nil
}
