// The Bento peer of the peers benchmark (bench/peers/bento/README.md): Bento v1.19.0 with only the
// components the benchmark's config uses, so that the build stays small and quick on 2 cores.
// Built outside the tree by build.sh; nothing of Bento's source is vendored here.
package main

import (
	"context"

	"github.com/warpstreamlabs/bento/public/service"

	// kafka_franz input; cassandra output (gocql); prometheus metrics on Bento's HTTP server;
	// pure: the core components (brokers, drop, mapping...) every Bento build carries.
	_ "github.com/warpstreamlabs/bento/public/components/cassandra"
	_ "github.com/warpstreamlabs/bento/public/components/kafka"
	_ "github.com/warpstreamlabs/bento/public/components/prometheus"
	_ "github.com/warpstreamlabs/bento/public/components/pure"
)

func main() {
	service.RunCLI(context.Background(),
		service.CLIOptSetVersion("v1.19.0", "rdstream-bench"),
		service.CLIOptSetBinaryName("bento"),
		service.CLIOptSetProductName("Bento"))
}
