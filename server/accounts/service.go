package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/store"
)

// Limits are the security knobs of sign-in and registration.
type Limits struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after sign-in, used or not
	// Sign-in throttling (throttle.go, docs/authentication.md). Failures
	// count within FailureWindow.
	FailureWindow time.Duration
	// PairFreeFailures per account and client address; after them each
	// attempt from that address waits 1 s, 2 s, 4 s … up to PairMaxDelay.
	PairFreeFailures int
	PairMaxDelay     time.Duration
	// AccountSlowAfter failures on one account from all addresses slow
	// it down: one attempt per AccountDelay. Never a lock.
	AccountSlowAfter int
	AccountDelay     time.Duration
	// IPMaxAccounts distinct accounts failing from one address is the
	// shape of credential stuffing: that address waits for the window.
	IPMaxAccounts int
	// Registration: accepted sign-ups per client address and in total
	// within RegisterWindow.
	RegisterPerIP   int
	RegisterGlobal  int
	RegisterWindow  time.Duration
	ResetTTL        time.Duration // password reset links
	InviteTTL       time.Duration // member invitations
	VerifyTTL       time.Duration // e-mail verification links
	VerifyResendGap time.Duration // at least this long between two verification mails
	VerifyPerDay    int           // verification mails per account a day
	MaxTokens       int           // live API tokens per account
	// Password hashes at once (0: max(1, GOMAXPROCS/2)), callers that
	// may wait for one, and how long.
	HashConcurrency int
	HashQueue       int
	HashWait        time.Duration
	// StaffPasswordMaxAgeDays: a staff password older than this must be
	// changed before anything else (000 Art 38); 0 turns the rule off.
	StaffPasswordMaxAgeDays int
}

// DefaultLimits: 30 min idle, 12 h absolute; 5 free failures per account
// and address, then 1 s doubling to 15 min; an account slows to one try
// per 2 s after 20 failures an hour; an address failing on 100 accounts
// an hour waits; 5 sign-ups per address and 200 in all an hour.
func DefaultLimits() Limits {
	return Limits{
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
		FailureWindow: time.Hour, PairFreeFailures: 5, PairMaxDelay: 15 * time.Minute,
		AccountSlowAfter: 20, AccountDelay: 2 * time.Second, IPMaxAccounts: 100,
		RegisterPerIP: 5, RegisterGlobal: 200, RegisterWindow: time.Hour,
		ResetTTL: time.Hour, InviteTTL: 72 * time.Hour, VerifyTTL: 24 * time.Hour,
		VerifyResendGap: time.Minute, VerifyPerDay: 5, MaxTokens: 50,
		HashQueue: 16, HashWait: 2 * time.Second,
	}
}

// Service holds the account rules and owns their transactions.
type Service struct {
	DB      *gorm.DB
	Policy  *authz.Enforcer
	Mail    mail.Sender
	Log     *slog.Logger
	Now     func() time.Time
	BaseURL string // PORTAL_BASE_URL: links in mails; https also forces Secure cookies
	Limits  Limits
	Grants  GrantChecker // grant-scoped tokens; nil refuses grant_id
	Apps    AppVerifier  // signed app calls (server/apps); nil = none

	hashState
}

// now is the injected clock in UTC, at the millisecond precision both
// engines store.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) db(ctx context.Context) *gorm.DB { return s.DB.WithContext(ctx) }

