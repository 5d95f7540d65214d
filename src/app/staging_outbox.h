#pragma once
// ingest --staging postgres, wired: the database made if it is missing, the store opened (which
// migrates it) and locked for this ingest, and retention run once at the start (delivered rows older than
// staging.retention_hours deleted in bounded batches).

#include <atomic>
#include <memory>

#include "config/settings/settings.h"
#include "core/result.h"
#include "staging/store.h"

namespace rds::app {

// Four connections to the outbox: one that holds its lock (one ingest at a time), the ingest
// thread's, and those its relay writes pages and marks rows delivered on (ingest/staging_relay.h).
// All null when staging is off.
struct StagingConnections {
  std::unique_ptr<staging::Store> lock;
  std::unique_ptr<staging::Store> store;
  std::unique_ptr<staging::Store> writer;
  std::unique_ptr<staging::Store> marker;
};
// kUnavailable when PostgreSQL cannot be reached, or when `stop` is set while another ingest holds
// the outbox (this one waits for it, saying so).
Result<StagingConnections> open_staging(const config::Settings& s, const std::atomic<bool>& stop);

}  // namespace rds::app
