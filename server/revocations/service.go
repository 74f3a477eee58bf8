package revocations

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/policy"
	"github.com/hlj-opendata/portal/server/store"
)

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

// Applications is what an approval asks of the applications domain
// (applications.Service): refuse new applications from the approval date and
// limit every grant on the dataset to graceEnd (000 Art 35, 16). It runs in
// the approval's transaction.
type Applications interface {
	OnDatasetRevoked(tx *gorm.DB, datasetID string, approvedAt, graceEnd time.Time) error
}

// Service holds the rules of revocations, announcements and filings, and
// owns their transactions.
type Service struct {
	DB           *gorm.DB
	Notify       Notifier
	Policy       Policy
	Applications Applications // nil until the applications domain is wired
	Profile      policy.Profile
	Now          func() time.Time
	Log          *slog.Logger
	// Kick wakes the outbox worker after a commit that withdrew data, so
	// the search index follows at once (optional).
	Kick func()
}

// Audit actions this domain records besides audit.RevocationApproved.
const (
	AuditRejected     = "revocation.rejected"
	AuditRequested    = "revocation.requested"
	AuditApplied      = "revocation.applied"
	AuditCorrected    = "announcement.corrected"
	AuditAcknowledged = "revocation.filing_acknowledged"
)

var _ catalog.Tombstones = (*Service)(nil)

func (s *Service) now() time.Time { return store.DBTime(s.Now()) }

// ---- who sees what ---------------------------------------------------------

// viewer is what a principal may reach: providers act for their
// departments, the authority for its region, the provincial authority on
// every filing.
type viewer struct {
	p        *authz.Principal
	depts    []string // departments whose data p may ask to revoke
	regions  []string // regions whose revocations p decides
	province bool     // p receives filings
}

func (s *Service) viewer(p *authz.Principal) viewer {
	v := viewer{p: p}
	if p == nil || s.Policy == nil {
		return v
	}
	v.depts = domainIDs(s.Policy.Domains(p, authz.RevocationsRequest), "dept:")
	v.regions = domainIDs(s.Policy.Domains(p, authz.RevocationsDecide), "region:")
	v.province = len(s.Policy.Domains(p, authz.FilingsAcknowledge)) > 0
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

// canRead: the requesting department and its same-level authority.
func (v viewer) canRead(r *Revocation) bool {
	return slices.Contains(v.depts, r.DepartmentID) || slices.Contains(v.regions, r.Region)
}

func actor(p *authz.Principal) audit.Actor {
	if p == nil {
		return audit.Actor{Label: "system"}
	}
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: p.IP}
}

// ---- time ------------------------------------------------------------------

// chinaDay is the start (00:00 China time) of the day t falls on.
func chinaDay(t time.Time) time.Time {
	c := t.In(calendar.Zone)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, calendar.Zone)
}

// ChinaDate formats t as YYYY-MM-DD in China time.
func ChinaDate(t time.Time) string { return t.In(calendar.Zone).Format(calendar.DateLayout) }

// chineseDate formats t as 2026年7月1日 in China time.
func chineseDate(t time.Time) string {
	c := t.In(calendar.Zone)
	return c.Format("2006") + "年" + itoa(int(c.Month())) + "月" + itoa(c.Day()) + "日"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// EffectiveAt is when approved data goes: the start of the proposed day in
// China time, or the approval itself when that day has begun already.
func EffectiveAt(proposed string, approvedAt time.Time) (time.Time, error) {
	d, err := time.ParseInLocation(calendar.DateLayout, proposed, calendar.Zone)
	if err != nil {
		return time.Time{}, err
	}
	if d.Before(approvedAt) {
		return store.DBTime(approvedAt), nil
	}
	return store.DBTime(d), nil
}

// GraceEnd is the end of the grace period (000 Art 16): grant holders keep
// access for months calendar months from the effective day, through the
// day before the same day of the month months later, 23:59:59 China time.
// No grace (0 months) ends at the effective time.
func GraceEnd(effectiveAt time.Time, months int) time.Time {
	if months <= 0 {
		return store.DBTime(effectiveAt)
	}
	next := chinaDay(effectiveAt).AddDate(0, months, 0)
	return store.DBTime(next.Add(-time.Second))
}

// ---- requests --------------------------------------------------------------

// RequestInput is what a provider fills in (POST /revocations).
type RequestInput struct {
	DatasetID     string `json:"dataset_id"`
	ResourceID    string `json:"resource_id"` // optional: revoke only this resource
	Reason        string `json:"reason"`
	LegalBasis    string `json:"legal_basis"`
	EffectiveDate string `json:"effective_date" example:"2026-07-01"`
}

func text(v *apperr.Validation, field, value string, required bool, max int) string {
	value = strings.TrimSpace(value)
	if required && value == "" {
		v.Add(field, "%s is required", field)
	}
	if utf8.RuneCountInString(value) > max {
		v.Add(field, "%s is longer than %d characters", field, max)
	}
	if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
		v.Add(field, "%s holds characters that are not text", field)
	}
	return value
}

