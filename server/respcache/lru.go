package respcache

import (
	"container/list"
	"net/http"
	"sync"
	"time"

	"github.com/hlj-opendata/portal/frontend"
)

// entryOverhead is what an entry costs besides its key and bodies (maps,
// list element, headers), so many tiny answers still fill the bound.
const entryOverhead = 512

// Entry is a stored answer.
type Entry struct {
	Version uint64 // the catalog version read before the answer was made
	Status  int
	Header  http.Header // what the handler set (Content-Type …)
	Body    []byte
	ETag    string
	Expires time.Time

	key    string
	size   int
	gzOnce sync.Once
	gz     []byte
}

// LRU holds entries up to a byte bound, least recently used out first.
type LRU struct {
	mu    sync.Mutex
	max   int
	bytes int
	ll    *list.List
	m     map[string]*list.Element
	// onEvict counts evictions (metrics).
	onEvict func(n int)
	onBytes func(delta int)
}

// NewLRU keeps at most maxBytes of answers; 0 keeps none.
func NewLRU(maxBytes int) *LRU {
	return &LRU{max: maxBytes, ll: list.New(), m: map[string]*list.Element{}}
}

// Bytes is what the entries take now.
func (l *LRU) Bytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

// Len is the number of entries.
func (l *LRU) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// Get returns the entry under key (nil when none) and marks it used.
func (l *LRU) Get(key string) *Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	el := l.m[key]
	if el == nil {
		return nil
	}
	l.ll.MoveToFront(el)
	return el.Value.(*Entry)
}

// Remove drops the entry under key when it is still e.
func (l *LRU) Remove(key string, e *Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := l.m[key]; el != nil && el.Value.(*Entry) == e {
		l.removeLocked(el)
	}
}

// Put stores e under key unless it is larger than an eighth of the bound
// (one huge answer must not empty the cache) or older than the entry it
// would replace. It reports whether e was stored.
func (l *LRU) Put(key string, e *Entry) bool {
	e.key = key
	e.size = len(key) + len(e.Body) + entryOverhead
	for k, vs := range e.Header {
		e.size += len(k)
		for _, v := range vs {
			e.size += len(v)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max <= 0 || e.size > l.max/8 {
		return false
	}
	if el := l.m[key]; el != nil {
		if el.Value.(*Entry).Version > e.Version {
			return false
		}
		l.removeLocked(el)
	}
	l.m[key] = l.ll.PushFront(e)
	l.grow(e.size)
	l.evictLocked()
	return true
}

// Gz is the body gzip-compressed, made once and counted in the bound.
func (l *LRU) Gz(e *Entry) []byte {
	e.gzOnce.Do(func() {
		gz := frontend.Gzip(e.Body)
		l.mu.Lock()
		defer l.mu.Unlock()
		e.gz = gz
		if el := l.m[e.key]; el != nil && el.Value.(*Entry) == e {
			e.size += len(gz)
			l.grow(len(gz))
			l.evictLocked()
		}
	})
	return e.gz
}

func (l *LRU) grow(n int) {
	l.bytes += n
	if l.onBytes != nil {
		l.onBytes(n)
	}
}

func (l *LRU) evictLocked() {
	n := 0
	for l.bytes > l.max {
		el := l.ll.Back()
		if el == nil {
			break
		}
		l.removeLocked(el)
		n++
	}
	if n > 0 && l.onEvict != nil {
		l.onEvict(n)
	}
}

func (l *LRU) removeLocked(el *list.Element) {
	e := el.Value.(*Entry)
	l.ll.Remove(el)
	delete(l.m, e.key)
	l.grow(-e.size)
}
