package apps

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
)

// Audit actions.
const (
	AuditCreated   = "app.create"
	AuditUpdated   = "app.update"
	AuditRotated   = "app.rotate_secret"
	AuditDeleted   = "app.delete"
	AuditAuthority = "app.authority_update"
)

// Limits bound an app's calls of one family; 0 = no limit.
type Limits struct {
	PerMinute int `json:"per_minute"`
	PerDay    int `json:"per_day"`
}

// MaxAppsPerUser caps how many apps one account holds.
const MaxAppsPerUser = 20

// MaxQuota caps what the authority may set (per minute and per day).
const MaxQuota = 100_000_000

// Service manages apps, verifies signed calls and charges quotas.
type Service struct {
	DB  *gorm.DB
	Log *slog.Logger
	Now func() time.Time
	// Grants checks a grant_id is the caller's own active grant (applications).
	Grants accounts.GrantChecker
	// Defaults are the limits of every app without an override, per family.
	Defaults map[string]Limits
	// Skew is how far X-Timestamp may be from the clock (default 300 s).
	Skew time.Duration
	// GrantTitle names a grant's dataset for the app list ("" unknown); optional.
	GrantTitle func(ctx context.Context, grantID string) string

	seal  *sealer
	calls atomic.Uint64
}

// New returns a service that encrypts secrets with key (32 bytes).
func New(db *gorm.DB, key []byte, log *slog.Logger, now func() time.Time) (*Service, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Service{DB: db, Log: log, Now: now, seal: s, Skew: 300 * time.Second, Defaults: map[string]Limits{}}, nil
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) db(ctx context.Context) *gorm.DB { return s.DB.WithContext(ctx) }

// Input is what a developer sets on an app.
type Input struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	IntendedUse *string `json:"intended_use"`
	GrantID     *string `json:"grant_id"` // "" unties (update)
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func actor(p *authz.Principal, ip string) audit.Actor {
	return audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: ip}
}

func (s *Service) record(tx *gorm.DB, p *authz.Principal, ip, action, id string, details map[string]any) error {
	_, err := audit.Append(tx, audit.Record{At: s.now(), Actor: actor(p, ip), Action: action, ObjectType: "app", ObjectID: id, Details: details})
	return err
}

// validate checks in's fields; create requires the name.
func (s *Service) validate(ctx context.Context, p *authz.Principal, in *Input, create bool) error {
	var v apperr.Validation
	if in.Name != nil || create {
		n := ""
		if in.Name != nil {
			n = strings.TrimSpace(*in.Name)
		}
		in.Name = &n
		v.Check(n != "" && utf8.RuneCountInString(n) <= 80, "name", "name is required (at most 80 characters)")
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		in.Description = &d
		v.Check(utf8.RuneCountInString(d) <= 2000, "description", "description is at most 2000 characters")
	}
	if in.IntendedUse != nil {
		d := strings.TrimSpace(*in.IntendedUse)
		in.IntendedUse = &d
		v.Check(utf8.RuneCountInString(d) <= 2000, "intended_use", "intended_use is at most 2000 characters")
	}
	if in.GrantID != nil {
		g := strings.TrimSpace(*in.GrantID)
		in.GrantID = &g
		v.Check(len(g) <= 64 && (g != "" || !create), "grant_id", "grant_id must name one of your grants")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if in.GrantID != nil && *in.GrantID != "" {
		if s.Grants == nil {
			return apperr.New(apperr.Invalid, "grant-scoped tokens are not available")
		}
		if err := s.Grants.CheckOwnActiveGrant(ctx, p, *in.GrantID); err != nil {
			return err
		}
	}
	return nil
}

// Create makes an app for the caller and returns it with its secret,
// which is never shown again.
func (s *Service) Create(ctx context.Context, p *authz.Principal, in Input, ip string) (*App, string, error) {
	if err := accounts.RequireVerified(p); err != nil {
		return nil, "", err
	}
	if err := s.validate(ctx, p, &in, true); err != nil {
		return nil, "", err
	}
	a := App{ID: randHex(16), UserID: p.UserID, Name: *in.Name, AppKey: "ak_" + randHex(16), Status: StatusActive, CreatedAt: s.now()}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.IntendedUse != nil {
		a.IntendedUse = *in.IntendedUse
	}
	if in.GrantID != nil {
		a.GrantID = in.GrantID
	}
	secret := newSecret()
	var err error
	if a.SecretEnc, err = s.seal.seal(a.ID, secret); err != nil {
		return nil, "", apperr.Internalf(err, "seal secret")
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&App{}).Where("user_id = ?", p.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxAppsPerUser {
			return apperr.New(apperr.Conflict, "you have %d apps: delete one first", n)
		}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return s.record(tx, p, ip, AuditCreated, a.ID, map[string]any{"name": a.Name, "app_key": a.AppKey, "grant_id": a.GrantID})
	})
	if err != nil {
		return nil, "", apperr.OrInternal(err, "create app")
	}
	return &a, secret, nil
}

