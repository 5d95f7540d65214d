#include "cassandra/tls.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace rds::cassandra {
namespace {

// Every queued OpenSSL error as text (oldest first), and the queue emptied.
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool is_ip_address(const std::string& host) {
  in6_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

std::string ca_source(const std::string& ca_file) {
  return ca_file.empty() ? "the system's CAs (cassandra.tls.ca_file is empty)"
                         : fmt::format("the CA in cassandra.tls.ca_file ({})", ca_file);
}

// "IP:127.0.0.2, DNS:localhost": the SANs of a certificate.
std::string sans_of(X509* cert) {
  if (cert == nullptr) return "";
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const auto* s = name->d.dNSName;
      names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                           static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (name->type == GEN_IPADD) {
      const auto* s = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      if (::inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text) != nullptr) {
        names.push_back(std::string("IP:") + text);
      }
    }
  }
  GENERAL_NAMES_free(sans);
  return fmt::format("{}", fmt::join(names, ", "));
}

Error verify_error(const std::string& sans, long result, const std::string& peer, const std::string& host,
                   const std::string& ca_file) {
  const char* reason = X509_verify_cert_error_string(result);
  switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
      return Error(ErrorCode::kAuth,
                   fmt::format("{}: TLS: the server's certificate does not match {}{}: connect by a name/address in "
                               "its SANs, or set cassandra.tls.verify_hostname false",
                               peer, host, sans.empty() ? "" : fmt::format(" (its SANs: {})", sans)));
    }
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return Error(ErrorCode::kAuth, fmt::format("{}: TLS: the server's certificate is not signed by {} ({}): set "
                                                 "cassandra.tls.ca_file to the CA that signed it",
                                                 peer, ca_source(ca_file), reason));
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Error(ErrorCode::kAuth, fmt::format("{}: TLS: the server's certificate is not valid now ({}): renew "
                                                 "it, or check this host's clock",
                                                 peer, reason));
    default:
      return Error(ErrorCode::kAuth,
                   fmt::format("{}: TLS: the server's certificate failed verification: {}", peer, reason));
  }
}

}  // namespace

bool is_tls_error(const Error& error) {
  const std::string& m = error.message;
  return m.find(": TLS") != std::string::npos ||
         (m.find("cassandra.tls.") != std::string::npos && m.find(kMaybeTlsHint) == std::string::npos);
}

Result<std::shared_ptr<const TlsContext>> TlsContext::create(const TlsConfig& config) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Error(ErrorCode::kInternal, fmt::format("SSL_CTX_new: {}", openssl_errors()));
  std::shared_ptr<const TlsContext> out(new TlsContext(config, ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (config.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("cassandra.tls: the system's CAs cannot be loaded ({}): set cassandra.tls.ca_file",
                               openssl_errors()));
    }
  } else if (SSL_CTX_load_verify_locations(ctx, config.ca_file.c_str(), nullptr) != 1) {
    const int err = errno;
    const std::string detail = openssl_errors();
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("cassandra.tls.ca_file {}: cannot read a PEM CA certificate there ({}): set it to the "
                             "CA that signed the nodes' certificates (the stack's: <state_dir>/tls/ca.pem)",
                             config.ca_file, err != 0 ? std::strerror(err) : detail));
  }
  if (config.cert_file.empty() != config.key_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "cassandra.tls: cert_file and key_file go together (the client certificate and its key)");
  }
  if (!config.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("cassandra.tls.cert_file {}: not a readable PEM "
                                                            "certificate ({})",
                                                            config.cert_file, openssl_errors()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("cassandra.tls.key_file {}: not a readable, "
                                                            "unencrypted PEM private key ({})",
                                                            config.key_file, openssl_errors()));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("cassandra.tls.key_file {} is not the key of cassandra.tls.cert_file {}",
                               config.key_file, config.cert_file));
    }
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsStream>> TlsStream::create(const TlsContext& context, int fd, const std::string& host,
                                                     std::string peer) {
  ERR_clear_error();
  SSL* ssl = SSL_new(context.native());
  if (ssl == nullptr) return Error(ErrorCode::kInternal, fmt::format("SSL_new: {}", openssl_errors()));
  std::unique_ptr<TlsStream> stream(new TlsStream(ssl, host, std::move(peer), context.config()));
  SSL_set_fd(ssl, fd);
  SSL_set_ex_data(ssl, 0, stream.get());
  SSL_set_verify(ssl, SSL_VERIFY_PEER, &TlsStream::on_verify);
  const bool ip = is_ip_address(host);
  if (!ip) {  // SNI takes names only (RFC 6066 §3); SSL_set_tlsext_host_name without its C cast
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
  }
  if (context.config().verify_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    if (ok != 1) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("{}: cannot check the certificate against '{}': {}",
                                                            stream->peer_, host, openssl_errors()));
    }
  }
  SSL_set_connect_state(ssl);
  return stream;
}

