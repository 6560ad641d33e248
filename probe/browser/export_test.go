package browser

import "time"

// HoldPresses makes every mouse click hold its button for d between press
// and release, as a slow machine's CDP round trip may; it returns the undo.
func HoldPresses(d time.Duration) func() {
	old := pressHold
	pressHold = d
	return func() { pressHold = old }
}
