//go:build !unix

package embedded

import (
	"io"
	"os"
)

// mapFile reads f whole where memory mapping is not available.
func mapFile(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}
