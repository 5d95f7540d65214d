#pragma once
// Graceful shutdown on SIGINT/SIGTERM: the first signal asks the running job to stop (it drains,
// flushes and summarises); a second one exits at once with status 130. Records already
// acknowledged stay acknowledged; nothing is committed that was not.

#include <atomic>

namespace rds {

// Installs the handlers (idempotent). Returns the flag the first signal sets.
const std::atomic<bool>& install_stop_signals();
bool stop_requested();
// For tests and for jobs that end by themselves: request a stop as a signal would.
void request_stop();

}  // namespace rds
