// Command service is a small HTTP service, built from source by distill
// with Debian's Go into a static, nonroot image.
//
// -selftest starts it on a loopback port, asks it once and prints the
// answer, so a test can see it answer a request in an image with no shell.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

func handler(w http.ResponseWriter, r *http.Request) {
	if _, err := fmt.Fprintf(w, "hello from distill, uid %d, path %s\n", os.Getuid(), r.URL.Path); err != nil {
		log.Print(err) // the client went away
	}
}

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	selftest := flag.Bool("selftest", false, "answer one request on a loopback port, print it and exit")
	flag.Parse()
	if !*selftest {
		log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(handler)))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(http.Serve(l, http.HandlerFunc(handler))) }()
	resp, err := http.Get("http://" + l.Addr().String() + "/ping")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(body))
}
