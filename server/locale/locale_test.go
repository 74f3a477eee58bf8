package locale

import (
	"net/http/httptest"
	"testing"
)

func TestFromAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"":                        ZH,
		"en":                      EN,
		"en-US,en;q=0.9":          EN,
		"zh-CN,zh;q=0.9,en;q=0.8": ZH,
		"fr-FR,en;q=0.5,zh;q=0.4": EN,
		"de,fr":                   ZH,
		"en;q=0,zh-TW":            ZH,
		"zh;q=0.3, en;q=0.7":      EN,
		"en;q=abc,zh":             ZH,
	}
	for h, want := range cases {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("%q: got %s, want %s", h, got, want)
		}
	}
}

func TestFromRequestOrder(t *testing.T) {
	r := httptest.NewRequest("GET", "/?lang=en", nil)
	r.Header.Set("Accept-Language", "zh")
	r.Header.Set("Cookie", "lang=zh")
	if got := FromRequest(r); got != EN {
		t.Fatalf("?lang must win: %s", got)
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "zh")
	r.Header.Set("Cookie", "lang=en")
	if got := FromRequest(r); got != EN {
		t.Fatalf("cookie must beat Accept-Language: %s", got)
	}
	r = httptest.NewRequest("GET", "/?lang=xx", nil)
	r.Header.Set("Accept-Language", "en-GB")
	if got := FromRequest(r); got != EN {
		t.Fatalf("invalid ?lang is ignored: %s", got)
	}
	if got := FromRequest(httptest.NewRequest("GET", "/", nil)); got != ZH {
		t.Fatalf("default: %s", got)
	}
}
