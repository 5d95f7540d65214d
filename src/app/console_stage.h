#pragma once
// `rdstream console`: the settings table turned into the console (src/console) — its collector,
// dead-letter view and HTTP server — run until a stop signal.

#include "app/outcome.h"
#include "config/settings/settings.h"

namespace rds::app {

Outcome run_console(const config::Settings& settings);

}  // namespace rds::app
