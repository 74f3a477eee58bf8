package publishing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/policy"
	"github.com/hlj-opendata/portal/server/store"
	"github.com/hlj-opendata/portal/server/upload"
)

// Policy is what publishing asks the role policy (authz.Enforcer): may
// this caller manage or review in a domain, and who holds a role where
// (for notices).
type Policy interface {
	Allowed(p *authz.Principal, perm authz.Permission, domain string) bool
	authz.Directory // who holds which roles
}

// Notifier writes notices in the caller's transaction (notify.Service).
type Notifier interface {
	Send(tx *gorm.DB, notices ...notify.Notice) error
}

// Service holds the publishing rules and owns their transactions.
type Service struct {
	DB       *gorm.DB
	Catalog  *catalog.Store
	Blobs    blob.Store
	Uploads  *upload.Receiver
	Policy   Policy
	Notify   Notifier
	Calendar *calendar.Calendar
	Profile  policy.Profile
	Now      func() time.Time
	Log      *slog.Logger
	// Kick wakes the outbox worker after a commit so an approved entry is
	// searchable at once (optional).
	Kick func()
}

// Audit actions recorded by publishing.
const (
	ActionSubmitted = "catalog.submitted"
	ActionApproved  = "catalog.approved"
	ActionReturned  = "catalog.returned"
	ActionImported  = "catalog.imported"
)

// Notice kinds.
const (
	NoticeSubmitted = "catalog.submitted"
	NoticeApproved  = "catalog.approved"
	NoticeReturned  = "catalog.returned"
	NoticeOverdue   = "catalog.update_overdue"
)

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// Actor is who acts: a signed-in staff member or the command line.
type Actor struct {
	UserID       uint64
	Label        string // "u:42" or "cli"
	IP           string
	DepartmentID string // the provider department acted for
}

func (a Actor) audit() audit.Actor { return audit.Actor{UserID: a.UserID, Label: a.Label, IP: a.IP} }

// ProviderActor checks that p manages its department's catalog (provider
// role in its department's domain) and returns it as an Actor.
func (s *Service) ProviderActor(p *authz.Principal) (Actor, error) {
	if p == nil {
		return Actor{}, apperr.New(apperr.Unauthorized, "sign in required")
	}
	if p.DepartmentID == "" || !s.Policy.Allowed(p, authz.DatasetsManage, authz.DepartmentDomain(p.DepartmentID)) {
		return Actor{}, apperr.New(apperr.Forbidden, "only staff of a provider department manage its catalog entries")
	}
	return Actor{UserID: p.UserID, Label: p.Subject(), IP: p.IP, DepartmentID: p.DepartmentID}, nil
}

// reviewRegion returns the region p reviews entries of ("" when none).
func (s *Service) reviewRegion(p *authz.Principal) string {
	if p == nil || p.Region == "" || !s.Policy.Allowed(p, authz.DatasetsReview, authz.RegionDomain(p.Region)) {
		return ""
	}
	return p.Region
}

// viewer is what a caller may see in the console.
type viewer struct {
	actor      Actor
	department string // provider: its department
	region     string // authority: its region
}

func (s *Service) viewerOf(p *authz.Principal) (viewer, error) {
	if p == nil {
		return viewer{}, apperr.New(apperr.Unauthorized, "sign in required")
	}
	v := viewer{region: s.reviewRegion(p)}
	if a, err := s.ProviderActor(p); err == nil {
		v.actor, v.department = a, a.DepartmentID
	} else {
		v.actor = Actor{UserID: p.UserID, Label: p.Subject(), IP: p.IP}
	}
	if v.department == "" && v.region == "" {
		return v, apperr.New(apperr.Forbidden, "only provider departments and the data authority use the catalog console")
	}
	return v, nil
}

// entry is a catalog entry as publishing sees it: its published state
// (nil before the first approval) and its working version (nil when no
// change is pending).
type entry struct {
	ID           string
	DepartmentID string
	Department   catalog.Department
	Published    *catalog.Dataset
	Working      *Version
}

