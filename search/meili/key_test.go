package meili

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hlj-opendata/portal/search"
)

// Meilisearch's keys API (GET /keys) answers 200 to the master key and to
// keys with keys.get, 403 invalid_api_key to other keys, and 401
// missing_master_key on an instance without a master key. Open asks it
// first and stops at a 200, before touching any index.
func TestOpenRefusesAKeyManagingKey(t *testing.T) {
	f := newFakeMeili(t)
	f.keysStatus = http.StatusOK
	a, err := Open(context.Background(), f.url(), testKey, "catalog")
	if err == nil {
		a.Close()
		t.Fatal("Open accepted the master key")
	}
	if !errors.Is(err, ErrKeyManager) || errors.Is(err, search.ErrUnavailable) {
		t.Errorf("error %v, want ErrKeyManager", err)
	}
	// The operator is told what to do: a key of the portal's own, with
	// these actions, on the index and its rebuild twin.
	for _, want := range []string{"PORTAL_MEILI_KEY", "master key", `/keys`, `"indexes":["catalog","catalog_rebuild"]`,
		`"actions":["search","documents.*","indexes.*","settings.*","tasks.get","stats.get"]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	expectRequests(t, f.take(), []request{{Method: "GET", Path: "/keys?limit=1"}})
}

func TestOpenAcceptsAScopedKey(t *testing.T) {
	for name, status := range map[string]int{"403 invalid_api_key": http.StatusForbidden, "401 missing_master_key": http.StatusUnauthorized} {
		t.Run(name, func(t *testing.T) {
			f := newFakeMeili(t, "catalog")
			f.keysStatus = status
			if status == http.StatusUnauthorized {
				f.auth = "" // an instance without a master key, opened without a key
			}
			key := testKey
			if f.auth == "" {
				key = ""
			}
			a, err := Open(context.Background(), f.url(), key, "catalog")
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			a.Close()
			reqs := f.take()
			if len(reqs) < 2 || reqs[0].String() != "GET /keys?limit=1" || reqs[1].String() != "GET /indexes/catalog" {
				t.Errorf("requests %v", reqs)
			}
		})
	}
}

// A server error while checking the key is Meilisearch being unavailable,
// not a verdict on the key.
func TestKeyCheckServerError(t *testing.T) {
	f := newFakeMeili(t)
	f.keysStatus = http.StatusInternalServerError
	_, err := Open(context.Background(), f.url(), testKey, "catalog")
	if !errors.Is(err, search.ErrUnavailable) || errors.Is(err, ErrKeyManager) {
		t.Fatalf("error %v, want search.ErrUnavailable", err)
	}
	expectRequests(t, f.take(), []request{{Method: "GET", Path: "/keys?limit=1"}})
}
