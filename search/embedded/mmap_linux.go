package embedded

import (
	"os"
	"syscall"
)

// mapFile maps f read-only. The mapping is never unmapped: strings handed
// out by the index (document ids, say) may point into it, and the file
// stays valid after a compaction replaces it, since the kernel keeps an
// unlinked file's pages while mapped. One mapping per Open.
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
