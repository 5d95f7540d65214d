#include "cassandra/connection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "cassandra/internal.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::frame_options;
using internal::kLog;

constexpr size_t kReadChunk = 64 * 1024;

// §2.3: the stream id is bytes 2-3 of the header. Re-encode the header through the codec rather
// than poking bytes here.
bool set_stream(cql::Bytes& frame, int16_t stream) {
  auto header = cql::decode_header(frame);
  if (!header.ok()) return false;
  header->stream = stream;
  const auto encoded = cql::encode_header(*header);
  std::copy(encoded.begin(), encoded.end(), frame.begin());
  return true;
}

Reply failed(Error error, RequestFailure failure) { return Reply{Result<cql::Response>(std::move(error)), failure}; }

}  // namespace

std::shared_ptr<Connection> Connection::create(EventLoop& loop, ConnectionConfig config, ReadyCallback on_ready,
                                               ClosedCallback on_closed) {
  return std::shared_ptr<Connection>(new Connection(loop, std::move(config), std::move(on_ready), std::move(on_closed)));
}

Connection::Connection(EventLoop& loop, ConnectionConfig config, ReadyCallback on_ready, ClosedCallback on_closed)
    : loop_(loop),
      config_(std::move(config)),
      on_ready_(std::move(on_ready)),
      on_closed_(std::move(on_closed)),
      peer_(fmt::format("{}:{}", config_.host, config_.port)),
      ids_(config_.max_streams),
      pending_(ids_.capacity()) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::connect() {
  assert(loop_.in_loop_thread());
  state_ = State::kConnecting;
  auto self = weak_from_this();
  connect_timer_ = loop_.add_timer(config_.connect_timeout, [self] {
    if (auto c = self.lock()) {
      c->connect_timer_ = 0;
      c->fail_handshake(Error(ErrorCode::kTimeout, fmt::format("{}: connection not ready within {} ms", c->peer_,
                                                               c->config_.connect_timeout.count()), true));
    }
  });
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(config_.host.c_str(), std::to_string(config_.port).c_str(), &hints, &found); rc != 0) {
    return fail_handshake(Error(ErrorCode::kInvalidArgument, fmt::format("{}: cannot resolve host: {}", peer_, gai_strerror(rc))));
  }
  fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    ::freeaddrinfo(found);
    return fail_handshake(Error(ErrorCode::kIo, fmt::format("socket: {}", std::strerror(errno)), true));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  const int rc = ::connect(fd_, found->ai_addr, found->ai_addrlen);
  const int connect_errno = errno;
  ::freeaddrinfo(found);
  if (rc != 0 && connect_errno != EINPROGRESS) {
    return fail_handshake(Error(ErrorCode::kUnavailable, fmt::format("{}: connect: {}", peer_, std::strerror(connect_errno)), true));
  }
  auto status = loop_.watch(fd_, EPOLLIN | EPOLLOUT, [self](uint32_t events) {
    if (auto c = self.lock()) c->on_socket_event(events);
  });
  if (!status.ok()) return fail_handshake(status.take_error());
  want_write_ = true;
}

void Connection::on_socket_event(uint32_t events) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      return fail_handshake(Error(ErrorCode::kUnavailable, fmt::format("{}: connect: {}", peer_, std::strerror(err)), true));
    }
    if (config_.tls) return start_tls();
    on_connected();
    return;
  }
  if (state_ == State::kTlsHandshake) return continue_tls();
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 || tls_read_wants_write_) read_available();
  if (state_ != State::kClosed && ((events & EPOLLOUT) != 0 || tls_write_wants_read_)) flush();
}

void Connection::start_tls() {
  auto stream = TlsStream::create(*config_.tls, fd_, config_.host, peer_);
  if (!stream.ok()) return fail_handshake(stream.take_error());
  tls_ = std::move(*stream);
  state_ = State::kTlsHandshake;
  continue_tls();
}

// Driven by the socket's events until done; the connect timer covers it.
void Connection::continue_tls() {
  const TlsIo io = tls_->handshake();
  switch (io.kind) {
    case TlsIo::kOk:
      want_write_ = false;
      loop_.set_events(fd_, EPOLLIN);
      return on_connected();
    case TlsIo::kWantRead:
      want_write_ = false;
      loop_.set_events(fd_, EPOLLIN);
      return;
    case TlsIo::kWantWrite:
      want_write_ = true;
      loop_.set_events(fd_, EPOLLIN | EPOLLOUT);
      return;
    case TlsIo::kClosed:
      return fail_handshake(Error(ErrorCode::kUnavailable,
                                  fmt::format("{}: TLS handshake: connection closed by the server", peer_), true));
    case TlsIo::kError:
      return fail_handshake(io.error);
  }
}