// validDatasetID rejects ids no catalog entry can have.
func validDatasetID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return false
		}
	}
	return true
}

// Request files a provider's request to revoke one of its department's
// published datasets, or one resource of it (000 Art 35). Nothing changes
// publicly: the same-level authority decides first. Another department's
// data answers not found.
func (s *Service) Request(ctx context.Context, p *authz.Principal, in RequestInput) (*Revocation, error) {
	v := s.viewer(p)
	if len(v.depts) == 0 {
		return nil, apperr.New(apperr.Forbidden, "only a data provider department asks to revoke its data")
	}
	now := s.now()
	var va apperr.Validation
	datasetID := strings.TrimSpace(in.DatasetID)
	resourceID := strings.TrimSpace(in.ResourceID)
	va.Check(datasetID != "", "dataset_id", "dataset_id is required")
	reason := text(&va, "reason", in.Reason, true, MaxText)
	basis := text(&va, "legal_basis", in.LegalBasis, true, MaxText)
	date := strings.TrimSpace(in.EffectiveDate)
	if date == "" {
		va.Add("effective_date", "effective_date is required (YYYY-MM-DD)")
	} else if d, err := time.ParseInLocation(calendar.DateLayout, date, calendar.Zone); err != nil {
		va.Add("effective_date", "effective_date must be a date YYYY-MM-DD")
	} else {
		today := chinaDay(now)
		va.Check(!d.Before(today), "effective_date", "effective_date cannot be before today (%s)", ChinaDate(now))
		va.Check(!d.After(today.AddDate(0, 0, MaxEffectiveDays)), "effective_date", "effective_date must be within %d days", MaxEffectiveDays)
		date = d.Format(calendar.DateLayout)
	}
	if err := va.Err(); err != nil {
		return nil, err
	}
	if !validDatasetID(datasetID) {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	var out *Revocation
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ds, err := lockDataset(tx, datasetID)
		if err != nil {
			return err
		}
		// Only the department's own data: anything else looks missing.
		if !slices.Contains(v.depts, ds.DepartmentID) {
			return apperr.New(apperr.NotFound, "dataset not found")
		}
		if ds.Status != catalog.StatusPublished || !ds.OpenType.Public() {
			va.Add("dataset_id", "only published open data can be revoked (this entry is %s, %s)", ds.Status, ds.OpenType)
			return va.Err()
		}
		r := &Revocation{
			ID: store.NewID("rev"), DatasetID: ds.ID, DatasetTitle: ds.Title, OpenType: string(ds.OpenType),
			DepartmentID: ds.DepartmentID, DepartmentName: ds.Department.Name, Region: ds.Department.Region,
			Reason: reason, LegalBasis: basis, ProposedDate: date, Status: Pending,
			RequestedBy: p.UserID, RequesterName: p.Name, RequestedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		if resourceID != "" {
			var res catalog.Resource
			err := tx.Where("id = ? AND dataset_id = ?", resourceID, ds.ID).Take(&res).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				va.Add("resource_id", "this dataset has no resource %q", resourceID)
				return va.Err()
			case err != nil:
				return err
			}
			var n int64
			if err := tx.Model(&catalog.Resource{}).Where("dataset_id = ?", ds.ID).Count(&n).Error; err != nil {
				return err
			}
			if n < 2 {
				va.Add("resource_id", "this is the dataset's only resource: revoke the whole dataset instead")
				return va.Err()
			}
			if ds.OpenType == catalog.Conditional {
				// 000 Art 16: grant holders' grace period is kept per dataset.
				va.Add("resource_id", "a conditionally open dataset is revoked as a whole, so its grant holders keep their grace period")
				return va.Err()
			}
			r.ResourceID, r.ResourceName, r.ResourceFormat = res.ID, res.Name, res.Format
		}
		var open int64
		if err := tx.Model(&Revocation{}).Where("dataset_id = ? AND (status = ? OR (status = ? AND applied_at IS NULL))", ds.ID, Pending, Approved).
			Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "a revocation of this dataset is already pending or approved")
		}
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actor(p), Action: AuditRequested, ObjectType: "revocation", ObjectID: r.ID,
			Details: map[string]any{"dataset_id": r.DatasetID, "resource_id": r.ResourceID, "effective_date": r.ProposedDate}}); err != nil {
			return err
		}
		out = r
		return s.send(tx, s.holdersIn(authz.RoleAuthority, authz.RegionDomain(r.Region)), notify.Notice{
			Kind: "revocation.requested", Title: "撤销开放申请待审核：" + r.DatasetTitle,
			Body: r.DepartmentName + " 申请撤销开放《" + r.DatasetTitle + "》" + resourcePhrase(r) + "，拟于 " + r.ProposedDate + " 生效。理由：" + r.Reason,
			Link: "/revocations/review",
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "request revocation")
	}
	return out, nil
}

