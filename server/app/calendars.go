package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/store"
	"github.com/hlj-opendata/portal/server/web"
)

// Holiday calendars at run time.
//
// The calendar in use is the shipped files, then PORTAL_CALENDAR_DIR, then
// the years uploaded by an administrator (POST /api/v1/admin/calendars/{year},
// kept in calendar_uploads so they survive restarts and reach every
// replica); a later source replaces a year wholly. Every replica polls
// calendar_uploads (one small query every few seconds, like the role
// policy's Watch) and installs what changed into the one *calendar.Calendar
// all services hold.
//
// When the days of a year change (an official file replaces a provisional
// year, or corrects an official one), every open deadline touching that
// year is recomputed by each deadlines.Recomputer. calendar_fingerprints
// keeps the fingerprint of each year as last recomputed, so a file added
// to PORTAL_CALENDAR_DIR between two starts is noticed at the next start.
// Every replica must see the same PORTAL_CALENDAR_DIR.

// CalendarUpload is an uploaded official year.
type CalendarUpload struct {
	Year       int       `gorm:"primaryKey;autoIncrement:false"`
	Body       string    `gorm:"type:text;not null"`
	SHA256     string    `gorm:"column:sha256;size:64;not null"`
	UploadedBy uint64    `gorm:"not null"`
	UploadedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (CalendarUpload) TableName() string { return "calendar_uploads" }

// CalendarFingerprint is the fingerprint (calendar.Fingerprint) of a year
// as the open deadlines were last computed on.
type CalendarFingerprint struct {
	Year        int       `gorm:"primaryKey;autoIncrement:false"`
	Fingerprint string    `gorm:"size:100;not null"`
	UpdatedAt   time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (CalendarFingerprint) TableName() string { return "calendar_fingerprints" }

func calendarMigrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID:       "0040_calendar_uploads",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &calendarUploadV1{}, &calendarFingerprintV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("calendar_fingerprints", "calendar_uploads") },
	}}
}

// Frozen snapshots of 0040.
type calendarUploadV1 struct {
	Year       int       `gorm:"primaryKey;autoIncrement:false"`
	Body       string    `gorm:"type:text;not null"`
	SHA256     string    `gorm:"column:sha256;size:64;not null"`
	UploadedBy uint64    `gorm:"not null"`
	UploadedAt time.Time `gorm:"not null"`
}

func (calendarUploadV1) TableName() string { return "calendar_uploads" }

type calendarFingerprintV1 struct {
	Year        int       `gorm:"primaryKey;autoIncrement:false"`
	Fingerprint string    `gorm:"size:100;not null"`
	UpdatedAt   time.Time `gorm:"not null"`
}

func (calendarFingerprintV1) TableName() string { return "calendar_fingerprints" }

// calendarSync is what this replica installed and recomputed.
type calendarSync struct {
	mu       sync.Mutex     // one sync at a time on this replica
	uploaded map[int]string // year → sha256 of the upload installed
	computed map[int]string // year → fingerprint the deadlines were recomputed for
	extra    []deadlines.Recomputer
}

// AddRecomputer registers a procedure whose deadlines follow calendar
// changes, beyond the services App knows (see Recomputers).
func (a *App) AddRecomputer(r deadlines.Recomputer) {
	a.cal.mu.Lock()
	defer a.cal.mu.Unlock()
	a.cal.extra = append(a.cal.extra, r)
}

// Recomputers lists every procedure with deadlines: the services that
// implement deadlines.Recomputer, then those added with AddRecomputer.
func (a *App) Recomputers() []deadlines.Recomputer {
	var out []deadlines.Recomputer
	for _, s := range []any{a.Applications, a.Corrections, a.Requests, a.Publishing} {
		if r, ok := s.(deadlines.Recomputer); ok && r != nil {
			out = append(out, r)
		}
	}
	return append(out, a.cal.extra...)
}

// calendarYears are the years whose fingerprint is watched: every official
// year, and from last year to two years ahead (the longest deadline with
// its extension is far shorter).
func (a *App) calendarYears() []int {
	seen := map[int]bool{}
	var out []int
	now := a.Now().In(calendar.Zone).Year()
	for y := now - 1; y <= now+2; y++ {
		seen[y] = true
		out = append(out, y)
	}
	for _, y := range a.Calendar.Years() {
		if !seen[y] && y >= now-1 {
			out = append(out, y)
		}
	}
	return out
}

