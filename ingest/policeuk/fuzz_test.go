package policeuk

import (
	"bytes"
	"errors"
	"math"
	"strconv"
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

// FuzzParseDecimal: wherever parseDecimal takes a field, it gives exactly
// strconv.ParseFloat's value, bit for bit (-0 included).
func FuzzParseDecimal(f *testing.F) {
	for _, seed := range []string{"-0.123456", "51.518166", "0", "-0", "+1.", ".5", "123456789012345",
		"1234567890123456", "0.000000000000001", "9.99999999999999", "-", ".", "1e5", "1_0", "NaN", "1..2", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDecimal([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseDecimal(%q) = %v, strconv: %v, %v", s, got, want, err)
		}
	})
}

func TestParseDecimalDeclines(t *testing.T) {
	for _, s := range []string{"", "-", ".", "1e5", "1_0", "NaN", "Inf", "1..2", "1234567890123456", " 1"} {
		if x, ok := parseDecimal([]byte(s)); ok {
			t.Errorf("parseDecimal(%q) took it as %v; strconv should decide", s, x)
		}
	}
	if x, ok := parseDecimal([]byte("-0.141593")); !ok || x != -0.141593 {
		t.Errorf("parseDecimal(-0.141593) = %v, %v", x, ok)
	}
}
