#include "console/collector.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <deque>
#include <numeric>
#include <set>

#include "core/log.h"
#include "metrics/endpoint.h"

namespace rds::console {
namespace {

using nlohmann::json;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// null for unknown: the front-end prints "—", never a made-up 0.
template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

std::optional<double> rate(std::optional<int64_t> now, std::optional<int64_t> before, double dt) {
  if (!now || !before || dt <= 0) return std::nullopt;
  return std::max<int64_t>(0, *now - *before) / dt;
}

std::optional<double> sum_rates(const std::vector<InstanceReading>& readings,
                                std::optional<double> InstanceReading::*field) {
  std::optional<double> total;
  for (const auto& r : readings) {
    if (r.*field) total = total.value_or(0) + *(r.*field);
  }
  return total;
}

}  // namespace

struct Collector::Previous {
  int64_t t_ms = 0;
  std::optional<int64_t> topic_end;
  std::deque<std::pair<int64_t, int64_t>> committed_window;  // (t, committed), the last 10 s
  std::optional<int64_t> write_count;
  std::deque<std::pair<int64_t, int64_t>> dlq;  // (t, dead letters), the last minute
  std::optional<int64_t> estimated_rows;
  std::vector<ColumnInfo> columns;
  int64_t cassandra_slow_at = 0;  // when the table's size and columns were last read
};

Collector::Collector(CollectorConfig config, kafka::Inspector& inspector, SessionFactory connect,
                     metrics::Metrics& metrics)
    : config_(std::move(config)),
      inspector_(inspector),
      connect_(std::move(connect)),
      metrics_(metrics),
      alerts_(config_.rules),
      previous_(std::make_unique<Previous>()),
      history_(config_.history_points) {
  for (const auto& name : Alerts::names({"kafka", "cassandra"})) metrics_.console_alert_active(name).Set(0);
}

Collector::~Collector() { stop(); }

void Collector::start() {
  tick();
  thread_ = std::thread([this] {
    std::unique_lock lock(wake_mutex_);
    while (!stopping_) {
      if (wake_.wait_for(lock, config_.refresh, [this] { return stopping_; })) break;
      lock.unlock();
      tick();
      lock.lock();
    }
  });
}

void Collector::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  cassandra_.reset();  // waits for an exact count to stop
  if (session_) session_->close();
}

json Collector::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

json Collector::history() const {
  std::lock_guard lock(mutex_);
  return history_.to_json(config_.refresh.count());
}

Status Collector::start_exact_count() {
  std::lock_guard lock(mutex_);
  if (!cassandra_) return Error(ErrorCode::kUnavailable, "Cassandra is not connected; see the engines' health");
  return cassandra_->start_exact_count(wall_ms());
}

std::optional<int64_t> Collector::partition_bytes(const std::string& topic, int32_t partition) const {
  std::optional<int64_t> total;
  for (const auto& dir : config_.kafka_log_dirs) {
    std::error_code ec;
    const auto partition_dir = dir / fmt::format("{}-{}", topic, partition);
    if (!std::filesystem::is_directory(partition_dir, ec)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(partition_dir, ec)) {
      if (entry.is_regular_file(ec) && entry.path().extension() == ".log") {
        total = total.value_or(0) + static_cast<int64_t>(entry.file_size(ec));
      }
    }
  }
  return total;
}

