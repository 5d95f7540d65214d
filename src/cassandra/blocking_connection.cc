#include "cassandra/blocking_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rds::cassandra {
namespace {

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

Error timeout_error(const std::string& peer, std::string_view what) {
  return Error(ErrorCode::kTimeout, fmt::format("{}: no answer to {} in time", peer, what), true);
}

}  // namespace

Result<BlockingConnection> BlockingConnection::open(const std::string& host, uint16_t port,
                                                    const Credentials& credentials,
                                                    std::chrono::milliseconds timeout, const TlsConfig& tls) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string peer = fmt::format("{}:{}", host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: cannot resolve host: {}", peer, gai_strerror(rc)));
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return Error(ErrorCode::kIo, fmt::format("socket: {}", std::strerror(errno)));
  }
  int rc = ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  BlockingConnection conn(fd, peer);  // closes fd on every early return from here on
  if (rc != 0 && errno != EINPROGRESS) {
    return Error(ErrorCode::kUnavailable, fmt::format("{}: connect: {}", peer, std::strerror(errno)), true);
  }
  pollfd pfd{fd, POLLOUT, 0};
  if (::poll(&pfd, 1, remaining_ms(deadline)) != 1) return timeout_error(peer, "connect");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    return Error(ErrorCode::kUnavailable, fmt::format("{}: connect: {}", peer, std::strerror(err)), true);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (tls.enabled) {
    auto context = TlsContext::create(tls);
    if (!context.ok()) return context.take_error();
    auto stream = TlsStream::create(**context, fd, host, peer);
    if (!stream.ok()) return stream.take_error();
    conn.tls_ = std::move(*stream);
    RDS_TRY(conn.tls_handshake(deadline));
  }

  auto startup = cql::encode_startup(0);
  if (!startup.ok()) return startup.take_error();
  auto answer = conn.round_trip(*startup, deadline);
  if (!answer.ok()) {
    Error e = answer.take_error();
    // Cassandra requiring TLS closes a plaintext connection (or answers in TLS): say so.
    if (!tls.enabled && (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kProtocol)) {
      e.message += fmt::format(" ({})", kMaybeTlsHint);
    }
    return e.with_context("STARTUP");
  }
  if (std::holds_alternative<cql::AuthenticateMessage>(answer->message)) {
    auto auth = cql::encode_auth_response(0, cql::plain_auth_token(credentials.user, credentials.password));
    if (!auth.ok()) return auth.take_error();
    auto authed = conn.round_trip(*auth, deadline);
    if (!authed.ok()) return authed.take_error().with_context(fmt::format("logging in as '{}'", credentials.user));
    if (!std::holds_alternative<cql::AuthSuccessMessage>(authed->message)) {
      return Error(ErrorCode::kAuth, fmt::format("{}: unexpected {} during login (SASL challenges are not supported)",
                                                 peer, cql::message_name(authed->message)));
    }
  } else if (!std::holds_alternative<cql::ReadyMessage>(answer->message)) {
    return Error(ErrorCode::kProtocol,
                 fmt::format("{}: unexpected {} in answer to STARTUP", peer, cql::message_name(answer->message)));
  }
  return conn;
}

Status BlockingConnection::tls_handshake(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const TlsIo io = tls_->handshake();
    if (io.kind == TlsIo::kOk) return ok_status();
    if (io.kind == TlsIo::kError) return io.error;
    if (io.kind == TlsIo::kClosed) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: TLS handshake: connection closed by the server", peer_), true);
    }
    if (!wait(io.kind == TlsIo::kWantWrite ? POLLOUT : POLLIN, deadline)) return timeout_error(peer_, "the TLS handshake");
  }
}

bool BlockingConnection::wait(short events, std::chrono::steady_clock::time_point deadline) const {
  pollfd pfd{fd_, events, 0};
  return ::poll(&pfd, 1, remaining_ms(deadline)) == 1;
}

BlockingConnection::BlockingConnection(BlockingConnection&& other) noexcept
    : fd_(other.fd_), peer_(std::move(other.peer_)), tls_(std::move(other.tls_)) {
  other.fd_ = -1;
}

BlockingConnection& BlockingConnection::operator=(BlockingConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    peer_ = std::move(other.peer_);
    tls_ = std::move(other.tls_);
    other.fd_ = -1;
  }
  return *this;
}

BlockingConnection::~BlockingConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<cql::Response> BlockingConnection::query(const std::string& statement, cql::Consistency consistency,
                                                 std::chrono::milliseconds timeout) {
  cql::QueryRequest request{statement, {}};
  request.params.consistency = consistency;
  return query(request, timeout);
}

Result<cql::Response> BlockingConnection::query(const cql::QueryRequest& request, std::chrono::milliseconds timeout) {
  auto frame = cql::encode_query(0, request);
  if (!frame.ok()) return frame.take_error();
  return round_trip(*frame, std::chrono::steady_clock::now() + timeout);
}

Result<cql::Response> BlockingConnection::round_trip(const cql::Bytes& frame,
                                                     std::chrono::steady_clock::time_point deadline) {
  size_t sent = 0;
  while (tls_ && sent < frame.size()) {
    const TlsIo io = tls_->write(frame.data() + sent, frame.size() - sent);
    if (io.kind == TlsIo::kOk) {
      sent += io.bytes;
      continue;
    }
    if (io.kind == TlsIo::kError) return io.error;
    if (io.kind == TlsIo::kClosed) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: connection closed by the server", peer_), true);
    }
    if (!wait(io.kind == TlsIo::kWantWrite ? POLLOUT : POLLIN, deadline)) return timeout_error(peer_, "a request");
  }
  while (sent < frame.size()) {
    ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: send: {}", peer_, std::strerror(errno)), true);
    }
    pollfd pfd{fd_, POLLOUT, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) != 1) return timeout_error(peer_, "a request");
  }
  cql::Bytes buffer;
  buffer.reserve(4096);
  while (true) {
    auto avail = cql::check_frame(buffer);
    if (!avail.ok()) return avail.take_error();
    if (avail->complete) {
      auto response = cql::decode_response(cql::ByteView(buffer).first(avail->frame_size));
      if (!response.ok()) return response.take_error();
      if (auto* error = std::get_if<cql::ErrorMessage>(&response->message)) {
        return error->to_error().with_context(peer_);
      }
      return response;
    }
    if (tls_) {  // read first: OpenSSL may hold decrypted bytes that poll cannot see
      uint8_t chunk[16384];
      const TlsIo io = tls_->read(chunk, sizeof chunk);
      if (io.kind == TlsIo::kOk) {
        buffer.insert(buffer.end(), chunk, chunk + io.bytes);
      } else if (io.kind == TlsIo::kError) {
        return io.error;
      } else if (io.kind == TlsIo::kClosed) {
        return Error(ErrorCode::kUnavailable, fmt::format("{}: connection closed by the server", peer_), true);
      } else if (!wait(io.kind == TlsIo::kWantWrite ? POLLOUT : POLLIN, deadline)) {
        return timeout_error(peer_, "a request");
      }
      continue;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) != 1) return timeout_error(peer_, "a request");
    uint8_t chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return Error(ErrorCode::kUnavailable, fmt::format("{}: connection closed by the server", peer_), true);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Error(ErrorCode::kUnavailable, fmt::format("{}: recv: {}", peer_, std::strerror(errno)), true);
    }
    buffer.insert(buffer.end(), chunk, chunk + n);
  }
}

}  // namespace rds::cassandra
