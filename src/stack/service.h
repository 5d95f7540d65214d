#pragma once
// One engine of the local stack. A Service knows how to prepare its state directory (generated
// config, one-time initialisation), how to launch itself, how to ask it a real protocol question,
// and how to stop it. The Stack drives the three of them; it holds no engine-specific knowledge.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "stack/process.h"
#include "stack/stack_config.h"

namespace rds::stack {

struct PortUse {
  std::string setting;  // the flag that changes it, for error messages: "--kafka-port"
  uint16_t port;
  std::string host = {};  // where it binds, when not the node's own address (a JMX port on 127.0.0.1)
};

class Service {
 public:
  // node: which node of a cluster this is (1..config.nodes(kind)); 1 for a single one.
  explicit Service(const StackConfig& config, int node = 1) : config_(config), node_(node) {}
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  virtual ServiceKind kind() const = 0;
  int node() const { return node_; }
  // "kafka", or "kafka-2" for node 2 of a cluster (every node of a cluster is numbered): for
  // messages and `stack status`.
  std::string name() const;
  // The address this node binds: 127.0.0.1, or 127.0.0.<node> for the other nodes of a cluster.
  std::string host() const { return config_.node_host(node_); }
  // What a client connects to, e.g. "127.0.0.1:9092".
  virtual std::string address() const = 0;
  virtual std::vector<PortUse> ports() const = 0;
  // Writes generated config and initialises data (format / initdb) when not yet done. Idempotent.
  virtual Status prepare() = 0;
  virtual Result<LaunchSpec> launch_spec() const = 0;
  // One real protocol request (Kafka metadata, a CQL query, SELECT 1). Retriable errors mean
  // "not ready yet".
  virtual Status check_health(std::chrono::milliseconds timeout) const = 0;
  // The signal that asks for a clean, quick shutdown.
  virtual int stop_signal() const { return SIGTERM; }
  virtual std::chrono::seconds stop_grace() const { return std::chrono::seconds(60); }
  // How a person reaches it with the engine's own client, for `stack status`.
  virtual std::string client_hint() const = 0;
  // Once it answers (after every `up`, whether just started or already running): settings that
  // live in the engine itself. Idempotent.
  virtual Status after_healthy(std::chrono::milliseconds /*timeout*/) const { return ok_status(); }

  std::filesystem::path dir() const { return config_.service_dir(kind(), node_); }
  std::filesystem::path log_file() const { return dir() / (std::string(to_string(kind())) + ".log"); }
  std::filesystem::path pid_file() const { return dir() / (std::string(to_string(kind())) + ".pid"); }
  // A node that may start only once this other node of the same kind answers (Cassandra nodes
  // join the ring one at a time); 0 when it starts with the others.
  virtual int starts_after() const { return 0; }
  // A string in the process's command line that identifies it as this stack's, so that a pid
  // reused by an unrelated process is never signalled.
  virtual std::string identity_marker() const = 0;
  // Whether the live process `pid` is this service's instance: by default its command line holds
  // identity_marker().
  virtual bool owns(pid_t pid) const { return process_matches(pid, identity_marker()); }
  // Stopping it also stops whatever it started that is still running in its process group (a
  // scheduler's task processes), so that `down` leaves nothing behind.
  virtual bool stop_process_group() const { return false; }

 protected:
  const StackConfig& config_;
  const int node_;
};

std::unique_ptr<Service> make_kafka_service(const StackConfig& config, int node);
std::unique_ptr<Service> make_cassandra_service(const StackConfig& config, int node);
std::unique_ptr<Service> make_postgres_service(const StackConfig& config);
std::unique_ptr<Service> make_console_service(const StackConfig& config);
std::unique_ptr<Service> make_registry_service(const StackConfig& config);
// kind: one of Airflow's four processes.
std::unique_ptr<Service> make_airflow_service(ServiceKind kind, const StackConfig& config);
std::unique_ptr<Service> make_service(ServiceKind kind, const StackConfig& config, int node = 1);

// The stack's PostgreSQL superuser, and its password: RDSTREAM_POSTGRES_PASSWORD, else
// <state_dir>/postgres/password, made once (mode 0600) for a new data directory.
inline constexpr const char* kPostgresSuperuser = "rdstream";
Result<std::string> postgres_superuser_password(const StackConfig& config);
// Creates `database` in the stack's PostgreSQL unless it exists, for a service that keeps its
// state there (`who`, for messages). When PostgreSQL is being started by the same `up`, waits up
// to start_timeout for it.
Status ensure_stack_database(const StackConfig& config, const std::string& database, const std::string& who);

// With --tls: the SCRAM (and PLAIN) user of Kafka's clients, its password (made once into
// <state_dir>/kafka/client-password, 0600), and the librdkafka properties a client of the stack
// connects with (empty without TLS).
inline constexpr const char* kKafkaClientUser = "rdstream";
Result<std::string> kafka_client_password(const StackConfig& config);
Result<std::map<std::string, std::string>> kafka_client_properties(const StackConfig& config);

// Shared helpers for the implementations.
Status write_text_file(const std::filesystem::path& path, const std::string& content);
// Like write_text_file, but the file is created with mode 0600 (a password, a key): it is never
// readable by others, not even for a moment.
Status write_secret_file(const std::filesystem::path& path, const std::string& content);
// `length` random letters and digits (no look-alikes), from the system's random device.
std::string random_secret(int length);
Result<std::string> read_text_file(const std::filesystem::path& path);
// <dir>/.rdstream-<name>: written after a successful one-time initialisation. A data directory
// with content but without this marker was not made by rdstream (foreign) or was interrupted.
Status check_ownership_marker(const std::filesystem::path& data_dir, const std::string& marker_content,
                              const std::string& service, const std::filesystem::path& service_dir);
Status write_ownership_marker(const std::filesystem::path& data_dir, const std::string& marker_content);

}  // namespace rds::stack
