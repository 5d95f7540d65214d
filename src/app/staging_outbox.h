#pragma once
// ingest --staging postgres, wired: the database made if it is missing, the store opened (which
// migrates it), and retention run once at the start (delivered rows older than
// staging.retention_hours deleted in bounded batches).

#include <memory>

#include "config/settings/settings.h"
#include "core/result.h"
#include "staging/store.h"

namespace rds::app {

// Three connections to the outbox: the ingest thread's, and those its relay writes pages and marks
// rows delivered on (ingest/staging_relay.h). All null when staging is off.
struct StagingConnections {
  std::unique_ptr<staging::Store> store;
  std::unique_ptr<staging::Store> writer;
  std::unique_ptr<staging::Store> marker;
};
// kUnavailable when PostgreSQL cannot be reached.
Result<StagingConnections> open_staging(const config::Settings& s);

}  // namespace rds::app
