#pragma once
// ingest --staging postgres, wired: the database made if it is missing, the store opened (which
// migrates it), and retention run once at the start (delivered rows older than
// staging.retention_hours deleted in bounded batches).

#include <memory>

#include "config/settings/settings.h"
#include "core/result.h"
#include "staging/store.h"

namespace rds::app {

// Two connections to the outbox: the ingest thread's, and the one its relay marks rows delivered
// on. Both null when staging is off.
struct StagingConnections {
  std::unique_ptr<staging::Store> store;
  std::unique_ptr<staging::Store> marker;
};
// kUnavailable when PostgreSQL cannot be reached.
Result<StagingConnections> open_staging(const config::Settings& s);

}  // namespace rds::app