// randomSecret returns n random bytes, base64url without padding.
func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("accounts: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// csrfFor derives a session's CSRF token from its secret id: nothing to
// store, and only the holder of the cookie can compute it.
func csrfFor(sessionID string) string {
	m := hmac.New(sha256.New, []byte(sessionID))
	m.Write([]byte("portal csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Meta is where a request came from, for sessions, throttling and audit.
type Meta struct {
	IP        string
	UserAgent string
}

func actor(p *authz.Principal, ip string) audit.Actor {
	if p == nil {
		return audit.Actor{Label: "anonymous", IP: ip}
	}
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: ip}
}

func userActor(u *User, ip string) audit.Actor {
	return audit.Actor{UserID: u.ID, Label: authz.Subject(u.ID), IP: ip}
}

func (s *Service) record(tx *gorm.DB, a audit.Actor, action, objType, objID string, details map[string]any) error {
	_, err := audit.Append(tx, audit.Record{At: s.now(), Actor: a, Action: action, ObjectType: objType, ObjectID: objID, Details: details})
	return err
}

func uid(id uint64) string { return strconv.FormatUint(id, 10) }

// ---- registration ----

// Register creates a citizen or organisation account. The first account of
// an organisation becomes its administrator; later colleagues are added by
// that administrator, not by claiming the credit code again.
func (s *Service) Register(ctx context.Context, in RegisterInput, m Meta) (*User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// Counted before the hash: the limit is what protects the CPU.
	undo, err := s.admitRegistration(ctx, m.IP)
	if err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		undo() // the server was busy: not the caller's sign-up to lose
		return nil, err
	}
	now := s.now()
	u := &User{Email: in.Email, Name: in.Name, Kind: in.Kind, PasswordHash: hash, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	raw := randomSecret(32)
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.emailFree(tx, in.Email); err != nil {
			return err
		}
		if in.Kind == KindOrganisation {
			var n int64
			if err := tx.Model(&Organisation{}).Where("credit_code = ?", in.CreditCode).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				e := apperr.New(apperr.Conflict, "this organisation is already registered: ask its administrator to add you")
				e.Fields = map[string]string{"credit_code": e.Message}
				return e
			}
			org := &Organisation{Name: in.Name, CreditCode: in.CreditCode, CreatedAt: now}
			if err := tx.Create(org).Error; err != nil {
				return err
			}
			u.OrganisationID, u.OrgAdmin = &org.ID, true
		}
		if err := tx.Create(u).Error; err != nil {
			if store.IsDuplicate(err) {
				return emailTaken()
			}
			return err
		}
		if err := s.storeVerifyToken(tx, u.ID, raw, now); err != nil {
			return err
		}
		// The role comes with the kind (authz.ImpliedRole): no policy change.
		return s.record(tx, userActor(u, m.IP), audit.Register, "user", uid(u.ID), map[string]any{"kind": u.Kind, "credit_code": in.CreditCode})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "register")
	}
	s.sendVerifyMail(ctx, u, raw)
	return u, nil
}

func emailTaken() error {
	e := apperr.New(apperr.Conflict, "an account with this e-mail address exists")
	e.Fields = map[string]string{"email": e.Message}
	return e
}

func (s *Service) emailFree(tx *gorm.DB, email string) error {
	var n int64
	if err := tx.Model(&User{}).Where("email = ?", email).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return emailTaken()
	}
	return nil
}

func (s *Service) reloadPolicy(ctx context.Context) {
	if err := s.Policy.Reload(ctx); err != nil && s.Log != nil {
		s.Log.Error("reload policy after a role change", "err", err)
	}
}

// ---- sign-in ----

// LoginResult is a new session. SessionID goes into the cookie and is
// never stored; CSRF is what state-changing requests echo back.
type LoginResult struct {
	SessionID string
	CSRF      string
	ExpiresAt time.Time
	User      *User
}

