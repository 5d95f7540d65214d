#include "support/fake_cql_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace rds::test {
namespace {

using cql::Bytes;
using cql::Opcode;
using cql::Writer;

FakeReply result(const Writer& w) { return FakeReply{FakeReply::Kind::kRespond, Opcode::kResult, w.bytes(), {}, {}}; }

// §4.2.5.4 Prepared: <id><metadata><result_metadata>, with one int marker "id" as partition key.
Bytes prepared_body(const Bytes& id) {
  Writer w;
  w.write_int(0x0004);  // kind Prepared
  w.write_short_bytes(id);
  w.write_int(0x0001);  // flags: global table spec
  w.write_int(1);       // columns
  w.write_int(1);       // pk count
  w.write_short(0);     // pk index
  w.write_string("fake_ks");
  w.write_string("fake_table");
  w.write_string("id");
  w.write_short(static_cast<uint16_t>(cql::TypeId::kInt));
  w.write_int(0x0004);  // result metadata: no metadata
  w.write_int(0);
  return w.take();
}

}  // namespace

FakeReply FakeReply::void_result(std::chrono::milliseconds delay) {
  Writer w;
  w.write_int(0x0001);
  auto r = result(w);
  r.delay = delay;
  return r;
}

FakeReply FakeReply::error(cql::CqlErrorCode code, const std::string& message) {
  Writer w;
  w.write_int(static_cast<int32_t>(code));
  w.write_string(message);
  return FakeReply{Kind::kRespond, Opcode::kError, w.take(), {}, {}};
}

FakeReply FakeReply::write_timeout() {
  Writer w;
  w.write_int(static_cast<int32_t>(cql::CqlErrorCode::kWriteTimeout));
  w.write_string("fake write timeout");
  w.write_consistency(cql::Consistency::kLocalQuorum);
  w.write_int(0);
  w.write_int(1);
  w.write_string("SIMPLE");
  return FakeReply{Kind::kRespond, Opcode::kError, w.take(), {}, {}};
}

FakeReply FakeReply::unavailable() {
  Writer w;
  w.write_int(static_cast<int32_t>(cql::CqlErrorCode::kUnavailable));
  w.write_string("fake unavailable");
  w.write_consistency(cql::Consistency::kLocalQuorum);
  w.write_int(2);
  w.write_int(1);
  return FakeReply{Kind::kRespond, Opcode::kError, w.take(), {}, {}};
}

FakeReply FakeReply::unprepared(const cql::Bytes& id) {
  Writer w;
  w.write_int(static_cast<int32_t>(cql::CqlErrorCode::kUnprepared));
  w.write_string("fake unprepared");
  w.write_short_bytes(id);
  return FakeReply{Kind::kRespond, Opcode::kError, w.take(), {}, {}};
}

FakeReply rows_reply(const std::vector<FakeColumn>& columns, const std::vector<std::vector<cql::Value>>& rows) {
  Writer w;
  w.write_int(0x0002);  // kind Rows
  w.write_int(0x0001);  // flags: global table spec
  w.write_int(static_cast<int32_t>(columns.size()));
  w.write_string("system");
  w.write_string("fake");
  for (const auto& c : columns) {
    w.write_string(c.name);
    cql::write_data_type(w, c.type);
  }
  w.write_int(static_cast<int32_t>(rows.size()));
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i >= row.size() || row[i].is_null()) {
        w.write_null_bytes();
        continue;
      }
      auto bytes = cql::encode_value(row[i], columns[i].type);
      if (!bytes.ok()) throw std::runtime_error("fake rows: " + bytes.error().message);
      w.write_bytes(cql::ByteView(*bytes));
    }
  }
  return FakeReply{FakeReply::Kind::kRespond, Opcode::kResult, w.take(), {}, {}};
}

cql::Bytes FakeCqlServer::prepared_id_for(const std::string& query, uint64_t salt) {
  // Any stable 16 bytes will do (Cassandra uses an MD5 of the query and keyspace).
  uint64_t h = 1469598103934665603ULL ^ salt;
  for (unsigned char c : query) h = (h ^ c) * 1099511628211ULL;
  Bytes id;
  cql::append_u64(id, h);
  cql::append_u64(id, ~h);
  return id;
}

