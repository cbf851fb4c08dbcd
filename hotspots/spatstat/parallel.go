package spatstat

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forEachBlock calls fn on consecutive blocks [lo, hi) covering [0, n),
// spread over GOMAXPROCS goroutines. Blocks are handed out on demand because
// crime is clustered: rows through a city centre cost far more than rural
// ones. Every caller writes only to the outputs of its own block, so results
// do not depend on the number of goroutines.
func forEachBlock(n, block int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+block-1)/block)
	if workers <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(block))) - block
				if lo >= n {
					return
				}
				fn(lo, min(lo+block, n))
			}
		}()
	}
	wg.Wait()
}
