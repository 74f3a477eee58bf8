package embedded

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	snapshotName  = "snapshot.dat"
	snapshotTemp  = "snapshot.dat.tmp"
	journalPrefix = "journal-"
	journalSuffix = ".log"
)

// snapshotMagic starts every snapshot; bump it when the encoding changes.
// Version 3 stores the built index (snapshot3.go); versions 1 and 2 are a
// list of documents, still read (and version 2 still written for a state
// that is not compact). Version 2 added the quality score (see codec.go):
// an older binary refuses a newer file at its header instead of misreading.
var (
	snapshotMagic = []byte("HLJSRCH3")
	docsMagic     = []byte("HLJSRCH2")
)

// readableMagics are the document-list versions loadSnapshot reads: 2, and
// 1, whose documents decode with Quality 0.
var readableMagics = [][]byte{docsMagic, []byte("HLJSRCH1")}

func journalPath(dir string, gen uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s%016d%s", journalPrefix, gen, journalSuffix))
}

// writeSnapshotTemp writes docs as generation gen to the temp file and
// fsyncs it; renaming it to snapshotName makes it current.
func writeSnapshotTemp(dir string, gen uint64, docs []string) error {
	return writeTemp(dir, func(f *os.File) error { return writeSnapshot(f, gen, docs) })
}

// writeTemp writes the temp snapshot file with write, removing it if any
// step fails.
func writeTemp(dir string, write func(*os.File) error) error {
	path := filepath.Join(dir, snapshotTemp)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("embedded: write snapshot: %w", err)
	}
	return nil
}

func writeSnapshot(f *os.File, gen uint64, docs []string) error {
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(docsMagic)
	w.Write(binary.LittleEndian.AppendUint64(nil, gen))
	var rec, payload []byte
	for _, d := range docs {
		payload = append(payload[:0], opUpsert, 1)
		payload = binary.AppendUvarint(payload, uint64(len(d)))
		payload = append(payload, d...)
		rec = appendRecord(rec[:0], payload)
		if _, err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Write(appendRecord(nil, encodeEnd(len(docs))))
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

// loadSnapshot feeds every document of the snapshot to add. A missing
// snapshot is generation 0 with no documents; a damaged one is an error,
// since it was written whole and fsynced before being renamed into place.
func loadSnapshot(dir string, add func(doc string)) (gen uint64, err error) {
	f, err := os.Open(filepath.Join(dir, snapshotName))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	damaged := func(why string) error {
		return fmt.Errorf("embedded: snapshot %s is damaged (%s); remove the directory and rebuild", f.Name(), why)
	}
	head := make([]byte, len(snapshotMagic)+8)
	if _, err := io.ReadFull(f, head); err != nil || !slices.ContainsFunc(readableMagics, func(m []byte) bool {
		return bytes.Equal(head[:len(m)], m)
	}) {
		return 0, damaged("bad header")
	}
	gen = binary.LittleEndian.Uint64(head[len(snapshotMagic):])
	rr := newRecordReader(f, int64(len(head)))
	count := 0
	for {
		p, err := rr.next()
		if err != nil {
			return 0, damaged("missing end record")
		}
		if len(p) > 0 && p[0] == opEnd {
			r := reader{s: string(p[1:])}
			if n := r.uvarint(); r.err != nil || int(n) != count {
				return 0, damaged("document count mismatch")
			}
			return gen, nil
		}
		o, err := decodeOp(p)
		if err != nil {
			return 0, damaged(err.Error())
		}
		for _, d := range o.upserts {
			add(d)
			count++
		}
	}
}

// listJournals returns the generations of journal files, ascending.
func listJournals(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var gens []uint64
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, journalPrefix) || !strings.HasSuffix(name, journalSuffix) {
			continue
		}
		g, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, journalPrefix), journalSuffix), 10, 64)
		if err == nil {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// replayJournal applies every complete record of a journal and cuts off a
// torn tail so appends continue after the last complete record.
func replayJournal(path string, apply func(op)) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	rr := newRecordReader(f, 0)
	for {
		p, err := rr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// The tail record was being written when the process died:
			// it was never acknowledged, so dropping it loses nothing.
			if err := f.Truncate(rr.good); err != nil {
				return err
			}
			return f.Sync()
		}
		o, err := decodeOp(p)
		if err != nil {
			return fmt.Errorf("embedded: journal %s: %w", path, err)
		}
		apply(o)
	}
}

// journal is the append-only log of changes since the last snapshot.
type journal struct {
	f    *os.File
	gen  uint64
	size int64
}

func openJournal(dir string, gen uint64) (*journal, error) {
	f, err := os.OpenFile(journalPath(dir, gen), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil { // make the new file's name durable
		f.Close()
		return nil, err
	}
	return &journal{f: f, gen: gen, size: size}, nil
}

// append writes records and fsyncs once: when it returns nil the changes
// survive a crash. On failure the file is cut back to its previous end.
func (j *journal) append(payloads ...[]byte) error {
	var rec []byte
	for _, p := range payloads {
		rec = appendRecord(rec, p)
	}
	_, err := j.f.Write(rec)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		if terr := j.f.Truncate(j.size); terr == nil {
			j.f.Seek(j.size, io.SeekStart)
		}
		return fmt.Errorf("embedded: journal append: %w", err)
	}
	j.size += int64(len(rec))
	return nil
}

func (j *journal) close() error { return j.f.Close() }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeJournalsBefore deletes journals older than gen, which the current
// snapshot already contains.
func removeJournalsBefore(dir string, gen uint64) {
	gens, _ := listJournals(dir)
	for _, g := range gens {
		if g < gen {
			os.Remove(journalPath(dir, g))
		}
	}
}
