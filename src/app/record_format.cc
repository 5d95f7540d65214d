#include "app/record_format.h"

#include <fmt/format.h>

#include <thread>

#include "app/component_configs.h"
#include "core/backoff.h"
#include "core/log.h"
#include "registry/client.h"

namespace rds::app {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Sleeps up to `d`, waking early when `stop` is set.
void sleep_unless_stopped(milliseconds d, const std::atomic<bool>& stop) {
  const auto until = Clock::now() + d;
  while (!stop.load() && Clock::now() < until) {
    std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(100), until - Clock::now()));
  }
}

Result<int32_t> register_with_retries(registry::RegistryClient& client, const std::string& subject,
                                      const std::string& schema, milliseconds max_elapsed,
                                      const std::atomic<bool>& stop) {
  BackoffConfig retry{milliseconds(500), milliseconds(10'000), 2.0, Jitter::kFull, 0, max_elapsed};
  Backoff backoff(retry);
  const auto started = Clock::now();
  while (true) {
    auto id = client.register_schema(subject, schema);
    if (id.ok()) return id;
    const Error& e = id.error();
    if (e.code == ErrorCode::kInvalidArgument) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("the schema registry refuses the record schema for subject {}: {}. Nothing was "
                               "produced. Fix: keep the change compatible with the subject's versions (add a column "
                               "as nullable, with a default; do not change or remove a column's type), or write to a "
                               "new topic; `rdstream schema check` tells before deploying, `rdstream schema show {} "
                               "latest` shows what is registered",
                               subject, e.message, subject));
    }
    if (e.code != ErrorCode::kUnavailable && e.code != ErrorCode::kTimeout) return id.take_error();
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    const BackoffDecision decision = backoff.on_failure(elapsed);
    if (!decision.retry || stop.load()) {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("the schema registry at {} did not answer for {:.0f} s ({}); nothing was produced. Is "
                               "it up? `rdstream stack up` starts one on 127.0.0.1:8081, registry.url points "
                               "elsewhere",
                               client.url(), std::chrono::duration<double>(elapsed).count(), e.message));
    }
    log::warn("ingest", "registering {}: {}; retrying in {} ms (nothing is produced until the schema is registered)",
              subject, e.message, decision.delay.count());
    sleep_unless_stopped(decision.delay, stop);
  }
}

}  // namespace

Result<std::unique_ptr<ingest::RecordEncoder>> record_encoder(const config::Settings& s, const std::atomic<bool>& stop) {
  if (s.kafka.record_format() != "avro") return std::unique_ptr<ingest::RecordEncoder>(new ingest::JsonRecordEncoder());
  auto json = record_avro_schema(s);
  if (!json.ok()) return json.take_error();
  auto schema = avro::Schema::parse(*json);
  if (!schema.ok()) return schema.take_error().with_context("the derived record schema");
  auto client = registry::RegistryClient::create(registry_config(s));
  if (!client.ok()) return client.take_error();
  const std::string subject = registry::value_subject(s.kafka.topic());
  auto id = register_with_retries(**client, subject, *json, milliseconds(s.schema_registry.retry_max_elapsed_ms()),
                                  stop);
  if (!id.ok()) return id.take_error();
  log::info("ingest", "record schema registered under {} with id {} at {}", subject, *id, (*client)->url());
  auto encoder = ingest::AvroRecordEncoder::create(*schema, *id);
  if (!encoder.ok()) return encoder.take_error();
  return std::unique_ptr<ingest::RecordEncoder>(std::move(*encoder));
}

Result<std::unique_ptr<process::RecordDecoder>> record_decoder(const config::Settings& s,
                                                               const process::TableConfig& table) {
  auto reader = process::reader_schema(table);
  if (!reader.ok()) return reader.take_error();
  auto client = registry::RegistryClient::create(registry_config(s));
  if (!client.ok()) return client.take_error();
  // The decoder runs on the processor's thread only: the client (not thread-safe) is its own.
  std::shared_ptr<registry::RegistryClient> shared(std::move(*client));
  return std::make_unique<process::RecordDecoder>(
      std::move(*reader), [shared](int32_t id) { return shared->schema_by_id(id); });
}

}  // namespace rds::app
