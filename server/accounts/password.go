package accounts

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1
// lane), stored as a PHC string so parameters can rise later: a login
// with old parameters re-hashes (NeedsRehash).
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password rules (strong passwords, 000 Art 38 / 002): length counts
// characters, not bytes, so a Chinese passphrase is measured fairly.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// HashPassword returns the PHC string of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

type phc struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

var errBadHash = errors.New("accounts: not an argon2id PHC string")

func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil || p.memory == 0 || p.time == 0 || p.threads == 0 {
		return p, errBadHash
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, errBadHash
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) == 0 {
		return p, errBadHash
	}
	return p, nil
}

// CheckPassword reports whether pw matches the PHC string (constant time).
func CheckPassword(hash, pw string) bool {
	p, err := parsePHC(hash)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// NeedsRehash reports whether hash was made with other parameters.
func NeedsRehash(hash string) bool {
	p, err := parsePHC(hash)
	return err != nil || p.memory != argonMemory || p.time != argonTime || p.threads != argonThreads || len(p.key) != argonKeyLen
}

// dummyHash is checked against when the account does not exist, so a
// login takes as long whether the e-mail is known or not.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not a real password, only burns time")
	if err != nil {
		panic(err)
	}
	return h
})

//go:embed common_passwords.txt
var commonPasswordsFile []byte

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// IsCommonPassword reports whether pw is on the list of common passwords,
// as is or once leading and trailing digits and symbols are stripped
// ("Password1234!" → "password").
func IsCommonPassword(pw string) bool {
	l := strings.ToLower(pw)
	if commonPasswords[l] {
		return true
	}
	core := strings.TrimFunc(l, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	return core != "" && commonPasswords[core]
}

// CheckPasswordPolicy returns an Invalid error naming field when pw is too
// short, too long, common, or made from the account's own e-mail or name.
func CheckPasswordPolicy(field, pw, email, name string) error {
	msg := ""
	n := utf8.RuneCountInString(pw)
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
	}
	lower := strings.ToLower(pw)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case n < MinPasswordLen:
		msg = fmt.Sprintf("password must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		msg = fmt.Sprintf("password must be at most %d characters", MaxPasswordLen)
	case IsCommonPassword(pw):
		msg = "this password is too common; choose another"
	case len(distinct) < 4:
		msg = "password repeats too few different characters"
	case email != "" && (lower == strings.ToLower(email) || (len(local) >= 4 && strings.Contains(lower, local))):
		msg = "password must not contain your e-mail address"
	case name != "" && utf8.RuneCountInString(name) >= 3 && strings.Contains(lower, strings.ToLower(name)):
		msg = "password must not contain your name"
	}
	if msg == "" {
		return nil
	}
	e := apperr.New(apperr.Invalid, "%s", msg)
	e.Fields = map[string]string{field: msg}
	return e
}

// GeneratePassword returns a random password that passes the policy:
// 20 characters from an alphabet without look-alikes (~115 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 20)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				panic(err)
			}
			b[i] = alphabet[n.Int64()]
		}
		if CheckPasswordPolicy("password", string(b), "", "") == nil {
			return string(b)
		}
	}
}