func resourcePhrase(r *Revocation) string {
	if r.Whole() {
		return ""
	}
	return "中的数据资源“" + r.ResourceName + "”"
}

// lockDataset loads a catalog entry with its department, locking its row
// so two requests or decisions about it run one after the other.
func lockDataset(tx *gorm.DB, id string) (*catalog.Dataset, error) {
	var ds catalog.Dataset
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&ds).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "dataset not found")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load dataset %s", id)
	}
	if err := tx.Where("id = ?", ds.DepartmentID).Take(&ds.Department).Error; err != nil {
		return nil, apperr.Internalf(err, "load department of %s", id)
	}
	return &ds, nil
}

// ---- decisions -------------------------------------------------------------

// DecisionInput is the authority's decision.
type DecisionInput struct {
	Decision string `json:"decision" enums:"approve,reject"`
	Reason   string `json:"reason"`
}

// Decision is what an approval produced.
type Decision struct {
	Revocation   *Revocation
	Announcement *Announcement // approvals only
	Filing       *Filing       // approvals only
}

// Decide records the same-level authority's decision (000 Art 35). A
// rejection states its reasons and changes nothing publicly. An approval,
// in one transaction: the filing with the provincial authority, the
// numbered public announcement, the audit record, new applications refused
// and grants limited to the grace period (000 Art 16), notices to the
// provider, the provincial authority and the grant holders; and, when the
// effective time has come already, the withdrawal itself.
func (s *Service) Decide(ctx context.Context, p *authz.Principal, id string, in DecisionInput) (*Decision, error) {
	if !store.ValidID(id, "rev") {
		return nil, apperr.New(apperr.NotFound, "revocation not found")
	}
	v := s.viewer(p)
	now := s.now()
	out := &Decision{}
	applied := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Revocation
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "revocation not found")
		}
		if err != nil {
			return err
		}
		if !slices.Contains(v.regions, r.Region) {
			// Only the same-level authority decides; to others it is not there.
			return apperr.New(apperr.NotFound, "revocation not found")
		}
		var va apperr.Validation
		reason := text(&va, "reason", in.Reason, in.Decision == DecisionReject, MaxText)
		if in.Decision != DecisionApprove && in.Decision != DecisionReject {
			va.Add("decision", "decision must be approve or reject")
		}
		if err := va.Err(); err != nil {
			return err
		}
		if r.Status != Pending {
			return apperr.New(apperr.Conflict, "this revocation was %s already", r.Status)
		}
		r.DecidedAt, r.DecidedBy, r.DeciderName, r.DecisionReason, r.UpdatedAt = &now, p.UserID, p.Name, reason, now
		out.Revocation = &r
		if in.Decision == DecisionReject {
			r.Status = Rejected
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
			if _, err := audit.Append(tx, audit.Record{At: now, Actor: actor(p), Action: AuditRejected, ObjectType: "revocation", ObjectID: r.ID,
				Details: map[string]any{"dataset_id": r.DatasetID, "reason": reason}}); err != nil {
				return err
			}
			return s.send(tx, s.providerStaff(r.DepartmentID, r.RequestedBy), notify.Notice{
				Kind: "revocation.rejected", Title: "撤销开放申请未获批准：" + r.DatasetTitle,
				Body: "理由：" + reason + "。数据继续开放。", Link: "/revocations",
			})
		}
		a, f, err := s.approve(tx, p, &r, now)
		if err != nil {
			return err
		}
		out.Announcement, out.Filing = a, f
		if r.InEffect(now) {
			applied = true
			return s.apply(tx, &r, now)
		}
		return nil
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "decide revocation")
	}
	if applied && s.Kick != nil {
		s.Kick()
	}
	return out, nil
}

