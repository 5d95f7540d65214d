#include "stack/stack.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <ostream>
#include <thread>

#include "core/log.h"
#include "stack/ports.h"
#include "stack/process.h"
#include "stack/service.h"

namespace rds::stack {
namespace {

constexpr int kLogTailLines = 20;
constexpr auto kHealthPollInterval = std::chrono::milliseconds(500);
constexpr auto kHealthRequestTimeout = std::chrono::milliseconds(3000);

// Every node of every selected service, in start order (a cluster's nodes by number), or only
// node config.only_node of each.
std::vector<std::unique_ptr<Service>> make_services(const StackConfig& config) {
  std::vector<std::unique_ptr<Service>> out;
  for (auto kind : config.services) {
    for (int node = 1; node <= config.nodes(kind); ++node) {
      if (config.only_node == 0 || config.only_node == node) out.push_back(make_service(kind, config, node));
    }
  }
  return out;
}

ServiceReport base_report(const Service& svc) {
  ServiceReport r;
  r.kind = svc.kind();
  r.name = svc.name();
  r.node = svc.node();
  r.address = svc.address();
  r.log_file = svc.log_file().string();
  r.client_hint = svc.client_hint();
  return r;
}

// The pid of this stack's running instance of svc, or 0.
pid_t running_pid(const Service& svc) {
  auto pid = read_pid_file(svc.pid_file());
  if (!pid.ok()) return 0;
  return svc.owns(*pid) ? *pid : 0;
}

void fail(ServiceReport& r, const Error& e, const Service& svc, bool with_log) {
  r.state = ServiceState::kFailed;
  r.detail = e.message;
  if (with_log) {
    r.log_tail = tail_file(svc.log_file(), kLogTailLines);
    r.log_errors = error_entries(svc.log_file(), 3);
  }
}

std::string seconds_since(std::chrono::steady_clock::time_point start) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

// What stack.json keeps after `up` (stopped false) or `down` (true): the optional services stay
// remembered until a `down` stops all of them, so that `up --only kafka` does not forget Airflow.
StackConfig remembered(const StackConfig& config, bool stopped) {
  StackConfig previous = config;
  previous.with.clear();
  (void)load_state_file(previous);  // a missing or corrupt file: nothing remembered
  StackConfig out = config;
  std::set<std::string> with(previous.with.begin(), previous.with.end());
  if (!stopped) with.insert(config.with.begin(), config.with.end());
  if (stopped) {
    std::erase_if(with, [&](const std::string& name) {
      auto kinds = parse_service(name);
      return kinds.ok() && std::all_of(kinds->begin(), kinds->end(), [&](ServiceKind k) { return config.has(k); });
    });
  }
  out.with.assign(with.begin(), with.end());
  return out;
}

// With --tls: what a client of this stack needs, as rdstream's settings.
std::string tls_guide(const StackConfig& config) {
  if (!config.tls) return {};
  const auto ca = config.tls_ca_file().string();
  std::string out = fmt::format("TLS is on (--tls). The CA that signed every node's certificate: {}\n", ca);
  if (config.has(ServiceKind::kKafka)) {
    out += fmt::format(
        "Kafka: SASL_SSL on {bootstrap}, user {user} (PLAIN, or SCRAM-SHA-512 for clients on librdkafka 2.6.1+ "
        "and Java; Kafka's tools: --command-config {java}), password in {pw}.\n"
        "  rdstream's config.yaml:\n"
        "    kafka:\n"
        "      bootstrap_servers: {bootstrap}\n"
        "      sasl_password_file: {pw}   # or RDSTREAM_KAFKA_SASL_PASSWORD\n"
        "      properties:\n"
        "        security.protocol: SASL_SSL\n"
        "        sasl.mechanism: PLAIN\n"
        "        sasl.username: {user}\n"
        "        ssl.ca.location: {ca}\n",
        fmt::arg("bootstrap", config.kafka_bootstrap()), fmt::arg("user", kKafkaClientUser),
        fmt::arg("pw", std::filesystem::absolute(config.kafka_client_password_file()).string()), fmt::arg("ca", ca),
        fmt::arg("java", std::filesystem::absolute(config.service_dir(ServiceKind::kKafka) / "client.properties").string()));
  }
  if (config.has(ServiceKind::kCassandra)) {
    out += fmt::format(
        "Cassandra: CQL over TLS only, on port {port}, user cassandra.\n"
        "  rdstream's config.yaml (or --cassandra-tls --cassandra-ca-file {ca}):\n"
        "    cassandra:\n"
        "      tls:\n"
        "        enabled: true\n"
        "        ca_file: {ca}\n",
        fmt::arg("port", config.cassandra_port), fmt::arg("ca", ca));
  }
  return out;
}

}  // namespace

std::string_view to_string(ServiceState state) {
  switch (state) {
    case ServiceState::kStopped: return "stopped";
    case ServiceState::kStarting: return "starting";
    case ServiceState::kHealthy: return "healthy";
    case ServiceState::kUnhealthy: return "unhealthy";
    case ServiceState::kFailed: return "failed";
  }
  return "?";
}

bool StackReport::all_healthy() const {
  for (const auto& s : services) {
    if (s.state != ServiceState::kHealthy) return false;
  }
  return !services.empty();
}

void StackReport::print(std::ostream& out, bool with_hints) const {
  out << fmt::format("{:<21} {:<10} {:>8}  {:<16} {}\n", "SERVICE", "STATE", "PID", "ADDRESS", "LOG");
  for (const auto& s : services) {
    out << fmt::format("{:<21} {:<10} {:>8}  {:<16} {}\n", s.name, to_string(s.state),
                       s.pid > 0 ? std::to_string(s.pid) : "-", s.address, s.log_file);
  }
  for (const auto& s : services) {
    if (s.state == ServiceState::kFailed || s.state == ServiceState::kUnhealthy) {
      out << fmt::format("\nerror: {}\n", s.detail);
      if (!s.log_errors.empty()) out << fmt::format("errors logged in {}:\n{}", s.log_file, s.log_errors);
      if (!s.log_tail.empty()) out << fmt::format("last lines of {}:\n{}", s.log_file, s.log_tail);
    } else if (!s.detail.empty()) {
      out << fmt::format("{}: {}\n", s.name, s.detail);
    }
  }
  if (with_hints) {
    out << "\nclients:\n";
    for (const auto& s : services) {
      if (s.state == ServiceState::kHealthy && !s.client_hint.empty()) {
        out << fmt::format("  {:<21} {}\n", s.name, s.client_hint);
      }
    }
    if (!tls_guide.empty()) out << "\n" << tls_guide;
  }
}

Result<StackReport> Stack::up() {
  RDS_TRY(config_.validate());
  std::error_code ec;
  std::filesystem::create_directories(config_.state_dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo, fmt::format("cannot create state directory {}: {}; choose another with --state-dir",
                                             config_.state_dir.string(), ec.message()));
  }
  auto services = make_services(config_);
  StackReport report;
  for (const auto& svc : services) report.services.push_back(base_report(*svc));
  struct Pending {
    size_t index;
    pid_t pid;
    bool started_now;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Pending> pending;
  std::vector<size_t> deferred;  // nodes waiting for the node they start after

