// Package devapi is what developers call: downloads of resources in every
// machine-readable format (the stored original with ranges and conditional
// requests, or a streamed conversion of the canonical table), the row API
// over tables loaded into the database, per-dataset download and API-call
// counts, and rate limits per token and per address.
//
// Conditionally open data (000 Art 34) is served only through an approved
// grant, and only the columns the grant approves, in every format.
package devapi

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
)

// Access is an active grant on one dataset: what the applications service
// approved (the approval is 000 Art 34; serving only what it approved is
// our reading of it).
type Access struct {
	GrantID     string
	DataItems   []string // approved data item names; nothing else is served
	PeriodStart time.Time
	PeriodEnd   time.Time
	AccessUntil time.Time
}

// Use is one use of a grant, recorded for at least 3 years (000 Art 28).
type Use struct {
	GrantID    string
	UserID     uint64
	ResourceID string
	Format     string
	Fields     []string
	Rows       int64
	Bytes      int64
	At         time.Time
}

// Grants is what devapi needs from the applications domain.
type Grants interface {
	// GrantAccess returns the caller's active grant on a dataset, or a
	// Forbidden error when there is none.
	GrantAccess(ctx context.Context, p *authz.Principal, datasetID string) (*Access, error)
	// StartUse writes the use record and its audit entry in one
	// transaction and returns the record's id. It is called before the
	// first byte of data leaves; when it fails, nothing is served.
	StartUse(ctx context.Context, u Use) (uint64, error)
	// CompleteUse adds the rows and bytes known only after sending.
	CompleteUse(ctx context.Context, id uint64, rows, bytes int64) error
}

// Scope is what one caller may read of one dataset.
type Scope struct {
	Dataset *catalog.Dataset
	// Grant is nil for unconditional data (no restriction).
	Grant *Access
	// UserID of the grant holder (0 for unconditional data).
	UserID uint64
	// GraceUntil is set when withdrawn unconditional data is served to a
	// token that used it before the withdrawal (000 Art 16).
	GraceUntil *time.Time
}

// Restricted reports whether only some columns may be served.
func (s *Scope) Restricted() bool { return s.Grant != nil }

// Allowed reports whether the column may be served to this caller. For a
// grant holder only the approved data items are (deny by default: a column
// the catalog does not declare is never served to a grant holder).
func (s *Scope) Allowed(name string) bool {
	if s.Grant == nil {
		return true
	}
	if !slices.Contains(s.Grant.DataItems, name) {
		return false
	}
	for _, it := range s.Dataset.DataItems {
		if it.Name == name {
			return true
		}
	}
	return false
}

// Resolve decides what the caller may read of a public dataset: all of an
// unconditional one; of a conditional one only what an active grant
// approves (000 Art 34). Anything else is hidden as not found.
func (h *Service) Resolve(ctx context.Context, p *authz.Principal, ds *catalog.Dataset) (*Scope, error) {
	if ds.Status == catalog.StatusRevoked && h.Withdrawn != nil {
		// Withdrawn (000 Art 35): only a grant still running, limited to the
		// grace period by the revocation (000 Art 16), reaches the data.
		open := *ds
		open.Status = catalog.StatusPublished
		if s, err := h.Resolve(ctx, p, &open); err == nil && s.Grant != nil {
			s.Dataset = ds
			return s, nil
		}
		// 000 Art 16: a token that used the unconditional data before the
		// withdrawal keeps it for the grace period too.
		if s, err := h.tokenGrace(ctx, p, ds); err != nil || s != nil {
			return s, err
		}
		if err := h.Withdrawn(ctx, "", ds, nil); err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.NotFound, "resource not found")
	}
	if !ds.Public() {
		return nil, apperr.New(apperr.NotFound, "resource not found")
	}
	if ds.OpenType == catalog.Unconditional {
		// 000 Art 34 ¶2: unconditional data is used directly, no login.
		return &Scope{Dataset: ds}, nil
	}
	// 000 Art 34: conditional data only through an approved application.
	if p == nil || h.Grants == nil {
		return nil, apperr.New(apperr.Forbidden, "this dataset is conditionally open: apply for access first")
	}
	acc, err := h.Grants.GrantAccess(ctx, p, ds.ID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.Forbidden, "this dataset is conditionally open: apply for access first")
		}
		return nil, err
	}
	if acc == nil {
		return nil, apperr.New(apperr.Forbidden, "this dataset is conditionally open: apply for access first")
	}
	if p.TokenGrantID != nil && *p.TokenGrantID != acc.GrantID {
		// A grant-scoped token reaches its own grant's data only.
		return nil, apperr.New(apperr.Forbidden, "this token is limited to another grant")
	}
	return &Scope{Dataset: ds, Grant: acc, UserID: p.UserID}, nil
}

// UseNotRecordedMessage is the message of the 503 answered when a grant's
// use cannot be recorded.
const UseNotRecordedMessage = "the use of this data could not be recorded, so nothing was sent; try again later"

// UseNotRecorded is the error code of that answer.
const UseNotRecorded apperr.Code = "use_not_recorded"

// UseRetryAfter is the Retry-After (seconds) of that answer.
const UseRetryAfter = 30

// useNotRecordedError: the data was not served because its use record
// could not be written.
type useNotRecordedError struct{ err *apperr.Error }

func (e *useNotRecordedError) Error() string { return e.err.Error() }
func (e *useNotRecordedError) Unwrap() error { return e.err }

// IsUseNotRecorded reports whether err is the refusal to serve data whose
// use could not be recorded (503, Retry-After).
func IsUseNotRecorded(err error) bool {
	var e *useNotRecordedError
	return errors.As(err, &e)
}

// startUse records a grant holder's use before any of the data leaves
// (000 Art 11: every use leaves a trace; 000 Art 28 use records). The
// record and its audit entry are one transaction in the applications
// service; when they cannot be written the data is not served. It returns
// the record id (0 when the scope is no grant).
func (h *Service) startUse(ctx context.Context, s *Scope, resourceID, format string, fields []string, rows, bytes int64) (uint64, error) {
	if s.Grant == nil {
		return 0, nil
	}
	if h.Grants == nil {
		return 0, &useNotRecordedError{err: apperr.New(apperr.Unavailable, UseNotRecordedMessage)}
	}
	u := Use{GrantID: s.Grant.GrantID, UserID: s.UserID, ResourceID: resourceID, Format: format, Fields: fields, Rows: rows, Bytes: bytes, At: h.Now().UTC()}
	id, err := h.Grants.StartUse(ctx, u)
	if err != nil {
		h.Log.Error("record grant use: data not served", "err", err, "grant", u.GrantID, "resource", resourceID)
		return 0, &useNotRecordedError{err: apperr.Wrap(apperr.Unavailable, err, UseNotRecordedMessage)}
	}
	return id, nil
}

// completeUse adds the rows and bytes sent to a use record; a failure is
// logged (the record itself exists).
func (h *Service) completeUse(ctx context.Context, id uint64, rows, bytes int64) {
	if id == 0 || h.Grants == nil {
		return
	}
	// The request may be gone (client disconnected): the counts are still written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := h.Grants.CompleteUse(ctx, id, rows, bytes); err != nil {
		h.Log.Warn("complete grant use record", "err", err, "use", id)
	}
}