func (e *entry) title() string {
	if e.Working != nil {
		return e.Working.Title
	}
	return e.Published.Title
}

// sees reports whether v may see e. Hidden entries answer 404 like missing
// ones. The authority sees its region's entries but not drafts never sent
// to it.
func (v viewer) sees(e *entry) bool {
	if v.department != "" && e.DepartmentID == v.department {
		return true
	}
	if v.region != "" && e.Department.Region == v.region {
		return e.Published != nil || (e.Working != nil && e.Working.Status != StatusDraft)
	}
	return false
}

func (v viewer) owns(e *entry) bool { return v.department != "" && e.DepartmentID == v.department }

var errNotFound = apperr.New(apperr.NotFound, "catalog entry not found")

// load reads an entry with its working version and resources.
func (s *Service) load(ctx context.Context, db *gorm.DB, id string) (*entry, error) {
	if !validID(id) {
		return nil, errNotFound
	}
	e := &entry{ID: id}
	ds, err := s.Catalog.Dataset(ctx, id)
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		return nil, err
	default:
		e.Published, e.DepartmentID = ds, ds.DepartmentID
	}
	var w Version
	err = db.WithContext(ctx).Preload("Resources", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("dataset_id = ? AND status IN ?", id, []Status{StatusDraft, StatusSubmitted, StatusReturned}).
		Order("number DESC").Take(&w).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return nil, apperr.Internalf(err, "load working version of %s", id)
	default:
		e.Working, e.DepartmentID = &w, w.DepartmentID
	}
	if e.Published == nil && e.Working == nil {
		return nil, errNotFound
	}
	if err := db.WithContext(ctx).Where("id = ?", e.DepartmentID).Take(&e.Department).Error; err != nil {
		return nil, apperr.Internalf(err, "load department of %s", id)
	}
	return e, nil
}

// loadFor loads an entry v may see.
func (s *Service) loadFor(ctx context.Context, v viewer, id string) (*entry, error) {
	e, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !v.sees(e) {
		return nil, errNotFound
	}
	if !v.owns(e) && e.Working != nil && e.Working.Status == StatusDraft {
		e.Working = nil // the authority does not see a draft before it is submitted
	}
	return e, nil
}

// loadOwned loads an entry of the actor's department.
func (s *Service) loadOwned(ctx context.Context, a Actor, id string) (*entry, error) {
	e, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if e.DepartmentID != a.DepartmentID {
		return nil, errNotFound
	}
	return e, nil
}

func validID(id string) bool {
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

func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ---- drafts ----

// readOnlyMembers of the public JSON that a draft ignores.
var readOnlyMembers = []string{"id", "department", "version", "published_at", "updated_at", "downloads", "under_dispute", "resources", "freshness", "highlights"}

// DecodeDraft reads a draft from a JSON object. With base, raw is a merge
// patch on base: members present replace base's, null clears them.
func DecodeDraft(raw []byte, base *Draft) (Draft, error) {
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(raw, &patch); err != nil || patch == nil {
		return Draft{}, apperr.New(apperr.Invalid, "the body must be a JSON object")
	}
	for _, k := range readOnlyMembers {
		delete(patch, k)
	}
	merged := map[string]json.RawMessage{}
	if base != nil {
		b, _ := json.Marshal(base)
		_ = json.Unmarshal(b, &merged)
	}
	for k, v := range patch {
		if string(v) == "null" {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	var d Draft
	if err := json.Unmarshal(b, &d); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			e := apperr.New(apperr.Invalid, "wrong type for field %q", field)
			e.Fields = map[string]string{field: "wrong type, want " + te.Type.String()}
			return Draft{}, e
		}
		return Draft{}, apperr.New(apperr.Invalid, "malformed draft")
	}
	d.Normalise()
	return d, nil
}

// check validates d completely: its fields, then that its topic exists.
func (s *Service) check(ctx context.Context, d *Draft, dept *catalog.Department) error {
	if d.Region == "" && dept != nil {
		d.Region = dept.Region
	}
	err := d.Validate()
	if d.Topic.ID != "" {
		var n int64
		if qerr := s.DB.WithContext(ctx).Model(&catalog.Topic{}).Where("id = ?", d.Topic.ID).Count(&n).Error; qerr != nil {
			return apperr.Internalf(qerr, "check topic")
		}
		if n == 0 {
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				ae = apperr.New(apperr.Invalid, "validation failed")
				ae.Fields = map[string]string{}
			}
			if _, ok := ae.Fields["topic"]; !ok {
				ae.Fields["topic"] = fmt.Sprintf("unknown topic %q", d.Topic.ID)
			}
			return ae
		}
	}
	return err
}

