package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// Records frame every write: 4-byte little-endian payload length, 4-byte
// CRC-32C of the payload, payload. A crash mid-append leaves a short or
// mismatching last record, which readers detect and drop.

const (
	recordHeader = 8
	maxRecord    = 1 << 30 // larger lengths can only come from garbage
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errTorn reports an incomplete or damaged record.
var errTorn = errors.New("embedded: torn record")

// Operation codes, the first payload byte.
const (
	opUpsert = 'U' // uvarint n, then n × (uvarint len, encoded document)
	opDelete = 'D' // uvarint n, then n × string id
	opEnd    = 'E' // snapshot trailer: uvarint document count
)

// op is one logged change: a whole Upsert or Delete call. Documents are
// kept encoded (appendDoc): the index stores that form too.
type op struct {
	upserts []string
	deletes []string
}

func appendRecord(b, payload []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, crcTable))
	return append(b, payload...)
}

func encodeOp(o op) []byte {
	var b []byte
	if o.deletes != nil {
		b = append(b, opDelete)
		return appendStrings(b, o.deletes)
	}
	b = append(b, opUpsert)
	b = binary.AppendUvarint(b, uint64(len(o.upserts)))
	for _, doc := range o.upserts {
		b = binary.AppendUvarint(b, uint64(len(doc)))
		b = append(b, doc...)
	}
	return b
}

func encodeEnd(count int) []byte {
	return binary.AppendUvarint([]byte{opEnd}, uint64(count))
}

// decodeOp decodes an opUpsert or opDelete payload.
func decodeOp(payload []byte) (op, error) {
	if len(payload) == 0 {
		return op{}, errCorrupt
	}
	switch payload[0] {
	case opDelete:
		r := reader{s: string(payload[1:])}
		ids := r.strings()
		if ids == nil {
			ids = []string{}
		}
		return op{deletes: ids}, r.err
	case opUpsert:
		b := payload[1:]
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return op{}, errCorrupt
		}
		b = b[k:]
		docs := make([]string, 0, n)
		for range n {
			size, k := binary.Uvarint(b)
			if k <= 0 || size > uint64(len(b)-k) {
				return op{}, errCorrupt
			}
			doc := string(b[k : k+int(size)])
			if _, err := decodeDoc(doc); err != nil {
				return op{}, err
			}
			docs = append(docs, doc)
			b = b[k+int(size):]
		}
		return op{upserts: docs}, nil
	}
	return op{}, errCorrupt
}

// recordReader streams records, tracking the end offset of the last
// complete one so a torn tail can be cut off.
type recordReader struct {
	r    *bufio.Reader
	good int64 // offset just past the last complete record
	buf  []byte
}

func newRecordReader(r io.Reader, start int64) *recordReader {
	return &recordReader{r: bufio.NewReaderSize(r, 1<<20), good: start}
}

// next returns the next payload (valid until the following call), io.EOF at
// a clean end, or errTorn.
func (rr *recordReader) next() ([]byte, error) {
	var h [recordHeader]byte
	n, err := io.ReadFull(rr.r, h[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, errTorn
	}
	size := binary.LittleEndian.Uint32(h[:4])
	if size > maxRecord {
		return nil, errTorn
	}
	if cap(rr.buf) < int(size) {
		rr.buf = make([]byte, size)
	}
	p := rr.buf[:size]
	if _, err := io.ReadFull(rr.r, p); err != nil {
		return nil, errTorn
	}
	if crc32.Checksum(p, crcTable) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, errTorn
	}
	rr.good += int64(n) + int64(size)
	return p, nil
}
