// Package notify is every party's in-app inbox, with e-mail copies when
// SMTP is configured. A notice is written in the caller's transaction, so
// it exists exactly when the decision it reports does; e-mail goes out
// after commit through the outbox, retried until the server takes it.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
	"github.com/hlj-opendata/portal/server/web"
)

// OutboxKind is the outbox event kind of a notice's e-mail copy.
const OutboxKind = "notice-email"

// Notice is one message in a user's inbox.
type Notice struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    uint64    `gorm:"not null;index:idx_notice_user,priority:1"`
	Kind      string    `gorm:"size:64;not null"` // e.g. application.approved
	Title     string    `gorm:"size:300;not null"`
	Body      string    `gorm:"type:text"`
	Link      string    `gorm:"size:300"` // a portal path such as /account/applications/12
	CreatedAt time.Time `gorm:"not null;index:idx_notice_user,priority:2"`
	ReadAt    *time.Time
	EmailedAt *time.Time
}

// TableName keeps the table name stable.
func (Notice) TableName() string { return "notices" }

// Migrations creates the inbox table.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID:       "0010_notices",
		Migrate:  func(tx *gorm.DB) error { return store.AutoMigrate(tx, &noticeV1{}) },
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("notices") },
	}}
}

type noticeV1 struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    uint64    `gorm:"not null;index:idx_notice_user,priority:1"`
	Kind      string    `gorm:"size:64;not null"`
	Title     string    `gorm:"size:300;not null"`
	Body      string    `gorm:"type:text"`
	Link      string    `gorm:"size:300"`
	CreatedAt time.Time `gorm:"not null;index:idx_notice_user,priority:2"`
	ReadAt    *time.Time
	EmailedAt *time.Time
}

func (noticeV1) TableName() string { return "notices" }

// Service writes and reads notices.
type Service struct {
	DB   *gorm.DB
	Mail mail.Sender // nil or mail.Disabled: inbox only
	Now  func() time.Time
	// EmailOf returns a user's address for the e-mail copy.
	EmailOf func(ctx context.Context, userID uint64) (string, error)
	BaseURL string
}

// Send writes notices in tx (the caller's transaction) and queues their
// e-mail copies. Call it where the decision it reports is written.
func (s *Service) Send(tx *gorm.DB, notices ...Notice) error {
	if len(notices) == 0 {
		return nil
	}
	now := s.Now().UTC().Truncate(time.Second)
	for i := range notices {
		notices[i].ID = 0
		notices[i].CreatedAt = now
		if notices[i].UserID == 0 || notices[i].Title == "" || notices[i].Kind == "" {
			return fmt.Errorf("notify: notice needs a user, kind and title")
		}
	}
	if err := tx.Create(&notices).Error; err != nil {
		return err
	}
	if !s.mailOn() {
		return nil
	}
	ids := make([]string, len(notices))
	for i, n := range notices {
		ids[i] = strconv.FormatUint(n.ID, 10)
	}
	return outbox.Enqueue(tx, now, OutboxKind, ids...)
}

func (s *Service) mailOn() bool {
	if s.Mail == nil {
		return false
	}
	_, disabled := s.Mail.(mail.Disabled)
	return !disabled
}

// DeliverEmails is the outbox handler of OutboxKind: it mails each notice
// not yet mailed. A failure leaves the rest for the retry.
func (s *Service) DeliverEmails(ctx context.Context, ids []string) error {
	var errs []error
	for _, raw := range ids {
		id, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			continue
		}
		var n Notice
		if err := s.DB.WithContext(ctx).First(&n, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if n.EmailedAt != nil {
			continue // idempotent: a retried batch does not mail twice
		}
		to, err := s.EmailOf(ctx, n.UserID)
		if err != nil || to == "" {
			continue
		}
		body := n.Body
		if n.Link != "" {
			body += "\n\n" + s.BaseURL + n.Link
		}
		if err := s.Mail.Send(ctx, mail.Message{To: to, Subject: n.Title, Body: body}); err != nil {
			errs = append(errs, err)
			continue
		}
		now := s.Now().UTC()
		s.DB.WithContext(ctx).Model(&Notice{}).Where("id = ?", n.ID).Update("emailed_at", now)
	}
	return errors.Join(errs...)
}

