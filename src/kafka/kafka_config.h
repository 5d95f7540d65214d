#pragma once
// Building an rd_kafka_conf_t from a list of properties: every librdkafka client in the project
// (producer, consumer, admin, dead-letter publisher, health check) does this the same way.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace rds::kafka {

// A broker on this machine, as `rdstream stack` runs it: the clients' default and the settings
// table's (kafka.bootstrap_servers).
inline constexpr const char* kLocalBootstrapServers = "127.0.0.1:9092";

using ConfProperties = std::vector<std::pair<std::string, std::string>>;

// Sets `props` in order on a new conf. On success the caller owns the conf (rd_kafka_new takes it
// over); on the first property librdkafka refuses, the conf is destroyed and the error reads
// "<context> property <key>: <librdkafka's reason>".
Result<rd_kafka_conf_t*> make_rdkafka_conf(const ConfProperties& props, std::string_view context);

// The user's librdkafka properties (kafka.properties, with the secrets from the environment or
// files): every client rdstream makes applies them last.
using Properties = std::map<std::string, std::string>;

// Destroys a client made by make_rdkafka_client, and what it noted about its connections.
struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using ClientHandle = std::unique_ptr<rd_kafka_t, ClientDeleter>;

// A short-lived client that needs no callbacks of its own (metadata lookups, admin requests,
// health checks): the conf from `props`, then `extra` (the user's), then rd_kafka_new. Its failure
// is kInternal "<context>: <reason>". It notes the last TLS or SASL error of its connections, for
// explain_failure.
Result<ClientHandle> make_rdkafka_client(rd_kafka_type_t type, const ConfProperties& props,
                                         std::string_view context, const Properties& extra = {});

// A request of `client` that failed (timed out, all brokers down) after its connections failed
// their TLS handshake or SASL authentication: that cause and its fix, instead of `failure`
// (which is returned as it is otherwise).
Error explain_failure(const ClientHandle& client, Error failure);

}  // namespace rds::kafka
