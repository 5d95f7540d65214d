#pragma once
// A blocking, one-request-at-a-time CQL connection: for health checks, schema set-up and the
// `rdstream cql` tool, where simplicity beats throughput. The data path uses the asynchronous
// client (many requests in flight per connection) instead.
//
// Thread: not thread-safe; one owner.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "cassandra/tls.h"
#include "core/result.h"
#include "cql/requests.h"
#include "cql/responses.h"

namespace rds::cassandra {

// The CQL native transport's port, Cassandra's default and the seed's.
inline constexpr uint16_t kDefaultPort = 9042;

struct Credentials {
  std::string user;
  std::string password;  // never logged
};

class BlockingConnection {
 public:
  // TCP connect, the TLS handshake when tls.enabled, STARTUP, and PasswordAuthenticator login
  // when the server asks for it; all within `timeout`.
  static Result<BlockingConnection> open(const std::string& host, uint16_t port, const Credentials& credentials,
                                         std::chrono::milliseconds timeout, const TlsConfig& tls = {});

  BlockingConnection(BlockingConnection&& other) noexcept;
  BlockingConnection& operator=(BlockingConnection&& other) noexcept;
  BlockingConnection(const BlockingConnection&) = delete;
  BlockingConnection& operator=(const BlockingConnection&) = delete;
  ~BlockingConnection();

  // Sends one QUERY and waits for its answer. A server ERROR comes back as an rds::Error.
  Result<cql::Response> query(const std::string& cql, cql::Consistency consistency,
                              std::chrono::milliseconds timeout);
  // The same with every query parameter (page size, paging state, values...).
  Result<cql::Response> query(const cql::QueryRequest& request, std::chrono::milliseconds timeout);

 private:
  explicit BlockingConnection(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  Result<cql::Response> round_trip(const cql::Bytes& frame, std::chrono::steady_clock::time_point deadline);
  // Waits until the socket is readable (POLLIN) or writable; false at the deadline.
  bool wait(short events, std::chrono::steady_clock::time_point deadline) const;
  Status tls_handshake(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string peer_;  // "host:port", for error messages
  std::unique_ptr<TlsStream> tls_;  // null: plaintext
};

}  // namespace rds::cassandra
