#pragma once
// `rdstream doctor`: checks what the configuration points at, the way `run` would use it, and
// names each problem with its fix (hosts that do not answer, TLS and credential failures,
// advertised listeners clients cannot reach, a missing or too narrow topic, a keyspace replicated
// beyond the live nodes, clock skew, table columns missing). Read-only: it creates nothing.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cassandra/blocking_connection.h"
#include "cql/codec.h"
#include "doctor/report.h"
#include "doctor/verdicts.h"

namespace rds::doctor {

struct DoctorConfig {
  std::string bootstrap_servers;
  std::map<std::string, std::string> kafka_properties;  // security.protocol, sasl.*, ssl.* (kafka_client_properties)
  std::string topic;
  int instances = 1;  // processors meant to share the topic
  std::vector<std::string> contact_points;
  uint16_t cassandra_port = cassandra::kDefaultPort;
  cassandra::Credentials credentials;
  cassandra::TlsConfig tls;
  cql::Consistency consistency = cql::Consistency::kLocalQuorum;
  std::string keyspace;
  std::string table;
  int replication_factor_to_create = 0;  // what rdstream would create the keyspace with (0: unknown)
  std::vector<Column> columns;            // what rdstream writes
  std::chrono::milliseconds timeout{5000};
};

void check_kafka(const DoctorConfig& config, Report& report);
void check_cassandra(const DoctorConfig& config, Report& report);

inline Report run_doctor(const DoctorConfig& config) {
  Report report;
  check_kafka(config, report);
  check_cassandra(config, report);
  return report;
}

}  // namespace rds::doctor
