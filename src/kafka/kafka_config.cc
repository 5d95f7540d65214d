#include "kafka/kafka_config.h"

#include <fmt/format.h>

#include <mutex>

#include "core/log.h"
#include "kafka/kafka_error.h"

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

// What a short-lived client's error callback saw: the last TLS or SASL failure, explained.
struct ClientNotes {
  std::mutex mutex;
  std::string security_error;
};

void note_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto explained = explain_client_error(err, reason != nullptr ? reason : "");
  if (explained.empty()) return;
  auto* notes = static_cast<ClientNotes*>(opaque);
  std::lock_guard lock(notes->mutex);
  notes->security_error = std::move(explained);
}

}  // namespace

void ClientDeleter::operator()(rd_kafka_t* rk) const {
  if (rk == nullptr) return;
  auto* notes = static_cast<ClientNotes*>(rd_kafka_opaque(rk));
  rd_kafka_destroy(rk);
  delete notes;
}

Error explain_failure(const ClientHandle& client, Error failure) {
  if (!client) return failure;
  auto* notes = static_cast<ClientNotes*>(rd_kafka_opaque(client.get()));
  if (notes == nullptr) return failure;
  // The client's error events wait in its queue until polled: serve them into the notes.
  rd_kafka_poll(client.get(), 0);
  std::lock_guard lock(notes->mutex);
  if (notes->security_error.empty()) return failure;
  // Not retriable: the same certificate or password fails the same way again.
  return Error(ErrorCode::kAuth, fmt::format("{}: {}", failure.message, notes->security_error), false);
}

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
                                         std::string_view context, const Properties& extra) {
  ConfProperties all = props;
  for (const auto& [k, v] : extra) all.emplace_back(k, v);
  auto made = make_rdkafka_conf(all, context);
  if (!made) return made.take_error();
  rd_kafka_conf_t* conf = *made;
  auto notes = std::make_unique<ClientNotes>();
  rd_kafka_conf_set_opaque(conf, notes.get());
  rd_kafka_conf_set_error_cb(conf, &note_error);
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new owns the conf only on success
    return Error(ErrorCode::kInternal, fmt::format("{}: {}", context, errstr));
  }
  notes.release();  // the handle's deleter frees it with the client
  return ClientHandle(rk);
}

}  // namespace rds::kafka
