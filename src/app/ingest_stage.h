#pragma once
// The composition root of `rdstream ingest`: from the settings, the record source (API or
// generator) and the producer, run until the duration, the count or a signal, then the summary.

#include <atomic>

#include "app/outcome.h"
#include "config/settings/settings.h"

namespace rds::app {

Outcome run_ingest_stage(const config::Settings& settings, const std::atomic<bool>& stop);

}  // namespace rds::app
