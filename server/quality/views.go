package quality

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/profile"
)

// ProfileView is a resource's profile as the API shows it.
type ProfileView struct {
	ResourceID    string           `json:"resource_id"`
	SHA256        string           `json:"sha256"`
	Rows          int64            `json:"rows"`
	DuplicateRows int64            `json:"duplicate_rows"`
	Columns       []profile.Column `json:"columns"`
	Undeclared    []string         `json:"undeclared_columns"`
	Missing       []string         `json:"missing_columns"`
	ProfiledAt    time.Time        `json:"profiled_at"`
}

// Pending is the answer while a profile is being made (202).
type Pending struct {
	Status     string `json:"status"` // "profiling"
	ResourceID string `json:"resource_id"`
}

// ProfilingError says the profile is being made: the handler answers 202
// with Retry-After.
type ProfilingError struct{ ResourceID string }

func (e *ProfilingError) Error() string { return "resource " + e.ResourceID + " is being profiled" }

// UnreadableError says the file cannot be profiled, for good (422).
type UnreadableError struct{ Reason string }

func (e *UnreadableError) Error() string { return "this file could not be profiled: " + e.Reason }

// useNotRecordedError: a grant holder's use could not be recorded, so
// nothing is shown (503, like downloads).
type useNotRecordedError struct{ err error }

func (e *useNotRecordedError) Error() string { return devapi.UseNotRecordedMessage }
func (e *useNotRecordedError) Unwrap() error { return e.err }

var errNotCSV = apperr.New(apperr.NotFound, "only CSV resources are profiled")

// PublicProfile returns the profile of a public resource for the caller:
// unconditional data to anyone, conditional data only to a grant holder
// and only the approved columns (devapi's rules, as for downloads), the
// use recorded first.
func (s *Service) PublicProfile(ctx context.Context, p *authz.Principal, id string) (*ProfileView, error) {
	res, ds, err := s.Data.Resource(ctx, id)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(res.Format, "CSV") {
		return nil, errNotCSV
	}
	scope, err := s.Data.Resolve(ctx, p, ds)
	if err != nil {
		return nil, err
	}
	items := ProfileItems(ds.DataItems)
	t := &target{ResourceID: res.ID, DatasetID: ds.ID, Name: res.Name, Format: res.Format, SHA256: res.SHA256,
		StorageKey: res.StorageKey, Items: items, ItemsHash: ItemsHash(items), Published: true}
	v, err := s.view(ctx, t)
	if err != nil || !scope.Restricted() {
		return v, err
	}
	restrict(v, scope)
	if s.Uses == nil {
		return nil, &useNotRecordedError{apperr.New(apperr.Unavailable, devapi.UseNotRecordedMessage)}
	}
	fields := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		fields[i] = c.ID
	}
	// 000 Art 28: the use is recorded before anything of the data leaves.
	u := devapi.Use{GrantID: scope.Grant.GrantID, UserID: scope.UserID, ResourceID: res.ID, Format: "profile", Fields: fields, At: s.Now().UTC()}
	if _, err := s.Uses.StartUse(ctx, u); err != nil {
		s.Log.Error("record grant use: profile not served", "err", err, "grant", u.GrantID, "resource", res.ID)
		return nil, &useNotRecordedError{err}
	}
	return v, nil
}

// restrict keeps only the columns a grant approves; undeclared columns are
// never shown to a grant holder (deny by default, as for downloads).
func restrict(v *ProfileView, scope *devapi.Scope) {
	cols := make([]profile.Column, 0, len(v.Columns))
	for _, c := range v.Columns {
		if scope.Allowed(c.ID) {
			cols = append(cols, c)
		}
	}
	missing := []string{}
	for _, m := range v.Missing {
		if scope.Allowed(m) {
			missing = append(missing, m)
		}
	}
	v.Columns, v.Missing, v.Undeclared = cols, missing, []string{}
}

// StaffProfile returns the profile of a resource for the catalog console:
// the owning department's staff (drafts included, so a provider sees it
// before submitting) and the authority reviewing the entry.
func (s *Service) StaffProfile(ctx context.Context, p *authz.Principal, id string) (*ProfileView, error) {
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "sign in required")
	}
	if !devapi.ValidID(id) {
		return nil, apperr.New(apperr.NotFound, "resource not found")
	}
	if err := s.StaffSees(ctx, p, id); err != nil {
		return nil, err
	}
	t, err := s.target(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.csv() {
		return nil, errNotCSV
	}
	return s.view(ctx, t)
}

// view returns t's current profile, or says it is being made (and makes
// sure it is queued: a GET heals a lost event) or cannot be made.
func (s *Service) view(ctx context.Context, t *target) (*ProfileView, error) {
	row, err := s.profileRow(ctx, t.ResourceID)
	if err != nil {
		return nil, err
	}
	switch {
	case t.current(row) && row.State == StateReady:
		var res profile.Result
		if err := json.Unmarshal([]byte(row.Result), &res); err != nil {
			return nil, apperr.Internalf(err, "decode profile of %s", t.ResourceID)
		}
		normalise(&res)
		at := res.ProfiledAt
		if row.ProfiledAt != nil {
			at = *row.ProfiledAt
		}
		return &ProfileView{ResourceID: t.ResourceID, SHA256: row.SHA256, Rows: res.Rows, DuplicateRows: res.DuplicateRows,
			Columns: res.Columns, Undeclared: res.Undeclared, Missing: res.Missing, ProfiledAt: at.UTC()}, nil
	case t.current(row) && row.State == StateFailed && !row.Transient:
		return nil, &UnreadableError{Reason: row.Error}
	}
	if err := s.requestProfile(ctx, t.ResourceID); err != nil {
		return nil, err
	}
	return nil, &ProfilingError{ResourceID: t.ResourceID}
}
