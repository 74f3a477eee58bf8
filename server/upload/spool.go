package upload

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The spool: uploads in flight are written under Receiver.TempDir in a
// folder of this process, "p-<random>", holding an exclusive flock on its
// ".lock" for as long as the process lives. The kernel drops the lock when
// the process ends however it ends (kill -9 included), so a folder whose
// lock can be taken belongs to a process that is gone and is removed whole,
// at once: no age has to be guessed for it. Inside the live folder, files
// an open File uses are known and never removed; anything else older than
// the sweep's age bound is.
const (
	spoolPrefix  = "p-"
	spoolNew     = ".new-" // a folder being created, renamed to p-… once locked
	spoolLock    = ".lock"
	spoolPattern = "upload-" // every file Receive writes starts with it
)

// live holds the paths of files open Files use, across receivers.
var live sync.Map

type spool struct {
	once sync.Once
	dir  string
	lock *os.File
	err  error
}

// dir creates (once) and returns this process's spool folder; "" when the
// receiver has no TempDir (the system's temporary folder is used as is).
func (rc *Receiver) dir() (string, error) {
	if rc.TempDir == "" {
		return "", nil
	}
	rc.spool.once.Do(func() {
		rc.spool.dir, rc.spool.lock, rc.spool.err = openSpool(rc.TempDir)
	})
	return rc.spool.dir, rc.spool.err
}

func openSpool(root string) (string, *os.File, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp(root, spoolNew)
	if err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(tmp, spoolLock), os.O_CREATE|os.O_RDWR, 0o640)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		os.RemoveAll(tmp)
		return "", nil, err
	}
	// Renamed only once locked: a sweeper never sees an unlocked p- folder
	// of a live process.
	dir := filepath.Join(root, spoolPrefix+strings.TrimPrefix(filepath.Base(tmp), spoolNew))
	if err := os.Rename(tmp, dir); err != nil {
		lock.Close()
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return dir, lock, nil
}

// SweepResult is what one sweep removed.
type SweepResult struct {
	Files   int   // files removed (lock files of dead processes not counted)
	Bytes   int64 // their size
	Folders int   // folders of processes that are gone
}

// Sweep removes what processes that are gone left in the spool, and files
// in this process's folder (or loose in the spool) older than maxAge that
// no open File uses. It never removes a file a live request holds. It
// creates this process's folder first (at start, not on a full disk).
func (rc *Receiver) Sweep(now time.Time, maxAge time.Duration) (SweepResult, error) {
	var res SweepResult
	if rc.TempDir == "" {
		return res, nil
	}
	own, err := rc.dir()
	if err != nil {
		return res, err
	}
	entries, err := os.ReadDir(rc.TempDir)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(rc.TempDir, e.Name())
		switch {
		case e.IsDir() && p == own:
			errs = append(errs, sweepFiles(p, now, maxAge, &res))
		case e.IsDir() && strings.HasPrefix(e.Name(), spoolPrefix):
			errs = append(errs, sweepDead(p, &res))
		case e.IsDir() && strings.HasPrefix(e.Name(), spoolNew):
			// A process died between creating and locking its folder.
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > maxAge {
				errs = append(errs, removeAll(p, &res))
			}
		case e.Type().IsRegular():
			// Loose files: profile runs of proposals (their engine writes
			// in TempDir itself), or an older layout.
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > maxAge {
				if err := os.Remove(p); err == nil {
					res.Files++
					res.Bytes += info.Size()
				} else if !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
	}
	return res, errors.Join(errs...)
}

// sweepDead removes the folder of another process if its lock is free.
func sweepDead(dir string, res *SweepResult) error {
	lock, err := os.OpenFile(filepath.Join(dir, spoolLock), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return removeAll(dir, res) // renamed only once locked: no lock file means no owner
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil // its process is alive
		}
		return err
	}
	return removeAll(dir, res)
}

func removeAll(dir string, res *SweepResult) error {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && d.Name() != spoolLock {
			if info, err := d.Info(); err == nil {
				res.Files++
				res.Bytes += info.Size()
			}
		}
		return nil
	})
	res.Folders++
	return os.RemoveAll(dir)
}

// sweepFiles removes stale files of this process no open File uses.
func sweepFiles(dir string, now time.Time, maxAge time.Duration, res *SweepResult) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Name() == spoolLock || !e.Type().IsRegular() {
			continue
		}
		if _, inUse := live.Load(p); inUse {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) <= maxAge {
			continue
		}
		if err := os.Remove(p); err == nil {
			res.Files++
			res.Bytes += info.Size()
		} else if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
