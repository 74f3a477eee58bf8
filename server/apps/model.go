// Package apps holds developer apps (数据接口): an app key and secret that
// sign API calls with HMAC-SHA256, per-app quotas per family of routes
// counted in the database (so they hold across replicas), and the usage
// the developer and the authority see. docs/app-keys.md describes the scheme.
package apps

import "time"

// Families of routes a quota applies to.
const (
	FamilyDownloads = "downloads" // GET/HEAD /api/v1/resources/:id/download
	FamilyRows      = "rows"      // rows and preview
	FamilyCKAN      = "ckan"      // /api/3/*
	FamilySearch    = "search"    // GET /api/v1/datasets and search
)

// Families lists them in display order.
var Families = []string{FamilyDownloads, FamilyRows, FamilyCKAN, FamilySearch}

// Status of an app.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// App is a developer's app. The secret is kept encrypted (AES-256-GCM):
// verifying a signature needs the secret itself, not a hash of it.
type App struct {
	ID              string    `gorm:"primaryKey;size:32"`
	UserID          uint64    `gorm:"not null;index"`
	Name            string    `gorm:"size:320;not null"`
	Description     string    `gorm:"type:text;not null"`
	IntendedUse     string    `gorm:"type:text;not null"`
	AppKey          string    `gorm:"size:64;not null;uniqueIndex"`
	SecretEnc       string    `gorm:"size:200;not null"` // base64(nonce‖ciphertext)
	GrantID         *string   `gorm:"size:64"`
	Status          string    `gorm:"size:16;not null"`
	SuspendedReason string    `gorm:"size:2000;not null"`
	CreatedAt       time.Time `gorm:"not null"`
	LastUsedAt      *time.Time
}

// TableName keeps the table name stable.
func (App) TableName() string { return "apps" }

// Quota is the authority's override of an app's limits for one family.
type Quota struct {
	AppID     string `gorm:"primaryKey;size:32"`
	Family    string `gorm:"primaryKey;size:16"`
	PerMinute int    `gorm:"not null"`
	PerDay    int    `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Quota) TableName() string { return "app_quotas" }

// Nonce is a used X-Nonce: the primary key makes a replay fail on every
// replica at once.
type Nonce struct {
	AppID  string    `gorm:"primaryKey;size:32"`
	Nonce  string    `gorm:"primaryKey;size:64"`
	SeenAt time.Time `gorm:"not null;index"`
}

// TableName keeps the table name stable.
func (Nonce) TableName() string { return "app_nonces" }

// Counter counts an app's calls in one window of one family ("m" + the
// minute's unix time, or "d" + the China date).
type Counter struct {
	AppID   string    `gorm:"primaryKey;size:32"`
	Family  string    `gorm:"primaryKey;size:16"`
	Slot    string    `gorm:"primaryKey;size:24"`
	Calls   int       `gorm:"not null"`
	Expires time.Time `gorm:"not null;index"`
}

// TableName keeps the table name stable.
func (Counter) TableName() string { return "app_counters" }

// Day is one day's calls and errors of one family, for the usage chart.
type Day struct {
	AppID  string `gorm:"primaryKey;size:32"`
	Date   string `gorm:"primaryKey;size:10;column:usage_date"` // China date
	Family string `gorm:"primaryKey;size:16"`
	Calls  int64  `gorm:"not null"`
	Errors int64  `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Day) TableName() string { return "app_usage_days" }

// CallError is one of the last errors an app's calls got.
type CallError struct {
	ID      uint64    `gorm:"primaryKey"`
	AppID   string    `gorm:"size:32;not null;index"`
	At      time.Time `gorm:"not null"`
	Method  string    `gorm:"size:8;not null"`
	Path    string    `gorm:"size:300;not null"`
	Status  int       `gorm:"not null"`
	Message string    `gorm:"size:500;not null"`
}

// TableName keeps the table name stable.
func (CallError) TableName() string { return "app_call_errors" }
