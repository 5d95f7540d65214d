#pragma once
// Typed, validated configuration of the local engine stack. Parse -> validate -> build: nothing
// starts until validate() passed. Precedence: defaults < <state_dir>/stack.json (written by the
// last `up`, so `status`/`down` find the same ports) < RDSTREAM_* environment < command-line flags.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace rds::stack {

inline constexpr uint16_t kDefaultKafkaPort = 9092;
inline constexpr uint16_t kDefaultKafkaControllerPort = 9093;
inline constexpr uint16_t kDefaultCassandraPort = 9042;
inline constexpr uint16_t kDefaultCassandraStoragePort = 7000;
inline constexpr uint16_t kDefaultPostgresPort = 5432;
inline constexpr int kDefaultKafkaHeapMb = 512;
inline constexpr int kDefaultCassandraHeapMb = 1024;

enum class ServiceKind { kKafka, kCassandra, kPostgres };
std::string_view to_string(ServiceKind kind);
Result<ServiceKind> parse_service(std::string_view name);

struct StackConfig {
  std::filesystem::path state_dir = "var";     // all state: data, logs, pid files, generated config
  std::filesystem::path engine_cache;          // jars and cqlsh from scripts/bootstrap
  std::string host = "127.0.0.1";              // services bind here only (security by default)
  uint16_t kafka_port = kDefaultKafkaPort;
  uint16_t kafka_controller_port = kDefaultKafkaControllerPort;
  uint16_t cassandra_port = kDefaultCassandraPort;
  uint16_t cassandra_storage_port = kDefaultCassandraStoragePort;
  uint16_t postgres_port = kDefaultPostgresPort;
  int kafka_heap_mb = kDefaultKafkaHeapMb;
  int cassandra_heap_mb = kDefaultCassandraHeapMb;
  std::chrono::seconds start_timeout{240};     // per service, from spawn to first healthy answer
  std::string java_home;                       // empty: RDSTREAM_JAVA_HOME, JAVA_HOME, then PATH
  std::string postgres_bin_dir;                // empty: newest /usr/lib/postgresql/<n>/bin
  std::string postgres_user = "postgres";      // system user PostgreSQL runs as when we are root
  std::vector<ServiceKind> services = {ServiceKind::kKafka, ServiceKind::kCassandra,
                                       ServiceKind::kPostgres};

  // Every problem found, each naming its setting and the fix; empty when valid.
  std::vector<std::string> problems() const;
  Status validate() const;

  bool has(ServiceKind kind) const;
  std::filesystem::path service_dir(ServiceKind kind) const { return state_dir / std::string(to_string(kind)); }
};

// Engine versions compiled in from engines/versions.env.
std::string kafka_version();
std::string cassandra_version();
std::string cqlsh_version();

// $RDSTREAM_ENGINE_CACHE or ~/.cache/rdstream/engines.
std::filesystem::path default_engine_cache();

// Applies RDSTREAM_* variables (RDSTREAM_STATE_DIR, RDSTREAM_KAFKA_PORT, ...) onto config.
Status apply_environment(StackConfig& config);

// <state_dir>/stack.json: the ports and paths the last `up` used.
Status save_state_file(const StackConfig& config);
Status load_state_file(StackConfig& config);  // missing file is fine; corrupt is an error

}  // namespace rds::stack