  // The index of the node `svc` starts after, when it is being started or awaited by this `up`.
  auto predecessor = [&](const Service& svc) -> std::optional<size_t> {
    if (svc.starts_after() == 0) return std::nullopt;
    for (const auto& p : pending) {
      if (services[p.index]->kind() == svc.kind() && services[p.index]->node() == svc.starts_after()) return p.index;
    }
    for (size_t d : deferred) {
      if (services[d]->kind() == svc.kind() && services[d]->node() == svc.starts_after()) return d;
    }
    return std::nullopt;
  };

  // Starts service i (or adopts it, when already running) and adds it to `pending`.
  auto start = [&](size_t i) {
    Service& svc = *services[i];
    ServiceReport& r = report.services[i];
    const auto now = std::chrono::steady_clock::now();
    if (pid_t pid = running_pid(svc); pid > 0) {
      r.pid = pid;
      r.state = ServiceState::kStarting;
      r.detail = "already running";
      pending.push_back({i, pid, false, now});
      return;
    }
    std::filesystem::remove(svc.pid_file(), ec);
    Status ready = [&]() -> Status {
      for (const auto& p : svc.ports()) {
        const std::string host = p.host.empty() ? svc.host() : p.host;
        if (!port_available(host, p.port)) {
          return Error(ErrorCode::kUnavailable,
                       fmt::format("{}: port {} on {} is already in use by a process this stack did not start; "
                                   "stop that process or choose another port with {}",
                                   svc.name(), p.port, host, p.setting));
        }
      }
      std::filesystem::create_directories(svc.dir(), ec);
      RDS_TRY(svc.prepare());
      return ok_status();
    }();
    if (!ready.ok()) return fail(r, ready.error(), svc, /*with_log=*/false);
    auto spec = svc.launch_spec();
    if (!spec.ok()) return fail(r, spec.error(), svc, false);
    if (FILE* f = std::fopen(svc.log_file().c_str(), "a")) {
      std::fprintf(f, "==== rdstream stack up: starting %s ====\n", svc.name().c_str());
      std::fclose(f);
    }
    auto pid = spawn_detached(*spec);
    if (!pid.ok()) return fail(r, pid.error().with_context(svc.name() + ": starting"), svc, true);
    auto written = write_pid_file(svc.pid_file(), *pid);
    if (!written.ok()) log::warn("stack", "{}: {}", svc.name(), written.error().message);
    log::info("stack", "{}: started (pid {}), waiting until it answers{}", svc.name(), *pid,
              svc.ports().empty() ? std::string() : " on " + svc.address());
    r.pid = *pid;
    r.state = ServiceState::kStarting;
    pending.push_back({i, *pid, true, now});
  };

