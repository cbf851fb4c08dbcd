//go:build libdeflate

package inflate

/*
#cgo LDFLAGS: -ldeflate
#include <libdeflate.h>
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Available reports whether Decompress is built in.
const Available = true

// Decompress inflates raw, a raw DEFLATE stream (no zlib or gzip header),
// into out, which must be exactly the size it inflates to. Neither may be
// empty (stream an empty entry).
func Decompress(raw, out []byte) error {
	if len(raw) == 0 || len(out) == 0 {
		return ErrCorrupt
	}
	d := C.libdeflate_alloc_decompressor()
	if d == nil {
		return errors.New("libdeflate: out of memory")
	}
	defer C.libdeflate_free_decompressor(d)
	// A nil actual size asks libdeflate for exactly len(out) bytes: fewer or
	// more is an error, not a short read.
	if C.libdeflate_deflate_decompress(d, unsafe.Pointer(&raw[0]), C.size_t(len(raw)),
		unsafe.Pointer(&out[0]), C.size_t(len(out)), nil) != C.LIBDEFLATE_SUCCESS {
		return ErrCorrupt
	}
	return nil
}
