package accounts

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/store"
)

// Migrations creates the account tables. Each migration declares the
// tables as they were at that version.
func Migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{{
		ID: "0003_accounts",
		Migrate: func(tx *gorm.DB) error {
			// A fresh session: on MySQL the migrator's own tx carries
			// Table("schema_migrations") from its bookkeeping.
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			return tx.AutoMigrate(&organisationV1{}, &userV1{}, &sessionV1{}, &apiTokenV1{}, &resetTokenV1{}, &loginFailureV1{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("login_failures", "reset_tokens", "api_tokens", "sessions", "users", "organisations")
		},
	}, {
		// 000 Art 38 (定期更换密码): staff passwords expire after the
		// profile's days. Accounts that exist now start counting from this
		// migration, not from a change made before the rule applied; their
		// password_changed_at is kept as it was.
		ID: "0055_password_rotation_from",
		Migrate: func(tx *gorm.DB) error {
			if !tx.Migrator().HasColumn(&userRotationV2{}, "PasswordRotationFrom") {
				if err := tx.Migrator().AddColumn(&userRotationV2{}, "PasswordRotationFrom"); err != nil {
					return err
				}
			}
			return tx.Exec("UPDATE users SET password_rotation_from = ? WHERE password_rotation_from IS NULL", time.Now().UTC().Truncate(time.Millisecond)).Error
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn(&userRotationV2{}, "PasswordRotationFrom") },
	}}
}

// userRotationV2 is the column migration 0055 adds.
type userRotationV2 struct {
	PasswordRotationFrom *time.Time
}

func (userRotationV2) TableName() string { return "users" }

type organisationV1 struct {
	ID         uint64 `gorm:"primaryKey"`
	Name       string `gorm:"size:200;not null"`
	CreditCode string `gorm:"size:18;not null;uniqueIndex"`
	CreatedAt  time.Time
}

func (organisationV1) TableName() string { return "organisations" }

type userV1 struct {
	ID                uint64  `gorm:"primaryKey"`
	Email             string  `gorm:"size:191;not null;uniqueIndex"`
	Name              string  `gorm:"size:100;not null"`
	Kind              string  `gorm:"size:16;not null"`
	PasswordHash      string  `gorm:"size:255;not null"`
	OrganisationID    *uint64 `gorm:"index"`
	OrgAdmin          bool    `gorm:"not null;default:false"`
	DepartmentID      *string `gorm:"size:64;index"`
	Region            string  `gorm:"size:100;not null;default:''"`
	DisabledAt        *time.Time
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time

	Organisation *organisationV1 `gorm:"foreignKey:OrganisationID"`
}

func (userV1) TableName() string { return "users" }

type sessionV1 struct {
	IDHash     string    `gorm:"primaryKey;size:64"`
	UserID     uint64    `gorm:"not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index"`
	IP         string    `gorm:"size:64;not null;default:''"`
	UserAgent  string    `gorm:"size:200;not null;default:''"`

	User userV1 `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (sessionV1) TableName() string { return "sessions" }

type apiTokenV1 struct {
	ID         uint64    `gorm:"primaryKey"`
	UserID     uint64    `gorm:"not null;index"`
	Name       string    `gorm:"size:100;not null"`
	Prefix     string    `gorm:"size:16;not null"`
	Hash       string    `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt  time.Time `gorm:"not null"`
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	GrantID    *string `gorm:"size:64;index"`

	User userV1 `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (apiTokenV1) TableName() string { return "api_tokens" }

type resetTokenV1 struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	UserID    uint64    `gorm:"not null;index"`
	Purpose   string    `gorm:"size:16;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time

	User userV1 `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (resetTokenV1) TableName() string { return "reset_tokens" }

type loginFailureV1 struct {
	ID       uint64    `gorm:"primaryKey"`
	Bucket   string    `gorm:"size:80;not null;index:idx_login_failures_bucket,priority:1"` // "a:<email hash>" or "i:<ip>"
	FailedAt time.Time `gorm:"not null;index:idx_login_failures_bucket,priority:2;index:idx_login_failures_at"`
}

func (loginFailureV1) TableName() string { return "login_failures" }