// installUploads puts the uploaded years not yet installed here into the
// calendar. An invalid row (it was checked on upload) is logged and skipped.
func (a *App) installUploads(ctx context.Context) error {
	var rows []CalendarUpload
	if err := a.DB.WithContext(ctx).Select("year", "sha256").Find(&rows).Error; err != nil {
		return fmt.Errorf("calendar uploads: %w", err)
	}
	for _, r := range rows {
		if a.cal.uploaded[r.Year] == r.SHA256 {
			continue
		}
		var full CalendarUpload
		if err := a.DB.WithContext(ctx).Where("year = ?", r.Year).Take(&full).Error; err != nil {
			return fmt.Errorf("calendar upload %d: %w", r.Year, err)
		}
		origin := fmt.Sprintf("uploaded %s", full.UploadedAt.In(calendar.Zone).Format(calendar.DateLayout))
		if _, err := a.Calendar.SetYear(full.Year, []byte(full.Body), origin); err != nil {
			a.Log.Error("uploaded holiday calendar is invalid, not used", "year", full.Year, "err", err)
		}
		a.cal.uploaded[r.Year] = full.SHA256
	}
	return nil
}

// SyncCalendars installs new uploads, then recomputes the open deadlines
// of every watched year whose days differ from those the deadlines were
// last computed on (this replica's memory, else calendar_fingerprints).
// It returns the years recomputed and how many deadlines changed. A failed
// recomputation leaves the fingerprint alone, so the next sync retries.
func (a *App) SyncCalendars(ctx context.Context) (years []int, changed int, err error) {
	a.cal.mu.Lock()
	defer a.cal.mu.Unlock()
	if err := a.installUploads(ctx); err != nil {
		return nil, 0, err
	}
	now := map[int]string{}
	var unknown []int
	for _, y := range a.calendarYears() {
		fp := a.Calendar.Fingerprint(y)
		now[y] = fp
		if a.cal.computed[y] != fp {
			unknown = append(unknown, y)
		}
	}
	if len(unknown) == 0 {
		return nil, 0, nil
	}
	var stored []CalendarFingerprint
	if err := a.DB.WithContext(ctx).Where("year IN ?", unknown).Find(&stored).Error; err != nil {
		return nil, 0, fmt.Errorf("calendar fingerprints: %w", err)
	}
	storedFP := map[int]string{}
	for _, s := range stored {
		storedFP[s.Year] = s.Fingerprint
	}
	for _, y := range unknown {
		if storedFP[y] == now[y] {
			a.cal.computed[y] = now[y] // another replica (or an earlier start) did it
		} else {
			years = append(years, y)
		}
	}
	if len(years) == 0 {
		return nil, 0, nil
	}
	var errs []error
	for _, r := range a.Recomputers() {
		n, err := r.RecomputeDeadlines(ctx, years)
		changed += n
		if err != nil {
			errs = append(errs, fmt.Errorf("%T: %w", r, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return years, changed, err
	}
	at := a.Now().UTC()
	for _, y := range years {
		row := CalendarFingerprint{Year: y, Fingerprint: now[y], UpdatedAt: at}
		if err := a.DB.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "year"}},
			DoUpdates: clause.AssignmentColumns([]string{"fingerprint", "updated_at"}),
		}).Create(&row).Error; err != nil {
			return years, changed, fmt.Errorf("store calendar fingerprint: %w", err)
		}
		a.cal.computed[y] = now[y]
	}
	if changed > 0 {
		a.Log.Info("deadlines recomputed on the new holiday calendar", "years", years, "changed", changed)
	}
	return years, changed, nil
}

// openCalendars installs the uploaded years at once (before any request).
func (a *App) openCalendars() error {
	a.cal.uploaded, a.cal.computed = map[int]string{}, map[int]string{}
	a.cal.mu.Lock()
	defer a.cal.mu.Unlock()
	return a.installUploads(context.Background())
}

// watchCalendars syncs at start, then every interval until ctx ends.
func (a *App) watchCalendars(ctx context.Context, every time.Duration) {
	deadlines.Loop(ctx, a.Log, "calendars", every, func(ctx context.Context) error {
		_, _, err := a.SyncCalendars(ctx)
		return err
	})
}

// ---- HTTP -------------------------------------------------------------------

func (a *App) calendarRoutes(r *web.Router) {
	r.GET("/api/v1/calendar/:year", authz.Public, a.getCalendar)
	r.POST("/api/v1/admin/calendars/:year", authz.ConfigAdmin, a.uploadCalendar)
}

