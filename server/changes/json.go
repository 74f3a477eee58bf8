package changes

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
)

// RefJSON names a related object.
type RefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ExtensionJSON is the one extension a notice may have.
type ExtensionJSON struct {
	Status      string     `json:"status"` // requested | approved | refused
	Days        int        `json:"days"`
	Reason      string     `json:"reason"`
	Basis       string     `json:"basis"` // the policy basis (Heilongjiang Interim Measures for Government Data Management, Art. 15)
	Comment     string     `json:"comment"`
	RequestedAt *time.Time `json:"requested_at"`
	DecidedAt   *time.Time `json:"decided_at"`
}

// EntryJSON is one affected entry.
type EntryJSON struct {
	DatasetID string      `json:"dataset_id"`
	Title     string      `json:"title"`
	Status    EntryStatus `json:"status"`  // pending | updated | confirmed
	DoneAt    *time.Time  `json:"done_at"` // the update's submission or the confirmation
	Version   int         `json:"version,omitempty"`
	Reason    string      `json:"reason,omitempty"` // why no change is needed (confirmed)
}

// EventJSON is one step of the history.
type EventJSON struct {
	Kind      string     `json:"kind"`
	At        time.Time  `json:"at"`
	DatasetID string     `json:"dataset_id,omitempty"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// NoticeJSON is a catalog change notice as the department and its
// authority see it.
type NoticeJSON struct {
	ID          uint64    `json:"id"`
	Department  RefJSON   `json:"department"`
	Reason      string    `json:"reason"`
	ChangedOn   string    `json:"changed_on"`
	AllEntries  bool      `json:"all_entries"`
	CreatedRole string    `json:"created_by_role"` // authority | provider
	NoticedAt   time.Time `json:"noticed_at"`
	Days        int       `json:"days"` // working days the profile gave
	DueAt       time.Time `json:"due_at"`
	// DueProvisional: an open notice's due date was counted through a
	// provisional calendar year; it moves when that year's notice arrives.
	DueProvisional bool           `json:"due_provisional"`
	DaysLeft       *int           `json:"days_left"` // open notices: working days left, negative when late
	Status         Status         `json:"status"`
	CompletedAt    *time.Time     `json:"completed_at"`
	OnTime         *bool          `json:"on_time"` // null while open
	Overdue        bool           `json:"overdue"` // open and past the due date
	Escalated      bool           `json:"escalated"`
	Extension      *ExtensionJSON `json:"extension"`
	EntriesTotal   int            `json:"entries_total"`
	EntriesDone    int            `json:"entries_done"`
	Entries        []EntryJSON    `json:"entries"`
	History        []EventJSON    `json:"history,omitempty"` // one notice only
	// What the caller may do now.
	CanRequestExtension bool `json:"can_request_extension"`
	CanDecideExtension  bool `json:"can_decide_extension"`
	CanConfirm          bool `json:"can_confirm"`
	ExtensionMaxDays    int  `json:"extension_max_days"` // the profile's catalog_update_extension_max
}

// render turns n into JSON for a caller in role r; history adds the events.
func (s *Service) render(ctx context.Context, n *Notice, dep *catalog.Department, r role, history bool) (*NoticeJSON, error) {
	now := s.Now()
	j := &NoticeJSON{ID: n.ID, Department: RefJSON{ID: n.DepartmentID}, Reason: n.Reason, ChangedOn: n.ChangedOn, AllEntries: n.AllEntries,
		CreatedRole: n.CreatedRole, NoticedAt: n.NoticedAt, Days: n.Days, DueAt: n.DueAt, Status: n.Status, CompletedAt: n.CompletedAt,
		Escalated: n.EscalatedAt != nil, Entries: []EntryJSON{}}
	if dep != nil {
		j.Department.Name = dep.Name
	}
	open := n.Status == StatusOpen
	if open {
		left := s.Calendar.WorkingDaysLeft(now, n.DueAt)
		j.DaysLeft = &left
		j.Overdue = now.After(n.DueAt)
		j.DueProvisional = s.Calendar.ProvisionalSpan(n.NoticedAt, n.DueAt)
	} else if n.CompletedAt != nil {
		ok := !n.CompletedAt.After(n.DueAt)
		j.OnTime = &ok
	}
	if n.ExtensionStatus != "" {
		j.Extension = &ExtensionJSON{Status: n.ExtensionStatus, Days: n.ExtensionDays, Reason: n.ExtensionReason, Basis: n.ExtensionBasis,
			Comment: n.ExtensionComment, RequestedAt: n.ExtensionRequestedAt, DecidedAt: n.ExtensionDecidedAt}
	}
	var entries []Entry
	if err := s.DB.WithContext(ctx).Where("notice_id = ?", n.ID).Order("dataset_id").Find(&entries).Error; err != nil {
		return nil, apperr.Internalf(err, "entries of catalog change %d", n.ID)
	}
	for _, e := range entries {
		j.Entries = append(j.Entries, EntryJSON{DatasetID: e.DatasetID, Title: e.Title, Status: e.Status, DoneAt: e.DoneAt, Version: e.Version, Reason: e.Note})
		if e.Status != EntryPending {
			j.EntriesDone++
		}
	}
	j.EntriesTotal = len(entries)
	j.CanRequestExtension = r == roleProvider && open && n.ExtensionStatus == "" && !j.Overdue && s.Profile.CatalogUpdateExtensionMax > 0
	j.CanDecideExtension = r == roleAuthority && open && n.ExtensionStatus == ExtensionRequested
	j.CanConfirm = r == roleProvider && open
	j.ExtensionMaxDays = s.Profile.CatalogUpdateExtensionMax
	if history {
		var evs []Event
		if err := s.DB.WithContext(ctx).Where("notice_id = ?", n.ID).Order("at").Order("id").Find(&evs).Error; err != nil {
			return nil, apperr.Internalf(err, "history of catalog change %d", n.ID)
		}
		j.History = make([]EventJSON, len(evs))
		for i, ev := range evs {
			j.History[i] = EventJSON{Kind: ev.Kind, At: ev.At, DatasetID: ev.DatasetID, DueAt: ev.DueAt, Note: ev.Note}
		}
	}
	return j, nil
}
