// CQL over TLS against the fake Cassandra behind an in-process TLS-terminating proxy, with
// certificates made for the test by the stack's TLS material code (a CA and a server certificate
// with chosen SANs): a good CA connects and queries (Session and BlockingConnection); a wrong CA,
// a certificate for another address, a client certificate missing, a plaintext server and a
// plaintext client each fail with a message naming the cause and the setting that fixes it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "cassandra/blocking_connection.h"
#include "cassandra/session.h"
#include "cassandra/tls.h"
#include "stack/tls_material.h"
#include "support/fake_cql_server.h"
#include "support/temp_dir.h"

namespace rds::cassandra {
namespace {

using namespace std::chrono_literals;
using test::FakeCqlServer;
using test::TempDir;

// Accepts TLS on 127.0.0.1 and relays each connection's plaintext to the fake server.
class TlsProxy {
 public:
  TlsProxy(const stack::ServerCertFiles& cert, uint16_t backend_port, const std::string& client_ca = "")
      : backend_port_(backend_port) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx_, cert.cert.c_str()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx_, cert.key.c_str(), SSL_FILETYPE_PEM), 1);
    if (!client_ca.empty()) {  // require_client_auth
      EXPECT_EQ(SSL_CTX_load_verify_locations(ctx_, client_ca.c_str(), nullptr), 1);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TlsProxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : relays_) t.join();
    ::close(listen_fd_);
    SSL_CTX_free(ctx_);
  }
  uint16_t port() const { return port_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      relays_.emplace_back([this, fd] { relay(fd); });
    }
  }

  void relay(int fd) {
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    const int backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(backend_port_);
    if (SSL_accept(ssl) == 1 && ::connect(backend, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      uint8_t buf[16384];
      while (!stop_) {
        pollfd p[2] = {{fd, POLLIN, 0}, {backend, POLLIN, 0}};
        if (SSL_pending(ssl) == 0 && ::poll(p, 2, 50) <= 0) continue;
        if (SSL_pending(ssl) > 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
          const int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0 || ::send(backend, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
        }
        if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
          const ssize_t n = ::recv(backend, buf, sizeof buf, 0);
          if (n <= 0 || SSL_write(ssl, buf, static_cast<int>(n)) != n) break;
        }
      }
    }
    SSL_free(ssl);
    ::close(backend);
    ::close(fd);
  }

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  uint16_t backend_port_;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> relays_;  // acceptor thread only, joined after it
};

struct Material {
  TempDir dir;
  std::string ca;                   // the CA that signed `server`
  stack::ServerCertFiles server;    // SANs IP:127.0.0.1, DNS:localhost
  stack::ServerCertFiles other_ip;  // SAN IP:127.0.0.2 only
  std::string other_ca;             // a CA that signed neither

  Material() {
    auto ca_files = stack::ensure_ca(dir.path() / "ca");
    EXPECT_TRUE(ca_files.ok());
    ca = ca_files->cert.string();
    server = *stack::ensure_server_cert(dir.path() / "ca", "127.0.0.1", {"127.0.0.1"}, {"localhost"});
    other_ip = *stack::ensure_server_cert(dir.path() / "ca", "127.0.0.2", {"127.0.0.2"}, {});
    other_ca = stack::ensure_ca(dir.path() / "other")->cert.string();
  }
};

Material& material() {
  static Material m;
  return m;
}

TlsConfig tls_with(const std::string& ca) {
  TlsConfig t;
  t.enabled = true;
  t.ca_file = ca;
  return t;
}

SessionConfig session_to(uint16_t port, TlsConfig tls) {
  SessionConfig c;
  c.contact_points = {"127.0.0.1"};
  c.port = port;
  c.tls = std::move(tls);
  c.connections_per_host = 1;
  c.connect_timeout = 3000ms;
  c.discover_peers = false;
  return c;
}

Result<BlockingConnection> open_blocking(uint16_t port, const TlsConfig& tls, const std::string& host = "127.0.0.1") {
  return BlockingConnection::open(host, port, Credentials{}, 3000ms, tls);
}

TEST(CqlTls, GoodCaConnectsAndQueries) {
  FakeCqlServer server;
  TlsProxy proxy(material().server, server.port());
  auto session = Session::connect(session_to(proxy.port(), tls_with(material().ca)));
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto answer = (*session)->query("INSERT INTO ks.t (id) VALUES (1)", cql::Consistency::kOne);
  EXPECT_TRUE(answer.ok()) << answer.error().message;
  (*session)->close();

  auto conn = open_blocking(proxy.port(), tls_with(material().ca));
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto blocking_answer = conn->query("SELECT now() FROM system.local", cql::Consistency::kOne, 3000ms);
  EXPECT_TRUE(blocking_answer.ok()) << blocking_answer.error().message;
  // By name too: localhost is in the certificate's SANs (and goes as SNI).
  EXPECT_TRUE(open_blocking(proxy.port(), tls_with(material().ca), "localhost").ok());
}

