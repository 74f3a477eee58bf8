package apptest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/hlj-opendata/portal/server/accounts"
)

// RegisterVerified signs up through POST /api/v1/auth/register with form
// (email, password, name, kind, credit_code) and verifies the address
// through POST /api/v1/auth/verify-email, as the mailed link would: a new
// account must do so before it applies or reports. It returns the
// account's id and fails the test otherwise.
func (p *Portal) RegisterVerified(t testing.TB, form map[string]string) uint64 {
	t.Helper()
	r := p.PostJSON(t, "/api/v1/auth/register", form, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", form["email"], r.Status, truncate(string(r.Body)))
	}
	var u struct {
		ID uint64 `json:"id"`
	}
	r.JSON(t, &u)
	raw := p.verificationToken(t, u.ID)
	if r := p.PostJSON(t, "/api/v1/auth/verify-email", map[string]string{"token": raw}, nil); r.Status != http.StatusNoContent {
		t.Fatalf("verify %s: %d %s", form["email"], r.Status, truncate(string(r.Body)))
	}
	return u.ID
}

// VerificationLink returns a fresh /verify-email link for the account, as
// the sign-up mail carries (the mailed token is stored hashed only, so the
// test issues one it knows).
func (p *Portal) VerificationLink(t testing.TB, userID uint64) string {
	t.Helper()
	return "/verify-email?token=" + p.verificationToken(t, userID)
}

func (p *Portal) verificationToken(t testing.TB, userID uint64) string {
	t.Helper()
	var b [32]byte
	_, _ = rand.Read(b[:])
	raw := hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(raw))
	now := p.Now().UTC()
	tok := accounts.ResetToken{Hash: hex.EncodeToString(sum[:]), UserID: userID, Purpose: accounts.PurposeVerify, CreatedAt: now, ExpiresAt: now.Add(p.Accounts.Limits.VerifyTTL)}
	if err := p.DB.Create(&tok).Error; err != nil {
		t.Fatalf("verification token: %v", err)
	}
	return raw
}
