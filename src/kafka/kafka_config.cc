#include "kafka/kafka_config.h"

#include <fmt/format.h>

#include "core/log.h"

namespace rds::kafka {
namespace {

// librdkafka's own lines ("%4|1712345678.123|GETPID|rdkafka#producer-1| ...") go through rdstream's
// logger, with its level and format, instead of straight to stderr. Levels are syslog's.
void route_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  const log::Level ours = level <= 3 ? log::Level::kError
                          : level == 4 ? log::Level::kWarn
                          : level <= 6 ? log::Level::kInfo
                                       : log::Level::kDebug;
  if (log::level() > ours) return;
  log::write(ours, "rdkafka", fmt::format("{} {}: {}", rk != nullptr ? rd_kafka_name(rk) : "-", facility, text));
}

}  // namespace

Result<rd_kafka_conf_t*> make_rdkafka_conf(const ConfProperties& props, std::string_view context) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &route_log);
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error(ErrorCode::kInvalidArgument, fmt::format("{} property {}: {}", context, key, errstr));
    }
  }
  return conf;
}

Result<ClientHandle> make_rdkafka_client(rd_kafka_type_t type, const ConfProperties& props,
                                         std::string_view context) {
  auto made = make_rdkafka_conf(props, context);
  if (!made) return made.take_error();
  rd_kafka_conf_t* conf = *made;
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new owns the conf only on success
    return Error(ErrorCode::kInternal, fmt::format("{}: {}", context, errstr));
  }
  return ClientHandle(rk, &rd_kafka_destroy);
}

}  // namespace rds::kafka
