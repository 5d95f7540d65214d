#pragma once
// The local engine stack: Kafka, Cassandra and PostgreSQL as plain processes under one state
// directory. `up` is idempotent, `down` stops only the processes this stack started (pid file +
// command-line marker), and every failure names the service, the cause and the fix.

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.h"
#include "stack/stack_config.h"

namespace rds::stack {

enum class ServiceState { kStopped, kStarting, kHealthy, kUnhealthy, kFailed };
std::string_view to_string(ServiceState state);

struct ServiceReport {
  ServiceKind kind;
  std::string name;  // "cassandra", or "cassandra-2" for a cluster's node 2
  int node = 1;
  ServiceState state = ServiceState::kStopped;
  int pid = 0;
  std::string address;
  std::string log_file;
  std::string client_hint;
  std::string detail;    // e.g. "started, healthy after 8.1 s" or the error with its fix
  std::string log_tail;  // last lines of the log, on failure
  std::string log_errors;  // the log's first error entries, on failure (the cause, usually)
};

struct StackReport {
  std::vector<ServiceReport> services;
  // With --tls: how a client connects (the CA, the user, the password file, kafka.properties).
  std::string tls_guide;
  bool all_healthy() const;
  // A table for people: one line per service, then errors with log tails.
  void print(std::ostream& out, bool with_hints) const;
};

class Stack {
 public:
  explicit Stack(StackConfig config) : config_(std::move(config)) {}

  // Starts what is not running and waits until every service answers a real request.
  Result<StackReport> up();
  // Asks each service the same question once; does not start or stop anything.
  StackReport status() const;
  // Stops the services this stack started and waits until their processes are gone. kill: SIGKILL
  // at once, as a crash would (fault tests, `stack stop-node --kill`).
  Result<StackReport> down(bool kill = false);
  // The last `lines` lines of each selected service's log.
  std::string logs(int lines) const;

  const StackConfig& config() const { return config_; }

  // The stack narrowed to node `node` of `service` (`stack stop-node cassandra 2`); an error names
  // the nodes there are.
  static Result<StackConfig> one_node(StackConfig config, std::string_view service, int node);

 private:
  StackConfig config_;
};

}  // namespace rds::stack
