package config

import (
	"errors"
	"testing"
	"time"
)

func TestResponseCacheSettings(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ResponseCacheMB != 64 || c.CacheVersionMaxAge != time.Second {
		t.Errorf("defaults: %d MB, %s", c.ResponseCacheMB, c.CacheVersionMaxAge)
	}
	c, err = Load(env(map[string]string{"PORTAL_RESPONSE_CACHE_MB": "0", "PORTAL_CACHE_VERSION_MAXAGE": "0s"}))
	if err != nil || c.ResponseCacheMB != 0 || c.CacheVersionMaxAge != 0 {
		t.Errorf("off: %v %d %s", err, c.ResponseCacheMB, c.CacheVersionMaxAge)
	}
	for k, v := range map[string]string{"PORTAL_RESPONSE_CACHE_MB": "-1", "PORTAL_CACHE_VERSION_MAXAGE": "1h"} {
		_, err := Load(env(map[string]string{k: v}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != k {
			t.Errorf("%s=%s: got %v, want an error naming it", k, v, err)
		}
	}
}
