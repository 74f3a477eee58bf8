// Package locale chooses the reader's language, the one rule every page,
// API error and e-mail follows: an explicit ?lang= wins, then the lang
// cookie (set when the reader picks a language), then Accept-Language,
// then Chinese.
package locale

import (
	"net/http"
	"strconv"
	"strings"
)

// The languages the portal speaks.
const (
	ZH = "zh"
	EN = "en"
)

// Default is the language when nothing else says.
const Default = ZH

// Cookie holds the reader's explicit choice.
const Cookie = "lang"

// Param is the query parameter that chooses the language of one URL.
const Param = "lang"

// Valid reports whether l is a language the portal speaks.
func Valid(l string) bool { return l == ZH || l == EN }

// Explicit is the language the request names itself (?lang= or the
// cookie), "" when it names none.
func Explicit(r *http.Request) string {
	if l := r.URL.Query().Get(Param); Valid(l) {
		return l
	}
	if c, err := r.Cookie(Cookie); err == nil && Valid(c.Value) {
		return c.Value
	}
	return ""
}

// FromRequest is the language to answer r in.
func FromRequest(r *http.Request) string {
	if l := Explicit(r); l != "" {
		return l
	}
	return FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// FromURL is the language a URL names with ?lang=, "" when none.
func FromURL(r *http.Request) string {
	if l := r.URL.Query().Get(Param); Valid(l) {
		return l
	}
	return ""
}

// FromAcceptLanguage picks zh or en from an Accept-Language header by
// quality (RFC 9110 §12.5.4); ties keep the header's order. Anything else
// (or nothing) is Chinese. The header is bounded: at most 32 entries are read.
func FromAcceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for i, part := range strings.Split(h, ",") {
		if i >= 32 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q == 0 {
			continue
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var l string
		switch primary {
		case "zh":
			l = ZH
		case "en":
			l = EN
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == "" {
		return Default
	}
	return best
}

// HTML is the value of <html lang> for l.
func HTML(l string) string {
	if l == EN {
		return "en"
	}
	return "zh-CN"
}

// OG is the Open Graph locale for l.
func OG(l string) string {
	if l == EN {
		return "en_US"
	}
	return "zh_CN"
}

// Remember keeps an explicit ?lang= choice in the lang cookie, so the next
// page (and links without ?lang=) stay in that language.
func Remember(w http.ResponseWriter, r *http.Request) {
	l := FromURL(r)
	if l == "" {
		return
	}
	if c, err := r.Cookie(Cookie); err == nil && c.Value == l {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: Cookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
}