  for (size_t i = 0; i < services.size(); ++i) {
    const Service& svc = *services[i];
    const bool before_failed = std::any_of(report.services.begin(), report.services.begin() + static_cast<std::ptrdiff_t>(i),
                                           [&](const ServiceReport& b) {
                                             return b.kind == svc.kind() && b.node == svc.starts_after() &&
                                                    b.state == ServiceState::kFailed;
                                           });
    if (before_failed) {
      fail(report.services[i],
           Error(ErrorCode::kUnavailable, fmt::format("{}: not started, since the node it joins after did not start; "
                                                      "see above", svc.name())),
           svc, false);
    } else if (predecessor(svc) && running_pid(svc) == 0) {
      deferred.push_back(i);
    } else {
      start(i);
    }
  }
  auto saved = save_state_file(remembered(config_, /*stopped=*/false));
  if (!saved.ok()) log::warn("stack", "{}", saved.error().message);
  report.tls_guide = tls_guide(config_);

  // Once `index` has answered (healthy) or given up (not), the nodes deferred behind it start or
  // fail in turn.
  std::function<void(size_t, bool)> release = [&](size_t index, bool healthy) {
    for (auto d = deferred.begin(); d != deferred.end();) {
      Service& svc = *services[*d];
      if (svc.kind() != services[index]->kind() || svc.starts_after() != services[index]->node()) {
        ++d;
        continue;
      }
      const size_t next = *d;
      d = deferred.erase(d);
      if (healthy) {
        start(next);
      } else {
        fail(report.services[next],
             Error(ErrorCode::kUnavailable, fmt::format("{}: not started, since {} (which it joins after) did not "
                                                        "start; see above", svc.name(), services[index]->name())),
             svc, false);
        release(next, false);
      }
      d = deferred.begin();  // start() may have changed the list's order of interest: look again
    }
  };

