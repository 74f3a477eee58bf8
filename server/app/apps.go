package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apps"
	"github.com/hlj-opendata/portal/server/config"
)

// openApps builds the app service: the secret key (configured, or kept in
// the data folder) and the default quotas per family.
func openApps(cfg config.Config, db *gorm.DB, log *slog.Logger, now func() time.Time, grants accounts.GrantChecker) (*apps.Service, error) {
	key, err := apps.LoadKey(cfg.AppSecretKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_APP_SECRET_KEY: %w", err)
	}
	s, err := apps.New(db, key, log, now)
	if err != nil {
		return nil, err
	}
	s.Grants = grants
	// The app list names the dataset of a tied grant.
	s.GrantTitle = func(ctx context.Context, grantID string) string {
		var titles []string
		db.WithContext(ctx).Model(&applications.Grant{}).Where("id = ?", grantID).Limit(1).Pluck("dataset_title", &titles)
		if len(titles) == 0 {
			return ""
		}
		return titles[0]
	}
	for f, q := range cfg.AppQuotas {
		s.Defaults[f] = apps.Limits{PerMinute: q[0], PerDay: q[1]}
	}
	return s, nil
}
