package apps

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
)

var _ accounts.AppVerifier = (*Service)(nil)

// MaxSignedBody bounds the body a signed call may carry (it is hashed).
const MaxSignedBody = 1 << 20

var nonceRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

const verifiedKey = "apps.verified"

type verified struct {
	caller *accounts.AppCaller
	err    error
}

// VerifyApp checks the signature of a call that carries X-App-Key (nil,
// nil without one). The result is kept on the request: the nonce is
// spent by the first check, so a second would be a replay.
func (s *Service) VerifyApp(c echo.Context) (*accounts.AppCaller, error) {
	if v, ok := c.Get(verifiedKey).(verified); ok {
		return v.caller, v.err
	}
	caller, err := s.verify(c)
	c.Set(verifiedKey, verified{caller, err})
	return caller, err
}

func unauthorized(format string, args ...any) error {
	return apperr.New(apperr.Unauthorized, format, args...)
}

func (s *Service) verify(c echo.Context) (*accounts.AppCaller, error) {
	req := c.Request()
	key := req.Header.Get(HeaderKey)
	if key == "" {
		return nil, nil
	}
	ts, nonce, sig := req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderNonce), req.Header.Get(HeaderSignature)
	if ts == "" || nonce == "" || sig == "" {
		return nil, unauthorized("a signed call needs X-Timestamp, X-Nonce and X-Signature")
	}
	if !nonceRE.MatchString(nonce) {
		return nil, unauthorized("X-Nonce must be 8 to 64 letters, digits, _ or -")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	now := s.now()
	skew := s.Skew
	if skew <= 0 {
		skew = 300 * time.Second
	}
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > skew {
		return nil, unauthorized("X-Timestamp must be the current time in unix seconds (within %d seconds)", int(skew.Seconds()))
	}
	if len(key) > 64 {
		return nil, unauthorized("unknown app key")
	}
	ctx := req.Context()
	var a App
	err = s.db(ctx).Where("app_key = ?", key).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, unauthorized("unknown app key")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load app")
	}
	if a.Status != StatusActive {
		return nil, unauthorized("this app is suspended")
	}
	// The body is hashed, then put back for the handler.
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxSignedBody+1))
	if err != nil {
		return nil, apperr.New(apperr.TooLarge, "request body too large")
	}
	if len(body) > MaxSignedBody {
		return nil, apperr.New(apperr.TooLarge, "request body too large")
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	secret, err := s.seal.open(a.ID, a.SecretEnc)
	if err != nil {
		return nil, apperr.Internalf(err, "open app secret (is PORTAL_APP_SECRET_KEY the same on every replica?)")
	}
	want := Sign(secret, req.Method, req.URL.EscapedPath(), req.URL.RawQuery, ts, nonce, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return nil, unauthorized("bad signature")
	}
	var owner struct{ DisabledAt *time.Time }
	if err := s.db(ctx).Table("users").Select("disabled_at").Where("id = ?", a.UserID).Take(&owner).Error; err != nil {
		return nil, unauthorized("this account is disabled")
	}
	if owner.DisabledAt != nil {
		return nil, unauthorized("this account is disabled")
	}
	// Single use: the primary key (app_id, nonce) refuses a replay on
	// every replica; nonces older than the window are swept.
	res := s.db(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&Nonce{AppID: a.ID, Nonce: nonce, SeenAt: now})
	if res.Error != nil {
		return nil, apperr.Internalf(res.Error, "record nonce")
	}
	if res.RowsAffected == 0 {
		return nil, unauthorized("this nonce was used already")
	}
	if a.LastUsedAt == nil || now.Sub(*a.LastUsedAt) >= time.Minute {
		if err := s.db(ctx).Model(&App{}).Where("id = ?", a.ID).Update("last_used_at", now).Error; err != nil {
			return nil, apperr.Internalf(err, "touch app")
		}
	}
	if s.calls.Add(1)%256 == 0 {
		s.sweep(ctx, now)
	}
	return &accounts.AppCaller{UserID: a.UserID, AppID: a.ID, GrantID: a.GrantID}, nil
}
