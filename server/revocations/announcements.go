package revocations

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/store"
)

// ---- announcements (public) ------------------------------------------------

// AnnouncementParams select public announcements.
type AnnouncementParams struct {
	DatasetID string
	Page      int
	PageSize  int
}

// AnnouncementPage is one page of announcements, newest first.
type AnnouncementPage struct {
	Items []Announcement
	Total int64
}

// Announcements lists the published announcements, newest first. They are
// public and permanent (000 Art 35).
func (s *Service) Announcements(ctx context.Context, ap AnnouncementParams) (*AnnouncementPage, error) {
	q := s.DB.WithContext(ctx).Model(&Announcement{})
	if ap.DatasetID != "" {
		q = q.Where("dataset_id = ?", ap.DatasetID)
	}
	out := &AnnouncementPage{Items: []Announcement{}}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count announcements")
	}
	if err := q.Order("published_at DESC").Order("year DESC").Order("seq DESC").
		Offset((ap.Page - 1) * ap.PageSize).Limit(ap.PageSize).Find(&out.Items).Error; err != nil {
		return nil, apperr.Internalf(err, "list announcements")
	}
	return out, nil
}

// AnnouncementDetail is one announcement with its links: the one it
// corrects and the corrections that followed it.
type AnnouncementDetail struct {
	Announcement
	Corrects    *Announcement
	CorrectedBy []Announcement
}

// Announcement returns one announcement by id.
func (s *Service) Announcement(ctx context.Context, id string) (*AnnouncementDetail, error) {
	a, err := s.loadAnnouncement(s.DB.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	d := &AnnouncementDetail{Announcement: *a, CorrectedBy: []Announcement{}}
	if a.CorrectsID != "" {
		if old, err := s.loadAnnouncement(s.DB.WithContext(ctx), a.CorrectsID); err == nil {
			d.Corrects = old
		}
	}
	if err := s.DB.WithContext(ctx).Where("corrects_id = ?", a.ID).Order("published_at").Order("seq").Find(&d.CorrectedBy).Error; err != nil {
		return nil, apperr.Internalf(err, "corrections of %s", a.ID)
	}
	return d, nil
}

func (s *Service) loadAnnouncement(db *gorm.DB, id string) (*Announcement, error) {
	if !store.ValidID(id, "ann") {
		return nil, apperr.New(apperr.NotFound, "announcement not found")
	}
	var a Announcement
	err := db.Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "announcement not found")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load announcement %s", id)
	}
	return &a, nil
}

// Latest returns the newest announcements (for the feed).
func (s *Service) Latest(ctx context.Context, n int) ([]Announcement, error) {
	var out []Announcement
	if err := s.DB.WithContext(ctx).Order("published_at DESC").Order("year DESC").Order("seq DESC").Limit(n).Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "latest announcements")
	}
	return out, nil
}

// ---- corrections -----------------------------------------------------------

// CorrectionInput corrects an announcement: what was wrong and, when the
// reason or the legal basis was wrong, the corrected wording.
type CorrectionInput struct {
	Correction string `json:"correction"`
	Reason     string `json:"reason"`      // optional: corrected reason
	LegalBasis string `json:"legal_basis"` // optional: corrected legal basis
}

// Correct publishes a correction of an announcement as a new, numbered
// announcement linked to it. The old one is never edited: both stay public.
// Only the authority of the announcement's region corrects it.
func (s *Service) Correct(ctx context.Context, p *authz.Principal, id string, in CorrectionInput) (*Announcement, error) {
	v := s.viewer(p)
	now := s.now()
	var out *Announcement
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := s.loadAnnouncement(tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(v.regions, old.Region) {
			return apperr.New(apperr.NotFound, "announcement not found")
		}
		var va apperr.Validation
		correction := text(&va, "correction", in.Correction, true, MaxText)
		reason := text(&va, "reason", in.Reason, false, MaxText)
		basis := text(&va, "legal_basis", in.LegalBasis, false, MaxText)
		if err := va.Err(); err != nil {
			return err
		}
		year := now.In(calendar.Zone).Year()
		seq, err := nextNumber(tx, seriesAnnouncement, year)
		if err != nil {
			return err
		}
		c := *old
		c.ID, c.Number, c.Year, c.Seq, c.Kind = store.NewID("ann"), FormatNumber(AnnouncementPrefix, year, seq), year, seq, KindCorrection
		c.CorrectsID, c.Correction, c.PublishedAt, c.PublishedBy = old.ID, correction, now, p.UserID
		if reason != "" {
			c.Reason = reason
		}
		if basis != "" {
			c.LegalBasis = basis
		}
		c.Title = correctionTitle(old)
		c.Body = correctionBody(&c, old)
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actor(p), Action: AuditCorrected, ObjectType: "announcement", ObjectID: c.ID,
			Details: map[string]any{"corrects": old.ID, "number": c.Number}}); err != nil {
			return err
		}
		out = &c
		var r Revocation
		if err := tx.Select("requested_by").Where("id = ?", c.RevocationID).Take(&r).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		return s.send(tx, s.providerStaff(c.DepartmentID, r.RequestedBy), notify.Notice{
			Kind: "announcement.corrected", Title: "公告已更正：" + old.Number,
			Body: "已发布" + c.Number + "更正" + old.Number + "：" + correction, Link: "/announcements/" + c.ID,
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "correct announcement")
	}
	return out, nil
}

