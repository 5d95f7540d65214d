#pragma once
// A scriptable fake Cassandra speaking the real native protocol v4 on 127.0.0.1 (an ephemeral
// port), for fast tests of the client's failure paths (after DataStax's mockssandra). Requests are
// parsed and responses built with src/cql's Reader/Writer and frame header, not hand-made bytes.
//
// Default behaviour: STARTUP -> READY (or AUTHENTICATE when credentials are required; then the
// PLAIN token is checked), OPTIONS -> SUPPORTED, QUERY -> RESULT Void, PREPARE -> RESULT Prepared
// (one int bind marker "id", the partition key; the id is derived from the query text),
// EXECUTE -> Void, or ERROR unprepared when the id was never prepared (or forget_prepared());
// BATCH -> Void, or ERROR unprepared naming the first member whose id is unknown.
// A script sees every request first and may answer otherwise, delay, stay silent or close.
//
// Thread: the server runs its own thread; the script runs on it. Public methods are thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cql/codec.h"

namespace rds::test {

// One statement of a BATCH (§4.1.7).
struct FakeBatchMember {
  std::string query;                       // kind 0
  cql::Bytes prepared_id;                  // kind 1
  std::vector<cql::BoundValue> values;
};

struct FakeRequest {
  int connection = 0;  // 1, 2, ... in accept order
  cql::Opcode opcode = cql::Opcode::kOptions;
  int16_t stream = 0;
  std::string query;        // QUERY, PREPARE
  cql::Bytes prepared_id;   // EXECUTE
  cql::Bytes body;          // the whole request body (e.g. an EXECUTE's bound values)
  std::vector<FakeBatchMember> batch;  // BATCH
  std::optional<int64_t> default_timestamp;  // QUERY, EXECUTE, BATCH: flag 0x20 of the parameters
  int sequence = 0;         // 1, 2, ... over all requests of this opcode
};

struct FakeReply {
  enum class Kind { kRespond, kClose, kIgnore };
  Kind kind = Kind::kRespond;
  cql::Opcode opcode = cql::Opcode::kResult;
  cql::Bytes body;
  std::chrono::milliseconds delay{0};
  std::vector<std::string> warnings;  // §2.2 flag 0x08: sent before the body

  static FakeReply close() { return FakeReply{Kind::kClose, cql::Opcode::kError, {}, {}, {}}; }
  static FakeReply ignore() { return FakeReply{Kind::kIgnore, cql::Opcode::kError, {}, {}, {}}; }
  static FakeReply void_result(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  static FakeReply error(cql::CqlErrorCode code, const std::string& message);
  static FakeReply overloaded() { return error(cql::CqlErrorCode::kOverloaded, "fake overloaded"); }
  static FakeReply is_bootstrapping() { return error(cql::CqlErrorCode::kIsBootstrapping, "fake bootstrapping"); }
  static FakeReply write_timeout();
  static FakeReply unavailable();
  static FakeReply unprepared(const cql::Bytes& id);
  FakeReply warned(std::vector<std::string> w) const {
    FakeReply r = *this;
    r.warnings = std::move(w);
    return r;
  }
  FakeReply delayed(std::chrono::milliseconds d) const {
    FakeReply r = *this;
    r.delay = d;
    return r;
  }
};

struct FakeColumn {
  std::string name;
  cql::DataType type;
};

// RESULT Rows (§4.2.5.2) with global table spec "system.fake"; Null values are NULL cells.
FakeReply rows_reply(const std::vector<FakeColumn>& columns, const std::vector<std::vector<cql::Value>>& rows);

// nullopt: default behaviour.
using FakeScript = std::function<std::optional<FakeReply>(const FakeRequest&)>;

class FakeCqlServer {
 public:
  FakeCqlServer();
  ~FakeCqlServer();
  FakeCqlServer(const FakeCqlServer&) = delete;
  FakeCqlServer& operator=(const FakeCqlServer&) = delete;

  uint16_t port() const { return port_; }

  void set_script(FakeScript script);
  // Require PasswordAuthenticator login with these credentials.
  void require_credentials(std::string user, std::string password);
  // Forget every prepared id: the next EXECUTE of each gets UNPREPARED. With new_ids, a query
  // prepared again gets another id than before (as after a schema change).
  void forget_prepared(bool new_ids = false);
  // Close every client socket now (the listener stays open).
  void close_connections();
  // Stop accepting (refuse) or accept again.
  void set_accepting(bool accepting);

  // Sends an EVENT (§4.2.6) to every connection that sent REGISTER: TOPOLOGY_CHANGE or
  // STATUS_CHANGE (`change`: NEW_NODE, DOWN, ...) about `address`.
  void push_event(const std::string& type, const std::string& change, const cql::Endpoint& address);
  int registered_connections() const { return registered_count_.load(); }

  int requests(cql::Opcode opcode) const;
  int connections_accepted() const { return accepted_.load(); }
  int open_connections() const { return open_.load(); }

  static cql::Bytes prepared_id_for(const std::string& query, uint64_t salt);

 private:
  struct Client {
    int fd = -1;
    int id = 0;
    cql::Bytes in;
  };
  struct Delayed {
    std::chrono::steady_clock::time_point due;
    int client_id;
    cql::Bytes frame;
  };

  void run();
  void handle_frames(Client& client);
  void respond(Client& client, const cql::FrameHeader& request, const FakeReply& reply);
  FakeReply default_reply(const FakeRequest& request, cql::ByteView body);
  void send_frame(int client_id, const cql::Bytes& frame);
  void drop(int client_id);

  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> open_{0};

  mutable std::mutex mutex_;
  FakeScript script_;
  std::optional<std::pair<std::string, std::string>> credentials_;
  std::set<cql::Bytes> prepared_;
  uint64_t id_salt_ = 0;  // mixed into prepared ids (forget_prepared(true))
  std::map<cql::Opcode, int> counts_;
  bool close_requested_ = false;
  std::vector<cql::Bytes> events_;  // EVENT bodies waiting for the server thread
  bool accepting_ = true;

  // Server thread only.
  std::map<int, Client> clients_;  // by id
  std::vector<Delayed> delayed_;
  std::set<int> registered_;  // clients that sent REGISTER
  std::atomic<int> registered_count_{0};
  int next_client_ = 1;
};

}  // namespace rds::test