FakeCqlServer::FakeCqlServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error(std::string("fake cql server: bind/listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("fake cql server: pipe");
  thread_ = std::thread([this] { run(); });
}

FakeCqlServer::~FakeCqlServer() {
  stop_ = true;
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], "x", 1);
  thread_.join();
  for (auto& [id, c] : clients_) ::close(c.fd);
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void FakeCqlServer::set_script(FakeScript script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

void FakeCqlServer::require_credentials(std::string user, std::string password) {
  std::lock_guard lock(mutex_);
  credentials_ = std::make_pair(std::move(user), std::move(password));
}

void FakeCqlServer::forget_prepared(bool new_ids) {
  std::lock_guard lock(mutex_);
  prepared_.clear();
  if (new_ids) ++id_salt_;
}

void FakeCqlServer::close_connections() {
  {
    std::lock_guard lock(mutex_);
    close_requested_ = true;
  }
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], "x", 1);
}

void FakeCqlServer::push_event(const std::string& type, const std::string& change, const cql::Endpoint& address) {
  Writer w;
  w.write_string(type);
  w.write_string(change);
  w.write_inet(address);
  {
    std::lock_guard lock(mutex_);
    events_.push_back(w.take());
  }
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], "x", 1);
}

void FakeCqlServer::set_accepting(bool accepting) {
  std::lock_guard lock(mutex_);
  accepting_ = accepting;
}

int FakeCqlServer::requests(cql::Opcode opcode) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(opcode);
  return it == counts_.end() ? 0 : it->second;
}

void FakeCqlServer::drop(int client_id) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  if (registered_.erase(client_id) != 0) --registered_count_;
  ::close(it->second.fd);
  clients_.erase(it);
  --open_;
}

void FakeCqlServer::send_frame(int client_id, const cql::Bytes& frame) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  size_t sent = 0;
  while (sent < frame.size()) {  // blocking socket: fine for test-sized answers
    ssize_t n = ::send(it->second.fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return drop(client_id);
    sent += static_cast<size_t>(n);
  }
}

void FakeCqlServer::respond(Client& client, const cql::FrameHeader& request, const FakeReply& reply) {
  if (reply.kind == FakeReply::Kind::kIgnore) return;
  if (reply.kind == FakeReply::Kind::kClose) return drop(client.id);
  cql::FrameHeader h;
  h.version = cql::kProtocolVersion | cql::kResponseBit;
  h.stream = request.stream;
  h.opcode = reply.opcode;
  Bytes body;
  if (!reply.warnings.empty()) {
    h.flags |= cql::kFlagWarning;
    Writer w;
    w.write_string_list(reply.warnings);
    body = w.take();
  }
  body.insert(body.end(), reply.body.begin(), reply.body.end());
  h.length = static_cast<uint32_t>(body.size());
  auto header = cql::encode_header(h);
  Bytes frame(header.begin(), header.end());
  frame.insert(frame.end(), body.begin(), body.end());
  if (reply.delay.count() > 0) {
    delayed_.push_back({std::chrono::steady_clock::now() + reply.delay, client.id, std::move(frame)});
  } else {
    send_frame(client.id, frame);
  }
}