func snapshot(d Draft) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// Create writes a new entry's first draft for the actor's department.
func (s *Service) Create(ctx context.Context, a Actor, raw []byte) (string, error) {
	d, err := DecodeDraft(raw, nil)
	if err != nil {
		return "", err
	}
	var dept catalog.Department
	if err := s.DB.WithContext(ctx).Where("id = ?", a.DepartmentID).Take(&dept).Error; err != nil {
		return "", apperr.Wrap(apperr.Forbidden, err, "your account's department %q is not in the catalog", a.DepartmentID)
	}
	if err := s.check(ctx, &d, &dept); err != nil {
		return "", err
	}
	now := s.now()
	v := Version{DatasetID: newID("ds-"), Number: 1, DepartmentID: dept.ID, Status: StatusDraft, Title: d.Title,
		Snapshot: snapshot(d), CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.DB.WithContext(ctx).Create(&v).Error; err != nil {
		return "", apperr.Internalf(err, "create draft")
	}
	return v.DatasetID, nil
}

// openVersion starts a new working version of a published entry, copying
// its published state (resources keep their ids). The first time, the
// published state itself is recorded as a version, so every version is kept.
func (s *Service) openVersion(tx *gorm.DB, e *entry, a Actor, now time.Time) (*Version, error) {
	ds := e.Published
	if ds.Status != catalog.StatusPublished {
		return nil, apperr.New(apperr.Conflict, "the entry is %s and cannot be changed", ds.Status)
	}
	base := DraftFromDataset(ds)
	var last Version
	err := tx.Where("dataset_id = ?", ds.ID).Order("number DESC").Take(&last).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		at := ds.UpdatedAt
		if ds.PublishedAt != nil {
			at = *ds.PublishedAt
		}
		last = Version{DatasetID: ds.ID, Number: max(ds.Version, 1), DepartmentID: ds.DepartmentID, Status: StatusApproved,
			Title: ds.Title, Snapshot: snapshot(base), CreatedAt: at, UpdatedAt: at, ApprovedAt: &at}
		if err := tx.Create(&last).Error; err != nil {
			return nil, err
		}
		if rs := resourcesOf(last.ID, ds.Resources); len(rs) > 0 {
			if err := tx.Create(&rs).Error; err != nil {
				return nil, err
			}
		}
	} else if err != nil {
		return nil, err
	}
	w := &Version{DatasetID: ds.ID, Number: max(last.Number, ds.Version) + 1, DepartmentID: ds.DepartmentID, Status: StatusDraft,
		Title: ds.Title, Snapshot: snapshot(base), CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(w).Error; err != nil {
		if store.IsDuplicate(err) {
			return nil, apperr.New(apperr.Conflict, "someone else started a change of this entry at the same time; reload")
		}
		return nil, err
	}
	w.Resources = resourcesOf(w.ID, ds.Resources)
	// Keep what the last approved version knew about its files (columns found).
	var known []VersionResource
	if err := tx.Where("version_id = ?", last.ID).Find(&known).Error; err != nil {
		return nil, err
	}
	for i := range w.Resources {
		for _, k := range known {
			if k.ResourceID == w.Resources[i].ResourceID && k.SHA256 == w.Resources[i].SHA256 {
				w.Resources[i].Columns, w.Resources[i].Encoding = k.Columns, k.Encoding
			}
		}
	}
	if len(w.Resources) > 0 {
		if err := tx.Create(&w.Resources).Error; err != nil {
			return nil, err
		}
	}
	return w, nil
}

func resourcesOf(versionID uint64, rs []catalog.Resource) []VersionResource {
	out := make([]VersionResource, 0, len(rs))
	for i, r := range rs {
		out = append(out, VersionResource{VersionID: versionID, ResourceID: r.ID, Position: i, Name: r.Name, Format: r.Format,
			MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256, Rows: r.Rows, StorageKey: r.StorageKey, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	return out
}

// Update applies a merge patch to the entry's working version; on a
// published entry with no pending change it opens a new version first.
func (s *Service) Update(ctx context.Context, a Actor, id string, raw []byte) error {
	e, err := s.loadOwned(ctx, a, id)
	if err != nil {
		return err
	}
	var base Draft
	switch {
	case e.Working != nil && !e.Working.Status.Editable():
		return apperr.New(apperr.Conflict, "the entry is under review and cannot be changed until the authority decides")
	case e.Working != nil:
		if base, err = e.Working.Draft(); err != nil {
			return apperr.Internalf(err, "decode draft of %s", id)
		}
	default:
		base = DraftFromDataset(e.Published)
	}
	d, err := DecodeDraft(raw, &base)
	if err != nil {
		return err
	}
	if err := s.check(ctx, &d, &e.Department); err != nil {
		return err
	}
	now := s.now()
	// A profile checks a file against the data items: new items, new profiles.
	reprofile := !slices.EqualFunc(base.DataItems, d.DataItems, sameForProfile)
	queued := false
	err = s.tx(ctx, func(tx *gorm.DB) error {
		w := e.Working
		if w == nil {
			if w, err = s.openVersion(tx, e, a, now); err != nil {
				return err
			}
		}
		res := tx.Model(&Version{}).Where("id = ? AND status IN ?", w.ID, []Status{StatusDraft, StatusReturned}).
			Updates(map[string]any{"snapshot": snapshot(d), "title": d.Title, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the entry was submitted meanwhile and cannot be changed")
		}
		if !reprofile {
			return nil
		}
		ids := profiledResources(w.Resources)
		queued = len(ids) > 0
		return outbox.Enqueue(tx, now, OutboxProfile, ids...)
	})
	if err == nil && queued && s.Kick != nil {
		s.Kick()
	}
	return err
}

// OutboxProfile is the outbox kind that profiles a resource's file
// (server/quality handles it; the entity is the resource id).
const OutboxProfile = "profile"

// sameForProfile reports whether a profile made against item a holds for
// b: descriptions do not matter to it.
func sameForProfile(a, b DataItem) bool {
	return a.Name == b.Name && a.Label == b.Label && a.Type == b.Type && a.Domain == b.Domain && a.Required == b.Required
}

// profiledResources are the ids of the files that get a profile: only CSV
// is profiled (the public contract answers 404 for other formats).
func profiledResources(rs []VersionResource) []string {
	ids := []string{}
	for _, r := range rs {
		if strings.EqualFold(r.Format, string(upload.CSV)) {
			ids = append(ids, r.ResourceID)
		}
	}
	return ids
}

// tx runs fn in a transaction; errors that are not apperr become internal.
func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := s.DB.WithContext(ctx).Transaction(fn)
	if err != nil && apperr.CodeOf(err) == apperr.Internal {
		var ae *apperr.Error
		if !errors.As(err, &ae) {
			return apperr.Internalf(err, "publishing transaction")
		}
	}
	return err
}

// ---- submit and review ----

// Submit sends the working version to the authority for review (000 Art
// 12). It must be complete: every field valid, at least one resource for
// open entries, and every resource matching the declared data items.
func (s *Service) Submit(ctx context.Context, a Actor, id, note string) error {
	e, err := s.loadOwned(ctx, a, id)
	if err != nil {
		return err
	}
	w := e.Working
	switch {
	case w == nil:
		return apperr.New(apperr.Conflict, "nothing to submit: the entry has no pending change")
	case !w.Status.Editable():
		return apperr.New(apperr.Conflict, "the entry is already under review")
	}
	d, err := w.Draft()
	if err != nil {
		return apperr.Internalf(err, "decode draft of %s", id)
	}
	var v apperr.Validation
	if err := s.check(ctx, &d, &e.Department); err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
			return err
		}
		for k, m := range ae.Fields {
			v.Add(k, "%s", m)
		}
	}
	// 000 Art 13: the entry declares its data items; a draft may lack them
	// while the provider proposes them from a file, a submission may not.
	v.Check(len(d.DataItems) > 0, "data_items", "declare at least one data item before submitting")
	note = strings.TrimSpace(note)
	v.Check(utf8.RuneCountInString(note) <= MaxText, "note", "at most %d characters", MaxText)
	if d.OpenType.Public() && len(w.Resources) == 0 {
		v.Add("resources", "upload at least one resource before submitting an open entry")
	}
	formatsMatch(&v, d, w.Resources)
	for i, r := range w.Resources {
		if r.Columns == "" {
			continue // loaded straight into the catalog: columns never recorded
		}
		if msg := columnsMatch(r.ColumnNames(), d.DataItems); msg != "" {
			v.Add(fmt.Sprintf("resources[%d]", i), "%s: %s", r.Name, msg)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	now := s.now()
	due := s.Calendar.AddWorkingDays(now, s.Profile.CatalogReviewByAuthority).UTC() // 001 Art 17 ¶3 (updates); first submissions: our choice, same days
	err = s.tx(ctx, func(tx *gorm.DB) error {
		upd := map[string]any{"status": StatusSubmitted, "submitted_at": now, "review_due": due, "fix_due": nil, "updated_at": now}
		if note != "" {
			upd["note"] = note // a resubmission without a note keeps the first one
		}
		res := tx.Model(&Version{}).Where("id = ? AND status IN ?", w.ID, []Status{StatusDraft, StatusReturned}).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the entry is already under review")
		}
		notices := []notify.Notice{}
		for _, uid := range authz.HoldersIn(s.Policy, authz.RoleAuthority, authz.RegionDomain(e.Department.Region)) {
			notices = append(notices, notify.Notice{UserID: uid, Kind: NoticeSubmitted, Link: reviewLink(id),
				Title: "目录待审核：" + clipTitle(d.Title),
				Body:  fmt.Sprintf("%s 提交了目录“%s”（第 %d 版），请于 %s 前完成审核（《政务数据共享条例》第十七条）。", e.Department.Name, d.Title, w.Number, chinaDate(due))})
		}
		if err := s.Notify.Send(tx, notices...); err != nil {
			return err
		}
		_, err := audit.Append(tx, audit.Record{At: now, Actor: a.audit(), Action: ActionSubmitted, ObjectType: "dataset", ObjectID: id,
			Details: map[string]any{"version": w.Number, "review_due": due.Format(time.RFC3339)}})
		return err
	})
	return err
}

// formatsMatch checks the declared formats against the files (001 Art 13:
// the entry states its data format): every file's format is declared, and
// every declared format of an entry with files has one. A not-open entry
// without files declares the formats it holds.
func formatsMatch(v *apperr.Validation, d Draft, rs []VersionResource) {
	if len(d.Formats) == 0 {
		v.Add("formats", "declare the data's formats before submitting")
	}
	have := map[string]bool{}
	for i, r := range rs {
		f := strings.ToUpper(r.Format)
		have[f] = true
		if len(d.Formats) > 0 && !slices.Contains(d.Formats, f) {
			v.Add(fmt.Sprintf("resources[%d]", i), "%s is a %s file, but %s is not a declared format", r.Name, f, f)
		}
	}
	if len(rs) == 0 && !d.OpenType.Public() {
		return
	}
	for _, f := range d.Formats {
		if !have[f] {
			v.Add("formats", "the declared format %s has no resource: upload a %s file or remove the format", f, f)
		}
	}
}

// columnsMatch checks a stored file's columns against the data items
// declared now (they may have changed after the upload).
func columnsMatch(cols []string, items []DataItem) string {
	names := map[string]bool{}
	for _, it := range items {
		names[it.Name] = true
	}
	for _, c := range cols {
		if !names[c] {
			return fmt.Sprintf("its column %q is no longer a declared data item; upload it again", c)
		}
	}
	for _, it := range items {
		if it.Required && !slices.Contains(cols, it.Name) {
			return fmt.Sprintf("it has no column for the required data item %q; upload it again", it.Name)
		}
	}
	return ""
}

// ReviewInput is the authority's decision.
type ReviewInput struct {
	Decision string `json:"decision"` // approve | return
	Comment  string `json:"comment"`
}

// Review records the authority's decision on a submitted version:
// approve publishes it (into the catalog and search, in one transaction
// with its outbox event); return sends it back with comments, the fixes
// due within the profile's working days (000 Art 12).
func (s *Service) Review(ctx context.Context, p *authz.Principal, id string, in ReviewInput) error {
	region := s.reviewRegion(p)
	if region == "" {
		return apperr.New(apperr.Forbidden, "only the data authority reviews catalog entries")
	}
	var v apperr.Validation
	in.Comment = strings.TrimSpace(in.Comment)
	v.Check(in.Decision == Approve || in.Decision == Return, "decision", "decision must be approve or return")
	v.Check(in.Decision != Return || in.Comment != "", "comment", "say what must be fixed when returning an entry")
	v.Check(utf8.RuneCountInString(in.Comment) <= MaxText, "comment", "at most %d characters", MaxText)
	e, err := s.load(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if e.Department.Region != region {
		return errNotFound
	}
	if e.Working == nil || e.Working.Status != StatusSubmitted {
		if err := v.Err(); err != nil {
			return err
		}
		return apperr.New(apperr.Conflict, "the entry is not waiting for review")
	}
	if err := v.Err(); err != nil {
		return err
	}
	w := e.Working
	d, err := w.Draft()
	if err != nil {
		return apperr.Internalf(err, "decode draft of %s", id)
	}
	now := s.now()
	by := Actor{UserID: p.UserID, Label: p.Subject(), IP: p.IP}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		upd := map[string]any{"updated_at": now}
		if in.Decision == Approve {
			ch, err := s.changes(tx, w, d)
			if err != nil {
				return err
			}
			upd["status"], upd["approved_at"], upd["approved_by"], upd["changes"] = StatusApproved, now, p.UserID, ch
		} else {
			fixDue := s.Calendar.AddWorkingDays(now, s.Profile.CatalogFixByProvider).UTC() // 000 Art 12: fixes within 5 working days
			upd["status"], upd["returned_at"], upd["fix_due"] = StatusReturned, now, fixDue
		}
		res := tx.Model(&Version{}).Where("id = ? AND status = ?", w.ID, StatusSubmitted).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the entry was decided meanwhile")
		}
		if err := tx.Create(&Review{VersionID: w.ID, DatasetID: id, Decision: in.Decision, Comment: in.Comment, ReviewerID: p.UserID, At: now}).Error; err != nil {
			return err
		}
		var notice notify.Notice
		action := ActionReturned
		if in.Decision == Approve {
			action = ActionApproved
			if err := s.publish(tx, e, w, d, now); err != nil {
				return err
			}
			body := fmt.Sprintf("目录“%s”第 %d 版已审核通过并发布。", d.Title, w.Number)
			if in.Comment != "" {
				body += "审核意见：" + in.Comment
			}
			notice = notify.Notice{Kind: NoticeApproved, Title: "目录已发布：" + clipTitle(d.Title), Body: body, Link: consoleLink(id)}
		} else {
			due, _ := upd["fix_due"].(time.Time)
			notice = notify.Notice{Kind: NoticeReturned, Title: "目录被退回修改：" + clipTitle(d.Title), Link: consoleLink(id),
				Body: fmt.Sprintf("目录“%s”第 %d 版被退回。审核意见：%s\n请于 %s 前修改后重新提交（《黑龙江省政务数据管理暂行办法》第十二条）。", d.Title, w.Number, in.Comment, chinaDate(due))}
		}
		var notices []notify.Notice
		for _, uid := range authz.HoldersIn(s.Policy, authz.RoleProvider, authz.DepartmentDomain(e.DepartmentID)) {
			n := notice
			n.UserID = uid
			notices = append(notices, n)
		}
		if err := s.Notify.Send(tx, notices...); err != nil {
			return err
		}
		_, err := audit.Append(tx, audit.Record{At: now, Actor: by.audit(), Action: action, ObjectType: "dataset", ObjectID: id,
			Details: map[string]any{"version": w.Number, "decision": in.Decision, "comment": in.Comment}})
		return err
	})
	if err == nil && in.Decision == Approve && s.Kick != nil {
		s.Kick()
	}
	return err
}

// publish copies an approved version into the catalog tables and queues
// the search update, in the caller's transaction.
func (s *Service) publish(tx *gorm.DB, e *entry, w *Version, d Draft, now time.Time) error {
	ds := &catalog.Dataset{
		ID: e.ID, Title: d.Title, Description: d.Description, DepartmentID: e.DepartmentID, TopicID: d.Topic.ID,
		OpenType: d.OpenType, OpenConditions: d.OpenConditions, NotOpenReason: d.NotOpenReason, UsageScope: d.UsageScope,
		UpdateFrequency: d.UpdateFrequency, Classification: d.Classification, Grade: d.Grade, Tags: catalog.Strings(d.Tags),
		Region: d.Region, Status: catalog.StatusPublished, Version: w.Number, PublishedAt: &now, UpdatedAt: now, CreatedAt: now,
		ResourceCode: d.ResourceCode, ShareType: d.ShareType, ShareConditions: d.ShareConditions, ShareMethod: d.ShareMethod,
		DeclaredFormats: catalog.Strings(d.Formats),
	}
	if e.Published != nil && e.Published.PublishedAt != nil {
		ds.PublishedAt = e.Published.PublishedAt // first publication stays; updated_at says when it changed
	}
	for i, it := range d.DataItems {
		ds.DataItems = append(ds.DataItems, catalog.DataItem{DatasetID: e.ID, Position: i, Name: it.Name, Label: it.Label, Type: it.Type, Description: it.Description, Required: it.Required, Domain: it.Domain})
	}
	for i, r := range w.Resources {
		ds.Resources = append(ds.Resources, catalog.Resource{ID: r.ResourceID, DatasetID: e.ID, Position: i, Name: r.Name, Format: r.Format,
			MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256, Rows: r.Rows, StorageKey: r.StorageKey, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	if err := s.Catalog.Publish(tx, ds); err != nil {
		return err
	}
	return outbox.Enqueue(tx, now, "dataset", e.ID)
}

// changes lists what w changes relative to the last approved version.
func (s *Service) changes(tx *gorm.DB, w *Version, d Draft) (string, error) {
	var prev Version
	err := tx.Preload("Resources").Where("dataset_id = ? AND status = ?", w.DatasetID, StatusApproved).Order("number DESC").Take(&prev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return `["created"]`, nil
	}
	if err != nil {
		return "", err
	}
	pd, err := prev.Draft()
	if err != nil {
		return "", err
	}
	out := diffDrafts(pd, d)
	if resourceKey(prev.Resources) != resourceKey(w.Resources) {
		out = append(out, "resources")
	}
	b, _ := json.Marshal(out)
	return string(b), nil
}

// diffDrafts names the top-level members that differ.
func diffDrafts(a, b Draft) []string {
	var ma, mb map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	out := []string{}
	for k := range keys {
		if string(ma[k]) != string(mb[k]) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func resourceKey(rs []VersionResource) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.ResourceID + ":" + r.SHA256 + ":" + r.Name
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// consoleLink is the entry's page in the department console; reviewLink
// the same page for the authority.
func consoleLink(id string) string { return "/console/datasets/" + id }

func reviewLink(id string) string { return "/review/datasets/" + id }

func clipTitle(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}

var chinaZone = calendar.Zone

func chinaDate(t time.Time) string { return t.In(chinaZone).Format("2006-01-02") }
