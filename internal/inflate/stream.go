//go:build !libdeflate

package inflate

// Available reports whether Decompress is built in.
const Available = false

// Decompress is not built in without the libdeflate tag; callers check
// Available first.
func Decompress(raw, out []byte) error { panic("inflate: built without libdeflate; check Available") }
