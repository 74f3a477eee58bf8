package app

import (
	"context"

	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/changes"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/metrics"
	"github.com/hlj-opendata/portal/server/requests"
)

// registerOverdueMetrics exposes, per procedure, how many items are past
// their deadline right now: the numbers the authority chases (000 Art 42).
func (a *App) registerOverdueMetrics() {
	metrics.RegisterOverdue("applications", func(ctx context.Context) (int64, error) {
		var n int64
		err := a.DB.WithContext(ctx).Model(&applications.Application{}).
			Where("status IN ? AND due_at IS NOT NULL AND due_at < ?", []applications.Status{applications.Submitted, applications.Resubmitted}, a.Now().UTC()).
			Count(&n).Error
		return n, err
	})
	metrics.RegisterOverdue("corrections", func(ctx context.Context) (int64, error) {
		var n int64
		err := a.DB.WithContext(ctx).Model(&corrections.Correction{}).
			Where("status = ? AND due_at < ?", corrections.StatusOpen, a.Now().UTC()).
			Count(&n).Error
		return n, err
	})
	// A data request is late on whichever clock runs: routing (our rule),
	// the answer (000 Art 29) or the promised catalog entry.
	metrics.RegisterOverdue("requests", func(ctx context.Context) (int64, error) {
		var n int64
		now := a.Now().UTC()
		err := a.DB.WithContext(ctx).Model(&requests.Request{}).
			Where("(status = ? AND route_due_at < ?) OR (status = ? AND answer_due_at < ?) OR (status = ? AND catalog_due_at < ?)",
				requests.StatusSubmitted, now, requests.StatusRouted, now, requests.StatusAccepted, now).
			Count(&n).Error
		return n, err
	})
	metrics.RegisterOverdue("catalog_changes", func(ctx context.Context) (int64, error) {
		var n int64
		err := a.DB.WithContext(ctx).Model(&changes.Notice{}).
			Where("status = ? AND due_at < ?", changes.StatusOpen, a.Now().UTC()).
			Count(&n).Error
		return n, err
	})
}
