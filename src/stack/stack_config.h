#pragma once
// Typed, validated configuration of the local engine stack. Parse -> validate -> build: nothing
// starts until validate() passed. Built from the settings table (config/settings: stack.*,
// cassandra.port) by `rdstream stack`: defaults < <state_dir>/stack.json (written by the last
// `up`, so `status`/`down` find the same ports) < RDSTREAM_* environment < command-line flags.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cassandra/blocking_connection.h"  // kDefaultPort
#include "core/result.h"

namespace rds::stack {

inline constexpr uint16_t kDefaultKafkaPort = 9092;
inline constexpr uint16_t kDefaultKafkaControllerPort = 9093;
inline constexpr uint16_t kDefaultCassandraStoragePort = 7000;
inline constexpr uint16_t kDefaultPostgresPort = 5432;
inline constexpr uint16_t kDefaultConsolePort = 9021;  // Confluent Control Center's, as in the seed
inline constexpr uint16_t kDefaultRegistryPort = 8081;  // the seed's Schema Registry's
inline constexpr uint16_t kDefaultRegistryManagementPort = 8091;  // its health and metrics
inline constexpr uint16_t kDefaultAirflowPort = 8080;  // Airflow's api-server (UI and REST API), as in the seed
inline constexpr int kDefaultRegistryHeapMb = 384;
inline constexpr int kDefaultKafkaHeapMb = 512;
inline constexpr int kDefaultCassandraHeapMb = 1024;
inline constexpr uint16_t kDefaultCassandraJmxPort = 7199;  // Cassandra's own; node n listens on it + n - 1
// Nodes of a local cluster live on their own loopback address (node n on 127.0.0.n, all of 127/8
// is loopback), so that every node keeps the engine's usual ports, as on separate machines.
inline constexpr int kMaxClusterNodes = 9;

// Airflow is four processes, each a service of its own (own pid, log and health), selected
// together by the name "airflow".
enum class ServiceKind {
  kKafka,
  kCassandra,
  kPostgres,
  kConsole,
  kRegistry,
  kAirflowApiServer,
  kAirflowScheduler,
  kAirflowDagProcessor,
  kAirflowTriggerer,
};
std::string_view to_string(ServiceKind kind);
// "kafka" -> {kKafka}; "airflow" -> its four processes ("airflow-scheduler" -> that one); an
// unknown name is an error that lists the known ones.
Result<std::vector<ServiceKind>> parse_service(std::string_view name);
// The names parse_service knows, for messages and checks.
inline constexpr const char* kServiceNames = "kafka, cassandra, postgres, console, registry or airflow";

struct StackConfig {
  std::filesystem::path state_dir = "var";     // all state: data, logs, pid files, generated config
  std::filesystem::path engine_cache;          // jars and cqlsh from scripts/bootstrap
  std::string host = "127.0.0.1";              // services bind here only (security by default)
  uint16_t kafka_port = kDefaultKafkaPort;
  // The address a single broker tells its clients to use, when it is not the one it listens on:
  // behind a port forward (ssh -L, a container's published port). Empty: the listening address.
  std::string kafka_advertised_host;
  uint16_t kafka_controller_port = kDefaultKafkaControllerPort;
  uint16_t cassandra_port = cassandra::kDefaultPort;
  uint16_t cassandra_storage_port = kDefaultCassandraStoragePort;
  uint16_t cassandra_jmx_port = kDefaultCassandraJmxPort;
  // A cluster of several nodes (node n on 127.0.0.n). Remembered in stack.json by `up`.
  int cassandra_nodes = 1;
  int kafka_brokers = 1;
  // TLS and authentication (`up --tls`): a CA in <state_dir>/tls, Kafka's client listener
  // SASL_SSL, Cassandra's client encryption required. Remembered in stack.json by `up`.
  bool tls = false;
  // 0: every node of each selected service; n: only node n (`stack stop-node` / `start-node`).
  int only_node = 0;
  uint16_t postgres_port = kDefaultPostgresPort;
  uint16_t console_port = kDefaultConsolePort;
  uint16_t registry_port = kDefaultRegistryPort;
  uint16_t registry_management_port = kDefaultRegistryManagementPort;
  int registry_heap_mb = kDefaultRegistryHeapMb;
  std::string registry_java_home = "/usr/lib/jvm/temurin-25-jdk-amd64";  // Java 21+: Apicurio 3
  uint16_t airflow_port = kDefaultAirflowPort;
  std::filesystem::path airflow_dags_dir;      // empty: default_airflow_dags_dir()
  // The rdstream binary that runs the console (`rdstream console`); the CLI sets it to itself.
  std::filesystem::path rdstream_binary;
  int kafka_heap_mb = kDefaultKafkaHeapMb;
  int cassandra_heap_mb = kDefaultCassandraHeapMb;
  std::chrono::seconds start_timeout{240};     // per service, from spawn to first healthy answer
  std::string java_home;                       // empty: JAVA_HOME, then PATH
  std::string postgres_bin_dir;                // empty: newest /usr/lib/postgresql/<n>/bin
  std::string postgres_user = "postgres";      // system user PostgreSQL runs as when we are root
  std::string postgres_password;               // empty: <state_dir>/postgres/password, made once
  // The registry and Airflow after PostgreSQL: they keep their state there.
  std::vector<ServiceKind> services = {ServiceKind::kKafka, ServiceKind::kCassandra, ServiceKind::kPostgres,
                                       ServiceKind::kConsole, ServiceKind::kRegistry};
  // The optional services (`--with airflow`) this selection includes. Remembered in stack.json by
  // `up`, so that `status`, `down` and `logs` include them without being told again.
  std::vector<std::string> with;

