package store

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewID returns prefix_ and 16 random hex digits: not guessable, so ids say
// nothing about how many rows exist.
func NewID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// ValidID rejects what NewID(prefix) cannot produce, before the database is
// asked.
func ValidID(id, prefix string) bool {
	if len(id) != len(prefix)+17 || id[:len(prefix)+1] != prefix+"_" {
		return false
	}
	for _, r := range id[len(prefix)+1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// DBTime is how times are stored: UTC, whole seconds, the same on both
// engines.
func DBTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
