#pragma once
// An asynchronous CQL connection: one non-blocking TCP socket on an EventLoop, STARTUP (optionally
// lz4), PasswordAuthenticator login, then many requests in flight multiplexed by stream id
// (native_protocol_v4.spec §2.3), responses reassembled with cql::check_frame, a timeout per
// request, and a heartbeat (OPTIONS) when the connection has been idle for heartbeat_interval.
// When the socket dies every request in flight fails with a retriable kUnavailable error.
//
// Thread: a Connection lives on its EventLoop's thread; every method must be called there, and
// every callback (on_ready, on_closed, request callbacks) runs there.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cassandra/blocking_connection.h"  // Credentials
#include "cassandra/event_loop.h"
#include "cassandra/retry_policy.h"
#include "cassandra/stream_ids.h"
#include "cassandra/tls.h"
#include "core/result.h"
#include "cql/codec.h"

namespace rds::cassandra {

struct ConnectionConfig {
  static constexpr std::chrono::milliseconds kDefaultConnectTimeout{5000};
  static constexpr std::chrono::milliseconds kDefaultHeartbeatInterval{30000};

  std::string host;  // numeric address or name
  uint16_t port = kDefaultPort;
  Credentials credentials;
  cql::Compression compression = cql::Compression::kNone;
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;  // TCP + TLS + STARTUP + login
  // Set: TLS over the socket (the session's context, made once); null: plaintext.
  std::shared_ptr<const TlsContext> tls;
  std::chrono::milliseconds heartbeat_interval = kDefaultHeartbeatInterval;  // 0 = no heartbeat
  std::chrono::milliseconds heartbeat_timeout{10000};
  int max_streams = StreamIdAllocator::kMaxStreams;
  // Requests that timed out keep their stream id until the server answers (§2.3). Past this many
  // such ids the connection is presumed stuck and is closed.
  size_t max_orphaned_streams = 4096;
};

// The answer to one request: the server's response (which may be an ERROR message: the caller
// interprets it), or a local failure with its kind for the retry policy.
struct Reply {
  Result<cql::Response> response;
  RequestFailure failure;  // meaningful only when !response.ok()
};
using ReplyCallback = std::function<void(Reply)>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State { kIdle, kConnecting, kTlsHandshake, kStartup, kAuthenticating, kReady, kClosed };

  // on_ready: once, with ok when the connection is ready for requests, or the reason it never got
  // there (then on_closed is not called). on_closed: once, after a ready connection closed.
  using ReadyCallback = std::function<void(Connection&, Status)>;
  using ClosedCallback = std::function<void(Connection&, const Error&)>;
  // Server-pushed EVENTs (§4.2.6) arrive only on a connection that sent REGISTER (§4.1.8).
  using EventCallback = std::function<void(const cql::EventMessage&)>;

  static std::shared_ptr<Connection> create(EventLoop& loop, ConnectionConfig config,
                                            ReadyCallback on_ready, ClosedCallback on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the TCP connect and the handshake.
  void connect();

  // Sends a complete request frame (its stream id is replaced by a free one). Returns false, and
  // does not call `callback`, when the connection is not ready or has no free stream id: the
  // caller picks another connection. `timeout` 0 means none.
  bool send(cql::Bytes frame, std::chrono::milliseconds timeout, ReplyCallback callback);

  // Where this connection's EVENT frames go (none: dropped). Set it before sending REGISTER.
  void set_event_handler(EventCallback on_event) { on_event_ = std::move(on_event); }

  // Closes the socket and fails every request in flight with `reason` (retriable kUnavailable).
  void close(const std::string& reason);

  State state() const { return state_; }
  bool is_ready() const { return state_ == State::kReady; }
  size_t in_flight() const { return ids_.in_use(); }
  size_t available_streams() const { return ids_.available(); }
  const std::string& peer() const { return peer_; }

 private:
  struct Pending {
    ReplyCallback callback;
    EventLoop::TimerId timer = 0;
    uint64_t start_offset = 0;  // position of the frame in the output stream
    bool orphaned = false;      // timed out; the id stays busy until the answer comes
    bool active = false;
  };

  Connection(EventLoop& loop, ConnectionConfig config, ReadyCallback on_ready, ClosedCallback on_closed);

  bool enqueue(cql::Bytes frame, std::chrono::milliseconds timeout, ReplyCallback callback);
  void on_socket_event(uint32_t events);
  void on_connected();
  void start_tls();
  void continue_tls();
  size_t grow_input();
  void read_available();
  void read_tls();
  bool flush_tls();
  void process_frames();
  void flush();
  void update_write_interest();
  void handshake(Reply reply);
  void fail_handshake(Error error);
  void become_ready();
  void on_heartbeat_timer();
  void on_request_timeout(int16_t stream);
  void shutdown(const Error& error, bool notify);

  EventLoop& loop_;
  ConnectionConfig config_;
  ReadyCallback on_ready_;
  ClosedCallback on_closed_;
  EventCallback on_event_;
  std::string peer_;  // "host:port" for logs and errors
  State state_ = State::kIdle;
  int fd_ = -1;
  std::unique_ptr<TlsStream> tls_;
  // TLS may need the other direction first: a write waiting for readable, a read for writable.
  bool tls_write_wants_read_ = false;
  bool tls_read_wants_write_ = false;

  StreamIdAllocator ids_;
  std::vector<Pending> pending_;  // indexed by stream id
  size_t orphaned_ = 0;

  cql::Bytes out_;
  size_t out_pos_ = 0;          // bytes of out_ already written to the socket
  uint64_t bytes_queued_ = 0;   // total bytes ever queued
  uint64_t bytes_sent_ = 0;     // total bytes ever written
  bool flush_scheduled_ = false;
  bool want_write_ = false;
  cql::Bytes in_;
  size_t in_pos_ = 0;           // bytes of in_ already consumed

  EventLoop::TimerId connect_timer_ = 0;
  EventLoop::TimerId heartbeat_timer_ = 0;
  EventLoop::Clock::time_point last_read_;
  bool heartbeat_outstanding_ = false;
};

}  // namespace rds::cassandra