void Connection::on_connected() {
  state_ = State::kStartup;
  last_read_ = loop_.now();
  cql::StartupOptions options;
  options.compression = config_.compression;
  options.extra["DRIVER_NAME"] = "rdstream";
  auto startup = cql::encode_startup(0, options);
  if (!startup.ok()) return fail_handshake(startup.take_error());
  auto self = weak_from_this();
  enqueue(std::move(*startup), config_.connect_timeout, [self](Reply reply) {
    if (auto c = self.lock()) c->handshake(std::move(reply));
  });
}

void Connection::handshake(Reply reply) {
  if (state_ == State::kClosed) return;
  if (!reply.response.ok()) return fail_handshake(reply.response.take_error());
  const auto& message = reply.response->message;
  auto self = weak_from_this();
  auto next = [self](Reply r) {
    if (auto c = self.lock()) c->handshake(std::move(r));
  };
  if (const auto* error = std::get_if<cql::ErrorMessage>(&message)) {
    Error e = error->to_error();
    if (state_ == State::kAuthenticating) {
      e = e.with_context(fmt::format("{}: logging in as '{}'", peer_, config_.credentials.user));
    } else {
      e = e.with_context(fmt::format("{}: STARTUP", peer_));
    }
    return fail_handshake(std::move(e));
  }
  if (std::holds_alternative<cql::ReadyMessage>(message) && state_ == State::kStartup) return become_ready();
  if (std::holds_alternative<cql::AuthenticateMessage>(message) && state_ == State::kStartup) {
    state_ = State::kAuthenticating;
    auto auth = cql::encode_auth_response(0, cql::plain_auth_token(config_.credentials.user, config_.credentials.password),
                                          frame_options(config_.compression));
    if (!auth.ok()) return fail_handshake(auth.take_error());
    enqueue(std::move(*auth), config_.connect_timeout, next);
    return;
  }
  if (std::holds_alternative<cql::AuthSuccessMessage>(message) && state_ == State::kAuthenticating) return become_ready();
  if (std::holds_alternative<cql::AuthChallengeMessage>(message)) {
    return fail_handshake(Error(ErrorCode::kAuth, fmt::format("{}: the server sent a SASL challenge; only "
                                                              "PasswordAuthenticator (PLAIN) is supported", peer_)));
  }
  fail_handshake(Error(ErrorCode::kProtocol, fmt::format("{}: unexpected {} during the handshake", peer_,
                                                         cql::message_name(message))));
}

void Connection::become_ready() {
  state_ = State::kReady;
  if (connect_timer_ != 0) loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  if (config_.heartbeat_interval.count() > 0) {
    auto self = weak_from_this();
    heartbeat_timer_ = loop_.add_timer(config_.heartbeat_interval, [self] {
      if (auto c = self.lock()) c->on_heartbeat_timer();
    });
  }
  log::debug(kLog, "{}: connection ready", peer_);
  if (auto cb = std::move(on_ready_)) cb(*this, ok_status());
}

void Connection::fail_handshake(Error error) {
  if (state_ == State::kClosed) return;
  shutdown(error, /*notify=*/false);
  if (auto cb = std::move(on_ready_)) cb(*this, Status(std::move(error)));
}

void Connection::on_heartbeat_timer() {
  heartbeat_timer_ = 0;
  if (state_ != State::kReady) return;
  auto self = weak_from_this();
  const auto idle = loop_.now() - last_read_;
  if (idle >= config_.heartbeat_interval && !heartbeat_outstanding_) {
    auto options = cql::encode_options(0);
    if (options.ok()) {
      heartbeat_outstanding_ = true;
      const bool sent = enqueue(std::move(*options), config_.heartbeat_timeout, [self](Reply reply) {
        auto c = self.lock();
        if (!c) return;
        c->heartbeat_outstanding_ = false;
        if (!reply.response.ok() && c->state_ == State::kReady) {
          c->close(fmt::format("heartbeat failed: {}", reply.response.error().message));
        }
      });
      if (!sent) heartbeat_outstanding_ = false;
    }
  }
  if (state_ != State::kReady) return;
  heartbeat_timer_ = loop_.add_timer(config_.heartbeat_interval, [self] {
    if (auto c = self.lock()) c->on_heartbeat_timer();
  });
}

bool Connection::send(cql::Bytes frame, std::chrono::milliseconds timeout, ReplyCallback callback) {
  assert(loop_.in_loop_thread());
  if (state_ != State::kReady) return false;
  return enqueue(std::move(frame), timeout, std::move(callback));
}

