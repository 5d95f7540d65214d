#include "kafka/kafka_config.h"

#include <fmt/format.h>

namespace rds::kafka {

Result<rd_kafka_conf_t*> make_rdkafka_conf(const ConfProperties& props, std::string_view context) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
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
