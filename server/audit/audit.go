// Package audit is the tamper-evident record of who did what (000 Art 11,
// 28: every use of data traceable, records kept at least 3 years; 001 Art
// 35). Entries are append-only and hash-chained: each carries the hash of
// the one before, so an edited or removed entry breaks the chain and
// Verify finds it.
//
// There is deliberately no delete or update function: records are kept at
// least 3 years (000 Art 28; 001 Art 29), and archiving older ones is an
// operator task done with the chain verified first.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
	"gorm.io/gorm/clause"
)

// ID is an entry's position in the chain: 1, 2, 3… without gaps.
type ID = uint64

// Actions recorded by accounts.
const (
	LoginOK         = "auth.login"
	LoginFailed     = "auth.login_failed"
	Logout          = "auth.logout"
	Register        = "auth.register"
	PasswordChange  = "auth.password_change"
	PasswordReset   = "auth.password_reset"
	ResetRequested  = "auth.password_reset_requested"
	RoleChange      = "user.roles"
	UserCreated     = "user.create"
	UserUpdated     = "user.update"
	MemberAdded     = "organisation.member_add"
	TokenCreated    = "token.create"
	TokenRevoked    = "token.revoke"
	DepartmentSaved = "department.save"
)

// Actions other domains record through Append (or the helpers below).
const (
	ApplicationDecided  = "application.decided"  // 000 Art 34: approve / refuse / ask for material
	CorrectionAnswered  = "correction.answered"  // 000 Art 24
	RevocationApproved  = "revocation.approved"  // 000 Art 35
	ConditionalDownload = "data.conditional_use" // 000 Art 28: use of conditional data is recorded
)

// Actor is who acted: a user (UserID > 0), or a named system actor.
type Actor struct {
	UserID uint64 // 0 for anonymous or system
	Label  string // "u:42", "anonymous", "system", "cli"
	IP     string
}

// Entry is one record.
type Entry struct {
	Seq        ID        `gorm:"primaryKey;autoIncrement:false"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint64   `gorm:"index"`
	Actor      string    `gorm:"size:64;not null"`
	Action     string    `gorm:"size:64;not null;index"`
	ObjectType string    `gorm:"size:32;not null"`
	ObjectID   string    `gorm:"size:64;not null"`
	Details    string    `gorm:"type:text;not null"` // JSON object, as hashed
	IP         string    `gorm:"size:64;not null"`
	PrevHash   string    `gorm:"size:64;not null"`
	Hash       string    `gorm:"size:64;not null"`
}

// TableName keeps the table name stable.
func (Entry) TableName() string { return "audit_entries" }

// head is the single row (id 1) locked by every Append: it serialises
// writers so the chain stays linear, and remembers the last entry so a
// removed tail is detected too.
type head struct {
	ID       uint   `gorm:"primaryKey;autoIncrement:false"`
	LastSeq  ID     `gorm:"not null"`
	LastHash string `gorm:"size:64;not null"`
}

func (head) TableName() string { return "audit_head" }

// Genesis is the prev_hash of the first entry.
var Genesis = hex.EncodeToString(make([]byte, sha256.Size))

// Migrations creates the audit tables.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0003_audit",
		Migrate: func(tx *gorm.DB) error {
			// A fresh session: on MySQL the migrator's own tx carries
			// Table("schema_migrations") from its bookkeeping.
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			if err := tx.AutoMigrate(&entryV1{}, &headV1{}); err != nil {
				return err
			}
			return tx.Create(&headV1{ID: 1, LastSeq: 0, LastHash: Genesis}).Error
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("audit_head", "audit_entries") },
	}}
}

type entryV1 struct {
	Seq        uint64    `gorm:"primaryKey;autoIncrement:false"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint64   `gorm:"index"`
	Actor      string    `gorm:"size:64;not null"`
	Action     string    `gorm:"size:64;not null;index"`
	ObjectType string    `gorm:"size:32;not null"`
	ObjectID   string    `gorm:"size:64;not null"`
	Details    string    `gorm:"type:text;not null"`
	IP         string    `gorm:"size:64;not null"`
	PrevHash   string    `gorm:"size:64;not null"`
	Hash       string    `gorm:"size:64;not null"`
}

