#include "app/staging_outbox.h"

#include <fmt/format.h>

#include <thread>

#include "app/component_configs.h"
#include "core/log.h"
#include "stack/health.h"

namespace rds::app {

namespace {

// Waits while another ingest holds the outbox (an Airflow DAG triggered twice, two terminals).
Result<std::unique_ptr<staging::Store>> lock_outbox(const staging::StoreConfig& c, const std::atomic<bool>& stop) {
  auto lock = staging::Store::open(c);
  if (!lock.ok()) return lock.take_error().with_context("staging");
  bool said = false;
  while (true) {
    auto mine = (*lock)->try_lock_outbox();
    if (!mine.ok()) return mine.take_error().with_context("staging: locking the outbox");
    if (*mine) break;
    if (!said) {
      log::warn("ingest", "staging: another ingest is using the outbox {}.staged_users in database {}; waiting for it "
                "to finish (one ingest per outbox: give this one its own staging.schema to run both at once)",
                c.schema, c.database);
      said = true;
    }
    if (stop.load()) {
      return Error(ErrorCode::kUnavailable, fmt::format("staging: stopped while another ingest held the outbox {} "
                                                        "(nothing was fetched)", c.schema));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (said) log::info("ingest", "staging: the outbox is free; starting");
  return std::move(*lock);
}

}  // namespace

Result<StagingConnections> open_staging(const config::Settings& s, const std::atomic<bool>& stop) {
  auto config = staging_config(s);
  if (!config.ok()) return config.take_error();
  if (!*config) return StagingConnections{};
  const staging::StoreConfig& c = **config;
  // The stack's PostgreSQL has only its maintenance databases at first.
  Status made = stack::postgres_ensure_database(c.host, c.port, c.user, c.password, c.database, c.connect_timeout);
  if (!made.ok()) log::warn("ingest", "staging: {} (opening it anyway)", made.error().message);
  auto lock = lock_outbox(c, stop);
  if (!lock.ok()) return lock.take_error();
  auto store = staging::Store::open(c);
  if (!store.ok()) return store.take_error().with_context("staging");
  log::info("ingest", "staging in PostgreSQL {}:{} database {} schema {} (version {})", c.host, c.port, c.database,
            c.schema, (*store)->schema_version());
  if (const auto hours = s.staging.retention_hours(); hours > 0) {
    const auto batch = static_cast<std::size_t>(s.staging.delete_batch());
    std::size_t deleted = 0;
    while (true) {
      auto n = (*store)->delete_delivered(std::chrono::hours(hours), batch);
      if (!n.ok()) return n.take_error().with_context("staging retention");
      deleted += *n;
      if (*n < batch) break;
    }
    if (deleted > 0) log::info("ingest", "staging: deleted {} rows delivered more than {} h ago", deleted, hours);
  }
  auto writer = staging::Store::open(c);
  if (!writer.ok()) return writer.take_error().with_context("staging");
  auto marker = staging::Store::open(c);
  if (!marker.ok()) return marker.take_error().with_context("staging");
  return StagingConnections{std::move(*lock), std::move(*store), std::move(*writer), std::move(*marker)};
}

}  // namespace rds::app
