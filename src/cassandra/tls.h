#pragma once
// CQL over TLS (client_encryption_options) with OpenSSL: a context made once per session from
// TlsConfig (TLS 1.2+, the peer's certificate always verified, optionally a client certificate
// for require_client_auth), and a TlsStream per socket that the connections drive: blocking
// (BlockingConnection, with poll) or from epoll events (Connection). Failures are explained:
// which certificate check failed and the setting that fixes it.
//
// Thread: a TlsContext is immutable once made and may be shared; a TlsStream has one owner.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

struct ssl_st;
struct ssl_ctx_st;
struct x509_store_ctx_st;

namespace rds::cassandra {

struct TlsConfig {
  bool enabled = false;
  std::string ca_file;    // PEM; empty: the system's trusted CAs
  std::string cert_file;  // client certificate (PEM chain), for require_client_auth; optional
  std::string key_file;   // its private key (PEM); with cert_file
  bool verify_hostname = true;  // the certificate must name the address connected to
};

class TlsContext {
 public:
  // Loads the CA and the client certificate; errors name the file and the setting.
  static Result<std::shared_ptr<const TlsContext>> create(const TlsConfig& config);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  const TlsConfig& config() const { return config_; }
  ssl_ctx_st* native() const { return ctx_; }

 private:
  TlsContext(TlsConfig config, ssl_ctx_st* ctx) : config_(std::move(config)), ctx_(ctx) {}
  TlsConfig config_;
  ssl_ctx_st* ctx_ = nullptr;
};

// The outcome of one non-blocking TLS operation.
struct TlsIo {
  enum Kind { kOk, kWantRead, kWantWrite, kClosed, kError };
  Kind kind = kOk;
  size_t bytes = 0;  // kOk of read/write
  Error error;       // kError
};

// One TLS connection over a connected, non-blocking socket it does not own.
class TlsStream {
 public:
  // `host`: the name or address connected to (SNI for names; checked against the certificate's
  // SANs unless verify_hostname is false). `peer`: "host:port" for messages.
  static Result<std::unique_ptr<TlsStream>> create(const TlsContext& context, int fd, const std::string& host,
                                                   std::string peer);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  TlsIo handshake();
  TlsIo read(uint8_t* data, size_t size);
  TlsIo write(const uint8_t* data, size_t size);

 private:
  TlsStream(ssl_st* ssl, std::string host, std::string peer, const TlsConfig& config);
  TlsIo outcome(int ret, const char* what);
  // OpenSSL's verify callback: keeps the SANs of the certificate that failed, for the message.
  static int on_verify(int ok, ::x509_store_ctx_st* store);

  ssl_st* ssl_ = nullptr;
  std::string host_;
  std::string peer_;
  std::string ca_file_;
  bool handshake_done_ = false;
  std::string failed_sans_;  // "IP:127.0.0.2, DNS:localhost"
};

// Whether `error` is one of this file's (a handshake, certificate or TLS setting failure), or a
// plaintext connection that the server dropped as one that may require TLS.
bool is_tls_error(const Error& error);

// Appended to errors of a plaintext connection that the server dropped or answered with
// non-CQL bytes before STARTUP's answer: Cassandra with client encryption required does that.
inline constexpr const char* kMaybeTlsHint = "the server may require TLS: set cassandra.tls.enabled";

}  // namespace rds::cassandra
