// Package blob stores resource files. Keys are derived from the content's
// SHA-256, never from a user-supplied name, so no request can name a path.
// Files are written to a temporary name, synced, then renamed into place:
// a crash never leaves a visible half-file.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// ErrNotFound is returned for a key with no stored object.
var ErrNotFound = errors.New("blob: not found")

// Object is an open stored file.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Store keeps immutable, content-addressed objects.
type Store interface {
	// Put stores r and returns its key, size and hex SHA-256. When max > 0
	// and r is longer, nothing is kept and ErrTooLarge is returned.
	Put(ctx context.Context, r io.Reader, max int64) (Stored, error)
	Open(ctx context.Context, key string) (Object, error)
	Exists(ctx context.Context, key string) (bool, error)
}

// Stored describes a written object.
type Stored struct {
	Key    string
	Size   int64
	SHA256 string
}

// ErrTooLarge is returned by Put when the content exceeds the limit.
var ErrTooLarge = errors.New("blob: content too large")

var keyPattern = regexp.MustCompile(`^sha256/[0-9a-f]{2}/[0-9a-f]{64}$`)

// ValidKey reports whether key has the only shape Put produces.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// Local is a Store on the local file system under Dir.
type Local struct {
	Dir string
	// NoSync skips fsync (bulk synthetic loads only).
	NoSync bool
}

var _ Store = (*Local)(nil)

// NewLocal creates the folder if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Local{Dir: dir}, nil
}

// Put streams r to a temporary file while hashing, then renames it.
func (l *Local) Put(ctx context.Context, r io.Reader, max int64) (Stored, error) {
	tmp, err := os.CreateTemp(filepath.Join(l.Dir, "tmp"), "put-*")
	if err != nil {
		return Stored{}, fmt.Errorf("blob: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	st, err := stage(ctx, tmp, r, max)
	if err != nil {
		return Stored{}, err
	}
	if !l.NoSync {
		if err := tmp.Sync(); err != nil {
			return Stored{}, fmt.Errorf("blob: sync: %w", err)
		}
	}
	if err := tmp.Close(); err != nil {
		return Stored{}, fmt.Errorf("blob: close: %w", err)
	}
	final := filepath.Join(l.Dir, filepath.FromSlash(st.Key))
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Stored{}, fmt.Errorf("blob: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		// Same content already stored: content addressing dedupes it.
		return st, nil
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Stored{}, fmt.Errorf("blob: rename: %w", err)
	}
	keep = true
	if !l.NoSync {
		if d, err := os.Open(filepath.Dir(final)); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return st, nil
}

// Open opens the object stored under key.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &localObject{File: f, size: st.Size(), mod: st.ModTime()}, nil
}

// Exists reports whether key is stored.
func (l *Local) Exists(ctx context.Context, key string) (bool, error) {
	if !ValidKey(key) {
		return false, nil
	}
	_, err := os.Stat(filepath.Join(l.Dir, filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// CleanTemp removes temporary files older than age, left by a crash.
func (l *Local) CleanTemp(age time.Duration, now time.Time) {
	entries, _ := os.ReadDir(filepath.Join(l.Dir, "tmp"))
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > age {
			os.Remove(filepath.Join(l.Dir, "tmp", e.Name()))
		}
	}
}

type localObject struct {
	*os.File
	size int64
	mod  time.Time
}

func (o *localObject) Size() int64        { return o.size }
func (o *localObject) ModTime() time.Time { return o.mod }

// stage copies r to tmp while hashing it and names the content's key.
// Both stores stage first: the key depends on the whole content.
func stage(ctx context.Context, tmp io.Writer, r io.Reader, max int64) (Stored, error) {
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), contextReader{ctx, src})
	if err != nil {
		return Stored{}, fmt.Errorf("blob: write: %w", err)
	}
	if max > 0 && n > max {
		return Stored{}, ErrTooLarge
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return Stored{Key: "sha256/" + sum[:2] + "/" + sum, Size: n, SHA256: sum}, nil
}

type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// OSFile exposes the open file so a server can send it with sendfile(2).
func (o *localObject) OSFile() *os.File { return o.File }
