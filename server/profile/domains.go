package profile

import "strings"

// creditCharset is the GB 32100-2015 alphabet: digits and capitals
// without I, O, S, V and Z; a character's value is its index.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(creditCharset); i++ {
		t[creditCharset[i]] = int8(i)
	}
	return t
}()

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode checks a 统一社会信用代码 (GB 32100-2015): 18 characters
// of the code's alphabet, the last being the check character
// 31 - (Σ value×weight mod 31), 31 written as 0. The organisation code
// inside (positions 9–17) is not checked against GB 11714.
func ValidCreditCode(v string) bool {
	if len(v) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := creditValue[v[i]]
		if c < 0 {
			return false
		}
		sum += int(c) * creditWeights[i]
	}
	check := 31 - sum%31
	if check == 31 {
		check = 0
	}
	return v[17] == creditCharset[check]
}

// ValidPhone accepts the numbers people publish as contact numbers: a
// mainland mobile number (1[3-9] and nine digits, optionally after +86 or
// 86), a fixed line (0, a 2–3 digit area code, an optional hyphen, 7–8
// digits, an optional -extension), a 400/800 service number, and short
// public service numbers (3–5 digits starting with 1: 110, 12345).
// Spaces are ignored everywhere, hyphens in mobile and 400/800 numbers,
// and parentheses around an area code.
func ValidPhone(v string) bool {
	if len(v) == 11 && v[0] == '1' && v[1] >= '3' && allDigits(v) {
		return true // the usual mobile number
	}
	// b: the number without spaces and parentheses; d: also without hyphens.
	var bbuf, dbuf [32]byte
	b, d := bbuf[:0], dbuf[:0]
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ' ' || c == '(' || c == ')':
			continue
		case c >= '0' && c <= '9', c == '-', c == '+' && len(b) == 0:
		default:
			return false
		}
		if len(b) == cap(b) {
			return false
		}
		b = append(b, c)
		if c != '-' {
			d = append(d, c)
		}
	}
	if len(d) == 0 {
		return false
	}
	if b[0] == '0' {
		return fixedLine(b)
	}
	switch {
	case len(d) > 3 && d[0] == '+' && d[1] == '8' && d[2] == '6':
		d = d[3:]
	case len(d) == 13 && d[0] == '8' && d[1] == '6':
		d = d[2:]
	case d[0] == '+':
		return false
	}
	if len(d) == 0 || d[0] == '+' {
		return false
	}
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3':
		return true
	case len(d) == 10 && (d[0] == '4' || d[0] == '8') && d[1] == '0' && d[2] == '0':
		return true
	case len(d) >= 3 && len(d) <= 5 && d[0] == '1' && len(b) == len(d):
		return true // short numbers are written as they are
	}
	return false
}

// fixedLine checks 0\d{2,3}-?\d{7,8}(-\d{1,6})? on b (spaces removed,
// only digits and hyphens).
func fixedLine(b []byte) bool {
	var parts [3]int // lengths of the hyphen-separated digit groups
	n := 0
	for _, c := range b {
		if c == '-' {
			if n++; n == len(parts) {
				return false
			}
			continue
		}
		if c == '+' {
			return false
		}
		parts[n]++
	}
	n++
	for i := range n {
		if parts[i] == 0 {
			return false
		}
	}
	ext := func(l int) bool { return l >= 1 && l <= 6 }
	switch {
	case parts[0] >= 10 && parts[0] <= 12: // area code and number written together
		return n == 1 || n == 2 && ext(parts[1])
	case parts[0] >= 3 && parts[0] <= 4 && n >= 2:
		if parts[1] < 7 || parts[1] > 8 {
			return false
		}
		return n == 2 || ext(parts[2])
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidEmail is a pragmatic address check, not RFC 5322: one @, a local
// part of the usual characters without leading, trailing or doubled dots,
// and a domain of at least two valid labels whose last (the TLD) has at
// least two letters.
func ValidEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at > 64 || len(v) > 254 {
		return false
	}
	local, domain := v[:at], v[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0) {
			return false
		}
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	if labels < 2 {
		return false
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if strings.HasPrefix(tld, "xn--") {
		return len(tld) > 4 // an internationalised TLD in punycode
	}
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
