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
	}, {
		// E-mail verification (issue 16): accounts that exist now count as
		// verified; new sign-ups verify by a mailed link.
		ID: "0080_email_verified_at",
		Migrate: func(tx *gorm.DB) error {
			if !tx.Migrator().HasColumn(&userVerifiedV3{}, "EmailVerifiedAt") {
				if err := tx.Migrator().AddColumn(&userVerifiedV3{}, "EmailVerifiedAt"); err != nil {
					return err
				}
			}
			return tx.Exec("UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL").Error
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropColumn(&userVerifiedV3{}, "EmailVerifiedAt") },
	}, {
		// Sign-in failures per account and address (the throttle's three
		// counts). The old rows are short-lived counters: dropped, not moved.
		ID: "0081_login_failures_pairs",
		Migrate: func(tx *gorm.DB) error {
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			if err := tx.Migrator().DropTable("login_failures"); err != nil {
				return err
			}
			return tx.AutoMigrate(&loginFailureV2{})
		},
		Rollback: func(tx *gorm.DB) error {
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			if err := tx.Migrator().DropTable("login_failures"); err != nil {
				return err
			}
			return tx.AutoMigrate(&loginFailureV1{})
		},
	}, {
		ID: "0082_registration_attempts",
		Migrate: func(tx *gorm.DB) error {
			tx = store.TableOptions(tx.Session(&gorm.Session{NewDB: true}))
			return tx.AutoMigrate(&registrationAttemptV1{})
		},
		Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("registration_attempts") },
	}}
}

// userVerifiedV3 is the column migration 0080 adds.
type userVerifiedV3 struct {
	EmailVerifiedAt *time.Time
}

func (userVerifiedV3) TableName() string { return "users" }

type loginFailureV2 struct {
	ID       uint64    `gorm:"primaryKey"`
	Account  string    `gorm:"size:40;not null;index:idx_login_failures_account,priority:1"`
	IP       string    `gorm:"size:64;not null;index:idx_login_failures_ip,priority:1"`
	FailedAt time.Time `gorm:"not null;index:idx_login_failures_account,priority:2;index:idx_login_failures_ip,priority:2;index:idx_login_failures_at"`
}

func (loginFailureV2) TableName() string { return "login_failures" }

type registrationAttemptV1 struct {
	ID          uint64    `gorm:"primaryKey"`
	IP          string    `gorm:"size:64;not null;index:idx_registration_attempts_ip,priority:1"`
	AttemptedAt time.Time `gorm:"not null;index:idx_registration_attempts_ip,priority:2;index:idx_registration_attempts_at"`
}

func (registrationAttemptV1) TableName() string { return "registration_attempts" }

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
