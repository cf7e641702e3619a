// CoreDNS for the sandbox's data-plane test: the real coremain and the real plugins, but only
// the few its Corefile uses (test/dataplane/coredns.ts). CoreDNS's own main imports every
// plugin, and with them the Azure, AWS, Google Cloud and Datadog SDKs; this is the way its
// README describes to build with a smaller set, and it keeps the pinned module graph and the
// cold build small. Written by hand (not generated): test/sandbox/pin.sh keeps it.
package main

import (
	"github.com/coredns/coredns/coremain"

	// The plugins the Corefile names; dnsserver.Directives keeps their upstream order.
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	coremain.Run()
}