// approve writes everything an approval produces inside tx.
func (s *Service) approve(tx *gorm.DB, p *authz.Principal, r *Revocation, now time.Time) (*Announcement, *Filing, error) {
	ds, err := lockDataset(tx, r.DatasetID)
	if err != nil {
		return nil, nil, err
	}
	if ds.Status != catalog.StatusPublished || !ds.OpenType.Public() {
		return nil, nil, apperr.New(apperr.Conflict, "the dataset is no longer published: nothing to revoke")
	}
	if !r.Whole() {
		var n int64
		if err := tx.Model(&catalog.Resource{}).Where("id = ? AND dataset_id = ?", r.ResourceID, r.DatasetID).Count(&n).Error; err != nil {
			return nil, nil, err
		}
		if n == 0 {
			return nil, nil, apperr.New(apperr.Conflict, "the resource is no longer in the dataset: nothing to revoke")
		}
	}
	effective, err := EffectiveAt(r.ProposedDate, now)
	if err != nil {
		return nil, nil, apperr.Internalf(err, "proposed date of %s", r.ID)
	}
	// 000 Art 16: those already using the data keep it for the grace
	// period: grant holders of conditional data, and API tokens that used
	// unconditional data before the withdrawal. A withdrawn resource alone
	// leaves the catalog at once (its dataset stays open).
	months := s.Profile.RevocationGraceMonths
	if !r.Whole() {
		months = 0
	}
	grace := GraceEnd(effective, months)
	r.Status, r.EffectiveAt, r.GraceEnd = Approved, &effective, &grace

	year := now.In(calendar.Zone).Year()
	seq, err := nextNumber(tx, seriesAnnouncement, year)
	if err != nil {
		return nil, nil, err
	}
	a := &Announcement{
		ID: store.NewID("ann"), Number: FormatNumber(AnnouncementPrefix, year, seq), Year: year, Seq: seq, Kind: KindRevocation,
		RevocationID: r.ID, DatasetID: r.DatasetID, DatasetTitle: r.DatasetTitle, ResourceID: r.ResourceID, ResourceName: r.ResourceName,
		DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName, Region: r.Region,
		Reason: r.Reason, LegalBasis: r.LegalBasis, ApprovedAt: now, EffectiveAt: effective, GraceMonths: months, GraceEnd: grace,
		PublishedAt: now, PublishedBy: p.UserID,
	}
	a.Title = revocationTitle(a)
	a.ExistingUsers = existingUsers(a, r.OpenType)
	a.Body = announcementBody(a)
	if err := tx.Create(a).Error; err != nil {
		return nil, nil, err
	}
	fseq, err := nextNumber(tx, seriesFiling, year)
	if err != nil {
		return nil, nil, err
	}
	// 000 Art 35: an approved revocation is filed with the provincial authority.
	f := &Filing{
		ID: store.NewID("fil"), Number: FormatNumber(FilingPrefix, year, fseq), Year: year, Seq: fseq,
		RevocationID: r.ID, AnnouncementID: a.ID, DatasetID: r.DatasetID, DatasetTitle: r.DatasetTitle,
		ResourceID: r.ResourceID, ResourceName: r.ResourceName, DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName,
		Region: r.Region, Reason: r.Reason, LegalBasis: r.LegalBasis, ApprovedAt: now, ApprovedBy: p.UserID, ApproverName: p.Name,
		EffectiveAt: effective, FiledAt: now,
	}
	if err := tx.Create(f).Error; err != nil {
		return nil, nil, err
	}
	r.AnnouncementID, r.FilingID = a.ID, f.ID
	if err := tx.Save(r).Error; err != nil {
		return nil, nil, err
	}
	if err := audit.RevocationApproval(tx, now, actor(p), r.ID, r.DatasetID); err != nil {
		return nil, nil, err
	}
	if r.Whole() && s.Applications != nil {
		// New applications are refused from today; grants end by graceEnd.
		if err := s.Applications.OnDatasetRevoked(tx, r.DatasetID, now, grace); err != nil {
			return nil, nil, err
		}
	}
	link := "/announcements/" + a.ID
	if err := s.send(tx, s.providerStaff(r.DepartmentID, r.RequestedBy), notify.Notice{
		Kind: "revocation.approved", Title: "撤销开放申请已批准：" + r.DatasetTitle,
		Body: "已发布" + a.Number + "，自" + chineseDate(effective) + "起撤销开放，并已报省级政务数据主管部门备案（" + f.Number + "）。", Link: link,
	}); err != nil {
		return nil, nil, err
	}
	if err := s.send(tx, s.Policy.UsersWithRole(authz.RoleProvince), notify.Notice{
		Kind: "revocation.filed", Title: "撤销开放备案：" + r.DatasetTitle,
		Body: r.DepartmentName + "撤销开放《" + r.DatasetTitle + "》" + resourcePhrase(r) + "，备案编号 " + f.Number + "，公告 " + a.Number + "，请确认收到。",
		Link: "/filings",
	}); err != nil {
		return nil, nil, err
	}
	if r.Whole() && s.Applications == nil {
		// 000 Art 16: those using the data are told how long they keep it
		// (the applications domain does it, with each grant's own date,
		// when it is wired).
		holders, err := grantHolders(tx, r.DatasetID, now)
		if err != nil {
			return nil, nil, err
		}
		if err := s.send(tx, holders, notify.Notice{
			Kind: "revocation.grant_affected", Title: "您使用的数据将撤销开放：" + r.DatasetTitle,
			Body: "《" + r.DatasetTitle + "》自" + chineseDate(effective) + "起撤销开放。" + a.ExistingUsers, Link: link,
		}); err != nil {
			return nil, nil, err
		}
	}
	return a, f, nil
}