bool Connection::enqueue(cql::Bytes frame, std::chrono::milliseconds timeout, ReplyCallback callback) {
  auto id = ids_.acquire();
  if (!id) return false;
  if (!set_stream(frame, id->value)) {
    ids_.release(*id);
    callback(failed(Error(ErrorCode::kInternal, "request frame has an invalid header"), RequestFailure::client_error()));
    return true;
  }
  Pending& p = pending_[static_cast<size_t>(id->value)];
  p.callback = std::move(callback);
  p.active = true;
  p.orphaned = false;
  p.start_offset = bytes_queued_;
  if (timeout.count() > 0) {
    auto self = weak_from_this();
    const int16_t stream = id->value;
    p.timer = loop_.add_timer(timeout, [self, stream] {
      if (auto c = self.lock()) c->on_request_timeout(stream);
    });
  } else {
    p.timer = 0;
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_.insert(out_.end(), frame.begin(), frame.end());
  bytes_queued_ += frame.size();
  // Coalesce: all requests queued in this round of the loop go out in one write.
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    auto self = weak_from_this();
    loop_.post([self] {
      if (auto c = self.lock()) {
        c->flush_scheduled_ = false;
        c->flush();
      }
    });
  }
  return true;
}

void Connection::on_request_timeout(int16_t stream) {
  Pending& p = pending_[static_cast<size_t>(stream)];
  if (!p.active || p.orphaned) return;
  p.timer = 0;
  p.orphaned = true;
  ++orphaned_;
  auto callback = std::move(p.callback);
  p.callback = nullptr;
  callback(failed(Error(ErrorCode::kTimeout, fmt::format("{}: no answer within the request timeout", peer_), true),
                  RequestFailure::client_timeout()));
  if (state_ != State::kClosed && orphaned_ > config_.max_orphaned_streams) {
    close(fmt::format("{} requests timed out without an answer", orphaned_));
  }
}

void Connection::flush() {
  if (state_ == State::kClosed || fd_ < 0 || state_ == State::kConnecting || state_ == State::kTlsHandshake) return;
  if (tls_) {
    if (!flush_tls()) return;
  }
  while (!tls_ && out_pos_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      bytes_sent_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return close(fmt::format("send: {}", std::strerror(errno)));
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > (1u << 20)) {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
    out_pos_ = 0;
  }
  update_write_interest();
}

// Writes out_ through TLS until done or blocked; false when the connection closed.
bool Connection::flush_tls() {
  tls_write_wants_read_ = false;
  while (out_pos_ < out_.size()) {
    const TlsIo io = tls_->write(out_.data() + out_pos_, out_.size() - out_pos_);
    if (io.kind == TlsIo::kOk) {
      out_pos_ += io.bytes;
      bytes_sent_ += io.bytes;
      continue;
    }
    if (io.kind == TlsIo::kWantWrite) break;
    if (io.kind == TlsIo::kWantRead) {
      tls_write_wants_read_ = true;
      break;
    }
    close(io.kind == TlsIo::kClosed ? std::string("connection closed by the server") : io.error.message);
    return false;
  }
  return true;
}

void Connection::update_write_interest() {
  // A TLS write waiting for input waits on EPOLLIN; a TLS read waiting to write needs EPOLLOUT.
  const bool want = (out_pos_ < out_.size() && !tls_write_wants_read_) || tls_read_wants_write_;
  if (want == want_write_ || fd_ < 0) return;
  want_write_ = want;
  loop_.set_events(fd_, EPOLLIN | (want ? EPOLLOUT : 0u));
}

// Room for one more read at the end of in_ (emptied first when all of it was consumed); returns
// where the new bytes go.
size_t Connection::grow_input() {
  if (in_pos_ > 0 && in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  }
  const size_t old = in_.size();
  in_.resize(old + kReadChunk);
  return old;
}