TlsStream::TlsStream(SSL* ssl, std::string host, std::string peer, const TlsConfig& config)
    : ssl_(ssl), host_(std::move(host)), peer_(std::move(peer)), ca_file_(config.ca_file) {}

TlsStream::~TlsStream() { SSL_free(ssl_); }

int TlsStream::on_verify(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return ok;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl != nullptr ? static_cast<TlsStream*>(SSL_get_ex_data(ssl, 0)) : nullptr;
  if (self != nullptr && self->failed_sans_.empty()) self->failed_sans_ = sans_of(X509_STORE_CTX_get_current_cert(store));
  return ok;
}

TlsIo TlsStream::handshake() {
  ERR_clear_error();
  const int ret = SSL_connect(ssl_);
  if (ret == 1) {
    handshake_done_ = true;
    return TlsIo{};
  }
  return outcome(ret, "handshake");
}

TlsIo TlsStream::read(uint8_t* data, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  if (SSL_read_ex(ssl_, data, size, &n) == 1) return TlsIo{TlsIo::kOk, n, {}};
  return outcome(0, "read");
}

TlsIo TlsStream::write(const uint8_t* data, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  if (SSL_write_ex(ssl_, data, size, &n) == 1) return TlsIo{TlsIo::kOk, n, {}};
  return outcome(0, "write");
}

TlsIo TlsStream::outcome(int ret, const char* what) {
  const int saved_errno = errno;
  const int kind = SSL_get_error(ssl_, ret);
  if (kind == SSL_ERROR_WANT_READ) return TlsIo{TlsIo::kWantRead, 0, {}};
  if (kind == SSL_ERROR_WANT_WRITE) return TlsIo{TlsIo::kWantWrite, 0, {}};
  if (kind == SSL_ERROR_ZERO_RETURN && handshake_done_) return TlsIo{TlsIo::kClosed, 0, {}};
  const unsigned long first = ERR_peek_error();
  const int reason = ERR_GET_REASON(first);
  const std::string detail = openssl_errors();
  auto fail = [](Error e) { return TlsIo{TlsIo::kError, 0, std::move(e)}; };

  if (!handshake_done_) {
    const long verify = SSL_get_verify_result(ssl_);
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED && verify != X509_V_OK) {
      return fail(verify_error(failed_sans_, verify, peer_, host_, ca_file_));
    }
  }
  switch (reason) {
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
      if (!handshake_done_) {
        return fail(Error(ErrorCode::kProtocol,
                          fmt::format("{}: TLS handshake: the server did not answer in TLS ({}): it serves plaintext "
                                      "CQL there; set cassandra.tls.enabled false, or enable client_encryption_options "
                                      "on the server",
                                      peer_, detail)));
      }
      break;
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      return fail(Error(ErrorCode::kAuth,
                        fmt::format("{}: TLS: the server refused this client's certificate, or wants one ({}): set "
                                    "cassandra.tls.cert_file and key_file to a certificate its truststore trusts",
                                    peer_, detail)));
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      if (handshake_done_) return TlsIo{TlsIo::kClosed, 0, {}};
      return fail(Error(ErrorCode::kUnavailable,
                        fmt::format("{}: TLS handshake: the server closed the connection: it may not serve TLS on this "
                                    "port (set cassandra.tls.enabled false), or it requires a client certificate "
                                    "(cassandra.tls.cert_file and key_file)",
                                    peer_),
                        true));
    default:
      break;
  }
  if (kind == SSL_ERROR_SYSCALL && first == 0) {
    if (saved_errno == 0) {
      if (handshake_done_) return TlsIo{TlsIo::kClosed, 0, {}};
      return fail(Error(ErrorCode::kUnavailable,
                        fmt::format("{}: TLS handshake: the server closed the connection: it may not serve TLS on "
                                    "this port (set cassandra.tls.enabled false)",
                                    peer_),
                        true));
    }
    // TLS 1.3 refuses a missing client certificate after the client's side of the handshake: the
    // first write may then meet a reset rather than the alert, depending on timing.
    const bool reset = saved_errno == ECONNRESET || saved_errno == EPIPE;
    return fail(Error(ErrorCode::kUnavailable,
                      fmt::format("{}: TLS {}: {}{}", peer_, what, std::strerror(saved_errno),
                                  reset ? " (right after connecting, this is how a server that requires a client "
                                          "certificate refuses one: set cassandra.tls.cert_file and key_file)"
                                        : ""),
                      true));
  }
  return fail(Error(handshake_done_ ? ErrorCode::kUnavailable : ErrorCode::kProtocol,
                    fmt::format("{}: TLS {} failed: {}", peer_, what, detail.empty() ? "no reason given" : detail),
                    handshake_done_));
}

}  // namespace rds::cassandra
