// Command nginx-proxy is the end-to-end test's stand-in for
// gihyodocker/nginx-proxy (image swarmgen-e2e/nginx-proxy:latest): it
// listens on :80 and proxies every request to http://$BACKEND_HOST. A
// static Go binary in a FROM scratch image keeps the image a few MB, so
// the lab's nodes pull it in a moment and timings measure swarmgen, not
// image transfer.
package main

import (
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
)

// hostPort is what BACKEND_HOST may hold, e.g. echo_api:8080.
var hostPort = regexp.MustCompile(`^[A-Za-z0-9._-]+(:[0-9]+)?$`)

func main() {
	backend := os.Getenv("BACKEND_HOST")
	if !hostPort.MatchString(backend) {
		log.Fatalf("nginx-proxy: BACKEND_HOST must be host:port (e.g. echo_api:8080), got %q", backend)
	}
	listen := os.Getenv("LISTEN")
	if listen == "" {
		listen = ":80"
	}
	// Each request dials the name again, so a dnsrr service's tasks are
	// found as they come and go.
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	proxy.Transport = &http.Transport{DisableKeepAlives: true}
	log.Printf("nginx-proxy: proxying / on %s to http://%s", listen, backend)
	log.Fatal(http.ListenAndServe(listen, proxy))
}
