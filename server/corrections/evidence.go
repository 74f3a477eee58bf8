package corrections

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"image"
	_ "image/jpeg" // evidence photos
	_ "image/png"  // evidence screenshots
	"io"
	"net/http"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
)

// Evidence files are judged by their content, never by their name or the
// declared type: a PNG or JPEG image that decodes (with sane dimensions),
// or a PDF document.
const (
	maxPixels  = 40_000_000 // larger images are refused (decompression bombs)
	sniffBytes = 256 << 10  // image headers (with EXIF) fit in this
)

var errBadEvidence = apperr.New(apperr.Invalid, "evidence must be a PNG or JPEG image or a PDF document")

// SniffEvidence reads the start of an upload and returns its media type,
// or an Invalid error. r keeps the bytes it peeked.
func SniffEvidence(r *bufio.Reader) (string, error) {
	head, err := r.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", apperr.Wrap(apperr.Invalid, err, "could not read the file")
	}
	if len(head) == 0 {
		return "", apperr.New(apperr.Invalid, "the file is empty")
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf", nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")), bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		cfg, format, err := image.DecodeConfig(bytes.NewReader(head))
		if err != nil {
			return "", errBadEvidence
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
			return "", apperr.New(apperr.Invalid, "the image is too large (%d×%d pixels)", cfg.Width, cfg.Height)
		}
		return "image/" + format, nil
	}
	return "", errBadEvidence
}

// AddEvidence stores a file for a report: the reporter's (by tracking
// code, while the report is open) or the department's (while it handles
// the report).
func (s *Service) AddEvidence(ctx context.Context, c *Correction, party string, r io.Reader) (*Evidence, error) {
	if party == PartyReporter && !c.Open() {
		return nil, apperr.New(apperr.Conflict, "the report was answered: no more evidence can be added")
	}
	var n int64
	if err := s.DB.WithContext(ctx).Model(&Evidence{}).Where("correction_id = ? AND party = ?", c.ID, party).Count(&n).Error; err != nil {
		return nil, apperr.Internalf(err, "count evidence")
	}
	if s.Limits.EvidencePerParty > 0 && n >= int64(s.Limits.EvidencePerParty) {
		return nil, apperr.New(apperr.Conflict, "at most %d files per report", s.Limits.EvidencePerParty)
	}
	br := bufio.NewReaderSize(r, sniffBytes)
	mt, err := SniffEvidence(br)
	if err != nil {
		return nil, err
	}
	st, err := s.Blobs.Put(ctx, br, s.Limits.EvidenceBytes)
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, apperr.New(apperr.TooLarge, "the file is larger than %d MB", s.Limits.EvidenceBytes>>20)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, apperr.New(apperr.TooLarge, "the file is larger than %d MB", s.Limits.EvidenceBytes>>20)
		}
		return nil, apperr.Internalf(err, "store evidence")
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, apperr.Internalf(err, "evidence id")
	}
	ev := &Evidence{ID: hex.EncodeToString(id), CorrectionID: c.ID, Party: party, MediaType: mt, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key, CreatedAt: s.now()}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(ev).Error; err != nil {
			return err
		}
		return s.addEvent(tx, c, Event{Kind: EventEvidenceAdded, DepartmentID: c.DepartmentID, Note: party})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "save evidence")
	}
	return ev, nil
}

// AddReporterEvidence adds the reporter's file to the report behind code.
func (s *Service) AddReporterEvidence(ctx context.Context, code string, r io.Reader) (*Evidence, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.AddEvidence(ctx, c, PartyReporter, r)
}

// AddDepartmentEvidence adds the handling department's file.
func (s *Service) AddDepartmentEvidence(ctx context.Context, p *authz.Principal, id uint64, r io.Reader) (*Evidence, error) {
	c, err := s.forDepartment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.AddEvidence(ctx, c, PartyDepartment, r)
}

// OpenEvidence opens a file of a report that the caller may see: view is
// what the caller may see of the report (reporter evidence needs
// ViewDepartment).
func (s *Service) openEvidence(ctx context.Context, c *Correction, view View, eid string) (*Evidence, blob.Object, error) {
	notFound := apperr.New(apperr.NotFound, "evidence not found")
	if len(eid) != 32 {
		return nil, nil, notFound
	}
	var ev Evidence
	err := s.DB.WithContext(ctx).Where("id = ? AND correction_id = ?", eid, c.ID).Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, apperr.Internalf(err, "load evidence")
	}
	if ev.Party == PartyReporter && view != ViewDepartment {
		return nil, nil, notFound
	}
	obj, err := s.Blobs.Open(ctx, ev.StorageKey)
	if err != nil {
		return nil, nil, apperr.Internalf(err, "open evidence %s", ev.ID)
	}
	return &ev, obj, nil
}

// EvidenceByCode opens the department's evidence for the reporter.
func (s *Service) EvidenceByCode(ctx context.Context, code, eid string) (*Evidence, blob.Object, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	return s.openEvidence(ctx, c, ViewReporter, eid)
}

// EvidenceFor opens a file of a report the signed-in caller may see.
func (s *Service) EvidenceFor(ctx context.Context, p *authz.Principal, id uint64, eid string) (*Evidence, blob.Object, error) {
	c, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, nil, err
	}
	view, err := s.viewOf(ctx, p, c)
	if err != nil {
		return nil, nil, err
	}
	if view == ViewNone {
		return nil, nil, errNotFound
	}
	return s.openEvidence(ctx, c, view, eid)
}