// RateLimitedError is a refusal for too many failures; RetryAfter says when
// the next attempt can succeed.
type RateLimitedError struct {
	Err        *apperr.Error
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string { return e.Err.Error() }
func (e *RateLimitedError) Unwrap() error { return e.Err }

func badCredentials() error {
	return apperr.New(apperr.Unauthorized, "wrong e-mail address or password")
}

// Login checks the password and opens a session. oldSession, the cookie
// the browser still sent, is ended: a new sign-in always gets a new id
// (session fixation).
func (s *Service) Login(ctx context.Context, email, password, oldSession string, m Meta) (*LoginResult, error) {
	email = normaliseEmail(email)
	if email == "" || password == "" {
		// No password is empty: nothing to check, hash or count.
		return nil, badCredentials()
	}
	if err := s.throttled(ctx, email, m.IP, true); err != nil {
		return nil, err
	}
	var u User
	err := s.db(ctx).Where("email = ?", email).Take(&u).Error
	found := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Internalf(err, "load user")
	}
	hash := dummyHash()
	if found {
		hash = u.PasswordHash
	}
	match, err := s.check(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	ok := match && found && !u.Disabled()
	now := s.now()
	if !ok {
		err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
			if err := s.recordFailure(tx, email, m.IP); err != nil {
				return err
			}
			obj, details := "", map[string]any{"email_sha256": sha256Hex(email)[:16]}
			if found {
				obj = uid(u.ID)
				if u.Disabled() {
					details["disabled"] = true
				}
			}
			return s.record(tx, audit.Actor{Label: "anonymous", IP: m.IP}, audit.LoginFailed, "user", obj, details)
		})
		if err != nil {
			return nil, apperr.Internalf(err, "record failed login")
		}
		return nil, badCredentials()
	}
	res := &LoginResult{SessionID: randomSecret(32), User: &u, ExpiresAt: now.Add(s.Limits.AbsoluteTimeout)}
	res.CSRF = csrfFor(res.SessionID)
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if oldSession != "" {
			if err := tx.Where("id_hash = ?", sha256Hex(oldSession)).Delete(&Session{}).Error; err != nil {
				return err
			}
		}
		if err := clearPair(tx, email, m.IP); err != nil {
			return err
		}
		// Sweep sessions past their absolute limit, whoever they belonged to.
		if err := tx.Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
			return err
		}
		sess := &Session{IDHash: sha256Hex(res.SessionID), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: res.ExpiresAt, IP: m.IP, UserAgent: truncate(m.UserAgent, 200)}
		if err := tx.Create(sess).Error; err != nil {
			return err
		}
		if NeedsRehash(u.PasswordHash) {
			if h, err := s.hash(ctx, password); err == nil {
				if err := tx.Model(&u).Update("password_hash", h).Error; err != nil {
					return err
				}
			}
		}
		return s.record(tx, userActor(&u, m.IP), audit.LoginOK, "user", uid(u.ID), nil)
	})
	if err != nil {
		return nil, apperr.Internalf(err, "open session")
	}
	return res, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p *authz.Principal, m Meta) error {
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if p.SessionHash != "" {
			if err := tx.Where("id_hash = ?", p.SessionHash).Delete(&Session{}).Error; err != nil {
				return err
			}
		}
		return s.record(tx, actor(p, m.IP), audit.Logout, "user", uid(p.UserID), map[string]any{"method": p.Method})
	}), "logout")
}

// ---- who is calling ----

// SessionCookie is the cookie that carries the session id.
const SessionCookie = "portal_session"

// CSRFHeader carries the CSRF token on state-changing cookie requests.
const CSRFHeader = "X-CSRF-Token"

var errSessionEnded = apperr.New(apperr.Unauthorized, "your session has ended: sign in again")

// sessionPrincipal resolves a session id. csrf is the token the request
// sent ("" for safe methods, which need none: checkCSRF false).
func (s *Service) sessionPrincipal(ctx context.Context, sessionID string, checkCSRF bool, csrf string, m Meta) (*authz.Principal, *User, error) {
	var sess Session
	h := sha256Hex(sessionID)
	err := s.db(ctx).Where("id_hash = ?", h).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, errSessionEnded
	}
	if err != nil {
		return nil, nil, apperr.Internalf(err, "load session")
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.Limits.IdleTimeout {
		if err := s.db(ctx).Where("id_hash = ?", h).Delete(&Session{}).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "end session")
		}
		return nil, nil, errSessionEnded
	}
	u, err := s.activeUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if checkCSRF && !hmac.Equal([]byte(csrf), []byte(csrfFor(sessionID))) {
		return nil, nil, apperr.New(apperr.Forbidden, "missing or bad CSRF token")
	}
	// Idle time is kept to the minute: one write a minute per session.
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		if err := s.db(ctx).Model(&Session{}).Where("id_hash = ?", h).Update("last_seen_at", now).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "touch session")
		}
	}
	p := s.principal(u, authz.ByCookie, m)
	p.SessionHash = h
	return p, u, nil
}

var errBadToken = apperr.New(apperr.Unauthorized, "invalid, expired or revoked API token")