// grantHolders lists the users holding a grant on the dataset that is not
// over at now. The grants table belongs to the applications domain; before
// it exists there are none.
func grantHolders(tx *gorm.DB, datasetID string, now time.Time) ([]uint64, error) {
	if !tx.Migrator().HasTable("grants") {
		return nil, nil
	}
	var ids []uint64
	q := tx.Table("grants").Where("dataset_id = ? AND status = ? AND access_until > ? AND period_end > ?", datasetID, "active", now, now)
	err := q.Distinct("user_id").Order("user_id").Pluck("user_id", &ids).Error
	if err != nil {
		return nil, apperr.Internalf(err, "grant holders of %s", datasetID)
	}
	return ids, nil
}

// ---- the effective date ----------------------------------------------------

// apply withdraws the data of an approved revocation whose effective time
// has come: the entry becomes revoked (or the resource leaves it) and the
// outbox takes it out of the search index, in the same transaction.
// Idempotent: an applied revocation is left alone.
func (s *Service) apply(tx *gorm.DB, r *Revocation, now time.Time) error {
	if r.AppliedAt != nil {
		return nil
	}
	if r.Whole() {
		if err := tx.Model(&catalog.Dataset{}).Where("id = ? AND status = ?", r.DatasetID, catalog.StatusPublished).
			UpdateColumn("status", catalog.StatusRevoked).Error; err != nil {
			return apperr.Internalf(err, "revoke dataset %s", r.DatasetID)
		}
	} else {
		// The resource's own record survives in the revocation and its
		// announcement; the stored file stays in the blob store.
		if err := tx.Where("id = ? AND dataset_id = ?", r.ResourceID, r.DatasetID).Delete(&catalog.Resource{}).Error; err != nil {
			return apperr.Internalf(err, "remove resource %s", r.ResourceID)
		}
	}
	if err := outbox.Enqueue(tx, now, "dataset", r.DatasetID); err != nil {
		return err
	}
	r.AppliedAt, r.UpdatedAt = &now, now
	if err := tx.Model(&Revocation{}).Where("id = ?", r.ID).Updates(map[string]any{"applied_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	_, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: AuditApplied, ObjectType: "revocation", ObjectID: r.ID,
		Details: map[string]any{"dataset_id": r.DatasetID, "resource_id": r.ResourceID}})
	return err
}

