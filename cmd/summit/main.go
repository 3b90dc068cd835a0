// Command summit models summit diplomacy as an event-sourced record on NATS
// JetStream: replay scenarios, read the meeting board, follow it live, and
// try what-if branches. Run "summit help" for the verbs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
