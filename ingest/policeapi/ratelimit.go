package policeapi

import (
	"context"
	"sync"
	"time"
)

// clock is the time source of the rate limiter and the retry waits, so that
// tests can check minutes of waiting without taking them.
type clock interface {
	Now() time.Time
	// Sleep waits for d, or returns the context's cause if it ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// tokenBucket allows rate requests a second on average and up to burst at
// once: the API's own leaky bucket, seen from the caller's side. A caller
// takes its token at once, letting the count go negative, and then sleeps
// until the bucket has refilled to where its token would have been; so
// concurrent callers queue in arrival order without holding a lock while
// they sleep.
type tokenBucket struct {
	clock  clock
	rate   float64 // tokens a second
	burst  float64
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newTokenBucket(c clock, rate, burst float64) *tokenBucket {
	return &tokenBucket{clock: c, rate: rate, burst: burst, tokens: burst, last: c.Now()}
}

// wait blocks until one more request may be sent.
func (b *tokenBucket) wait(ctx context.Context) error {
	b.mu.Lock()
	now := b.clock.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	wait := time.Duration(-b.tokens / b.rate * float64(time.Second))
	b.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if err := b.clock.Sleep(ctx, wait); err != nil {
		b.mu.Lock()
		b.tokens++ // the request will not be sent
		b.mu.Unlock()
		return err
	}
	return nil
}
