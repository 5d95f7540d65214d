#include "cassandra/host_pool.h"

#include <fmt/format.h>

#include <algorithm>

#include "cassandra/internal.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::kLog;

std::shared_ptr<Connection> take(std::vector<std::shared_ptr<Connection>>& list, Connection& c) {
  auto it = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.get() == &c; });
  if (it == list.end()) return nullptr;
  auto out = *it;
  list.erase(it);
  return out;
}

}  // namespace

HostPool::HostPool(EventLoop& loop, const SessionConfig& config, SessionProbe& probe, std::string address,
                   uint16_t port, Listener listener, std::shared_ptr<const TlsContext> tls)
    : loop_(loop),
      config_(config),
      probe_(probe),
      address_(std::move(address)),
      port_(port),
      listener_(std::move(listener)),
      tls_(std::move(tls)),
      backoff_(config.reconnect) {}

HostPool::~HostPool() {
  if (reconnect_timer_ != 0) loop_.cancel_timer(reconnect_timer_);
}

std::string HostPool::endpoint() const { return fmt::format("{}:{}", address_, port_); }

void HostPool::open() {
  // A fixed count, and stop at the first failure: a connect that fails synchronously (name
  // resolution) must not spin here; the reconnect timer will try again.
  const int missing = config_.connections_per_host - static_cast<int>(ready_.size() + connecting_.size());
  for (int i = 0; i < missing && !closed_ && reconnect_timer_ == 0; ++i) {
    ConnectionConfig cc;
    cc.host = address_;
    cc.port = port_;
    cc.credentials = config_.credentials;
    cc.tls = tls_;
    cc.compression = config_.compression;
    cc.connect_timeout = config_.connect_timeout;
    cc.heartbeat_interval = config_.heartbeat_interval;
    cc.heartbeat_timeout = config_.heartbeat_timeout;
    auto conn = Connection::create(
        loop_, cc, [this](Connection& c, Status s) { on_connection_ready(c, std::move(s)); },
        [this](Connection& c, const Error& e) { on_connection_closed(c, e); });
    connecting_.push_back(conn);
    conn->connect();  // may call on_connection_ready at once (e.g. refused)
  }
}

void HostPool::close(const std::string& reason) {
  closed_ = true;
  if (reconnect_timer_ != 0) loop_.cancel_timer(reconnect_timer_);
  reconnect_timer_ = 0;
  // Copies: closing calls back into the lists.
  auto ready = ready_;
  auto connecting = connecting_;
  for (auto& c : ready) c->close(reason);
  for (auto& c : connecting) c->close(reason);
}

void HostPool::reopen() {
  if (!closed_) return;
  closed_ = false;
  backoff_.reset();
  open();
}

void HostPool::mark_down() {
  if (!marked_down_) log::warn(kLog, "host {} is down (the cluster says so)", endpoint());
  marked_down_ = true;
}

void HostPool::mark_up() {
  if (marked_down_) log::info(kLog, "host {} is up (the cluster says so)", endpoint());
  marked_down_ = false;
  if (closed_ || reconnect_timer_ == 0) return;
  loop_.cancel_timer(reconnect_timer_);
  reconnect_timer_ = 0;
  backoff_.reset();
  open();
}

std::shared_ptr<Connection> HostPool::pick() const {
  std::shared_ptr<Connection> best;
  for (const auto& c : ready_) {
    if (!c->is_ready() || c->available_streams() == 0) continue;
    if (!best || c->in_flight() < best->in_flight()) best = c;
  }
  return best;
}

void HostPool::set_metadata(std::string data_center, std::vector<Token> tokens) {
  data_center_ = std::move(data_center);
  tokens_ = std::move(tokens);
}

void HostPool::count_request(bool to_replica) {
  ++requests_;
  if (to_replica) ++replica_requests_;
}

HostInfo HostPool::info() const {
  HostInfo h;
  h.address = address_;
  h.port = port_;
  h.data_center = data_center_;
  h.token_count = tokens_.size();
  h.ready_connections = ready_connections();
  h.up = up();
  h.requests = requests_;
  h.replica_requests = replica_requests_;
  return h;
}

void HostPool::on_connection_ready(Connection& c, Status status) {
  auto conn = take(connecting_, c);
  const bool session_open = !closed_;
  if (status.ok()) {
    probe_.connection_opened();
  } else if (session_open) {
    probe_.connection_failed();
  }
  if (status.ok() && session_open) {
    if (ready_.empty()) log::info(kLog, "host {} is up", endpoint());
    connect_failure_warned_.reset();
    ready_.push_back(conn);
    backoff_.reset();
    // It answered: whatever an event said before, it is up now.
    marked_down_ = false;
  } else if (!status.ok() && session_open) {
    const auto now = std::chrono::steady_clock::now();
    if (!connect_failure_warned_ || now - *connect_failure_warned_ >= std::chrono::minutes(1)) {
      log::warn(kLog, "connecting to {}: {}", endpoint(), status.error().message);
      connect_failure_warned_ = now;
    } else {
      log::debug(kLog, "connecting to {}: {}", endpoint(), status.error().message);
    }
    schedule_reconnect();
  }
  if (listener_.on_connect_result) listener_.on_connect_result(*this, status);
}

void HostPool::on_connection_closed(Connection& c, const Error& error) {
  auto conn = take(ready_, c);
  if (!closed_) probe_.connection_closed();
  if (ready_.empty() && !closed_) log::warn(kLog, "host {} is down: {}", endpoint(), error.message);
  schedule_reconnect();
  if (listener_.on_connection_closed) listener_.on_connection_closed(*this, c);
}

void HostPool::schedule_reconnect() {
  if (closed_ || reconnect_timer_ != 0) return;
  const auto decision = backoff_.on_failure(std::chrono::milliseconds(0));
  const auto delay = decision.retry ? decision.delay : config_.reconnect.max_delay;
  reconnect_timer_ = loop_.add_timer(delay, [this] {
    reconnect_timer_ = 0;
    open();
  });
}

}  // namespace rds::cassandra
