package apps

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
)

// KeepErrors is how many recent errors an app keeps.
const KeepErrors = 50

// FamilyOf names the quota family of a route (its pattern), "" for none.
func FamilyOf(method, route string) string {
	switch {
	case route == "/api/v1/resources/:id/download":
		return FamilyDownloads
	case route == "/api/v1/resources/:id/rows" || route == "/api/v1/resources/:id/preview":
		return FamilyRows
	case route == "/api/3" || strings.HasPrefix(route, "/api/3/"):
		return FamilyCKAN
	case method == http.MethodGet && (route == "/api/v1/datasets" || strings.HasPrefix(route, "/api/v1/search")):
		return FamilySearch
	}
	return ""
}

// Spend is the state of an app's quota after one charge.
type Spend struct {
	Limit      int   // of the tighter window
	Remaining  int   // calls left in it
	Reset      int64 // unix seconds when it starts afresh
	RetryAfter int   // seconds, when refused
}

var errOver = errors.New("over quota")

func minuteSlot(t time.Time) (string, time.Time) {
	start := t.Truncate(time.Minute)
	return "m" + strconv.FormatInt(start.Unix(), 10), start.Add(time.Minute)
}

func daySlot(t time.Time) (string, time.Time) {
	c := t.In(calendar.Zone)
	start := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, calendar.Zone)
	return "d" + start.Format("2006-01-02"), start.AddDate(0, 0, 1)
}

// charge spends one call of family for app. Both windows are counted in
// one transaction with an atomic upsert; a call over either limit rolls
// the transaction back, so refused calls spend nothing and exactly the
// limit passes however many replicas count.
func (s *Service) charge(ctx context.Context, appID, family string) (Spend, error) {
	qs, err := s.QuotasOf(ctx, appID)
	if err != nil {
		return Spend{}, err
	}
	lim := qs[appID][family]
	now := s.now()
	mSlot, mEnd := minuteSlot(now)
	dSlot, dEnd := daySlot(now)
	type win struct {
		slot  string
		end   time.Time
		limit int
		used  int
	}
	wins := []*win{{mSlot, mEnd, lim.PerMinute, 0}, {dSlot, dEnd, lim.PerDay, 0}}
	over := false
	for attempt := 0; ; attempt++ {
		over = false
		err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
			for _, w := range wins {
				c := Counter{AppID: appID, Family: family, Slot: w.slot, Calls: 1, Expires: w.end}
				if err := tx.Clauses(clause.OnConflict{
					Columns:   []clause.Column{{Name: "app_id"}, {Name: "family"}, {Name: "slot"}},
					DoUpdates: clause.Assignments(map[string]any{"calls": gorm.Expr("calls + 1")}),
				}).Create(&c).Error; err != nil {
					return err
				}
				var got Counter
				if err := tx.Where("app_id = ? AND family = ? AND slot = ?", appID, family, w.slot).Take(&got).Error; err != nil {
					return err
				}
				w.used = got.Calls
				if w.limit > 0 && w.used > w.limit {
					over = true
				}
			}
			if over {
				return errOver
			}
			return nil
		})
		if err == nil || errors.Is(err, errOver) || attempt >= 4 || !retryable(err) {
			break
		}
	}
	if err != nil && !errors.Is(err, errOver) {
		return Spend{}, apperr.Internalf(err, "charge quota")
	}
	// The tighter window is the one with fewer calls left.
	sp := Spend{Limit: -1}
	for _, w := range wins {
		if w.limit <= 0 {
			continue
		}
		used := w.used
		if over {
			used-- // rolled back
		}
		rem := max(w.limit-used, 0)
		if over && w.used <= w.limit {
			continue // the other window refused
		}
		if sp.Limit < 0 || rem < sp.Remaining {
			sp.Limit, sp.Remaining, sp.Reset = w.limit, rem, w.end.Unix()
			sp.RetryAfter = max(int(math.Ceil(w.end.Sub(now).Seconds())), 1)
		}
	}
	if over {
		return sp, errOver
	}
	return sp, nil
}

// retryable: lock conflicts between replicas (MySQL deadlock, SQLite busy).
func retryable(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "deadlock") || strings.Contains(m, "locked") || strings.Contains(m, "busy")
}

func overQuota(sp Spend) error {
	return apperr.New(apperr.RateLimited, "this app's quota is used up: at most %d calls; retry in %d s", sp.Limit, sp.RetryAfter)
}

