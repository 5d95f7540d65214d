#include "core/signals.h"

#include <signal.h>
#include <unistd.h>

namespace rds {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};

void on_signal(int) {
  // Async-signal-safe only: atomics, write, _exit.
  if (g_signals.fetch_add(1) >= 1) {
    static const char msg[] = "\nsecond signal: exiting now\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(130);
  }
  // Said at once: finishing can take a while (writes wait for Cassandra, deliveries and commits
  // for Kafka), and someone who sees nothing happen should know what a second Ctrl-C does.
  static const char msg[] = "\nstopping: finishing what is in flight; a second signal exits at once\n";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
  g_stop.store(true);
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return g_stop;
}

bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }
void request_stop() { g_stop.store(true); }

}  // namespace rds
