package devapi

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
)

// Service serves resources and their tables to developers.
type Service struct {
	Catalog *catalog.Store
	Blobs   blob.Store
	Grants  Grants // nil until the applications domain is wired: conditional data is then refused
	Tables  *RowStore
	Counts  *Counter
	Log     *slog.Logger
	Now     func() time.Time
	TmpDir  string // scratch folder under the data dir (conversions stream and need none today)
	// Withdrawn turns a resource lookup into 410 Gone with a tombstone when
	// the data was withdrawn (catalog.Service.CheckWithdrawnResource;
	// optional, 000 Art 35).
	Withdrawn func(ctx context.Context, resourceID string, ds *catalog.Dataset, lookupErr error) error
	// Revoked returns when the withdrawal of a whole dataset took effect and
	// when its grace period ends (revocations.Service.Grace; optional).
	Revoked func(ctx context.Context, datasetID string) (effective, graceEnd time.Time, found bool, err error)
	// TokenUses remembers which tokens used which unconditional datasets,
	// the evidence of use for the grace period (000 Art 16).
	TokenUses *TokenUses
}

// Resource loads a resource and its dataset with details (data items).
// Unknown ids and ids no resource can have are not found.
func (h *Service) Resource(ctx context.Context, id string) (*catalog.Resource, *catalog.Dataset, error) {
	if !ValidID(id) {
		return nil, nil, apperr.New(apperr.NotFound, "resource not found")
	}
	res, ds, err := h.Catalog.Resource(ctx, id)
	if h.Withdrawn != nil {
		err = h.Withdrawn(ctx, id, ds, err)
		if apperr.Is(err, apperr.Gone) && ds != nil && ds.OpenType.Public() && !resourceWithdrawn(err) {
			// Withdrawn data: Resolve lets those with evidence of earlier use
			// through for the grace period (000 Art 16): grant holders of
			// conditional data, tokens that used unconditional data. Others
			// get the 410.
			full, ferr := h.Catalog.Dataset(ctx, ds.ID)
			if ferr != nil {
				return nil, nil, ferr
			}
			full.Status = catalog.StatusRevoked // also when the effective-date job has not run yet
			return res, full, nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if !ds.Public() {
		return nil, nil, apperr.New(apperr.NotFound, "resource not found")
	}
	full, err := h.Catalog.Dataset(ctx, ds.ID)
	if err != nil {
		return nil, nil, err
	}
	return res, full, nil
}

// resourceWithdrawn reports whether a Gone names one withdrawn resource
// (not its whole dataset): that resource leaves at once, with no grace.
func resourceWithdrawn(err error) bool {
	var g *catalog.GoneError
	return errors.As(err, &g) && g.Tombstone != nil && g.Tombstone.Resource != nil
}

// ValidID rejects ids no catalog object can have before the database is asked.
func ValidID(id string) bool {
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

// openBlob opens a resource's stored file.
func (h *Service) openBlob(ctx context.Context, res *catalog.Resource) (blob.Object, error) {
	obj, err := h.Blobs.Open(ctx, res.StorageKey)
	if err != nil {
		return nil, apperr.Internalf(err, "open stored file of resource %s", res.ID)
	}
	return obj, nil
}

// Rows answers a row query on a resource for the caller: the table is
// loaded on first use, a grant holder reads only approved fields, the call
// is counted, and a grant's use is recorded before the page is returned
// (000 Art 28).
func (h *Service) Rows(ctx context.Context, p *authz.Principal, resourceID string, q RowQuery) (*RowPage, error) {
	res, ds, err := h.Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	scope, err := h.Resolve(ctx, p, ds)
	if err != nil {
		return nil, err
	}
	meta, err := h.Tables.Meta(ctx, res, ds.DataItems)
	if err != nil {
		return nil, err
	}
	var readable func(string) bool
	if scope.Restricted() {
		readable = scope.Allowed
	}
	page, err := h.Tables.Query(ctx, meta, readable, q)
	if err != nil {
		return nil, err
	}
	if scope.Restricted() {
		fields := make([]string, 0, len(page.Fields))
		var size int64
		for _, f := range page.Fields {
			if f.ID != "_id" {
				fields = append(fields, f.ID)
			}
		}
		for _, r := range page.Records {
			size += int64(len(r))
		}
		// Recorded before the page is returned: no record, no data.
		format := "rows"
		if q.Arrays {
			format = "preview"
		}
		if _, err := h.startUse(ctx, scope, res.ID, format, fields, int64(len(page.Records)), size); err != nil {
			return nil, err
		}
	}
	h.noteTokenUse(ctx, p, scope)
	h.Counts.APICall(ds.ID)
	return page, nil
}