func (entryV1) TableName() string { return "audit_entries" }

type headV1 struct {
	ID       uint   `gorm:"primaryKey;autoIncrement:false"`
	LastSeq  uint64 `gorm:"not null"`
	LastHash string `gorm:"size:64;not null"`
}

func (headV1) TableName() string { return "audit_head" }

// Record is what a caller appends.
type Record struct {
	At         time.Time // the service's clock; truncated to milliseconds
	Actor      Actor
	Action     string
	ObjectType string
	ObjectID   string
	Details    map[string]any // marshalled as a JSON object (keys sorted)
}

// Append adds r to the chain inside the caller's transaction tx, so the
// record exists exactly when the change it describes does. Appends are
// serialised by a row lock on audit_head (SELECT … FOR UPDATE on MySQL;
// SQLite transactions already hold the database's write lock).
func Append(tx *gorm.DB, r Record) (*Entry, error) {
	if r.Action == "" || r.ObjectType == "" {
		return nil, errors.New("audit: action and object type are required")
	}
	details := []byte("{}")
	if len(r.Details) > 0 {
		var err error
		if details, err = json.Marshal(r.Details); err != nil {
			return nil, fmt.Errorf("audit: details: %w", err)
		}
	}
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	var h head
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = 1").Take(&h).Error; err != nil {
		return nil, fmt.Errorf("audit: lock chain head: %w", err)
	}
	e := &Entry{
		Seq:        h.LastSeq + 1,
		At:         at.UTC().Truncate(time.Millisecond),
		Actor:      r.Actor.Label,
		Action:     r.Action,
		ObjectType: r.ObjectType,
		ObjectID:   r.ObjectID,
		Details:    string(details),
		IP:         r.Actor.IP,
		PrevHash:   h.LastHash,
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	if r.Actor.UserID > 0 {
		id := r.Actor.UserID
		e.ActorID = &id
	}
	e.Hash = e.computeHash()
	if err := tx.Create(e).Error; err != nil {
		return nil, fmt.Errorf("audit: append: %w", err)
	}
	res := tx.Model(&head{}).Where("id = 1 AND last_seq = ?", h.LastSeq).
		Updates(map[string]any{"last_seq": e.Seq, "last_hash": e.Hash})
	if res.Error != nil {
		return nil, fmt.Errorf("audit: move chain head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, errors.New("audit: chain head moved concurrently")
	}
	return e, nil
}

// canonical is the entry's hashed form: a JSON array of its fields in a
// fixed order, times in UTC with milliseconds.
func (e *Entry) canonical() []byte {
	var actorID any
	if e.ActorID != nil {
		actorID = *e.ActorID
	}
	b, _ := json.Marshal([]any{e.Seq, e.At.UTC().Format("2006-01-02T15:04:05.000Z"), actorID, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Details, e.IP})
	return b
}

// computeHash is SHA-256(prev_hash || canonical entry), hex.
func (e *Entry) computeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyResult is what Verify found.
type VerifyResult struct {
	Count       uint64 // entries checked
	FirstBroken *ID    // nil when the chain holds
	Reason      string // why FirstBroken is broken
	LastHash    string // the chain head's hash: record it elsewhere to detect a rewritten tail
}

// Verify walks the whole chain and returns the first entry whose link does
// not hold: its content was changed (hash), an entry before it was removed
// or changed (prev_hash, gap in seq), or the tail was cut (head). nil
// means the chain is intact.
func Verify(ctx context.Context, db *gorm.DB) (firstBroken *ID, err error) {
	r, err := Check(ctx, db)
	return r.FirstBroken, err
}

// Check is Verify with the count and the reason, for the CLI.
func Check(ctx context.Context, db *gorm.DB) (VerifyResult, error) {
	var res VerifyResult
	var h head
	if err := db.WithContext(ctx).Where("id = 1").Take(&h).Error; err != nil {
		return res, fmt.Errorf("audit: read chain head: %w", err)
	}
	broken := func(seq ID, reason string) (VerifyResult, error) {
		res.FirstBroken, res.Reason = &seq, reason
		return res, nil
	}
	prev, want := Genesis, ID(1)
	const batch = 1000
	for {
		var rows []Entry
		// Entries after the head read above were appended since: not checked.
		if err := db.WithContext(ctx).Where("seq >= ? AND seq <= ?", want, h.LastSeq).Order("seq").Limit(batch).Find(&rows).Error; err != nil {
			return res, fmt.Errorf("audit: read entries: %w", err)
		}
		for i := range rows {
			e := &rows[i]
			switch {
			case e.Seq != want:
				return broken(want, fmt.Sprintf("entry %d is missing", want))
			case e.PrevHash != prev:
				return broken(e.Seq, "prev_hash does not match the entry before it")
			case e.computeHash() != e.Hash:
				return broken(e.Seq, "content does not match its hash")
			}
			prev, want = e.Hash, want+1
			res.Count++
		}
		if len(rows) < batch {
			break
		}
	}
	if want <= h.LastSeq {
		return broken(want, fmt.Sprintf("entry %d is missing (the chain head says %d entries)", want, h.LastSeq))
	}
	if prev != h.LastHash {
		return broken(h.LastSeq, "last entry does not match the chain head")
	}
	res.LastHash = h.LastHash
	return res, nil
}

// Query selects entries for the admin list, newest first.
type Query struct {
	Action     string
	ObjectType string
	ObjectID   string
	ActorID    uint64
	Before     ID // entries with seq < Before (paging); 0 for the newest
	Limit      int
}

// List returns entries matching q, newest first.
func List(ctx context.Context, db *gorm.DB, q Query) ([]Entry, error) {
	tx := db.WithContext(ctx).Order("seq DESC")
	if q.Action != "" {
		tx = tx.Where("action = ?", q.Action)
	}
	if q.ObjectType != "" {
		tx = tx.Where("object_type = ?", q.ObjectType)
	}
	if q.ObjectID != "" {
		tx = tx.Where("object_id = ?", q.ObjectID)
	}
	if q.ActorID > 0 {
		tx = tx.Where("actor_id = ?", q.ActorID)
	}
	if q.Before > 0 {
		tx = tx.Where("seq < ?", q.Before)
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	var out []Entry
	return out, tx.Limit(q.Limit).Find(&out).Error
}

// The helpers below are what other domains call; each records in tx, the
// transaction that makes the change.

// ApplicationDecision records a decision on a conditional-open application
// (000 Art 34: approve, refuse with reasons, or ask for missing material).
func ApplicationDecision(tx *gorm.DB, at time.Time, by Actor, applicationID, decision, reason string) error {
	_, err := Append(tx, Record{At: at, Actor: by, Action: ApplicationDecided, ObjectType: "application", ObjectID: applicationID,
		Details: map[string]any{"decision": decision, "reason": reason}})
	return err
}

// CorrectionAnswer records a provider's answer to a correction (000 Art 24).
func CorrectionAnswer(tx *gorm.DB, at time.Time, by Actor, correctionID, outcome string) error {
	_, err := Append(tx, Record{At: at, Actor: by, Action: CorrectionAnswered, ObjectType: "correction", ObjectID: correctionID,
		Details: map[string]any{"outcome": outcome}})
	return err
}

// RevocationApproval records an authority approving a revocation (000 Art 35).
func RevocationApproval(tx *gorm.DB, at time.Time, by Actor, revocationID, datasetID string) error {
	_, err := Append(tx, Record{At: at, Actor: by, Action: RevocationApproved, ObjectType: "revocation", ObjectID: revocationID,
		Details: map[string]any{"dataset_id": datasetID}})
	return err
}

// ConditionalUse records a download or API call of conditional data under
// a grant (000 Art 28: use is recorded and kept at least 3 years).
func ConditionalUse(tx *gorm.DB, at time.Time, by Actor, grantID, resourceID string) error {
	_, err := Append(tx, Record{At: at, Actor: by, Action: ConditionalDownload, ObjectType: "grant", ObjectID: grantID,
		Details: map[string]any{"resource_id": resourceID}})
	return err
}
