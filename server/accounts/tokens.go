package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
)

// tokenPrefix starts every API token, so a leaked one is recognisable
// (secret scanners) and a cookie value is never mistaken for one.
const tokenPrefix = "hlj_"

// prefixLen is how much of a token lists show.
const prefixLen = 12

// NewToken is a created token: Secret is shown once and never again.
type NewToken struct {
	Secret string
	Token  APIToken
}

// GrantChecker is what tokens need from the applications domain: whether
// a grant is the caller's own and active now. It answers NotFound for a
// grant that is missing or someone else's, Conflict for one of the caller's
// that is not active (suspended, expired, not started).
type GrantChecker interface {
	CheckOwnActiveGrant(ctx context.Context, p *authz.Principal, grantID string) error
}

// CreateToken issues an API token for the caller. expiresAt, when set,
// must be in the future. grantID, when set, scopes the token to one of the
// caller's active grants: it then reaches that grant's data only (the guard
// refuses every other non-public route, devapi every other dataset).
func (s *Service) CreateToken(ctx context.Context, p *authz.Principal, name string, expiresAt *time.Time, grantID *string, m Meta) (*NewToken, error) {
	name = strings.TrimSpace(name)
	now := s.now()
	var v apperr.Validation
	v.Check(name != "" && utf8.RuneCountInString(name) <= 100, "name", "name is required (at most 100 characters)")
	if expiresAt != nil {
		t := expiresAt.UTC().Truncate(time.Millisecond)
		expiresAt = &t
		v.Check(t.After(now), "expires_at", "expires_at must be in the future")
	}
	if grantID != nil {
		g := strings.TrimSpace(*grantID)
		grantID = &g
		v.Check(g != "" && len(g) <= 64, "grant_id", "grant_id must name one of your grants")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if grantID != nil {
		if s.Grants == nil {
			return nil, apperr.New(apperr.Invalid, "grant-scoped tokens are not available")
		}
		if err := s.Grants.CheckOwnActiveGrant(ctx, p, *grantID); err != nil {
			return nil, err
		}
	}
	secret := tokenPrefix + randomSecret(32)
	t := APIToken{UserID: p.UserID, Name: name, Prefix: secret[:prefixLen], Hash: sha256Hex(secret), CreatedAt: now, ExpiresAt: expiresAt, GrantID: grantID}
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var live int64
		if err := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", p.UserID, now).Count(&live).Error; err != nil {
			return err
		}
		if live >= int64(s.Limits.MaxTokens) {
			return apperr.New(apperr.Conflict, "you have %d live tokens: revoke one first", live)
		}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return s.record(tx, actor(p, m.IP), audit.TokenCreated, "api_token", uid(t.ID), map[string]any{"name": name, "prefix": t.Prefix, "expires_at": expiresAt, "grant_id": grantID})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "create token")
	}
	return &NewToken{Secret: secret, Token: t}, nil
}

// Tokens lists the caller's tokens that are not revoked, newest first.
func (s *Service) Tokens(ctx context.Context, p *authz.Principal) ([]APIToken, error) {
	var out []APIToken
	if err := s.db(ctx).Where("user_id = ? AND revoked_at IS NULL", p.UserID).Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "list tokens")
	}
	return out, nil
}

// RevokeToken ends one of the caller's tokens at once. Someone else's
// token is NotFound, like a missing one.
func (s *Service) RevokeToken(ctx context.Context, p *authz.Principal, id uint64, m Meta) error {
	now := s.now()
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&APIToken{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, p.UserID).Update("revoked_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "no such token")
		}
		return s.record(tx, actor(p, m.IP), audit.TokenRevoked, "api_token", uid(id), nil)
	}), "revoke token")
}
