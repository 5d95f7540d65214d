#pragma once
// Building an rd_kafka_conf_t from a list of properties: every librdkafka client in the project
// (producer, consumer, admin, dead-letter publisher, health check) does this the same way.

#include <librdkafka/rdkafka.h>

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

using ClientHandle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

// A short-lived client that needs no callbacks (metadata lookups, admin requests, health checks):
// the conf from `props`, then rd_kafka_new. Its failure is kInternal "<context>: <reason>".
Result<ClientHandle> make_rdkafka_client(rd_kafka_type_t type, const ConfProperties& props,
                                         std::string_view context);

}  // namespace rds::kafka
