package profile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"

	"github.com/hlj-opendata/portal/server/apperr"
)

// spillHashes is how many row hashes (8 bytes each) are held in memory
// before they are sorted and written to a run file.
const spillHashes = 1 << 20

// maxRuns bounds the open run files: past it the runs are merged into
// one, so the final merge never holds more than maxRuns read buffers.
const maxRuns = 64

// dupCounter counts rows equal to an earlier row by their 64-bit hash,
// in constant memory: hashes are sorted in batches, spilled to run files
// and merged at the end, where equal neighbours are the duplicates.
type dupCounter struct {
	dir     string
	limit   int
	buf     []uint64
	scratch []uint64 // radix sort
	runs    []string // run file paths, each sorted
}

func newDupCounter(dir string, limit int) *dupCounter {
	return &dupCounter{dir: dir, limit: limit}
}

func (d *dupCounter) add(h uint64) error {
	if len(d.buf) == cap(d.buf) {
		// Doubling up to the limit: append's gentler growth of large
		// slices copies the buffer many times over.
		buf := make([]uint64, len(d.buf), min(max(2*cap(d.buf), 4096), d.limit))
		copy(buf, d.buf)
		d.buf = buf
	}
	d.buf = append(d.buf, h)
	if len(d.buf) < d.limit {
		return nil
	}
	d.sort()
	path, err := d.writeRun(func(w func(uint64) error) error {
		for _, h := range d.buf {
			if err := w(h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.runs = append(d.runs, path)
	d.buf = d.buf[:0]
	if len(d.runs) >= maxRuns {
		return d.compact()
	}
	return nil
}

// compact merges the run files into one.
func (d *dupCounter) compact() error {
	old := d.runs
	path, err := d.writeRun(func(w func(uint64) error) error {
		return d.merge(old, nil, w)
	})
	if err != nil {
		return err
	}
	d.runs = []string{path}
	for _, p := range old {
		os.Remove(p)
	}
	return nil
}

// count returns the number of hashes equal to the previous one in sorted
// order, that is the duplicate rows.
func (d *dupCounter) count() (int64, error) {
	d.sort()
	var dups int64
	first, prev := true, uint64(0)
	err := d.merge(d.runs, d.buf, func(h uint64) error {
		if !first && h == prev {
			dups++
		}
		first, prev = false, h
		return nil
	})
	return dups, err
}

// sort orders buf by a least-significant-digit radix sort, a few times
// faster than a comparison sort on a million random hashes.
func (d *dupCounter) sort() {
	if len(d.buf) < 4096 {
		slices.Sort(d.buf)
		return
	}
	if cap(d.scratch) < len(d.buf) {
		d.scratch = make([]uint64, len(d.buf))
	}
	src, dst := d.buf, d.scratch[:len(d.buf)]
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for _, h := range src {
			count[h>>shift&0xff]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, h := range src {
			b := h >> shift & 0xff
			dst[count[b]] = h
			count[b]++
		}
		src, dst = dst, src
	}
	// Eight passes: the sorted hashes are back in buf.
}

// close removes the run files.
func (d *dupCounter) close() {
	for _, p := range d.runs {
		os.Remove(p)
	}
	d.runs = nil
	d.buf, d.scratch = nil, nil
}

func (d *dupCounter) writeRun(fill func(w func(uint64) error) error) (path string, err error) {
	f, err := os.CreateTemp(d.dir, "profile-run-*")
	if err != nil {
		return "", apperr.Internalf(err, "create profile run file")
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	var b [8]byte
	err = fill(func(h uint64) error {
		binary.LittleEndian.PutUint64(b[:], h)
		_, err := bw.Write(b[:])
		return err
	})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return "", apperr.Internalf(err, "write profile run file")
	}
	return f.Name(), nil
}

// merge calls fn with the hashes of the sorted run files and the sorted
// tail in ascending order.
func (d *dupCounter) merge(runs []string, tail []uint64, fn func(uint64) error) error {
	var h []*runReader // a min-heap by cur
	for _, p := range runs {
		f, err := os.Open(p)
		if err != nil {
			return apperr.Internalf(err, "open profile run file")
		}
		defer f.Close()
		src := &runReader{r: f, raw: make([]byte, 32<<10)}
		if ok, err := src.next(); err != nil {
			return err
		} else if ok {
			h = append(h, src)
		}
	}
	if len(tail) > 0 {
		src := &runReader{buf: tail}
		src.next()
		h = append(h, src)
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for len(h) > 0 {
		src := h[0]
		if err := fn(src.cur); err != nil {
			return err
		}
		ok, err := src.next()
		if err != nil {
			return err
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		siftDown(h, 0)
	}
	return nil
}

func siftDown(h []*runReader, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h[r].cur < h[l].cur {
			c = r
		}
		if h[i].cur <= h[c].cur {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// runReader yields the hashes of a run file (r set), read a block at a
// time, or of the in-memory tail (buf only).
type runReader struct {
	r   io.Reader
	raw []byte
	buf []uint64
	i   int
	cur uint64
}

func (s *runReader) next() (bool, error) {
	if s.i == len(s.buf) {
		if s.r == nil {
			return false, nil
		}
		n, err := io.ReadFull(s.r, s.raw)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return false, apperr.Internalf(err, "read profile run file")
		}
		if n%8 != 0 {
			return false, apperr.Internalf(io.ErrUnexpectedEOF, "read profile run file")
		}
		if n == 0 {
			return false, nil
		}
		s.buf, s.i = s.buf[:0], 0
		for b := s.raw[:n]; len(b) > 0; b = b[8:] {
			s.buf = append(s.buf, binary.LittleEndian.Uint64(b))
		}
	}
	s.cur = s.buf[s.i]
	s.i++
	return true, nil
}
