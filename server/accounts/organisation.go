package accounts

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/store"
)

// Members lists the accounts of the caller's organisation.
func (s *Service) Members(ctx context.Context, p *authz.Principal) ([]User, error) {
	if p.OrganisationID == nil {
		return nil, apperr.New(apperr.NotFound, "your account belongs to no organisation")
	}
	var out []User
	if err := s.db(ctx).Where("organisation_id = ?", *p.OrganisationID).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "list members")
	}
	return out, nil
}

// AddMember creates an account for a colleague of the caller's
// organisation and mails them a link to choose their password. Only the
// organisation's administrator adds members; an address that already has
// an account is refused (accounts never move between organisations).
func (s *Service) AddMember(ctx context.Context, p *authz.Principal, email, name string, m Meta) (*User, error) {
	if p.OrganisationID == nil {
		return nil, apperr.New(apperr.NotFound, "your account belongs to no organisation")
	}
	if !p.OrgAdmin {
		return nil, apperr.New(apperr.Forbidden, "only your organisation's administrator adds members")
	}
	email, name = normaliseEmail(email), strings.TrimSpace(name)
	var v apperr.Validation
	v.Check(validEmail(email), "email", "a valid e-mail address is required")
	v.Check(validName(name), "name", "name is required (at most 100 characters)")
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	// No usable password until the invitation is used: "!" is no PHC string.
	u := &User{Email: email, Name: name, Kind: KindOrganisation, PasswordHash: "!invited", OrganisationID: p.OrganisationID,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	raw := randomSecret(32)
	var org Organisation
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", *p.OrganisationID).Take(&org).Error; err != nil {
			return err
		}
		if err := s.emailFree(tx, email); err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			if store.IsDuplicate(err) {
				return emailTaken()
			}
			return err
		}
		if err := tx.Create(&ResetToken{Hash: sha256Hex(raw), UserID: u.ID, Purpose: PurposeInvite, CreatedAt: now, ExpiresAt: now.Add(s.Limits.InviteTTL)}).Error; err != nil {
			return err
		}
		return s.record(tx, actor(p, m.IP), audit.MemberAdded, "user", uid(u.ID), map[string]any{"organisation_id": org.ID, "email": email})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "add member")
	}
	s.send(ctx, mail.Message{To: email, Subject: "加入 " + org.Name + " — 黑龙江省公共数据开放平台",
		Body: fmt.Sprintf("您好，%s：\n\n%s 邀请您以 %s 成员的身份使用黑龙江省公共数据开放平台。请在 %d 小时内打开下面的链接设置密码：\n\n%s\n\n%s invited you to act for %s on the portal. Open the link within %d hours to choose your password.\n",
			name, p.Name, org.Name, int(s.Limits.InviteTTL.Hours()), s.link("/reset-password?token="+raw), p.Name, org.Name, int(s.Limits.InviteTTL.Hours()))})
	return u, nil
}
