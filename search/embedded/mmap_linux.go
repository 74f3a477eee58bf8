package embedded

import (
	"os"
	"syscall"
)

// mapFile maps f read-only. The mapping is never unmapped: strings handed
// out by the index (document ids, say) point into it, and so do the
// documents a compaction carries over; the kernel keeps an unlinked file's
// pages while mapped, so it stays valid after a compaction replaces the
// file. One mapping per Open (compactions write, they do not map): the
// replaced snapshot's disk space returns when the process exits.
func mapFile(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
}

// dropResident gives the mapping's pages back after the load has read
// them all (checksum, document heads): they stay in the page cache, and
// come back on first touch, so RSS holds only what searches use.
func dropResident(data []byte) {
	if len(data) > 0 {
		_ = syscall.Madvise(data, syscall.MADV_DONTNEED)
	}
}