// Charge spends one call of family for an app caller (the MCP server
// charges its tools through it). Other callers pass: nil. Over quota is
// RateLimited.
func (s *Service) Charge(ctx context.Context, p *authz.Principal, family string) error {
	if p == nil || p.AppID == nil {
		return nil
	}
	sp, err := s.charge(ctx, *p.AppID, family)
	if errors.Is(err, errOver) {
		return overQuota(sp)
	}
	return err
}

// Middleware verifies signed calls before any route runs (a public route
// would otherwise treat a bad signature as an anonymous visitor), charges
// the app's quota for the route's family, sets the X-RateLimit headers
// and records the call for the usage page.
func (s *Service) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Header.Get(HeaderKey) == "" {
			return next(c)
		}
		caller, err := s.VerifyApp(c)
		if err != nil {
			if apperr.Is(err, apperr.Unauthorized) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `HMAC-SHA256 realm="portal", error="invalid_signature"`)
			}
			return err
		}
		family := FamilyOf(c.Request().Method, c.Path())
		if family != "" {
			var sp Spend
			sp, err = s.charge(c.Request().Context(), caller.AppID, family)
			if sp.Limit >= 0 && (err == nil || errors.Is(err, errOver)) {
				h := c.Response().Header()
				h.Set("X-RateLimit-Limit", strconv.Itoa(sp.Limit))
				h.Set("X-RateLimit-Remaining", strconv.Itoa(sp.Remaining))
				h.Set("X-RateLimit-Reset", strconv.FormatInt(sp.Reset, 10))
				if errors.Is(err, errOver) {
					h.Set("Retry-After", strconv.Itoa(sp.RetryAfter))
				}
			}
			if errors.Is(err, errOver) {
				err = overQuota(sp)
			}
			c.Set(authz.QuotaChargedKey, true)
		}
		if err == nil {
			err = next(c)
		}
		if err != nil {
			c.Error(err) // written now, so the status is known
		}
		s.recordCall(c, caller.AppID, family, err)
		return nil
	}
}

// recordCall counts the call for the usage chart and keeps its error.
// Failures here are logged, never the caller's problem.
func (s *Service) recordCall(c echo.Context, appID, family string, callErr error) {
	ctx := context.WithoutCancel(c.Request().Context())
	status := c.Response().Status
	now := s.now()
	isErr := status >= 400
	if family != "" {
		d := Day{AppID: appID, Date: now.In(calendar.Zone).Format("2006-01-02"), Family: family, Calls: 1}
		inc := map[string]any{"calls": gorm.Expr("calls + 1")}
		if isErr {
			d.Errors = 1
			inc["errors"] = gorm.Expr("errors + 1")
		}
		if err := s.db(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "app_id"}, {Name: "usage_date"}, {Name: "family"}},
			DoUpdates: clause.Assignments(inc),
		}).Create(&d).Error; err != nil && s.Log != nil {
			s.Log.Warn("app usage", "app", appID, "err", err)
		}
	}
	if !isErr {
		return
	}
	msg := http.StatusText(status)
	var ae *apperr.Error
	if errors.As(callErr, &ae) && ae.Code != apperr.Internal {
		msg = ae.Msg().String()
	}
	path := c.Request().URL.Path
	if utf8.RuneCountInString(path) > 300 {
		path = string([]rune(path)[:300])
	}
	if utf8.RuneCountInString(msg) > 500 {
		msg = string([]rune(msg)[:500])
	}
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&CallError{AppID: appID, At: now, Method: c.Request().Method, Path: path, Status: status, Message: msg}).Error; err != nil {
			return err
		}
		// Keep the newest KeepErrors: find the oldest id to keep.
		var keep []uint64
		if err := tx.Model(&CallError{}).Where("app_id = ?", appID).Order("id DESC").Offset(KeepErrors-1).Limit(1).Pluck("id", &keep).Error; err != nil {
			return err
		}
		if len(keep) == 1 {
			return tx.Where("app_id = ? AND id < ?", appID, keep[0]).Delete(&CallError{}).Error
		}
		return nil
	})
	if err != nil && s.Log != nil {
		s.Log.Warn("app errors", "app", appID, "err", err)
	}
}

// sweep forgets nonces older than twice the window and ended counters.
func (s *Service) sweep(ctx context.Context, now time.Time) {
	skew := s.Skew
	if skew <= 0 {
		skew = 300 * time.Second
	}
	if err := s.db(ctx).Where("seen_at < ?", now.Add(-2*skew)).Delete(&Nonce{}).Error; err != nil && s.Log != nil {
		s.Log.Warn("sweep app nonces", "err", err)
	}
	if err := s.db(ctx).Where("expires < ?", now.Add(-time.Minute)).Delete(&Counter{}).Error; err != nil && s.Log != nil {
		s.Log.Warn("sweep app counters", "err", err)
	}
}