// List returns the caller's apps, newest first.
func (s *Service) List(ctx context.Context, p *authz.Principal) ([]App, error) {
	var out []App
	if err := s.db(ctx).Where("user_id = ?", p.UserID).Order("created_at DESC, id").Limit(MaxAppsPerUser * 2).Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "list apps")
	}
	return out, nil
}

var errNoApp = apperr.New(apperr.NotFound, "no such app")

// Get returns one of the caller's apps; someone else's is NotFound.
func (s *Service) Get(ctx context.Context, p *authz.Principal, id string) (*App, error) {
	return s.load(s.db(ctx), id, p.UserID)
}

func (s *Service) load(tx *gorm.DB, id string, userID uint64) (*App, error) {
	if id == "" || len(id) > 32 {
		return nil, errNoApp
	}
	var a App
	q := tx.Where("id = ?", id)
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	err := q.Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoApp
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load app")
	}
	return &a, nil
}

// Update changes the caller's app's name, description, intended use or grant.
func (s *Service) Update(ctx context.Context, p *authz.Principal, id string, in Input, ip string) (*App, error) {
	if err := s.validate(ctx, p, &in, false); err != nil {
		return nil, err
	}
	var out *App
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.load(tx, id, p.UserID)
		if err != nil {
			return err
		}
		changes := map[string]any{}
		if in.Name != nil {
			a.Name, changes["name"] = *in.Name, *in.Name
		}
		if in.Description != nil {
			a.Description, changes["description"] = *in.Description, *in.Description
		}
		if in.IntendedUse != nil {
			a.IntendedUse, changes["intended_use"] = *in.IntendedUse, *in.IntendedUse
		}
		if in.GrantID != nil {
			if *in.GrantID == "" {
				a.GrantID, changes["grant_id"] = nil, nil
			} else {
				g := *in.GrantID
				a.GrantID, changes["grant_id"] = &g, g
			}
		}
		if len(changes) == 0 {
			out = a
			return nil
		}
		if err := tx.Model(&App{}).Where("id = ?", a.ID).Updates(changes).Error; err != nil {
			return err
		}
		out = a
		return s.record(tx, p, ip, AuditUpdated, a.ID, changes)
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "update app")
	}
	return out, nil
}

// Rotate gives the caller's app a new secret; the old one stops at once.
func (s *Service) Rotate(ctx context.Context, p *authz.Principal, id, ip string) (string, error) {
	secret := newSecret()
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.load(tx, id, p.UserID)
		if err != nil {
			return err
		}
		enc, err := s.seal.seal(a.ID, secret)
		if err != nil {
			return err
		}
		if err := tx.Model(&App{}).Where("id = ?", a.ID).Update("secret_enc", enc).Error; err != nil {
			return err
		}
		return s.record(tx, p, ip, AuditRotated, a.ID, map[string]any{"app_key": a.AppKey})
	})
	if err != nil {
		return "", apperr.OrInternal(err, "rotate app secret")
	}
	return secret, nil
}

// Delete removes the caller's app and its counters; its key stops at once.
func (s *Service) Delete(ctx context.Context, p *authz.Principal, id, ip string) error {
	return apperr.OrInternal(s.db(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := s.load(tx, id, p.UserID)
		if err != nil {
			return err
		}
		for _, m := range []any{&Quota{}, &Nonce{}, &Counter{}, &Day{}, &CallError{}} {
			if err := tx.Where("app_id = ?", a.ID).Delete(m).Error; err != nil {
				return err
			}
		}
		if err := tx.Delete(&App{}, "id = ?", a.ID).Error; err != nil {
			return err
		}
		return s.record(tx, p, ip, AuditDeleted, a.ID, map[string]any{"name": a.Name, "app_key": a.AppKey})
	}), "delete app")
}

// QuotasOf returns the limits in force for each app, per family.
func (s *Service) QuotasOf(ctx context.Context, ids ...string) (map[string]map[string]Limits, error) {
	out := map[string]map[string]Limits{}
	for _, id := range ids {
		m := map[string]Limits{}
		for _, f := range Families {
			m[f] = s.Defaults[f]
		}
		out[id] = m
	}
	if len(ids) == 0 {
		return out, nil
	}
	var qs []Quota
	if err := s.db(ctx).Where("app_id IN ?", ids).Find(&qs).Error; err != nil {
		return nil, apperr.Internalf(err, "load quotas")
	}
	for _, q := range qs {
		if m := out[q.AppID]; m != nil {
			m[q.Family] = Limits{PerMinute: q.PerMinute, PerDay: q.PerDay}
		}
	}
	return out, nil
}
