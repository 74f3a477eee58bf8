package corrections

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/notify"
)

// DeadlineSubject names corrections in the deadline claims table.
const DeadlineSubject = "correction"

// FollowUp reminds departments of reports due soon and escalates overdue
// ones to the authority (000 Art 42), each once per deadline: the claims
// in server/deadlines make two replicas running it at the same time send
// one reminder and one escalation. A new deadline (forwarding, extension)
// is a new round and is chased again.
func (s *Service) FollowUp(ctx context.Context) (deadlines.Result, error) {
	var open []Correction
	if err := s.DB.WithContext(ctx).Select("id, dataset_id, department_id, due_at, round").
		Where("status = ?", StatusOpen).Order("id").Find(&open).Error; err != nil {
		return deadlines.Result{}, apperr.Internalf(err, "open corrections")
	}
	byID := make(map[string]*Correction, len(open))
	items := make([]deadlines.Item, len(open))
	for i := range open {
		c := &open[i]
		id := idString(c.ID)
		byID[id] = c
		items[i] = deadlines.Item{Subject: DeadlineSubject, ID: id, Round: c.Round, Due: c.DueAt}
	}
	job := &deadlines.Job{DB: s.DB, Calendar: s.Calendar, Now: s.Now, Log: s.Log, RemindBefore: s.Profile.ReminderBeforeDueDays}
	return job.Process(ctx, items, deadlines.Handlers{
		Remind: func(tx *gorm.DB, it deadlines.Item, left int) error {
			c := byID[it.ID]
			ids, err := s.Staff.Providers(ctx, c.DepartmentID)
			if err != nil {
				return err
			}
			if err := s.addEvent(tx, c, Event{Kind: EventReminded, DepartmentID: c.DepartmentID, DueAt: &c.DueAt}); err != nil {
				return err
			}
			when := "今天"
			if left > 0 {
				when = fmt.Sprintf("%d 个工作日后", left)
			}
			return s.Notify.Send(tx, noticesTo(ids, "correction.reminder", "数据纠错即将到期",
				fmt.Sprintf("一份数据纠错报告的答复期限（%s）在%s到期，请及时答复（《黑龙江省政务数据管理暂行办法》第二十四条）。", fmtDue(c.DueAt), when), manageLink(c.ID))...)
		},
		Escalate: func(tx *gorm.DB, it deadlines.Item, left int) error {
			c := byID[it.ID]
			ids, err := s.Staff.Authorities(ctx, c.DepartmentID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			now := s.now()
			res := tx.Model(&Correction{}).Where("id = ? AND status = ? AND round = ?", c.ID, StatusOpen, c.Round).Update("escalated_at", now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return nil // answered meanwhile: nothing to chase; the claim stays
			}
			if err := s.addEvent(tx, c, Event{Kind: EventEscalated, DepartmentID: c.DepartmentID, DueAt: &c.DueAt}); err != nil {
				return err
			}
			if _, err := audit.Append(tx, audit.Record{At: now, Actor: audit.Actor{Label: "system"}, Action: "correction.escalated", ObjectType: "correction",
				ObjectID: it.ID, Details: map[string]any{"department_id": c.DepartmentID, "due_at": c.DueAt.Format("2006-01-02T15:04:05Z07:00"), "working_days_late": -left}}); err != nil {
				return err
			}
			return s.Notify.Send(tx, noticesTo(ids, "correction.escalated", "数据纠错逾期未答复",
				fmt.Sprintf("部门 %s 未在期限（%s）内答复一份数据纠错报告，已逾期 %d 个工作日，请督办（《黑龙江省政务数据管理暂行办法》第四十二条）。", c.DepartmentID, fmtDue(c.DueAt), -left), manageLink(c.ID))...)
		},
	})
}

func noticesTo(ids []uint64, kind, title, body, link string) []notify.Notice {
	out := make([]notify.Notice, 0, len(ids))
	for _, uid := range ids {
		out = append(out, notify.Notice{UserID: uid, Kind: kind, Title: title, Body: body, Link: link})
	}
	return out
}

// DeliverMail is the outbox handler of MailKind: it tells the reporter's
// e-mail address about a public event of the report. The mail names no
// personal data beyond what the reporter sent; it does not carry the
// tracking code (only its hash is stored). Idempotent: MailedAt is set
// after the server took the message.
func (s *Service) DeliverMail(ctx context.Context, ids []string) error {
	var errs []error
	for _, raw := range ids {
		id, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			continue
		}
		var ev Event
		if err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&ev).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if ev.MailedAt != nil || !ev.Public {
			continue
		}
		c, err := s.load(ctx, s.DB, ev.CorrectionID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.ContactEmail == "" {
			continue
		}
		d, err := s.detail(ctx, c, ViewReporter)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		subject, body := mailText(d, &ev)
		if err := s.Mail.Send(ctx, mail.Message{To: c.ContactEmail, Subject: subject, Body: body}); err != nil {
			errs = append(errs, err)
			continue
		}
		now := s.now()
		s.DB.WithContext(ctx).Model(&Event{}).Where("id = ?", ev.ID).Update("mailed_at", now)
	}
	return errors.Join(errs...)
}

func mailText(d *Detail, ev *Event) (string, string) {
	var b strings.Builder
	subject := "数据纠错报告进展"
	fmt.Fprintf(&b, "您好：\n\n您对数据集“%s”提交的纠错报告（编号 %d）有新进展：\n\n", d.DatasetTitle, d.ID)
	switch ev.Kind {
	case EventSubmitted:
		subject = "数据纠错报告已受理"
		fmt.Fprintf(&b, "报告已送达%s，答复期限为 %s。\n", d.DepartmentName, fmtDue(d.DueAt))
	case EventForwarded:
		subject = "数据纠错报告已转交"
		fmt.Fprintf(&b, "报告已转交%s办理，新的答复期限为 %s。\n说明：%s\n", d.DepartmentName, fmtDue(d.DueAt), ev.Note)
	case EventExtensionApproved:
		subject = "数据纠错答复期限已延长"
		fmt.Fprintf(&b, "经批准，答复期限延长至 %s。\n", fmtDue(d.DueAt))
	case EventAnswered:
		subject = reporterTitle(d.Outcome)
		fmt.Fprintf(&b, "答复：%s\n", ev.Note)
	case EventDueRecomputed:
		subject = "数据纠错答复期限已调整"
		fmt.Fprintf(&b, "因放假安排调整，答复期限调整为 %s。\n", fmtDue(d.DueAt))
	case EventEscalated:
		subject = "数据纠错报告已提请主管部门督办"
		fmt.Fprintf(&b, "部门未在期限内答复，已提请政务数据主管部门督办。\n")
	default:
		fmt.Fprintf(&b, "%s\n", ev.Kind)
	}
	b.WriteString("\n请使用提交时获得的查询码在平台“纠错查询”页面查看详情。\n")
	return subject, b.String()
}
