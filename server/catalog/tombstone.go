package catalog

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Tombstones knows which entries were withdrawn (server/revocations
// implements it). A withdrawn entry's URLs answer 410 Gone with its
// tombstone instead of a bare 404 (000 Art 35: the revocation is public).
type Tombstones interface {
	// Tombstone returns the record of a dataset withdrawn by now, or with
	// resourceID of that resource (its dataset may be ""), when its approved
	// revocation is in effect, even before the effective-date job has
	// changed the catalog row. nil when nothing is withdrawn.
	Tombstone(ctx context.Context, datasetID, resourceID string) (*Tombstone, error)
	// Withdrawn returns which of ids are withdrawn by now although the
	// catalog may still show them as published.
	Withdrawn(ctx context.Context, ids []string) (map[string]bool, error)
}

// Tombstone is what stays public of withdrawn data.
type Tombstone struct {
	ID                 string    `json:"id"`
	Title              string    `json:"title"`
	Department         RefJSON   `json:"department"`
	Resource           *RefJSON  `json:"resource,omitempty"` // set when one resource was withdrawn
	AnnouncementID     string    `json:"announcement_id,omitempty"`
	AnnouncementNumber string    `json:"announcement_number,omitempty"`
	Reason             string    `json:"reason,omitempty"`
	RevokedAt          time.Time `json:"revoked_at"`
}

// GoneError is a 410 whose body carries the tombstone next to "error"
// (web.Extra).
type GoneError struct {
	Err       *apperr.Error
	Tombstone *Tombstone
}

func (e *GoneError) Error() string { return e.Err.Error() }

// Unwrap exposes the code to the error handler.
func (e *GoneError) Unwrap() error { return e.Err }

// ExtraBody adds the tombstone to the error body.
func (e *GoneError) ExtraBody() map[string]any { return map[string]any{"tombstone": e.Tombstone} }

// gone answers 410 with the tombstone; msg names what was withdrawn.
func gone(t *Tombstone, msg string) error {
	return &GoneError{Err: apperr.New(apperr.Gone, "%s", msg), Tombstone: t}
}

// The messages of a withdrawn entry or resource (000 Art 35 requires the
// announcement; the reader is pointed to it).
const (
	goneDataset  = "this dataset is no longer open: its opening was revoked, see the revocation announcement"
	goneResource = "this resource is no longer open: its opening was revoked, see the revocation announcement"
)

// CheckWithdrawn answers Gone for an entry (or one resource of it)
// withdrawn by now and nil otherwise. A revoked row without a revocation record still
// gets a tombstone from the catalog row; entries that were never open stay
// not found.
func (s *Service) CheckWithdrawn(ctx context.Context, d *Dataset, resourceID string) error {
	if d.Status != StatusRevoked && !d.Public() {
		return nil
	}
	var t *Tombstone
	if s.Tombstones != nil {
		var err error
		if t, err = s.Tombstones.Tombstone(ctx, d.ID, resourceID); err != nil {
			return err
		}
	}
	if t == nil && d.Status == StatusRevoked && d.OpenType.Public() {
		t = &Tombstone{ID: d.ID, Title: d.Title, Department: RefJSON{d.DepartmentID, d.Department.Name}, RevokedAt: d.UpdatedAt}
	}
	if t == nil {
		return nil
	}
	if t.Resource != nil {
		return gone(t, goneResource)
	}
	return gone(t, goneDataset)
}

// CheckWithdrawnResource turns the lookup of a resource to download
// (Store.Resource's answer) into Gone when the resource, or its dataset,
// was withdrawn: downloads stop for the public with a tombstone. Grant
// holders in their grace period (000 Art 16) are the caller's business. A resource withdrawn on
// its own no longer has a row: its tombstone is found by its id.
func (s *Service) CheckWithdrawnResource(ctx context.Context, id string, d *Dataset, lookupErr error) error {
	if apperr.Is(lookupErr, apperr.NotFound) && s.Tombstones != nil {
		t, err := s.Tombstones.Tombstone(ctx, "", id)
		if err != nil {
			return err
		}
		if t != nil {
			return gone(t, goneResource)
		}
	}
	if lookupErr != nil {
		return lookupErr
	}
	return s.CheckWithdrawn(ctx, d, id)
}

// dropWithdrawn removes from a list page the entries whose revocation took
// effect a moment ago, before the job took them out of the index.
func (s *Service) dropWithdrawn(ctx context.Context, byID map[string]*Dataset, total *int) error {
	if s.Tombstones == nil || len(byID) == 0 {
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	gone, err := s.Tombstones.Withdrawn(ctx, ids)
	if err != nil {
		return err
	}
	for id := range gone {
		if _, ok := byID[id]; ok {
			delete(byID, id)
			*total--
		}
	}
	return nil
}
