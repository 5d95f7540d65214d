#include "app/staging_outbox.h"

#include "app/component_configs.h"
#include "core/log.h"
#include "stack/health.h"

namespace rds::app {

Result<StagingConnections> open_staging(const config::Settings& s) {
  auto config = staging_config(s);
  if (!config.ok()) return config.take_error();
  if (!*config) return StagingConnections{};
  const staging::StoreConfig& c = **config;
  // The stack's PostgreSQL has only its maintenance databases at first.
  Status made = stack::postgres_ensure_database(c.host, c.port, c.user, c.password, c.database, c.connect_timeout);
  if (!made.ok()) log::warn("ingest", "staging: {} (opening it anyway)", made.error().message);
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
  return StagingConnections{std::move(*store), std::move(*writer), std::move(*marker)};
}

}  // namespace rds::app