json Collector::cassandra_part(int64_t now_ms, double dt, std::vector<AlertInputs::Engine>& engines,
                               std::map<std::string, std::optional<double>>& series) {
  Previous& prev = *previous_;
  json out = {{"keyspace", config_.keyspace}, {"table", config_.table}};
  AlertInputs::Engine engine{"cassandra", false, ""};
  if (!session_ && std::chrono::steady_clock::now() >= next_connect_) {
    auto session = connect_();
    if (session.ok()) {
      session_ = std::move(*session);
      auto view = std::make_unique<CassandraView>(session_, config_.keyspace, config_.table, config_.count_ranges,
                                                  config_.count_parallelism);
      std::lock_guard lock(mutex_);
      cassandra_ = std::move(view);
    } else {
      connect_error_ = session.error().message;
      next_connect_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);  // not every tick
    }
  }
  if (!session_) engine.detail = connect_error_ + " (connecting again every 5 s)";
  std::optional<int64_t> writes;
  if (session_) {
    auto count = cassandra_->write_count();
    if (count.ok()) {
      engine.up = true;
      const auto hosts = session_->hosts();
      std::vector<std::string> names;
      for (const auto& h : hosts) names.push_back(fmt::format("{}:{}{}", h.address, h.port, h.up ? "" : " (down)"));
      engine.detail = fmt::format("{} node{}: {}", hosts.size(), hosts.size() == 1 ? "" : "s", fmt::join(names, ", "));
      writes = *count;
      // The table's shape and size change slowly: read them every 10 s.
      if (now_ms - prev.cassandra_slow_at >= 10'000) {
        if (auto columns = cassandra_->columns(); columns.ok()) prev.columns = std::move(*columns);
        if (auto estimate = cassandra_->estimated_rows(); estimate.ok()) prev.estimated_rows = *estimate;
        prev.cassandra_slow_at = now_ms;
      }
    } else {
      engine.detail = count.error().message;
    }
  }
  const auto write_rate = rate(writes, prev.write_count, dt);
  prev.write_count = writes;
  json columns = json::array();
  for (const auto& c : prev.columns) columns.push_back({{"name", c.name}, {"type", c.type}, {"kind", c.kind}});
  out["columns"] = std::move(columns);
  out["write_rate"] = opt(write_rate);
  out["writes_total"] = opt(writes);
  out["estimated_rows"] = opt(prev.estimated_rows);
  ExactCount count;
  {
    std::lock_guard lock(mutex_);
    if (cassandra_) count = cassandra_->exact_count();
  }
  out["exact_count"] = {{"state", std::string(to_string(count.state))},
                        {"rows", opt(count.rows)},
                        {"rows_so_far", count.rows_so_far},
                        {"ranges_done", count.ranges_done},
                        {"ranges_total", count.ranges_total},
                        {"started_ms", opt(count.started_ms)},
                        {"elapsed_ms", opt(count.elapsed_ms)},
                        {"error", count.error.empty() ? json(nullptr) : json(count.error)}};
  series["cassandra:write_rate"] = write_rate;
  engines.push_back(std::move(engine));
  return out;
}

