#pragma once
// librdkafka errors mapped once, at the boundary, into rds::Error. librdkafka says whether an
// error is retriable or fatal; we keep that as flags, never by parsing text.

#include <librdkafka/rdkafka.h>

#include <string_view>

#include "core/error.h"

namespace rds::kafka {

Error from_rdkafka(rd_kafka_resp_err_t err, std::string_view context);
// For rd_kafka_error_t objects (admin API, transactional API). Does not destroy `error`.
Error from_rdkafka(const rd_kafka_error_t* error, std::string_view context);

}  // namespace rds::kafka
