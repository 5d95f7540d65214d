#pragma once
// `rdstream replay --from-staging`: re-publishes staged records to the topic, a run's (`--run ID`)
// or those fetched since a time (`--since TIME`), oldest first, with their keys (the user's id, so
// the table stays effectively once), encoded as kafka.record_format says.

#include <atomic>
#include <optional>
#include <string>

#include "app/outcome.h"
#include "config/settings/settings.h"

namespace rds::app {

struct ReplaySelection {
  std::optional<std::string> run_id;
  std::optional<std::string> since;  // ISO-8601, as PostgreSQL reads a timestamptz
};

Outcome run_replay_stage(const config::Settings& settings, const ReplaySelection& selection,
                         const std::atomic<bool>& stop);

}  // namespace rds::app