// CalendarDayJSON is one day of a calendar.
type CalendarDayJSON struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// CalendarJSON is a year's holiday calendar as in use.
type CalendarJSON struct {
	Year        int  `json:"year"`
	Provisional bool `json:"provisional"`
	// DaysOff and WorkingWeekends are dates "YYYY-MM-DD": the days off
	// besides ordinary weekends (holidays, including weekend days inside a
	// holiday block, and 补假 in a provisional year), and the weekend days
	// that are working days (调休上班; never in a provisional year).
	DaysOff         []string          `json:"days_off"`
	WorkingWeekends []string          `json:"working_weekends"`
	Names           []CalendarDayJSON `json:"days_off_named"`
	WorkingNamed    []CalendarDayJSON `json:"working_weekends_named"`
	Source          string            `json:"source,omitempty"`
}

func calendarYearParam(c echo.Context) (int, error) {
	s := c.Param("year")
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < calendar.MinYear || y > calendar.MaxYear {
		msg := fmt.Sprintf("年份应为 %d 至 %d 之间的四位数字 / the year must be four digits from %d to %d", calendar.MinYear, calendar.MaxYear, calendar.MinYear, calendar.MaxYear)
		return 0, apperr.Field("year", msg)
	}
	return y, nil
}

func (a *App) calendarJSON(y int) CalendarJSON {
	off, work := a.Calendar.Show(y)
	out := CalendarJSON{Year: y, Provisional: a.Calendar.Provisional(y), DaysOff: []string{}, WorkingWeekends: []string{},
		Names: []CalendarDayJSON{}, WorkingNamed: []CalendarDayJSON{}}
	for _, d := range off {
		out.DaysOff = append(out.DaysOff, d.Date)
		out.Names = append(out.Names, CalendarDayJSON{d.Date, d.Name})
	}
	for _, d := range work {
		out.WorkingWeekends = append(out.WorkingWeekends, d.Date)
		out.WorkingNamed = append(out.WorkingNamed, CalendarDayJSON{d.Date, d.Name})
	}
	if _, notice, ok := a.Calendar.YearSource(y); ok {
		out.Source = notice
	}
	return out
}