void Connection::read_available() {
  if (tls_) return read_tls();
  while (state_ != State::kClosed) {
    const size_t old = grow_input();
    const ssize_t n = ::recv(fd_, in_.data() + old, kReadChunk, 0);
    if (n > 0) {
      in_.resize(old + static_cast<size_t>(n));
      last_read_ = loop_.now();
      process_frames();
      if (static_cast<size_t>(n) < kReadChunk) break;
      continue;
    }
    in_.resize(old);
    if (n == 0) return close("connection closed by the server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return close(fmt::format("recv: {}", std::strerror(errno)));
  }
}

// Reads until OpenSSL wants more from the socket: that also drains what it already decrypted
// and buffered (SSL_pending), which epoll would never signal.
void Connection::read_tls() {
  const bool wanted_write = tls_read_wants_write_;
  tls_read_wants_write_ = false;
  while (state_ != State::kClosed) {
    const size_t old = grow_input();
    const TlsIo io = tls_->read(in_.data() + old, kReadChunk);
    in_.resize(old + (io.kind == TlsIo::kOk ? io.bytes : 0));
    if (io.kind == TlsIo::kOk) {
      last_read_ = loop_.now();
      process_frames();
      continue;
    }
    if (io.kind == TlsIo::kWantRead) break;
    if (io.kind == TlsIo::kWantWrite) {
      tls_read_wants_write_ = true;
      break;
    }
    if (io.kind == TlsIo::kClosed) return close("connection closed by the server");
    return close(io.error.message);
  }
  if (state_ != State::kClosed && wanted_write != tls_read_wants_write_) update_write_interest();
}

void Connection::process_frames() {
  while (state_ != State::kClosed) {
    const cql::ByteView rest = cql::ByteView(in_).subspan(in_pos_);
    auto avail = cql::check_frame(rest);
    if (!avail.ok()) return close(avail.error().message);
    if (!avail->complete) break;
    auto response = cql::decode_response(rest.first(avail->frame_size), config_.compression);
    auto header = cql::decode_header(rest);
    in_pos_ += avail->frame_size;
    const int16_t stream = header.ok() ? header->stream : -1;
    if (stream < 0) {  // §2.3: server-pushed EVENT, for a connection that sent REGISTER
      if (!response.ok()) {
        log::warn(kLog, "{}: undecodable event: {}", peer_, response.error().message);
      } else if (const auto* event = std::get_if<cql::EventMessage>(&response->message); event && on_event_) {
        // A copy: the handler may replace itself (set_event_handler) while it runs.
        auto handler = on_event_;
        handler(*event);
      }
      continue;
    }
    if (!ids_.is_busy(StreamId{stream})) {
      log::warn(kLog, "{}: response for unknown stream {}", peer_, stream);
      continue;
    }
    Pending& p = pending_[static_cast<size_t>(stream)];
    auto callback = std::move(p.callback);
    p.callback = nullptr;
    if (p.timer != 0) loop_.cancel_timer(p.timer);
    p.timer = 0;
    p.active = false;
    if (p.orphaned) --orphaned_;
    p.orphaned = false;
    ids_.release(StreamId{stream});
    if (!callback) continue;  // timed out earlier; the id is free again now
    if (!response.ok()) {
      // The frame boundary is known, so only this request is lost, not the connection.
      callback(failed(response.take_error().with_context(fmt::format("{}: decoding a response", peer_)),
                      RequestFailure::client_error()));
    } else {
      callback(Reply{std::move(response), {}});
    }
  }
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > (1u << 20)) {
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_pos_));
    in_pos_ = 0;
  }
}

void Connection::close(const std::string& reason) {
  if (state_ == State::kClosed) return;
  const bool was_ready = state_ == State::kReady;
  Error error(ErrorCode::kUnavailable, fmt::format("{}: {}", peer_, reason), true);
  if (state_ == State::kStartup && !tls_) error.message += fmt::format(" ({})", kMaybeTlsHint);
  if (!was_ready) return fail_handshake(std::move(error));
  log::debug(kLog, "{}: closing connection: {}", peer_, reason);
  shutdown(error, /*notify=*/true);
}

void Connection::shutdown(const Error& error, bool notify) {
  state_ = State::kClosed;
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  tls_.reset();
  if (connect_timer_ != 0) loop_.cancel_timer(connect_timer_);
  if (heartbeat_timer_ != 0) loop_.cancel_timer(heartbeat_timer_);
  connect_timer_ = heartbeat_timer_ = 0;
  // Collect first: callbacks may start new requests (on other connections) re-entrantly.
  std::vector<std::pair<ReplyCallback, bool>> to_fail;
  for (size_t s = 0; s < pending_.size(); ++s) {
    Pending& p = pending_[s];
    if (!p.active) continue;
    if (p.timer != 0) loop_.cancel_timer(p.timer);
    if (p.callback) to_fail.emplace_back(std::move(p.callback), bytes_sent_ > p.start_offset);
    p = Pending{};
    ids_.release(StreamId{static_cast<int16_t>(s)});
  }
  orphaned_ = 0;
  out_.clear();
  out_pos_ = 0;
  in_.clear();
  in_pos_ = 0;
  auto keep_alive = shared_from_this();
  for (auto& [callback, written] : to_fail) {
    callback(failed(error, RequestFailure::connection_lost(written)));
  }
  if (notify && on_closed_) {
    auto cb = std::move(on_closed_);
    on_closed_ = nullptr;
    cb(*this, error);
  }
}

}  // namespace rds::cassandra
