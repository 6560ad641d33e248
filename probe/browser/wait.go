package browser

import (
	"context"
	"time"
)

// Poll calls try at once and then every `every` until it reports done or
// an error, or ctx ends (the caller's deadline is the wait's bound; Poll
// then returns ctx's error). It is the one waiting loop of the checks.
func Poll(ctx context.Context, every time.Duration, try func(ctx context.Context) (done bool, err error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		done, err := try(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Until is Poll with a deadline of its own (the zero time: none).
func Until(ctx context.Context, deadline time.Time, every time.Duration, try func(ctx context.Context) (bool, error)) error {
	if deadline.IsZero() {
		return Poll(ctx, every, try)
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return Poll(dctx, every, try)
}
