package metrics

import "github.com/prometheus/client_golang/prometheus"

var (
	// SpoolSweptFiles counts upload spool files removed by the sweep:
	// left by a process that ended mid-upload, or stale (server/upload).
	SpoolSweptFiles = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "portal",
		Name:      "spool_swept_files_total",
		Help:      "Orphaned upload spool files removed.",
	})
	// SpoolSweptBytes is their size.
	SpoolSweptBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "portal",
		Name:      "spool_swept_bytes_total",
		Help:      "Bytes of orphaned upload spool files removed.",
	})
)

func init() { Registry.MustRegister(SpoolSweptFiles, SpoolSweptBytes) }

// SpoolSwept counts one sweep's removals.
func SpoolSwept(files int, bytes int64) {
	SpoolSweptFiles.Add(float64(files))
	SpoolSweptBytes.Add(float64(bytes))
}