// ---- filings (provincial authority) ----------------------------------------

// FilingParams select filings.
type FilingParams struct {
	Status   string // "", "pending" (not yet acknowledged) or "acknowledged"
	Page     int
	PageSize int
}

// FilingPage is one page of filings.
type FilingPage struct {
	Items []Filing
	Total int64
}

// Filings lists the filings the provincial authority received, those not
// yet acknowledged first.
func (s *Service) Filings(ctx context.Context, p *authz.Principal, fp FilingParams) (*FilingPage, error) {
	if !s.viewer(p).province {
		return nil, apperr.New(apperr.Forbidden, "only the provincial data authority receives filings")
	}
	q := s.DB.WithContext(ctx).Model(&Filing{})
	switch fp.Status {
	case "":
	case "pending":
		q = q.Where("acknowledged_at IS NULL")
	case "acknowledged":
		q = q.Where("acknowledged_at IS NOT NULL")
	default:
		var va apperr.Validation
		va.Add("status", "status must be pending or acknowledged")
		return nil, va.Err()
	}
	out := &FilingPage{Items: []Filing{}}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, apperr.Internalf(err, "count filings")
	}
	err := q.Order(clause.Expr{SQL: "CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END"}).Order("filed_at DESC").Order("id").
		Offset((fp.Page - 1) * fp.PageSize).Limit(fp.PageSize).Find(&out.Items).Error
	if err != nil {
		return nil, apperr.Internalf(err, "list filings")
	}
	return out, nil
}

// AcknowledgeInput is the provincial authority's receipt.
type AcknowledgeInput struct {
	Note string `json:"note"`
}

// Acknowledge records that the provincial authority received a filing
// (000 Art 35). Once only.
func (s *Service) Acknowledge(ctx context.Context, p *authz.Principal, id string, in AcknowledgeInput) (*Filing, error) {
	if !s.viewer(p).province {
		return nil, apperr.New(apperr.Forbidden, "only the provincial data authority receives filings")
	}
	if !store.ValidID(id, "fil") {
		return nil, apperr.New(apperr.NotFound, "filing not found")
	}
	now := s.now()
	var out Filing
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&out).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "filing not found")
		}
		if err != nil {
			return err
		}
		var va apperr.Validation
		note := text(&va, "note", in.Note, false, MaxText)
		if err := va.Err(); err != nil {
			return err
		}
		if out.AcknowledgedAt != nil {
			return apperr.New(apperr.Conflict, "this filing was acknowledged on %s", ChinaDate(*out.AcknowledgedAt))
		}
		out.AcknowledgedAt, out.AcknowledgedBy, out.AcknowledgerName, out.Note = &now, p.UserID, p.Name, note
		if err := tx.Model(&Filing{}).Where("id = ?", id).Updates(map[string]any{
			"acknowledged_at": now, "acknowledged_by": p.UserID, "acknowledger_name": p.Name, "note": note,
		}).Error; err != nil {
			return err
		}
		if _, err := audit.Append(tx, audit.Record{At: now, Actor: actor(p), Action: AuditAcknowledged, ObjectType: "revocation_filing", ObjectID: out.ID,
			Details: map[string]any{"number": out.Number, "revocation_id": out.RevocationID}}); err != nil {
			return err
		}
		body := "省级政务数据主管部门已确认收到备案 " + out.Number + "（《" + out.DatasetTitle + "》）。"
		if note != "" {
			body += "意见：" + note
		}
		return s.send(tx, []uint64{out.ApprovedBy}, notify.Notice{
			Kind: "revocation.filing_acknowledged", Title: "备案已确认：" + out.Number, Body: body, Link: "/revocations/review",
		})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "acknowledge filing")
	}
	return &out, nil
}

// trimTo shortens s to at most n runes with an ellipsis (feed summaries).
func trimTo(s string, n int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
