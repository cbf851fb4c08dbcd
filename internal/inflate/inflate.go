// Package inflate decompresses a whole DEFLATE stream held in memory, as a
// zip entry is, with libdeflate when the build has it (the libdeflate build
// tag, which the Makefile sets when the library's header is installed):
// about 2.5 times as fast as a streaming inflater, and inflating was a
// fifth of a data.police.uk archive's load. Without the tag, Available is
// false and callers stream with github.com/klauspost/compress/flate.
package inflate

import "errors"

// ErrCorrupt is returned for data that is not a DEFLATE stream inflating to
// exactly the size asked for.
var ErrCorrupt = errors.New("the DEFLATE data is corrupt, or inflates to another size than its header declares")
