package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/mail"
)

// E-mail verification: a self-registered account proves its address
// before it applies for data, reports errors or rates (issue 16). Staff,
// demo and invited accounts, and those older than the rule, count as
// verified. The link carries a single-use token stored hashed, like a
// password reset link.

// RequireVerified refuses a caller whose account has not proved its
// e-mail address. Browsing, downloads and API tokens for unconditional
// data do not call it.
func RequireVerified(p *authz.Principal) error {
	if p == nil {
		return apperr.New(apperr.Unauthorized, "sign in required")
	}
	if p.EmailVerified || p.Kind == string(KindStaff) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "verify your e-mail address first: open the link we mailed you, or send a new one from your account page")
}

func (s *Service) storeVerifyToken(tx *gorm.DB, userID uint64, raw string, now time.Time) error {
	return tx.Create(&ResetToken{Hash: sha256Hex(raw), UserID: userID, Purpose: PurposeVerify, CreatedAt: now, ExpiresAt: now.Add(s.Limits.VerifyTTL)}).Error
}

func (s *Service) sendVerifyMail(ctx context.Context, u *User, raw string) {
	h := int(s.Limits.VerifyTTL.Hours())
	s.send(ctx, mail.Message{To: u.Email, Subject: "验证邮箱 / Verify your e-mail address — 黑龙江省公共数据开放平台",
		Body: fmt.Sprintf("您好，%s：\n\n感谢您注册黑龙江省公共数据开放平台。请在 %d 小时内打开下面的链接验证您的邮箱地址；验证后即可申请有条件开放数据和提交纠错。链接只能使用一次：\n\n%s\n\n如果您没有注册，请忽略本邮件。\n\nThank you for registering. Open the link above within %d hours to verify your e-mail address; you can then apply for conditionally open data and report errors. If you did not register, ignore this mail.\n",
			u.Name, h, s.link("/verify-email?token="+raw), h)})
}

// Audit actions of the verification (kept here with their only writer).
const (
	auditEmailVerified    = "auth.email_verified"
	auditVerificationSent = "auth.verification_sent"
)

var errBadVerifyToken = func() error {
	e := apperr.New(apperr.Invalid, "this verification link is invalid, used or expired: send a new one from your account page")
	e.Fields = map[string]string{"token": e.Message}
	return e
}()

// ConfirmEmail marks the account of a verification token verified. The
// token works once.
func (s *Service) ConfirmEmail(ctx context.Context, raw string, m Meta) error {
	if raw == "" || len(raw) > 100 {
		return errBadVerifyToken
	}
	var t ResetToken
	err := s.db(ctx).Where("hash = ?", sha256Hex(raw)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errBadVerifyToken
	}
	if err != nil {
		return apperr.Internalf(err, "load verification token")
	}
	now := s.now()
	if t.Purpose != PurposeVerify || t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return errBadVerifyToken
	}
	var u User
	if err := s.db(ctx).Where("id = ?", t.UserID).Take(&u).Error; err != nil {
		return apperr.Internalf(err, "load user")
	}
	if u.Disabled() {
		return errBadVerifyToken
	}
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		// Single use even when two requests race: only one update matches.
		res := tx.Model(&ResetToken{}).Where("hash = ? AND used_at IS NULL", t.Hash).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errBadVerifyToken
		}
		if err := tx.Model(&User{}).Where("id = ? AND email_verified_at IS NULL", u.ID).Updates(map[string]any{"email_verified_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return s.record(tx, userActor(&u, m.IP), auditEmailVerified, "user", uid(u.ID), nil)
	}), "verify e-mail")
}

// ResendVerification mails a new verification link to the caller: at
// most one per VerifyResendGap and VerifyPerDay a day (the sign-up mail
// included).
func (s *Service) ResendVerification(ctx context.Context, p *authz.Principal, m Meta) error {
	u, err := s.activeUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	if u.Verified() {
		return apperr.New(apperr.Conflict, "your e-mail address is already verified")
	}
	now := s.now()
	var sent []time.Time
	if err := s.db(ctx).Model(&ResetToken{}).Where("user_id = ? AND purpose = ? AND created_at > ?", u.ID, PurposeVerify, now.Add(-24*time.Hour)).
		Order("created_at").Pluck("created_at", &sent).Error; err != nil {
		return apperr.Internalf(err, "count verification mails")
	}
	var wait time.Duration
	if n := len(sent); n > 0 {
		wait = sent[n-1].Add(s.Limits.VerifyResendGap).Sub(now)
		if s.Limits.VerifyPerDay > 0 && n >= s.Limits.VerifyPerDay {
			wait = max(wait, sent[n-s.Limits.VerifyPerDay].Add(24*time.Hour).Sub(now))
		}
	}
	if wait > 0 {
		return &RateLimitedError{Err: apperr.New(apperr.RateLimited, "a verification mail was sent a moment ago: check your mailbox or try again later"), RetryAfter: max(wait, time.Second)}
	}
	raw := randomSecret(32)
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		// Earlier links stop working: only the newest mail counts.
		if err := tx.Model(&ResetToken{}).Where("user_id = ? AND purpose = ? AND used_at IS NULL", u.ID, PurposeVerify).Update("expires_at", now).Error; err != nil {
			return err
		}
		if err := s.storeVerifyToken(tx, u.ID, raw, now); err != nil {
			return err
		}
		return s.record(tx, actor(p, m.IP), auditVerificationSent, "user", uid(u.ID), nil)
	})
	if err != nil {
		return apperr.Internalf(err, "store verification link")
	}
	s.sendVerifyMail(ctx, u, raw)
	return nil
}
