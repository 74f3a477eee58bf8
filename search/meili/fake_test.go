package meili

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// request is one call the adapter made, as the server saw it.
type request struct {
	Method string
	Path   string // with the raw query, if any
	Body   any    // decoded JSON, nil without a body
}

func (r request) String() string { return r.Method + " " + r.Path }

// fakeMeili emulates the parts of the Meilisearch HTTP API the adapter
// uses: every write is a task that has already succeeded (or failed, when
// failTasks is set), and every request is recorded.
type fakeMeili struct {
	t  *testing.T
	mu sync.Mutex

	srv       *httptest.Server
	requests  []request
	indexes   map[string]bool
	tasks     map[int]string // task uid -> index uid
	failTasks bool
	// missingIndexTasks fail with index_not_found (deleting an absent index).
	missingIndexTasks map[int]bool
	nextTask          int
	// multiSearch is the canned /multi-search response body.
	multiSearch string
	docs        int
	// keysStatus answers GET /keys: 0 is Meilisearch's answer to a key
	// without keys.get (403 invalid_api_key); 200 is the master key's.
	keysStatus int
	// auth is the Authorization header every request must carry.
	auth string
}

func newFakeMeili(t *testing.T, existing ...string) *fakeMeili {
	f := &fakeMeili{t: t, indexes: map[string]bool{}, tasks: map[int]string{}, missingIndexTasks: map[int]bool{}, auth: "Bearer " + testKey}
	for _, uid := range existing {
		f.indexes[uid] = true
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMeili) url() string { return f.srv.URL }

// take returns the requests recorded so far and forgets them.
func (f *fakeMeili) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

func (f *fakeMeili) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	req := request{Method: r.Method, Path: r.URL.Path}
	if r.URL.RawQuery != "" {
		req.Path += "?" + r.URL.RawQuery
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req.Body); err != nil {
			f.t.Errorf("%s: body is not JSON: %v: %s", req, err, raw)
		}
	}
	f.requests = append(f.requests, req)
	if got := r.Header.Get("Authorization"); got != f.auth {
		f.t.Errorf("%s: Authorization = %q, want %q", req, got, f.auth)
	}

	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/health":
		reply(w, 200, `{"status":"available"}`)
	case r.Method == "GET" && r.URL.Path == "/keys":
		switch f.keysStatus {
		case 0, http.StatusForbidden:
			reply(w, 403, `{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth","link":"https://docs.meilisearch.com/errors#invalid_api_key"}`)
		case http.StatusUnauthorized:
			reply(w, 401, `{"message":"Meilisearch is running without a master key. To access this API endpoint, you must have set a master key at launch.","code":"missing_master_key","type":"auth","link":"https://docs.meilisearch.com/errors#missing_master_key"}`)
		case http.StatusOK:
			reply(w, 200, `{"results":[{"name":"Default Search API Key","description":"Use it to search from the frontend","key":"0a6e572506c52ab0bd6195921575d23092b7f0c284ab4ac86d12346c33057f99","uid":"74c9c733-3368-4738-bbe5-1d18a5fecb37","actions":["search"],"indexes":["*"],"expiresAt":null,"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z"}],"offset":0,"limit":1,"total":4}`)
		default:
			reply(w, f.keysStatus, `{"message":"boom","code":"internal","type":"internal","link":""}`)
		}
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "tasks":
		uid, _ := strconv.Atoi(parts[1])
		status, errJSON := "succeeded", "null"
		switch {
		case f.missingIndexTasks[uid]:
			status, errJSON = "failed", `{"message":"Index not found","code":"index_not_found","type":"invalid_request","link":""}`
		case f.failTasks:
			status, errJSON = "failed", `{"message":"boom","code":"internal","type":"internal","link":""}`
		}
		reply(w, 200, fmt.Sprintf(`{"uid":%d,"indexUid":%q,"status":%q,"type":"x","error":%s,"enqueuedAt":"2024-01-01T00:00:00Z"}`,
			uid, f.tasks[uid], status, errJSON))
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "indexes":
		if !f.indexes[parts[1]] {
			reply(w, 404, `{"message":"Index not found","code":"index_not_found","type":"invalid_request","link":""}`)
			return
		}
		reply(w, 200, fmt.Sprintf(`{"uid":%q,"primaryKey":"id","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z"}`, parts[1]))
	case r.Method == "GET" && len(parts) == 3 && parts[2] == "stats":
		reply(w, 200, fmt.Sprintf(`{"numberOfDocuments":%d,"isIndexing":false,"fieldDistribution":{}}`, f.docs))
	case r.Method == "POST" && r.URL.Path == "/indexes":
		uid := req.Body.(map[string]any)["uid"].(string)
		f.indexes[uid] = true
		f.enqueue(w, uid, false)
	case r.Method == "DELETE" && len(parts) == 2 && parts[0] == "indexes":
		missing := !f.indexes[parts[1]]
		delete(f.indexes, parts[1])
		f.enqueue(w, parts[1], missing)
	case r.Method == "POST" && r.URL.Path == "/multi-search":
		reply(w, 200, f.multiSearch)
	case r.Method == "POST" && r.URL.Path == "/swap-indexes":
		f.enqueue(w, "", false)
	case r.Method == "POST" || r.Method == "PATCH" || r.Method == "PUT":
		f.enqueue(w, parts[1], false)
	default:
		f.t.Errorf("unexpected request %s", req)
		reply(w, 400, `{"message":"unexpected","code":"bad_request","type":"invalid_request","link":""}`)
	}
}

func (f *fakeMeili) enqueue(w http.ResponseWriter, index string, missing bool) {
	uid := f.nextTask
	f.nextTask++
	f.tasks[uid] = index
	f.missingIndexTasks[uid] = missing
	reply(w, 202, fmt.Sprintf(`{"taskUid":%d,"indexUid":%q,"status":"enqueued","type":"x","enqueuedAt":"2024-01-01T00:00:00Z"}`, uid, index))
}

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
