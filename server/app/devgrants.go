package app

import (
	"context"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/devapi"
)

// devGrants lets the developer API check grants and record their use
// through the applications service (000 Art 34, 28), and accounts scope a
// token to a grant.
type devGrants struct{ s *applications.Service }

var _ devapi.Grants = devGrants{}

func (g devGrants) GrantAccess(ctx context.Context, p *authz.Principal, datasetID string) (*devapi.Access, error) {
	a, err := g.s.GrantAccess(ctx, p, datasetID)
	if err != nil || a == nil {
		return nil, err
	}
	return &devapi.Access{GrantID: a.GrantID, DataItems: a.DataItems, PeriodStart: a.PeriodStart, PeriodEnd: a.PeriodEnd, AccessUntil: a.AccessUntil}, nil
}

func (g devGrants) StartUse(ctx context.Context, u devapi.Use) (uint64, error) {
	return g.s.StartUse(ctx, applications.Use{GrantID: u.GrantID, UserID: u.UserID, ResourceID: u.ResourceID, Format: u.Format,
		Fields: u.Fields, Rows: u.Rows, Bytes: u.Bytes, At: u.At})
}

func (g devGrants) CompleteUse(ctx context.Context, id uint64, rows, bytes int64) error {
	return g.s.CompleteUse(ctx, id, rows, bytes)
}

var _ accounts.GrantChecker = devGrants{}

// CheckOwnActiveGrant lets accounts scope a token to a grant: only the
// caller's own (a provider may read its department's grants, but a token
// never carries someone else's), and only while it is active.
func (g devGrants) CheckOwnActiveGrant(ctx context.Context, p *authz.Principal, grantID string) error {
	gr, err := g.s.Grant(ctx, p, grantID)
	if err != nil {
		return err
	}
	if gr.UserID != p.UserID {
		return apperr.New(apperr.NotFound, "grant not found")
	}
	if st := gr.State(g.s.Now().UTC()); st != "active" {
		return apperr.New(apperr.Conflict, "this grant is %s: a token can be scoped to an active grant only", st)
	}
	return nil
}
