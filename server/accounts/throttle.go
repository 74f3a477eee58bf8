package accounts

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Sign-in throttling (docs/authentication.md; ASVS v4.0.3 V2.2.1, 000 Art
// 38: access control against guessing). Three counts over the failures of
// the last FailureWindow, all in the database (every replica, restarts):
//
//   - per account and client address: PairFreeFailures free, then an
//     increasing delay (1 s, 2 s, 4 s … PairMaxDelay) after the last
//     failure. Only the guessing address waits; the owner elsewhere does not.
//   - per account from all addresses: past AccountSlowAfter, one attempt
//     per AccountDelay. A slow-down, never a lock.
//   - per address over distinct accounts: IPMaxAccounts accounts failing
//     from one address is credential stuffing; an office behind one NAT
//     with a few typos per person stays far below it.
//
// A refused attempt checks no password and is not counted.

// accountKey is the stored name of an account: a hash of the e-mail
// address, so the table keeps no addresses and unknown ones count alike.
func accountKey(email string) string { return sha256Hex(normaliseEmail(email))[:40] }

func rateLimited(wait time.Duration) error {
	if wait < time.Second {
		wait = time.Second
	}
	return &RateLimitedError{Err: apperr.New(apperr.RateLimited, "too many failed sign-ins: try again later"), RetryAfter: wait}
}

// pairDelay is the wait after the n-th failure of one account from one
// address.
func (l Limits) pairDelay(n int64) time.Duration {
	over := n - int64(l.PairFreeFailures)
	if over <= 0 {
		return 0
	}
	if over > 30 {
		return l.PairMaxDelay
	}
	return min(time.Second<<(over-1), l.PairMaxDelay)
}

// throttled refuses an attempt on email from ip while one of the counts
// says wait; accountWide false leaves out the account's slow-down.
func (s *Service) throttled(ctx context.Context, email, ip string, accountWide bool) error {
	l := s.Limits
	if l.FailureWindow <= 0 {
		return nil
	}
	now := s.now()
	since := now.Add(-l.FailureWindow)
	acct := accountKey(email)
	var wait time.Duration
	// count and last failure of a bucket (MAX() would come back as text
	// from SQLite, so the newest row is read instead).
	stat := func(where string, args ...any) (int64, time.Time, error) {
		var n int64
		var last []time.Time
		q := func() *gorm.DB {
			return s.db(ctx).Model(&LoginFailure{}).Where("failed_at > ?", since).Where(where, args...)
		}
		if err := q().Count(&n).Error; err != nil || n == 0 {
			return 0, time.Time{}, err
		}
		err := q().Order("failed_at DESC").Limit(1).Pluck("failed_at", &last).Error
		if err != nil || len(last) == 0 {
			return 0, time.Time{}, err
		}
		return n, last[0], nil
	}
	n, last, err := stat("account = ? AND ip = ?", acct, ip)
	if err != nil {
		return apperr.Internalf(err, "count login failures")
	}
	if d := l.pairDelay(n); d > 0 {
		wait = max(wait, last.Add(d).Sub(now))
	}
	if accountWide && l.AccountSlowAfter > 0 {
		n, last, err := stat("account = ?", acct)
		if err != nil {
			return apperr.Internalf(err, "count login failures")
		}
		if n >= int64(l.AccountSlowAfter) {
			wait = max(wait, last.Add(l.AccountDelay).Sub(now))
		}
	}
	if l.IPMaxAccounts > 0 && ip != "" {
		var accounts int64
		if err := s.db(ctx).Model(&LoginFailure{}).Distinct("account").
			Where("ip = ? AND failed_at > ?", ip, since).Count(&accounts).Error; err != nil {
			return apperr.Internalf(err, "count login failures")
		}
		if accounts >= int64(l.IPMaxAccounts) {
			// Until the address's oldest failure leaves the window.
			var first time.Time
			if err := s.db(ctx).Model(&LoginFailure{}).Where("ip = ? AND failed_at > ?", ip, since).
				Order("failed_at").Limit(1).Pluck("failed_at", &first).Error; err != nil {
				return apperr.Internalf(err, "read login failures")
			}
			wait = max(wait, first.Add(l.FailureWindow).Sub(now))
		}
	}
	if wait <= 0 {
		return nil
	}
	return rateLimited(wait)
}

// recordFailure stores one failure and forgets those past the window.
func (s *Service) recordFailure(tx *gorm.DB, email, ip string) error {
	now := s.now()
	if err := tx.Create(&LoginFailure{Account: accountKey(email), IP: ip, FailedAt: now}).Error; err != nil {
		return err
	}
	return tx.Where("failed_at <= ?", now.Add(-s.Limits.FailureWindow)).Delete(&LoginFailure{}).Error
}

// clearPair forgets the failures of email from ip (a successful sign-in
// there). Other addresses keep theirs: the owner signing in does not let
// a guesser elsewhere start afresh.
func clearPair(tx *gorm.DB, email, ip string) error {
	return tx.Where("account = ? AND ip = ?", accountKey(email), ip).Delete(&LoginFailure{}).Error
}

// clearAccount forgets every failure of email (password reset: the owner
// proved the mailbox, and the old password no longer matters).
func clearAccount(tx *gorm.DB, email string) error {
	return tx.Where("account = ?", accountKey(email)).Delete(&LoginFailure{}).Error
}

// ---- registration ----

func registrationLimited(wait time.Duration) error {
	if wait < time.Second {
		wait = time.Second
	}
	return &RateLimitedError{Err: apperr.New(apperr.RateLimited, "too many new accounts: try again later"), RetryAfter: wait}
}

// admitRegistration counts one sign-up from ip and refuses it when the
// address or the whole portal has had its share within RegisterWindow.
// The row goes in first and every row in the window is counted, its own
// included: of racing requests (on any replica) the last to count sees
// them all, so the limit is never exceeded. A refused attempt takes its
// row out again, and so does undo (the sign-up failed for the server's
// reasons, e.g. a busy hasher).
func (s *Service) admitRegistration(ctx context.Context, ip string) (undo func(), err error) {
	l := s.Limits
	undo = func() {}
	if l.RegisterWindow <= 0 || (l.RegisterPerIP <= 0 && l.RegisterGlobal <= 0) {
		return undo, nil
	}
	now := s.now()
	since := now.Add(-l.RegisterWindow)
	row := &RegistrationAttempt{IP: ip, AttemptedAt: now}
	db := s.db(ctx)
	if err := db.Create(row).Error; err != nil {
		return undo, apperr.Internalf(err, "count sign-ups")
	}
	// Forget attempts past the window, whoever made them.
	if err := db.Where("attempted_at <= ?", since).Delete(&RegistrationAttempt{}).Error; err != nil {
		return undo, apperr.Internalf(err, "forget old sign-ups")
	}
	var wait time.Duration
	check := func(limit int, where string, args ...any) error {
		if limit <= 0 {
			return nil
		}
		q := func() *gorm.DB {
			return db.Model(&RegistrationAttempt{}).Where("attempted_at > ?", since).Where(where, args...)
		}
		var n int64
		if err := q().Count(&n).Error; err != nil {
			return err
		}
		if n <= int64(limit) {
			return nil
		}
		// Free again once the n-limit oldest have left the window.
		var at time.Time
		if err := q().Order("attempted_at, id").Offset(int(n)-limit-1).Limit(1).Pluck("attempted_at", &at).Error; err != nil {
			return err
		}
		wait = max(wait, at.Add(l.RegisterWindow).Sub(now))
		return nil
	}
	err = check(l.RegisterPerIP, "ip = ?", ip)
	if err == nil {
		err = check(l.RegisterGlobal, "1 = 1")
	}
	if err != nil {
		return undo, apperr.Internalf(err, "count sign-ups")
	}
	if wait > 0 {
		if err := db.Delete(row).Error; err != nil {
			return undo, apperr.Internalf(err, "count sign-ups")
		}
		return undo, registrationLimited(wait)
	}
	return func() { db.Delete(row) }, nil
}