  // Every problem found, each naming its setting and the fix; empty when valid.
  std::vector<std::string> problems() const;
  Status validate() const;

  bool has(ServiceKind kind) const;
  // How many nodes of `kind` the stack runs: cassandra_nodes, kafka_brokers, else 1.
  int nodes(ServiceKind kind) const;
  // The address node `node` binds: `host` for node 1, 127.0.0.<node> for the others.
  std::string node_host(int node) const;
  // Every broker, comma-separated: what Kafka clients of the stack bootstrap from.
  std::string kafka_bootstrap() const;
  // <state_dir>/<kind> for node 1 (as for a single node, so that a cluster grows from it), else
  // <state_dir>/<kind>-<node>.
  std::filesystem::path service_dir(ServiceKind kind, int node = 1) const;
  // With tls: <state_dir>/tls (the CA and each node's certificate), and the Kafka client's
  // password file, <state_dir>/kafka/client-password.
  std::filesystem::path tls_dir() const { return state_dir / "tls"; }
  // The CA every client of a --tls stack trusts (absolute: it goes into clients' settings).
  std::filesystem::path tls_ca_file() const { return std::filesystem::absolute(tls_dir() / "ca.pem"); }
  std::filesystem::path kafka_client_password_file() const { return service_dir(ServiceKind::kKafka) / "client-password"; }
};

// Engine versions compiled in from engines/versions.env.
std::string kafka_version();
std::string cassandra_version();
std::string cqlsh_version();
std::string apicurio_version();
// The Airflow venv's directory name in the engine cache: airflow-<hash of airflow/requirements.txt>,
// as scripts/bootstrap names it.
std::string airflow_venv_name();
// The repository's airflow/dags, where the seed's DAG is (compiled in).
std::filesystem::path default_airflow_dags_dir();

// ~/.cache/rdstream/engines (the setting stack.engine_cache, RDSTREAM_ENGINE_CACHE, overrides it).
std::filesystem::path default_engine_cache();

// <state_dir>/stack.json: the ports and the optional services (`with`) the last `up` used.
Status save_state_file(const StackConfig& config);
Status load_state_file(StackConfig& config);  // missing file is fine; corrupt is an error

}  // namespace rds::stack