namespace {

// <type><n><query_1>...<query_n> of a BATCH body; stops at the first malformed member.
std::vector<FakeBatchMember> read_batch_members(cql::Reader& r) {
  std::vector<FakeBatchMember> members;
  if (!r.read_byte("type").ok()) return members;
  auto n = r.read_short("n");
  if (!n.ok()) return members;
  for (uint16_t i = 0; i < *n; ++i) {
    FakeBatchMember m;
    auto kind = r.read_byte("kind");
    if (!kind.ok()) return members;
    if (*kind == 0) {
      auto q = r.read_long_string("query");
      if (!q.ok()) return members;
      m.query = *q;
    } else {
      auto id = r.read_short_bytes("id");
      if (!id.ok()) return members;
      m.prepared_id = *id;
    }
    auto count = r.read_short("values");
    if (!count.ok()) return members;
    for (uint16_t v = 0; v < *count; ++v) {
      auto value = r.read_value("value");
      if (!value.ok()) return members;
      m.values.push_back(std::move(*value));
    }
    members.push_back(std::move(m));
  }
  return members;
}

// The default timestamp (flag 0x20) at the end of a BATCH's parameters (§4.1.7), after its members.
std::optional<int64_t> read_batch_timestamp(cql::Reader& r) {
  if (!r.read_short("consistency").ok()) return std::nullopt;
  auto flags = r.read_byte("flags");
  if (!flags.ok()) return std::nullopt;
  if ((*flags & 0x10) != 0 && !r.read_short("serial consistency").ok()) return std::nullopt;
  if ((*flags & 0x20) == 0) return std::nullopt;
  auto ts = r.read_long("timestamp");
  return ts.ok() ? std::optional<int64_t>(*ts) : std::nullopt;
}

// The default timestamp of a QUERY's or EXECUTE's <query_parameters> (§4.1.4).
std::optional<int64_t> read_parameters_timestamp(cql::Reader& r) {
  if (!r.read_short("consistency").ok()) return std::nullopt;
  auto flags = r.read_byte("flags");
  if (!flags.ok()) return std::nullopt;
  if ((*flags & 0x01) != 0) {
    auto n = r.read_short("values");
    if (!n.ok()) return std::nullopt;
    for (uint16_t i = 0; i < *n; ++i) {
      if (!r.read_value("value").ok()) return std::nullopt;
    }
  }
  if ((*flags & 0x04) != 0 && !r.read_int("page size").ok()) return std::nullopt;
  if ((*flags & 0x08) != 0 && !r.read_bytes("paging state").ok()) return std::nullopt;
  if ((*flags & 0x10) != 0 && !r.read_short("serial consistency").ok()) return std::nullopt;
  if ((*flags & 0x20) == 0) return std::nullopt;
  auto ts = r.read_long("timestamp");
  return ts.ok() ? std::optional<int64_t>(*ts) : std::nullopt;
}

}  // namespace

FakeReply FakeCqlServer::default_reply(const FakeRequest& request, cql::ByteView body) {
  std::lock_guard lock(mutex_);
  switch (request.opcode) {
    case Opcode::kStartup:
      if (credentials_) {
        Writer w;
        w.write_string("org.apache.cassandra.auth.PasswordAuthenticator");
        return FakeReply{FakeReply::Kind::kRespond, Opcode::kAuthenticate, w.take(), {}, {}};
      }
      return FakeReply{FakeReply::Kind::kRespond, Opcode::kReady, {}, {}, {}};
    case Opcode::kAuthResponse: {
      cql::Reader r(body);
      auto token = r.read_bytes("token");
      const Bytes expected = credentials_ ? cql::plain_auth_token(credentials_->first, credentials_->second) : Bytes{};
      if (token.ok() && *token && **token == expected) {
        Writer w;
        w.write_null_bytes();
        return FakeReply{FakeReply::Kind::kRespond, Opcode::kAuthSuccess, w.take(), {}, {}};
      }
      return FakeReply::error(cql::CqlErrorCode::kBadCredentials, "Provided username and/or password are incorrect");
    }
    case Opcode::kRegister:  // §4.1.8: READY; push_event() sends events afterwards
      return FakeReply{FakeReply::Kind::kRespond, Opcode::kReady, {}, {}, {}};
    case Opcode::kOptions: {
      Writer w;
      w.write_string_multimap({{"CQL_VERSION", {"3.4.7"}}, {"COMPRESSION", {"lz4"}}});
      return FakeReply{FakeReply::Kind::kRespond, Opcode::kSupported, w.take(), {}, {}};
    }
    case Opcode::kPrepare: {
      const Bytes id = prepared_id_for(request.query, id_salt_);
      prepared_.insert(id);
      return FakeReply{FakeReply::Kind::kRespond, Opcode::kResult, prepared_body(id), {}, {}};
    }
    case Opcode::kExecute:
      if (prepared_.count(request.prepared_id) == 0) return FakeReply::unprepared(request.prepared_id);
      return FakeReply::void_result();
    case Opcode::kBatch:
      for (const auto& member : request.batch) {
        if (member.query.empty() && prepared_.count(member.prepared_id) == 0) return FakeReply::unprepared(member.prepared_id);
      }
      return FakeReply::void_result();
    default:
      return FakeReply::void_result();
  }
}