TEST(CqlTls, ManyRequestsInFlightOverTls) {
  FakeCqlServer server;
  TlsProxy proxy(material().server, server.port());
  auto session = Session::connect(session_to(proxy.port(), tls_with(material().ca)));
  ASSERT_TRUE(session.ok()) << session.error().message;
  std::atomic<int> ok{0};
  std::atomic<int> done{0};
  constexpr int kRequests = 500;
  for (int i = 0; i < kRequests; ++i) {
    (*session)->execute(Statement::of("INSERT INTO ks.t (id) VALUES (" + std::to_string(i) + ")"),
                        [&](ExecuteResult r) {
                          if (r.response.ok()) ++ok;
                          ++done;
                        });
  }
  for (int i = 0; i < 500 && done < kRequests; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(ok.load(), kRequests);
}

TEST(CqlTls, WrongCaNamesTheCertificateAndTheSetting) {
  FakeCqlServer server;
  TlsProxy proxy(material().server, server.port());
  auto session = Session::connect(session_to(proxy.port(), tls_with(material().other_ca)));
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find("certificate is not signed by the CA in cassandra.tls.ca_file"),
            std::string::npos)
      << session.error().message;
  EXPECT_FALSE(session.error().retriable);

  auto conn = open_blocking(proxy.port(), tls_with(material().other_ca));
  ASSERT_FALSE(conn.ok());
  // OpenSSL's reason ("self-signed certificate in certificate chain": the proxy sends its CA too).
  EXPECT_NE(conn.error().message.find("certificate"), std::string::npos) << conn.error().message;
  EXPECT_NE(conn.error().message.find("other/ca.pem"), std::string::npos) << conn.error().message;
  EXPECT_TRUE(is_tls_error(conn.error()));
}

TEST(CqlTls, CertificateForAnotherAddressNamesTheHostname) {
  FakeCqlServer server;
  TlsProxy proxy(material().other_ip, server.port());  // SAN 127.0.0.2, reached at 127.0.0.1
  auto session = Session::connect(session_to(proxy.port(), tls_with(material().ca)));
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find("does not match 127.0.0.1"), std::string::npos) << session.error().message;
  EXPECT_NE(session.error().message.find("IP:127.0.0.2"), std::string::npos) << session.error().message;
  EXPECT_NE(session.error().message.find("cassandra.tls.verify_hostname"), std::string::npos);

  auto conn = open_blocking(proxy.port(), tls_with(material().ca));
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.error().message.find("does not match 127.0.0.1"), std::string::npos) << conn.error().message;

  // verify_hostname false: any certificate the CA signed will do.
  TlsConfig lax = tls_with(material().ca);
  lax.verify_hostname = false;
  auto lax_conn = open_blocking(proxy.port(), lax);
  EXPECT_TRUE(lax_conn.ok()) << lax_conn.error().message;
}

TEST(CqlTls, TlsClientToPlaintextServer) {
  FakeCqlServer server;
  auto conn = open_blocking(server.port(), tls_with(material().ca));
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.error().message.find("cassandra.tls.enabled false"), std::string::npos) << conn.error().message;

  auto session = Session::connect(session_to(server.port(), tls_with(material().ca)));
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find("cassandra.tls.enabled false"), std::string::npos)
      << session.error().message;
}

TEST(CqlTls, PlaintextClientToTlsServer) {
  FakeCqlServer server;
  TlsProxy proxy(material().server, server.port());
  auto conn = open_blocking(proxy.port(), TlsConfig{});
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.error().message.find(kMaybeTlsHint), std::string::npos) << conn.error().message;
  EXPECT_FALSE(is_tls_error(conn.error()));  // a guess: doctor reports it as a node that does not answer

  auto session = Session::connect(session_to(proxy.port(), TlsConfig{}));
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find(kMaybeTlsHint), std::string::npos) << session.error().message;
}

TEST(CqlTls, ClientCertificateWhenTheServerRequiresOne) {
  FakeCqlServer server;
  TlsProxy proxy(material().server, server.port(), material().ca);
  // Without one: TLS 1.3 refuses it after the client's handshake, on the first read.
  auto refused = open_blocking(proxy.port(), tls_with(material().ca));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("cassandra.tls.cert_file"), std::string::npos) << refused.error().message;

  TlsConfig with_cert = tls_with(material().ca);
  with_cert.cert_file = material().server.cert.string();  // serverAuth,clientAuth
  with_cert.key_file = material().server.key.string();
  auto conn = open_blocking(proxy.port(), with_cert);
  EXPECT_TRUE(conn.ok()) << conn.error().message;
  auto session = Session::connect(session_to(proxy.port(), with_cert));
  EXPECT_TRUE(session.ok()) << session.error().message;
}

TEST(CqlTls, MissingCaFileNamesTheSetting) {
  auto context = TlsContext::create(tls_with("/nonexistent/ca.pem"));
  ASSERT_FALSE(context.ok());
  EXPECT_NE(context.error().message.find("cassandra.tls.ca_file /nonexistent/ca.pem"), std::string::npos)
      << context.error().message;
  auto session = Session::connect(session_to(9, tls_with("/nonexistent/ca.pem")));
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find("cassandra.tls.ca_file"), std::string::npos);

  TlsConfig half = tls_with(material().ca);
  half.cert_file = material().server.cert.string();
  EXPECT_FALSE(TlsContext::create(half).ok());  // a certificate without its key
}

}  // namespace
}  // namespace rds::cassandra
