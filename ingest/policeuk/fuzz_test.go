package policeuk

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzRead feeds arbitrary bytes after real headers: the reader must never
// panic, and every non-blank line must be loaded or set aside with a reason.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		streetHeader + "\r\n" + streetRow + "\r\n" + asbRow + "\r\n",
		streetHeader + "\n" + quotedRow + "\n" + noLocRow,
		header2011 + "\r" + row2011 + "\r",
		ssHeader + "\n" + ssRowBST + "\n",
		"\uFEFF" + streetHeader + "\n\"a\"\"b\",\n\n",
	} {
		f.Add([]byte(seed))
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, name := range []string{"2019-06-x-street.csv", "2011-02-x-street.csv", "2018-07-x-stop-and-search.csv", "2021-01-x-outcomes.csv"} {
			file, err := Read(bytes.NewReader(body), part(t, name), 1, mem)
			if err != nil {
				if !errors.Is(err, ErrNotPoliceFile) {
					t.Fatalf("%s: error not marked as a refusal: %v", name, err)
				}
				continue
			}
			if file.Record.NumRows()+int64(len(file.Rejected)) != file.DataLines {
				t.Fatalf("%s: %d + %d != %d", name, file.Record.NumRows(), len(file.Rejected), file.DataLines)
			}
			for _, r := range file.Rejected {
				if r.Line < 2 || r.Reason == "" {
					t.Fatalf("%s: rejected row %+v", name, r)
				}
			}
			file.Release()
		}
		mem.AssertSize(t, 0)
	})
}