// tokenPrincipal resolves an API token.
func (s *Service) tokenPrincipal(ctx context.Context, raw string, m Meta) (*authz.Principal, *User, error) {
	if !strings.HasPrefix(raw, tokenPrefix) {
		return nil, nil, errBadToken
	}
	var t APIToken
	err := s.db(ctx).Where("hash = ?", sha256Hex(raw)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, errBadToken
	}
	if err != nil {
		return nil, nil, apperr.Internalf(err, "load token")
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, nil, errBadToken
	}
	u, err := s.activeUser(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if err := s.db(ctx).Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now).Error; err != nil {
			return nil, nil, apperr.Internalf(err, "touch token")
		}
	}
	p := s.principal(u, authz.ByToken, m)
	p.TokenID, p.TokenGrantID = &t.ID, t.GrantID
	return p, u, nil
}

func (s *Service) activeUser(ctx context.Context, id uint64) (*User, error) {
	var u User
	err := s.db(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errSessionEnded
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load user")
	}
	if u.Disabled() {
		return nil, apperr.New(apperr.Unauthorized, "this account is disabled")
	}
	return &u, nil
}

// assignments lists the roles a user holds: the assigned ones and, for
// citizen and organisation accounts, the one their kind implies.
func (s *Service) assignments(u *User) []authz.Assignment {
	as := s.Policy.AssignmentsOf(u.ID)
	if r := authz.ImpliedRole(string(u.Kind)); r != "" && !slices.Contains(as, authz.Assignment{Role: r, Domain: authz.Global}) {
		as = append([]authz.Assignment{{Role: r, Domain: authz.Global}}, as...)
	}
	return as
}

func (s *Service) principal(u *User, method authz.AuthMethod, m Meta) *authz.Principal {
	p := &authz.Principal{
		UserID: u.ID, Email: u.Email, Name: u.Name, Kind: string(u.Kind),
		Assignments:    s.assignments(u),
		Region:         u.Region,
		OrganisationID: u.OrganisationID, OrgAdmin: u.OrgAdmin,
		Method: method, IP: m.IP,
		EmailVerified: u.Verified(),
	}
	if u.DepartmentID != nil {
		p.DepartmentID = *u.DepartmentID
	}
	return p
}

// ---- passwords ----

// ChangePassword sets a new password after checking the current one.
// Every other session of the account ends; the caller's stays.
func (s *Service) ChangePassword(ctx context.Context, p *authz.Principal, current, next string, m Meta) error {
	// The session proved who this is: only this address's guesses count,
	// not a slow-down others caused on the account.
	if err := s.throttled(ctx, p.Email, m.IP, false); err != nil {
		return err
	}
	u, err := s.activeUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	match, err := s.check(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !match {
		if err := s.db(ctx).Transaction(func(tx *gorm.DB) error { return s.recordFailure(tx, u.Email, m.IP) }); err != nil {
			return apperr.Internalf(err, "record failure")
		}
		e := apperr.New(apperr.Invalid, "the current password is wrong")
		e.Fields = map[string]string{"current_password": e.Message}
		return e
	}
	if err := CheckPasswordPolicy("new_password", next, u.Email, u.Name); err != nil {
		return err
	}
	if next == current {
		e := apperr.New(apperr.Invalid, "the new password must differ from the current one")
		e.Fields = map[string]string{"new_password": e.Message}
		return e
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	now := s.now()
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND id_hash <> ?", u.ID, p.SessionHash).Delete(&Session{}).Error; err != nil {
			return err
		}
		return s.record(tx, actor(p, m.IP), audit.PasswordChange, "user", uid(u.ID), nil)
	}), "change password")
}