// ApplyDue withdraws the data of every approved revocation whose effective
// time has come by the injected clock, one transaction each, and returns
// how many it applied. Running it again does nothing new.
func (s *Service) ApplyDue(ctx context.Context) (int, error) {
	now := s.now()
	var ids []string
	if err := s.DB.WithContext(ctx).Model(&Revocation{}).Where("status = ? AND applied_at IS NULL AND effective_at <= ?", Approved, now).
		Order("effective_at").Pluck("id", &ids).Error; err != nil {
		return 0, apperr.Internalf(err, "due revocations")
	}
	n := 0
	var errs []error
	for _, id := range ids {
		err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var r Revocation
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error; err != nil {
				return err
			}
			if r.AppliedAt != nil || !r.InEffect(now) {
				return nil // another replica was first
			}
			n++
			return s.apply(tx, &r, now)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if n > 0 && s.Kick != nil {
		s.Kick()
	}
	return n, errors.Join(errs...)
}

// Run applies due revocations every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.ApplyDue(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("apply due revocations", "err", err)
		} else if n > 0 && s.Log != nil {
			s.Log.Info("withdrew revoked data", "revocations", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ---- tombstones (catalog.Tombstones) ---------------------------------------

// Tombstone returns the withdrawal record of a dataset, or of one resource,
// whose approved revocation is in effect now, applied by the job or not.
func (s *Service) Tombstone(ctx context.Context, datasetID, resourceID string) (*catalog.Tombstone, error) {
	if datasetID == "" && resourceID == "" {
		return nil, nil
	}
	now := s.now()
	q := s.DB.WithContext(ctx).Where("status = ? AND effective_at <= ?", Approved, now)
	switch {
	case datasetID != "" && resourceID != "":
		q = q.Where("dataset_id = ? AND (resource_id = '' OR resource_id = ?)", datasetID, resourceID)
	case datasetID != "":
		q = q.Where("dataset_id = ? AND resource_id = ''", datasetID)
	default:
		q = q.Where("resource_id = ?", resourceID)
	}
	var list []Revocation
	if err := q.Order("effective_at").Limit(2).Find(&list).Error; err != nil {
		return nil, apperr.Internalf(err, "tombstone of %s %s", datasetID, resourceID)
	}
	if len(list) == 0 {
		return nil, nil
	}
	r := list[0]
	for _, x := range list {
		if x.Whole() {
			r = x // the whole dataset's withdrawal says more than one resource's
		}
	}
	t := &catalog.Tombstone{
		ID: r.DatasetID, Title: r.DatasetTitle, Department: catalog.RefJSON{ID: r.DepartmentID, Name: r.DepartmentName},
		AnnouncementID: r.AnnouncementID, Reason: r.Reason, RevokedAt: *r.EffectiveAt,
	}
	if !r.Whole() {
		t.Resource = &catalog.RefJSON{ID: r.ResourceID, Name: r.ResourceName}
	}
	var a Announcement
	if err := s.DB.WithContext(ctx).Select("number").Where("id = ?", r.AnnouncementID).Take(&a).Error; err == nil {
		t.AnnouncementNumber = a.Number
	}
	return t, nil
}

// Grace returns when the withdrawal of a whole dataset took effect and when
// its grace period ends (000 Art 16: data in use keeps being provided for
// the profile's months); found is false when no such withdrawal is in
// effect. The latest one counts.
func (s *Service) Grace(ctx context.Context, datasetID string) (effective, graceEnd time.Time, found bool, err error) {
	var list []Revocation
	err = s.DB.WithContext(ctx).Where("status = ? AND resource_id = '' AND dataset_id = ? AND effective_at <= ?", Approved, datasetID, s.now()).
		Order("effective_at DESC").Limit(1).Find(&list).Error
	if err != nil {
		return time.Time{}, time.Time{}, false, apperr.Internalf(err, "grace of %s", datasetID)
	}
	if len(list) == 0 || list[0].EffectiveAt == nil || list[0].GraceEnd == nil {
		return time.Time{}, time.Time{}, false, nil
	}
	return *list[0].EffectiveAt, *list[0].GraceEnd, true, nil
}

// Withdrawn returns which of ids have a whole-dataset revocation in effect
// that the job has not applied yet (applied ones left the index already).
func (s *Service) Withdrawn(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var found []string
	if err := s.DB.WithContext(ctx).Model(&Revocation{}).
		Where("status = ? AND applied_at IS NULL AND resource_id = '' AND effective_at <= ? AND dataset_id IN ?", Approved, s.now(), ids).
		Pluck("dataset_id", &found).Error; err != nil {
		return nil, apperr.Internalf(err, "withdrawn datasets")
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// ---- lists -----------------------------------------------------------------

// ListParams select revocations.
type ListParams struct {
	Status   string // "" or a Status
	Page     int
	PageSize int
}

// ListResult is one page.
type ListResult struct {
	Items []Revocation
	Total int64
}

// List returns the revocations the caller oversees: its department's for
// a provider, its region's for the authority; pending ones first.
func (s *Service) List(ctx context.Context, p *authz.Principal, lp ListParams) (*ListResult, error) {
	v := s.viewer(p)
	if lp.Status != "" && !slices.Contains(Statuses, Status(lp.Status)) {
		var va apperr.Validation
		va.Add("status", "status must be pending, approved or rejected")
		return nil, va.Err()
	}
	q := s.DB.WithContext(ctx).Model(&Revocation{})
	switch {
	case len(v.depts) > 0 && len(v.regions) > 0:
		q = q.Where("department_id IN ? OR region IN ?", v.depts, v.regions)
	case len(v.depts) > 0:
		q = q.Where("department_id IN ?", v.depts)
	case len(v.regions) > 0:
		q = q.Where("region IN ?", v.regions)
	default:
		q = q.Where("1 = 0")
	}
	if lp.Status != "" {
		q = q.Where("status = ?", lp.Status)
	}
	res := &ListResult{Items: []Revocation{}}
	if err := q.Count(&res.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count revocations")
	}
	err := q.Order(clause.Expr{SQL: "CASE WHEN status = 'pending' THEN 0 ELSE 1 END"}).Order("requested_at DESC").Order("id").
		Offset((lp.Page - 1) * lp.PageSize).Limit(lp.PageSize).Find(&res.Items).Error
	if err != nil {
		return nil, apperr.Internalf(err, "list revocations")
	}
	return res, nil
}

// ---- notices ---------------------------------------------------------------

// send addresses one notice to each user.
func (s *Service) send(tx *gorm.DB, users []uint64, n notify.Notice) error {
	if len(users) == 0 || s.Notify == nil {
		return nil
	}
	list := make([]notify.Notice, 0, len(users))
	seen := map[uint64]bool{}
	for _, u := range users {
		if u == 0 || seen[u] {
			continue
		}
		seen[u] = true
		x := n
		x.UserID = u
		list = append(list, x)
	}
	return s.Notify.Send(tx, list...)
}

// holdersIn lists the users holding role in domain (none without a policy).
func (s *Service) holdersIn(role, domain string) []uint64 {
	if s.Policy == nil {
		return nil
	}
	return authz.HoldersIn(s.Policy, role, domain)
}

// providerStaff lists the department's provider staff and the requester.
func (s *Service) providerStaff(dept string, requester uint64) []uint64 {
	return append(s.holdersIn(authz.RoleProvider, authz.DepartmentDomain(dept)), requester)
}

// NextEffective returns when the earliest approved whole-dataset
// revocation of datasetID that is not in effect yet takes effect; found is
// false when none is pending. Pages kept rendered expire then.
func (s *Service) NextEffective(ctx context.Context, datasetID string) (at time.Time, found bool, err error) {
	var list []Revocation
	err = s.DB.WithContext(ctx).Where("status = ? AND resource_id = '' AND dataset_id = ? AND effective_at > ?", Approved, datasetID, s.now()).
		Order("effective_at ASC").Limit(1).Find(&list).Error
	if err != nil {
		return time.Time{}, false, apperr.Internalf(err, "next revocation of %s", datasetID)
	}
	if len(list) == 0 || list[0].EffectiveAt == nil {
		return time.Time{}, false, nil
	}
	return *list[0].EffectiveAt, true, nil
}
