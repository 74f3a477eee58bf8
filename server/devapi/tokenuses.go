package devapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/store"
)

// GraceLookback is how far before a withdrawal a token's use of the
// unconditional data counts as evidence of use for the grace period.
const GraceLookback = 12 // months

// TokenUse is the last use of an unconditional dataset by an API token:
// one row per token and dataset, so the table grows with the pairs, not
// with the calls. Nothing else about the caller is kept.
type TokenUse struct {
	TokenID    uint64    `gorm:"primaryKey;autoIncrement:false"`
	DatasetID  string    `gorm:"primaryKey;size:64"`
	LastUsedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (TokenUse) TableName() string { return "token_dataset_uses" }

var chinaZone = calendar.Zone

// TokenUses writes token uses at most once a day per token and dataset
// (and replica): the day already written is remembered in memory.
type TokenUses struct {
	DB  *gorm.DB
	Log *slog.Logger

	mu      sync.Mutex
	day     string
	written map[tokenDataset]bool
}

type tokenDataset struct {
	token   uint64
	dataset string
}

// Note records that token used dataset at now.
func (u *TokenUses) Note(ctx context.Context, token uint64, dataset string, now time.Time) {
	if u == nil {
		return
	}
	day := now.In(chinaZone).Format("2006-01-02")
	key := tokenDataset{token, dataset}
	u.mu.Lock()
	if u.day != day {
		u.day, u.written = day, map[tokenDataset]bool{} // bounded: one day's pairs
	}
	done := u.written[key]
	u.written[key] = true
	u.mu.Unlock()
	if done {
		return
	}
	row := TokenUse{TokenID: token, DatasetID: dataset, LastUsedAt: store.DBTime(now)}
	err := u.DB.WithContext(context.WithoutCancel(ctx)).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token_id"}, {Name: "dataset_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"last_used_at"}),
	}).Create(&row).Error
	if err != nil {
		u.Log.Warn("note token use", "err", err, "token", token, "dataset", dataset)
		u.mu.Lock()
		delete(u.written, key) // retry on the next call
		u.mu.Unlock()
	}
}

// UsedBetween reports whether token used dataset in [from, to).
func (u *TokenUses) UsedBetween(ctx context.Context, token uint64, dataset string, from, to time.Time) (bool, error) {
	if u == nil {
		return false, nil
	}
	var n int64
	err := u.DB.WithContext(ctx).Model(&TokenUse{}).
		Where("token_id = ? AND dataset_id = ? AND last_used_at >= ? AND last_used_at < ?", token, dataset, store.DBTime(from), store.DBTime(to)).
		Count(&n).Error
	return n > 0, err
}

// noteTokenUse keeps the evidence that a token used unconditional data.
// Uses during a grace period are not noted: they are not evidence of use
// before the withdrawal, and noting them would move the last use past it.
func (h *Service) noteTokenUse(ctx context.Context, p *authz.Principal, s *Scope) {
	if p == nil || p.TokenID == nil || s.Grant != nil || s.GraceUntil != nil || s.Dataset.OpenType != catalog.Unconditional {
		return
	}
	h.TokenUses.Note(ctx, *p.TokenID, s.Dataset.ID, h.Now())
}

// tokenGrace answers the scope of a token that used withdrawn
// unconditional data in the GraceLookback months before the withdrawal
// took effect, while the grace period runs (000 Art 16); nil for everyone
// else (anonymous visitors, sessions, tokens without such use).
func (h *Service) tokenGrace(ctx context.Context, p *authz.Principal, ds *catalog.Dataset) (*Scope, error) {
	if p == nil || p.TokenID == nil || ds.OpenType != catalog.Unconditional || h.Revoked == nil || h.TokenUses == nil {
		return nil, nil
	}
	effective, graceEnd, found, err := h.Revoked(ctx, ds.ID)
	if err != nil || !found || !h.Now().Before(graceEnd) {
		return nil, err
	}
	used, err := h.TokenUses.UsedBetween(ctx, *p.TokenID, ds.ID, effective.AddDate(0, -GraceLookback, 0), effective)
	if err != nil || !used {
		return nil, err
	}
	return &Scope{Dataset: ds, GraceUntil: &graceEnd}, nil
}