// Handler serves a signed-in user's inbox.
type Handler struct{ Service *Service }

// Routes registers the inbox routes.
func (h *Handler) Routes(r *web.Router) {
	r.GET("/api/v1/me/notifications", authz.Me, h.list)
	r.POST("/api/v1/me/notifications/:id/read", authz.Me, h.markRead)
	r.POST("/api/v1/me/notifications/read-all", authz.Me, h.markAllRead)
}

// NoticeJSON is one inbox message.
type NoticeJSON struct {
	ID        uint64     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// InboxJSON is a page of the inbox.
type InboxJSON struct {
	Unread int64        `json:"unread"`
	Items  []NoticeJSON `json:"items"`
}

// list godoc
// @Summary  My notifications, newest first
// @Tags     account
// @Produce  json
// @Param    limit   query int false "1–100 (default 50)"
// @Param    before  query int false "id to page back from"
// @Success  200 {object} InboxJSON
// @Failure  401 {object} web.ErrorBody
// @Router   /me/notifications [get]
func (h *Handler) list(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	limit, err := web.QueryInt(c, "limit", 50, 1, 100)
	if err != nil {
		return err
	}
	before, err := web.QueryInt(c, "before", 0, 0, 1<<53)
	if err != nil {
		return err
	}
	db := h.Service.DB.WithContext(c.Request().Context())
	q := db.Where("user_id = ?", p.UserID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var list []Notice
	if err := q.Order("id DESC").Limit(limit).Find(&list).Error; err != nil {
		return apperr.Internalf(err, "list notices")
	}
	out := InboxJSON{Items: make([]NoticeJSON, len(list))}
	db.Model(&Notice{}).Where("user_id = ? AND read_at IS NULL", p.UserID).Count(&out.Unread)
	for i, n := range list {
		out.Items[i] = NoticeJSON{n.ID, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt}
	}
	return web.JSON(c, http.StatusOK, out)
}

// markRead godoc
// @Summary  Mark one of my notifications read
// @Tags     account
// @Param    id path int true "notice id"
// @Success  204
// @Failure  404 {object} web.ErrorBody
// @Router   /me/notifications/{id}/read [post]
func (h *Handler) markRead(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "notice not found")
	}
	now := h.Service.Now().UTC()
	// Ownership: only the addressee's notices match; others look missing.
	res := h.Service.DB.WithContext(c.Request().Context()).Model(&Notice{}).
		Where("id = ? AND user_id = ?", id, p.UserID).Update("read_at", gorm.Expr("COALESCE(read_at, ?)", now))
	if res.Error != nil {
		return apperr.Internalf(res.Error, "mark notice read")
	}
	if res.RowsAffected == 0 {
		var n int64
		h.Service.DB.WithContext(c.Request().Context()).Model(&Notice{}).Where("id = ? AND user_id = ?", id, p.UserID).Count(&n)
		if n == 0 {
			return apperr.New(apperr.NotFound, "notice not found")
		}
	}
	return c.NoContent(http.StatusNoContent)
}

// markAllRead godoc
// @Summary  Mark all my notifications read
// @Tags     account
// @Success  204
// @Router   /me/notifications/read-all [post]
func (h *Handler) markAllRead(c echo.Context) error {
	p := authz.PrincipalFrom(c)
	now := h.Service.Now().UTC()
	if err := h.Service.DB.WithContext(c.Request().Context()).Model(&Notice{}).
		Where("user_id = ? AND read_at IS NULL", p.UserID).Update("read_at", now).Error; err != nil {
		return apperr.Internalf(err, "mark notices read")
	}
	return c.NoContent(http.StatusNoContent)
}