  // Wait for every started or running service to answer; they start in parallel, except the
  // nodes that join one after another.
  auto deadline = std::chrono::steady_clock::now() + config_.start_timeout;
  while (!pending.empty()) {
    for (size_t k = 0; k < pending.size();) {
      const Pending it = pending[k];
      Service& svc = *services[it.index];
      ServiceReport& r = report.services[it.index];
      if (!process_alive(it.pid)) {
        fail(r, Error(ErrorCode::kUnavailable,
                      fmt::format("{}: the process (pid {}) exited during start-up; the cause is in its log {} "
                                  "(quoted below). If it names the data directory as corrupt or foreign: delete {} "
                                  "and run `rdstream stack up` again",
                                  svc.name(), it.pid, svc.log_file().string(), svc.dir().string())),
             svc, true);
        std::filesystem::remove(svc.pid_file(), ec);
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
        release(it.index, false);
        continue;
      }
      Status health = svc.check_health(kHealthRequestTimeout);
      if (health.ok()) health = svc.after_healthy(kHealthRequestTimeout);
      if (health.ok()) {
        r.state = ServiceState::kHealthy;
        r.detail = it.started_now ? fmt::format("started, healthy after {}", seconds_since(it.since))
                                  : "already running, healthy";
        log::info("stack", "{}: healthy{}", svc.name(), svc.ports().empty() ? std::string() : " on " + svc.address());
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
        // Each node joining after another gets the whole start timeout of its own.
        if (!deferred.empty()) deadline = std::chrono::steady_clock::now() + config_.start_timeout;
        release(it.index, true);
        continue;
      }
      if (!health.error().retriable || std::chrono::steady_clock::now() > deadline) {
        const bool timed_out = health.error().retriable;
        fail(r, Error(ErrorCode::kUnavailable,
                      timed_out ? fmt::format("{}: not answering on {} after {} s (last error: {}); see its log, "
                                              "or raise --start-timeout on a slow machine",
                                              svc.name(), svc.address(), config_.start_timeout.count(),
                                              health.error().message)
                                : fmt::format("{}: {}", svc.name(), health.error().message)),
             svc, true);
        // A service we just started and that will not become healthy is stopped again: we own it.
        if (it.started_now) {
          const pid_t group = svc.stop_process_group() ? ::getpgid(it.pid) : 0;
          (void)terminate(it.pid, svc.stop_signal(), svc.stop_grace());
          if (group > 0) terminate_group(group, SIGTERM, std::chrono::seconds(10));
          std::filesystem::remove(svc.pid_file(), ec);
          r.pid = 0;
        }
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
        release(it.index, false);
        continue;
      }
      ++k;
    }
    if (!pending.empty()) std::this_thread::sleep_for(kHealthPollInterval);
  }
  return report;
}

StackReport Stack::status() const {
  auto services = make_services(config_);
  StackReport report;
  for (const auto& svc : services) {
    ServiceReport r = base_report(*svc);
    r.pid = running_pid(*svc);
    if (r.pid == 0) {
      r.state = ServiceState::kStopped;
      // Something else answering on our port is worth saying: it is not ours.
      const auto ports = svc->ports();
      if (!ports.empty() && !port_available(svc->host(), ports.front().port)) {
        r.detail = fmt::format("not started by this stack, but port {} is in use by another process",
                               ports.front().port);
      }
    } else {
      Status health = svc->check_health(kHealthRequestTimeout);
      r.state = health.ok() ? ServiceState::kHealthy : ServiceState::kUnhealthy;
      if (!health.ok()) r.detail = fmt::format("{}: {}", svc->name(), health.error().message);
    }
    report.services.push_back(std::move(r));
  }
  return report;
}

Result<StackConfig> Stack::one_node(StackConfig config, std::string_view service, int node) {
  auto kinds = parse_service(service);
  if (!kinds.ok()) return kinds.take_error();
  if (kinds->size() != 1) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is several services; name one node's service: "
                                                          "kafka or cassandra", service));
  }
  const int nodes = config.nodes(kinds->front());
  if (node < 1 || node > nodes) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} has {} in this stack: choose {}{}", service,
                             nodes == 1 ? "1 node" : fmt::format("{} nodes", nodes),
                             nodes == 1 ? "node 1" : fmt::format("a node from 1 to {}", nodes),
                             nodes == 1 ? " (start a cluster with `stack up --cassandra-nodes 3 --kafka-brokers 3`)" : ""));
  }
  config.services = *kinds;
  config.only_node = node;
  return config;
}

Result<StackReport> Stack::down(bool kill) {
  auto services = make_services(config_);
  StackReport report;
  struct Stopping {
    size_t index;
    pid_t pid;
    pid_t group;  // its process group, when what it started is stopped with it (0: not)
  };
  std::vector<Stopping> stopping;
  // Signal everything first, then wait: the engines shut down in parallel.
  for (size_t i = 0; i < services.size(); ++i) {
    Service& svc = *services[i];
    ServiceReport r = base_report(svc);
    pid_t pid = running_pid(svc);
    if (pid > 0) {
      log::info("stack", "{}: stopping (pid {})", svc.name(), pid);
      const pid_t group = svc.stop_process_group() ? ::getpgid(pid) : 0;
      ::kill(pid, kill ? SIGKILL : svc.stop_signal());
      stopping.push_back({i, pid, group > 0 ? group : 0});
      r.pid = pid;
    } else {
      std::error_code ec;
      if (std::filesystem::exists(svc.pid_file(), ec)) {
        r.detail = "was not running (stale pid file removed)";
        std::filesystem::remove(svc.pid_file(), ec);
      }
    }
    report.services.push_back(std::move(r));
  }
  Status result = ok_status();
  for (const auto& [index, pid, group] : stopping) {
    Service& svc = *services[index];
    ServiceReport& r = report.services[index];
    Status stopped = terminate(pid, svc.stop_signal(), svc.stop_grace());
    if (group > 0) terminate_group(group, SIGTERM, std::chrono::seconds(10));
    if (stopped.ok()) {
      std::error_code ec;
      std::filesystem::remove(svc.pid_file(), ec);
      r.detail = "stopped";
      r.pid = 0;
    } else {
      r.state = ServiceState::kFailed;
      r.detail = fmt::format("{}: {}", svc.name(), stopped.error().message);
      result = stopped;
    }
  }
  if (!result.ok()) return result.take_error();
  auto saved = save_state_file(remembered(config_, /*stopped=*/true));
  if (!saved.ok()) log::warn("stack", "{}", saved.error().message);
  return report;
}

std::string Stack::logs(int lines) const {
  std::string out;
  for (const auto& svc : make_services(config_)) {
    out += fmt::format("==> {} <==\n{}\n", svc->log_file().string(), tail_file(svc->log_file(), lines));
  }
  return out;
}

}  // namespace rds::stack
