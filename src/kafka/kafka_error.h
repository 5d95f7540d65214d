#pragma once
// librdkafka errors mapped once, at the boundary, into rds::Error. librdkafka says whether an
// error is retriable or fatal; we keep that as flags, never by parsing text.

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>

#include "core/error.h"

namespace rds::kafka {

Error from_rdkafka(rd_kafka_resp_err_t err, std::string_view context);
// For rd_kafka_error_t objects (admin API, transactional API). Does not destroy `error`.
Error from_rdkafka(const rd_kafka_error_t* error, std::string_view context);

// A client error callback's (err, reason) when it is a TLS or SASL failure, or a listener that
// speaks another security protocol: the cause and the fix in words ("the broker's TLS certificate
// was not accepted ...; set kafka.properties.ssl.ca.location ..."), librdkafka's reason kept in
// it. Empty for any other error.
std::string explain_client_error(int err, std::string_view reason);

// The body of a client's error callback (run by rd_kafka_poll on the polling thread). Logs the
// error under `component` (a TLS or SASL failure as an error, explained); returns true for a fatal error (logged with librdkafka's fatal reason,
// e.g. "fatal producer error ..."), after which the client cannot go on. Other errors are
// transient (broker down, connection refused) and librdkafka retries them itself.
bool log_client_error(rd_kafka_t* rk, int err, const char* reason, std::string_view component,
                      std::string_view client);

}  // namespace rds::kafka
