#pragma once
// Health checks: one real protocol request per engine, answered by the engine itself. A retriable
// error means "not ready yet, ask again"; a non-retriable one (bad credentials) stops the wait.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "cassandra/tls.h"
#include "core/result.h"

namespace rds::stack {

// A metadata request (kafka::fetch_metadata): the broker answers with itself as a live broker.
// `properties`: librdkafka's (TLS and SASL with `stack up --tls`).
Status kafka_health(const std::string& bootstrap, std::chrono::milliseconds timeout,
                    const std::map<std::string, std::string>& properties = {});

// CQL: STARTUP, PasswordAuthenticator login, then SELECT release_version FROM system.local.
// `tls`: with `stack up --tls`, the stack's CA and hostname verification.
Status cassandra_health(const std::string& host, uint16_t port, const std::string& user,
                        const std::string& password, std::chrono::milliseconds timeout,
                        const cassandra::TlsConfig& tls = {});

// Whether the seed has node_host as a normal member of the ring (its tokens in system.peers_v2).
// A node answers CQL a moment before the others' gossip says so; a node that starts to join in that
// moment sees the previous one still joining and exits ("Other bootstrapping/leaving/moving nodes
// detected"), and an ALTER of replication is refused ("some endpoints are not in normal state").
Status cassandra_seen_normal(const std::string& seed, uint16_t port, const std::string& user, const std::string& password,
                             const std::string& node_host, uint16_t storage_port, std::chrono::milliseconds timeout,
                             const cassandra::TlsConfig& tls = {});

// Sets system_auth's replication to `replication_factor` (SimpleStrategy) unless it is already, and
// then reads every system_auth table at ALL, which repairs the rows onto the new replicas.
Status cassandra_replicate_auth(const std::string& host, uint16_t port, const std::string& user,
                                const std::string& password, int replication_factor, std::chrono::milliseconds timeout,
                                const cassandra::TlsConfig& tls = {});

// libpq: connect over TCP with the superuser's password and run SELECT 1.
Status postgres_health(const std::string& host, uint16_t port, const std::string& user,
                       const std::string& password, std::chrono::milliseconds timeout);
// Creates `database` unless it exists (the schema registry's storage).
Status postgres_ensure_database(const std::string& host, uint16_t port, const std::string& user,
                                const std::string& password, const std::string& database,
                                std::chrono::milliseconds timeout);

}  // namespace rds::stack
