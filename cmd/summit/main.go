// Command summit models summit diplomacy as an event-sourced record on NATS
// JetStream: replay scenarios, read the meeting board, follow it live, and
// try what-if branches. Run "summit help" for the verbs.
package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		got.Store(s)
		cancel()
		signal.Stop(sigs)
	}()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, signal: func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}}
	os.Exit(run(ctx, os.Args[1:], e))
}