void FakeCqlServer::handle_frames(Client& client) {
  const int id = client.id;
  while (clients_.count(id) != 0) {
    Client& c = clients_[id];
    auto avail = cql::check_frame(c.in);
    if (!avail.ok()) return drop(id);
    if (!avail->complete) return;
    auto split = cql::split_frame(c.in);
    if (!split.ok()) return drop(id);
    const cql::FrameHeader header = split->header;
    const Bytes body(split->body.begin(), split->body.end());
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(avail->frame_size));

    FakeRequest request;
    request.connection = id;
    request.opcode = header.opcode;
    request.stream = header.stream;
    request.body = body;
    if (header.opcode == Opcode::kRegister && registered_.insert(id).second) ++registered_count_;
    cql::Reader r(body);
    if (header.opcode == Opcode::kQuery || header.opcode == Opcode::kPrepare) {
      auto q = r.read_long_string("query");
      if (q.ok()) request.query = *q;
      if (q.ok() && header.opcode == Opcode::kQuery) request.default_timestamp = read_parameters_timestamp(r);
    } else if (header.opcode == Opcode::kExecute) {
      auto pid = r.read_short_bytes("id");
      if (pid.ok()) request.prepared_id = *pid;
      if (pid.ok()) request.default_timestamp = read_parameters_timestamp(r);
    } else if (header.opcode == Opcode::kBatch) {
      request.batch = read_batch_members(r);
      request.default_timestamp = read_batch_timestamp(r);
    }
    FakeScript script;
    {
      std::lock_guard lock(mutex_);
      request.sequence = ++counts_[header.opcode];
      script = script_;
    }
    std::optional<FakeReply> reply;
    if (script) reply = script(request);
    if (!reply) reply = default_reply(request, body);
    respond(c, header, *reply);
  }
}

void FakeCqlServer::run() {
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      if (close_requested_) {
        close_requested_ = false;
        std::vector<int> ids;
        for (auto& [cid, c] : clients_) ids.push_back(cid);
        for (int cid : ids) drop(cid);
        delayed_.clear();
      }
      for (const auto& body : events_) {
        cql::FrameHeader h;
        h.version = cql::kProtocolVersion | cql::kResponseBit;
        h.stream = -1;  // §2.3: server-initiated
        h.opcode = Opcode::kEvent;
        h.length = static_cast<uint32_t>(body.size());
        auto header = cql::encode_header(h);
        Bytes frame(header.begin(), header.end());
        frame.insert(frame.end(), body.begin(), body.end());
        const std::set<int> targets = registered_;  // send_frame may drop one
        for (int cid : targets) send_frame(cid, frame);
      }
      events_.clear();
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    std::vector<int> ids;
    for (auto& [cid, c] : clients_) {
      fds.push_back({c.fd, POLLIN, 0});
      ids.push_back(cid);
    }
    int timeout = 50;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& d : delayed_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d.due - now).count();
      timeout = std::min<int>(timeout, static_cast<int>(std::max<int64_t>(0, left)));
    }
    ::poll(fds.data(), fds.size(), timeout);
    if (fds[0].revents & POLLIN) {
      char buf[64];
      while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      bool accepting;
      {
        std::lock_guard lock(mutex_);
        accepting = accepting_;
      }
      if (fd >= 0 && !accepting) {
        ::close(fd);
      } else if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const int cid = next_client_++;
        clients_[cid] = Client{fd, cid, {}};
        ++accepted_;
        ++open_;
      }
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      if ((fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      auto it = clients_.find(ids[i]);
      if (it == clients_.end()) continue;
      uint8_t chunk[65536];
      ssize_t n = ::recv(it->second.fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        drop(ids[i]);
        continue;
      }
      it->second.in.insert(it->second.in.end(), chunk, chunk + n);
      handle_frames(it->second);
    }
    const auto t = std::chrono::steady_clock::now();
    std::vector<Delayed> due;
    for (auto it = delayed_.begin(); it != delayed_.end();) {
      if (it->due <= t) {
        due.push_back(std::move(*it));
        it = delayed_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& d : due) send_frame(d.client_id, d.frame);
  }
}

}  // namespace rds::test
