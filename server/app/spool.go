package app

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/server/metrics"
)

// The upload spool (<data>/spool, server/upload/spool.go) is swept at
// start and then every spoolSweepEvery. What a process that is gone left
// (kill -9 mid-upload) goes at once: its folder's lock tells it is dead.
// The age bound only applies to files of this process no open upload uses
// (profile runs of proposals): such a file lives for one pass over a file,
// bounded by upload.Limits.MaxParseTime (60 s), so hours are far beyond it.
const (
	spoolSweepEvery = 10 * time.Minute
	spoolStale      = 6 * time.Hour
)

// startSpool sweeps the upload spool at start and periodically.
func (a *App) startSpool(ctx context.Context) {
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		t := time.NewTicker(spoolSweepEvery)
		defer t.Stop()
		for {
			a.sweepSpool()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// sweepSpool runs one sweep. File ages are the file system's, so the real
// clock is used, not the injected one.
func (a *App) sweepSpool() {
	rc := a.Publishing.Uploads
	res, err := rc.Sweep(time.Now(), max(spoolStale, 2*rc.Limits.MaxParseTime))
	metrics.SpoolSwept(res.Files, res.Bytes)
	if res.Files > 0 || res.Folders > 0 {
		a.Log.Info("upload spool swept", "dir", rc.TempDir, "files", res.Files, "bytes", res.Bytes, "dead_process_folders", res.Folders)
	}
	if err != nil {
		a.Log.Warn("upload spool sweep", "dir", rc.TempDir, "err", err)
	}
}
