package respcache

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hlj-opendata/portal/server/metrics"
)

var (
	cacheHits = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "portal", Name: "response_cache_hits_total",
		Help: "Public reads answered from the response cache.",
	})
	cacheMisses = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "portal", Name: "response_cache_misses_total",
		Help: "Cacheable public reads that had to be made (none stored, or older than the catalog version).",
	})
	cacheEvictions = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "portal", Name: "response_cache_evictions_total",
		Help: "Answers dropped from the response cache to keep it within PORTAL_RESPONSE_CACHE_MB.",
	})
	cacheBytes = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "portal", Name: "response_cache_bytes",
		Help: "Memory the response cache's answers take (bodies, gzip copies, keys, headers).",
	})
	registerOnce sync.Once
)

// New is a response cache of maxBytes whose entries follow v and live at
// most maxAge; its figures go to the portal's metrics.
func New(v *Versions, maxBytes int, maxAge time.Duration) *Cache {
	registerOnce.Do(func() {
		metrics.Registry.MustRegister(cacheHits, cacheMisses, cacheEvictions, cacheBytes)
	})
	l := NewLRU(maxBytes)
	l.onEvict = func(n int) { cacheEvictions.Add(float64(n)) }
	l.onBytes = func(d int) { cacheBytes.Add(float64(d)) }
	return &Cache{Versions: v, LRU: l, MaxAge: maxAge, Now: v.Now}
}
