#include "console/instances.h"

#include <fmt/format.h>

#include <set>

#include "metrics/metrics.h"

namespace rds::console {
namespace {

http::HttpClientConfig scrape_client() {
  http::HttpClientConfig c;
  // A hung instance must not hold the whole tick: it is reported down and asked again next tick.
  c.connect_timeout = std::chrono::milliseconds(500);
  c.request_timeout = std::chrono::milliseconds(1'500);
  c.max_body_bytes = 8u * 1024u * 1024u;
  c.user_agent = "rdstream-console";
  return c;
}

}  // namespace

Instances::Instances(std::chrono::milliseconds latency_window)
    : latency_window_(latency_window), client_(scrape_client()) {}

InstanceReading Instances::read(const std::vector<Sample>& samples, int64_t now_ms, Previous& previous,
                                std::chrono::milliseconds latency_window) {
  InstanceReading r;
  r.up = true;
  std::set<std::string> stages;
  for (const auto& s : samples) {
    if (s.name.rfind("rdstream_", 0) != 0) continue;
    if (const std::string* stage = s.label("stage")) stages.insert(*stage);
  }
  r.stages.assign(stages.begin(), stages.end());

  const std::string ingest(metrics::kIngest), process(metrics::kProcess);
  const std::map<std::string, std::optional<double>> now = {
      {"fetched", sum_of(samples, "rdstream_received_records_total", {{"stage", ingest}})},
      {"received", sum_of(samples, "rdstream_received_records_total", {{"stage", process}})},
      {"written", sum_of(samples, "rdstream_sent_records_total", {{"stage", process}})},
      {"dead_letters", sum_of(samples, "rdstream_dead_letters_total")},
  };
  const double dt = (now_ms - previous.t_ms) / 1000.0;
  auto rate = [&](const std::string& key) -> std::optional<double> {
    const auto& value = now.at(key);
    const auto before = previous.counters.find(key);
    if (!value || before == previous.counters.end() || previous.t_ms == 0 || dt <= 0) return std::nullopt;
    return std::max(0.0, *value - before->second) / dt;  // a restart resets counters: never negative
  };
  r.fetched_per_s = rate("fetched");
  r.received_per_s = rate("received");
  r.written_per_s = rate("written");
  r.dead_letters_per_s = rate("dead_letters");
  previous.counters.clear();
  for (const auto& [key, value] : now) {
    if (value) previous.counters[key] = *value;
  }
  previous.t_ms = now_ms;

  // Percentiles of what was observed within the window: the newest buckets minus the oldest kept.
  Buckets latency = buckets_of(samples, "rdstream_end_to_end_latency_seconds");
  if (!latency.empty()) {
    previous.latency.emplace_back(now_ms, latency);
    while (previous.latency.size() > 1 && now_ms - previous.latency.front().first > latency_window.count()) {
      previous.latency.pop_front();
    }
    const Buckets window = previous.latency.size() > 1 ? bucket_delta(latency, previous.latency.front().second) : latency;
    if (auto p50 = quantile(window, 0.5)) r.latency_p50_ms = *p50 * 1000;
    if (auto p99 = quantile(window, 0.99)) r.latency_p99_ms = *p99 * 1000;
  }
  return r;
}

std::vector<InstanceReading> Instances::scrape(const std::vector<InstanceTarget>& targets, int64_t now_ms) {
  std::vector<InstanceReading> out;
  std::set<std::string> seen;
  for (const auto& target : targets) {
    if (!seen.insert(target.address).second) continue;
    InstanceReading r;
    auto response = client_.get("http://" + target.address + "/metrics");
    if (!response.ok()) {
      r.error = response.error().message;
    } else if (response->status != 200) {
      r.error = fmt::format("/metrics answered HTTP {}", response->status);
    } else if (auto samples = parse_prometheus_text(response->body); !samples.ok()) {
      r.error = samples.error().message;
    } else {
      r = read(*samples, now_ms, previous_[target.address], latency_window_);
      auto ready = client_.get("http://" + target.address + "/readyz");
      r.ready = ready.ok() && ready->status == 200;
    }
    if (!r.up) previous_.erase(target.address);  // its counters start again when it comes back
    r.address = target.address;
    r.source = target.source;
    out.push_back(std::move(r));
  }
  for (auto it = previous_.begin(); it != previous_.end();) {
    it = seen.count(it->first) != 0 ? std::next(it) : previous_.erase(it);
  }
  return out;
}

}  // namespace rds::console