void Collector::tick() {
  Previous& prev = *previous_;
  const int64_t now = wall_ms();
  const double dt = prev.t_ms == 0 ? 0 : (now - prev.t_ms) / 1000.0;
  std::map<std::string, std::optional<double>> series;
  std::vector<AlertInputs::Engine> engines;

  // --- Kafka: brokers, the topic, the dead-letter topic, the group.
  AlertInputs::Engine kafka{"kafka", false, ""};
  auto brokers = inspector_.brokers();
  if (brokers.ok() && !brokers->empty()) {
    kafka.up = true;
    std::vector<std::string> names;
    for (const auto& b : *brokers) names.push_back(fmt::format("{}:{}", b.host, b.port));
    kafka.detail = fmt::format("{} broker{}: {}", brokers->size(), brokers->size() == 1 ? "" : "s", fmt::join(names, ", "));
  } else {
    kafka.detail = brokers.ok() ? "no broker answered" : brokers.error().message;
  }
  engines.push_back(kafka);

  json topics = json::array();
  std::optional<kafka::TopicOffsets> main_topic;
  std::optional<int64_t> topic_end, dlq_records;
  if (kafka.up) {
    for (const std::string& name : {config_.topic, config_.dlq_topic}) {
      auto t = inspector_.topic(name);
      if (!t.ok()) {
        if (t.error().code != ErrorCode::kNotFound) kafka.detail += "; " + t.error().message;
        continue;
      }
      json partitions = json::array();
      int64_t end = 0, records = 0;
      std::optional<int64_t> bytes;
      for (const auto& p : t->partitions) {
        const auto size = partition_bytes(name, p.partition);
        if (size) bytes = bytes.value_or(0) + *size;
        partitions.push_back({{"partition", p.partition},
                              {"leader", p.leader},
                              {"start_offset", p.start_offset},
                              {"end_offset", p.end_offset},
                              {"size_bytes", opt(size)}});
        end += p.end_offset;
        records += p.end_offset - p.start_offset;
      }
      std::optional<double> per_s;
      if (name == config_.topic) {
        per_s = rate(end, prev.topic_end, dt);
        topic_end = end;
        main_topic = std::move(*t);
        series["stage:topic:rate"] = per_s;
      } else {
        dlq_records = records;
      }
      series["topic:" + name + ":messages_per_s"] = per_s;
      topics.push_back({{"name", name},
                        {"messages_per_s", opt(per_s)},
                        {"records", records},
                        {"size_bytes", opt(bytes)},
                        {"partitions", std::move(partitions)}});
    }
  }

  json groups = json::array();
  std::optional<int64_t> group_lag;
  std::optional<double> group_lag_seconds, group_rate;
  std::vector<InstanceTarget> targets;
  if (kafka.up) {
    auto group = inspector_.group(config_.group);
    if (group.ok()) {
      json members = json::array();
      for (const auto& m : group->members) {
        const auto address = metrics::announced_metrics(m.client_id, m.host);
        if (address) targets.push_back({*address, "group"});
        json assignment = json::array();
        for (const auto& tp : m.assignment) assignment.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
        members.push_back({{"client_id", m.client_id},
                           {"host", m.host},
                           {"metrics_address", opt(address)},
                           {"assignment", std::move(assignment)}});
      }
      json partitions = json::array();
      if (main_topic) {
        // The age of the oldest record not yet consumed: the timestamp of the record at the
        // committed offset, read for the partitions that lag.
        std::vector<kafka::OffsetRange> lagging;
        std::map<int32_t, int64_t> position;
        int64_t lag_total = 0, committed_total = 0;
        for (const auto& p : main_topic->partitions) {
          const auto c = group->committed.find(TopicPartition{config_.topic, p.partition});
          // No commit yet: the group starts at the log's start (auto.offset.reset=earliest).
          const int64_t at = c != group->committed.end() ? std::max(c->second, p.start_offset) : p.start_offset;
          position[p.partition] = at;
          lag_total += std::max<int64_t>(0, p.end_offset - at);
          committed_total += at;
          if (p.end_offset > at) lagging.push_back({p.partition, at, at + 1});
        }
        std::map<int32_t, double> age;
        if (!lagging.empty()) {
          auto oldest = inspector_.read(config_.topic, lagging, std::chrono::seconds(2));
          if (oldest.ok()) {
            for (const auto& r : *oldest) {
              if (r.timestamp_ms > 0) age[r.partition] = std::max(0.0, (now - r.timestamp_ms) / 1000.0);
            }
          }
        }
        for (const auto& p : main_topic->partitions) {
          const int64_t at = position[p.partition];
          const int64_t lag = std::max<int64_t>(0, p.end_offset - at);
          std::optional<double> seconds;
          if (lag == 0) {
            seconds = 0.0;
          } else if (age.count(p.partition) != 0) {
            seconds = age[p.partition];
          }
          if (seconds) group_lag_seconds = std::max(group_lag_seconds.value_or(0), *seconds);
          const auto c = group->committed.find(TopicPartition{config_.topic, p.partition});
          partitions.push_back({{"topic", config_.topic},
                                {"partition", p.partition},
                                {"committed", c != group->committed.end() ? json(c->second) : json(nullptr)},
                                {"end_offset", p.end_offset},
                                {"lag_records", lag},
                                {"lag_seconds", opt(seconds)}});
          series[fmt::format("group:{}:partition:{}/{}:lag_records", config_.group, config_.topic, p.partition)] =
              static_cast<double>(lag);
        }
        group_lag = lag_total;
        // Offsets are committed every few seconds (process.commit_interval_ms): a rate between two
        // ticks would jump between 0 and bursts, so the group's rate is over the last 10 s.
        auto& window = prev.committed_window;
        window.emplace_back(now, committed_total);
        while (window.size() > 1 && now - window.front().first > 10'000) window.pop_front();
        if (window.size() > 1) {
          group_rate = rate(committed_total, window.front().second, (now - window.front().first) / 1000.0);
        }
      }
      groups.push_back({{"id", group->id},
                        {"state", group->state},
                        {"lag_records", opt(group_lag)},
                        {"lag_seconds", opt(group_lag_seconds)},
                        {"members", std::move(members)},
                        {"partitions", std::move(partitions)}});
      series["group:" + config_.group + ":lag_records"] = group_lag ? std::optional<double>(*group_lag) : std::nullopt;
      series["group:" + config_.group + ":lag_seconds"] = group_lag_seconds;
      series["stage:group:rate"] = group_rate;
    } else {
      kafka.detail += "; " + group.error().message;
    }
  }
  engines.front() = kafka;

  // --- The instances.
  for (const auto& address : config_.instances) targets.push_back({address, "config"});
  const auto readings = instances_.scrape(targets, now);
  json instances = json::array();
  for (const auto& r : readings) {
    instances.push_back({{"address", r.address},
                         {"source", r.source},
                         {"up", r.up},
                         {"error", r.error.empty() ? json(nullptr) : json(r.error)},
                         {"ready", r.ready},
                         {"stages", r.stages},
                         {"fetched_per_s", opt(r.fetched_per_s)},
                         {"received_per_s", opt(r.received_per_s)},
                         {"written_per_s", opt(r.written_per_s)},
                         {"dead_letters_per_s", opt(r.dead_letters_per_s)},
                         {"latency_p50_ms", opt(r.latency_p50_ms)},
                         {"latency_p99_ms", opt(r.latency_p99_ms)}});
    series["instance:" + r.address + ":written_per_s"] = r.written_per_s;
    series["instance:" + r.address + ":latency_p50_ms"] = r.latency_p50_ms;
    series["instance:" + r.address + ":latency_p99_ms"] = r.latency_p99_ms;
  }
  const auto api_rate = sum_rates(readings, &InstanceReading::fetched_per_s);
  series["stage:api:rate"] = api_rate;

  // --- Cassandra.
  json cassandra = cassandra_part(now, dt, engines, series);
  // The table's rate is Cassandra's own count when it has one; else what the instances wrote.
  std::optional<double> table_rate = cassandra["write_rate"].is_null()
                                         ? sum_rates(readings, &InstanceReading::written_per_s)
                                         : std::optional<double>(cassandra["write_rate"].get<double>());
  series["stage:table:rate"] = table_rate;

  // --- The dead letters: growth over the last minute.
  std::optional<double> dlq_per_min;
  if (dlq_records) {
    prev.dlq.emplace_back(now, *dlq_records);
    while (prev.dlq.size() > 1 && now - prev.dlq.front().first > 60'000) prev.dlq.pop_front();
    const double minutes = (now - prev.dlq.front().first) / 60'000.0;
    if (minutes > 0) dlq_per_min = (*dlq_records - prev.dlq.front().second) / minutes;
  }
  series["dlq:records"] = dlq_records ? std::optional<double>(*dlq_records) : std::nullopt;

  // --- Alerts.
  AlertInputs inputs;
  inputs.now_ms = now;
  inputs.group = config_.group;
  inputs.group_lag = group_lag;
  inputs.dlq_topic = config_.dlq_topic;
  inputs.dlq_records = dlq_records;
  inputs.engines = engines;
  alerts_.evaluate(inputs);
  std::set<std::string> active;
  json alerts = json::array();
  for (const auto& a : alerts_.active()) {
    active.insert(a.name);
    alerts.push_back({{"name", a.name},
                      {"severity", a.severity},
                      {"active", true},
                      {"since_ms", a.since_ms},
                      {"message", a.message}});
  }
  for (const auto& name : Alerts::names({"kafka", "cassandra"})) {
    metrics_.console_alert_active(name).Set(active.count(name) != 0 ? 1 : 0);
  }

  json engines_json = json::array();
  for (const auto& e : engines) engines_json.push_back({{"name", e.name}, {"up", e.up}, {"detail", e.detail}});

  json state = {
      {"now_ms", now},
      {"refresh_ms", config_.refresh.count()},
      {"pipeline",
       {{"api", {{"name", "randomuser API"}, {"rate", opt(api_rate)}}},
        {"topic", {{"name", config_.topic}, {"rate", opt(series["stage:topic:rate"])}}},
        {"group",
         {{"name", config_.group},
          {"rate", opt(group_rate)},
          {"lag_records", opt(group_lag)},
          {"lag_seconds", opt(group_lag_seconds)}}},
        {"table", {{"name", config_.keyspace + "." + config_.table}, {"rate", opt(table_rate)}}}}},
      {"engines", std::move(engines_json)},
      {"alerts", std::move(alerts)},
      {"topics", std::move(topics)},
      {"groups", std::move(groups)},
      {"instances", std::move(instances)},
      {"cassandra", std::move(cassandra)},
      {"dlq", {{"topic", config_.dlq_topic}, {"records", opt(dlq_records)}, {"growth_per_min", opt(dlq_per_min)}}},
  };

  prev.t_ms = now;
  prev.topic_end = topic_end;
  std::lock_guard lock(mutex_);
  state_ = std::move(state);
  history_.append(now, series);
}

}  // namespace rds::console