// getCalendar godoc
// @Summary      A year's holiday calendar (工作日历)
// @Description  The days off besides ordinary weekends and the weekend days that are working days, as deadlines count them. provisional is true for a year without an official file: its days are the statutory holidays of 《全国年节及纪念日放假办法》 (2024) with 补假 for a holiday on a weekend and no make-up working days, and may change when the State Council notice is out.
// @Tags         calendar
// @Produce      json
// @Param        year  path  int  true  "year, 2000–2100"
// @Success      200 {object} CalendarJSON
// @Failure      400 {object} web.ErrorBody
// @Router       /calendar/{year} [get]
func (a *App) getCalendar(c echo.Context) error {
	y, err := calendarYearParam(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return web.JSON(c, http.StatusOK, a.calendarJSON(y))
}

// CalendarFileJSON is the layout of a calendar file (seed/calendar/YYYY.json),
// for the API documentation; calendar.CheckFile reads the body itself.
type CalendarFileJSON struct {
	Year        int               `json:"year"`
	Source      string            `json:"source"`
	GeneratedBy string            `json:"generated_by,omitempty"`
	Note        string            `json:"note,omitempty"`
	Off         []CalendarDayJSON `json:"off"`
	Workdays    []CalendarDayJSON `json:"workdays"`
}

// CalendarUploadJSON is the answer to an upload.
type CalendarUploadJSON struct {
	CalendarJSON
	SHA256 string `json:"sha256"`
	// Recomputed is how many open deadlines moved to a new due date.
	Recomputed int `json:"recomputed"`
	// RecomputePending: the recomputation failed here and is retried by
	// the next calendar sync (within seconds).
	RecomputePending bool `json:"recompute_pending,omitempty"`
}

// uploadCalendar godoc
// @Summary      Upload a year's official holiday calendar (administrator)
// @Description  The body is a calendar file in the layout of seed/calendar/YYYY.json ({"year","source","off":[{date,name}],"workdays":[{date,name}]}), at most 32 KB. Checked: the year equals the path's, every date is inside the year, no date is listed twice or both off and a working day, make-up working days fall on weekends, and the whole year is covered (every statutory holiday listed as a day off; every other day is then a working day Monday to Friday and off on weekends). Stored in the database, it replaces the shipped or operator file (or the provisional calendar) on every replica, and every open deadline touching the year is recomputed; those whose due date changed are notified.
// @Tags         admin
// @Accept       json
// @Produce      json
// @Param        year  path  int     true  "year, 2000–2100"
// @Param        body  body  CalendarFileJSON  true  "calendar file"
// @Success      200 {object} CalendarUploadJSON
// @Failure      400 {object} web.ErrorBody "not a year, or an invalid file (message in Chinese and English)"
// @Failure      403 {object} web.ErrorBody
// @Failure      413 {object} web.ErrorBody
// @Security     CSRFToken
// @Security     BearerToken
// @Router       /admin/calendars/{year} [post]
func (a *App) uploadCalendar(c echo.Context) error {
	y, err := calendarYearParam(c)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, calendar.MaxFileBytes+1))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "无法读取请求体 / could not read the request body")
	}
	if len(raw) > calendar.MaxFileBytes {
		return apperr.New(apperr.TooLarge, "日历文件超过 %d KB / the calendar file is larger than %d KB", calendar.MaxFileBytes>>10, calendar.MaxFileBytes>>10)
	}
	if err := calendar.CheckFile(raw, y); err != nil {
		var fe *calendar.FileError
		if errors.As(err, &fe) {
			return apperr.New(apperr.Invalid, "%s / %s", fe.ZH, fe.EN)
		}
		return apperr.Wrap(apperr.Invalid, err, "日历文件无效 / invalid calendar file")
	}
	p := authz.PrincipalFrom(c)
	sum := sha256.Sum256(raw)
	row := CalendarUpload{Year: y, Body: string(raw), SHA256: hex.EncodeToString(sum[:]), UploadedBy: p.UserID, UploadedAt: a.Now().UTC()}
	ctx := c.Request().Context()
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "year"}},
			DoUpdates: clause.AssignmentColumns([]string{"body", "sha256", "uploaded_by", "uploaded_at"}),
		}).Create(&row).Error; err != nil {
			return err
		}
		_, err := audit.Append(tx, audit.Record{At: row.UploadedAt, Actor: audit.Actor{UserID: p.UserID, Label: p.Subject(), IP: c.RealIP()},
			Action: "calendar.uploaded", ObjectType: "calendar", ObjectID: strconv.Itoa(y),
			Details: map[string]any{"sha256": row.SHA256, "was_provisional": a.Calendar.Provisional(y)}})
		return err
	})
	if err != nil {
		return apperr.OrInternal(err, "store calendar upload")
	}
	out := CalendarUploadJSON{SHA256: row.SHA256}
	_, n, err := a.SyncCalendars(ctx)
	out.Recomputed = n
	if err != nil {
		a.Log.Error("recompute deadlines after a calendar upload failed; retried by the next sync", "year", y, "err", err)
		out.RecomputePending = true
	}
	out.CalendarJSON = a.calendarJSON(y)
	return web.JSON(c, http.StatusOK, out)
}

// ---- operator warnings ---------------------------------------------------------

// ProvisionalYearsInUse lists the provisional years from today to 90 days
// ahead: deadlines there count a provisional calendar (operators only).
func (a *App) ProvisionalYearsInUse() []int {
	now := a.Now()
	return append([]int{}, a.Calendar.MissingYears(now, now.AddDate(0, 0, 90))...)
}

// LoadCalendarForCLI is LoadCalendar plus the years uploaded to the
// database (`portal calendar` shows what the portal counts). It never
// creates a database: a missing SQLite file or an unreachable server only
// leaves the uploads out, with a warning.
func LoadCalendarForCLI(cfg config.Config, log *slog.Logger) (*calendar.Calendar, error) {
	cal, err := LoadCalendar(cfg.CalendarDir, log)
	if err != nil {
		return nil, err
	}
	if cfg.DBDriver == config.SQLite {
		if _, err := os.Stat(cfg.DBConn); err != nil {
			return cal, nil
		}
	}
	db, err := store.Open(cfg, log)
	if err != nil {
		log.Warn("calendar: database not reachable, uploaded years not included", "err", err)
		return cal, nil
	}
	defer store.Close(db)
	if !db.Migrator().HasTable(CalendarUpload{}.TableName()) {
		return cal, nil
	}
	var rows []CalendarUpload
	if err := db.Order("year").Find(&rows).Error; err != nil {
		log.Warn("calendar: uploaded years not readable, not included", "err", err)
		return cal, nil
	}
	for _, r := range rows {
		origin := fmt.Sprintf("uploaded %s (database)", r.UploadedAt.In(calendar.Zone).Format(calendar.DateLayout))
		if _, err := cal.SetYear(r.Year, []byte(r.Body), origin); err != nil {
			log.Warn("calendar: uploaded year invalid, not used", "year", r.Year, "err", err)
		}
	}
	return cal, nil
}
