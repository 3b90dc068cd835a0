package scenarios

import "github.com/summit-model/summit/aggregates"

// Step is one command of a plan, with the line it comes from.
type Step struct {
	Line    int
	Command aggregates.Command
}