// RequestReset mails a single-use reset link when the address belongs to
// an active account. It answers the same either way, so the form does not
// tell who has an account; at most 5 links an hour go to one account.
func (s *Service) RequestReset(ctx context.Context, email string, m Meta) error {
	email = normaliseEmail(email)
	if !validEmail(email) {
		e := apperr.New(apperr.Invalid, "a valid e-mail address is required")
		e.Fields = map[string]string{"email": e.Message}
		return e
	}
	var u User
	err := s.db(ctx).Where("email = ?", email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.Disabled()) {
		return nil
	}
	if err != nil {
		return apperr.Internalf(err, "load user")
	}
	now := s.now()
	var recent int64
	if err := s.db(ctx).Model(&ResetToken{}).Where("user_id = ? AND created_at > ?", u.ID, now.Add(-time.Hour)).Count(&recent).Error; err != nil {
		return apperr.Internalf(err, "count reset links")
	}
	if recent >= 5 {
		return nil
	}
	raw := randomSecret(32)
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		t := &ResetToken{Hash: sha256Hex(raw), UserID: u.ID, Purpose: PurposeReset, CreatedAt: now, ExpiresAt: now.Add(s.Limits.ResetTTL)}
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return s.record(tx, audit.Actor{Label: "anonymous", IP: m.IP}, audit.ResetRequested, "user", uid(u.ID), nil)
	})
	if err != nil {
		return apperr.Internalf(err, "store reset link")
	}
	s.send(ctx, mail.Message{To: u.Email, Subject: "重置密码 / Reset your password — 黑龙江省公共数据开放平台",
		Body: fmt.Sprintf("您好，%s：\n\n有人（希望是您）请求重置您在黑龙江省公共数据开放平台的密码。请在 %d 分钟内打开下面的链接设置新密码，链接只能使用一次：\n\n%s\n\n如果不是您本人操作，请忽略本邮件，您的密码不会改变。\n\nSomeone asked to reset your password. Open the link above within %d minutes to choose a new one; it works once. If it was not you, ignore this mail.\n",
			u.Name, int(s.Limits.ResetTTL.Minutes()), s.link("/reset-password?token="+raw), int(s.Limits.ResetTTL.Minutes()))})
	return nil
}

// link builds an absolute link from PORTAL_BASE_URL. Without it the link
// stays relative: a Host header must never choose where a reset link points.
func (s *Service) link(path string) string { return s.BaseURL + path }

// send delivers after the commit; a failure is logged, never shown.
func (s *Service) send(ctx context.Context, msg mail.Message) {
	if s.Mail == nil {
		return
	}
	if err := s.Mail.Send(ctx, msg); err != nil && !errors.Is(err, mail.ErrNotConfigured) && s.Log != nil {
		s.Log.Error("send mail", "subject", msg.Subject, "err", err)
	}
}

var errBadResetToken = func() error {
	e := apperr.New(apperr.Invalid, "this link is invalid, used or expired: ask for a new one")
	e.Fields = map[string]string{"token": e.Message}
	return e
}()

// ConfirmReset sets a new password with a reset or invitation token. The
// token works once; every session of the account ends.
func (s *Service) ConfirmReset(ctx context.Context, raw, password string, m Meta) error {
	var t ResetToken
	err := s.db(ctx).Where("hash = ?", sha256Hex(raw)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errBadResetToken
	}
	if err != nil {
		return apperr.Internalf(err, "load reset token")
	}
	now := s.now()
	if t.UsedAt != nil || !now.Before(t.ExpiresAt) || (t.Purpose != PurposeReset && t.Purpose != PurposeInvite) {
		return errBadResetToken
	}
	var u User
	if err := s.db(ctx).Where("id = ?", t.UserID).Take(&u).Error; err != nil {
		return apperr.Internalf(err, "load user")
	}
	if u.Disabled() {
		return errBadResetToken
	}
	if err := CheckPasswordPolicy("password", password, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		// Single use even when two requests race: only one update matches.
		res := tx.Model(&ResetToken{}).Where("hash = ? AND used_at IS NULL", t.Hash).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errBadResetToken
		}
		// The link came by mail: the address is proven (invited members too).
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ? AND email_verified_at IS NULL", u.ID).Update("email_verified_at", now).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error; err != nil {
			return err
		}
		// A reset ends the throttle of the account, from every address.
		if err := clearAccount(tx, u.Email); err != nil {
			return err
		}
		return s.record(tx, userActor(&u, m.IP), audit.PasswordReset, "user", uid(u.ID), map[string]any{"purpose": t.Purpose})
	}), "reset password")
}
