#include "console/alerts.h"

#include <fmt/format.h>

#include <algorithm>

namespace rds::console {

void Alerts::set(const std::string& name, bool on, int64_t since_ms, std::string severity, std::string message) {
  const auto it = std::find_if(active_.begin(), active_.end(), [&](const Alert& a) { return a.name == name; });
  if (!on) {
    if (it != active_.end()) active_.erase(it);
    return;
  }
  if (it != active_.end()) {
    it->message = std::move(message);  // keeps its since_ms
    return;
  }
  active_.push_back(Alert{name, std::move(severity), since_ms, std::move(message)});
  std::sort(active_.begin(), active_.end(), [](const Alert& a, const Alert& b) { return a.name < b.name; });
}

void Alerts::evaluate(const AlertInputs& in) {
  for (const auto& engine : in.engines) {
    set(engine.name + "_down", !engine.up, in.now_ms, "critical",
        fmt::format("{} is unreachable: {}", engine.name, engine.detail));
  }

  if (in.group_lag) {
    if (*in.group_lag > rules_.lag_records) {
      if (!lag_above_since_) lag_above_since_ = in.now_ms;
    } else {
      lag_above_since_.reset();
    }
    const bool on = lag_above_since_ && in.now_ms - *lag_above_since_ >= rules_.lag_for.count() * 1000;
    set("lag_high", on, lag_above_since_.value_or(in.now_ms), "warning",
        fmt::format("group {} lags {} records (threshold {}) for {} s", in.group, *in.group_lag,
                    rules_.lag_records, lag_above_since_ ? (in.now_ms - *lag_above_since_) / 1000 : 0));
  }

  if (in.dlq_records) {
    // The first reading is the baseline: dead letters from before the console started are old news.
    if (dlq_last_ && *in.dlq_records > *dlq_last_) dlq_grew_at_ = in.now_ms;
    const int64_t grown = dlq_last_ ? *in.dlq_records - *dlq_last_ : 0;
    if (!dlq_last_ || grown != 0) dlq_last_ = in.dlq_records;
    const bool on = dlq_grew_at_ && in.now_ms - *dlq_grew_at_ < rules_.dlq_window.count() * 1000;
    set("dlq_growing", on, dlq_grew_at_.value_or(in.now_ms), "warning",
        fmt::format("{} received dead letters within the last {} s ({} in all): see the dead-letter view",
                    in.dlq_topic, rules_.dlq_window.count(), *in.dlq_records));
  }
}

std::vector<std::string> Alerts::names(const std::vector<std::string>& engines) {
  std::vector<std::string> out = {"dlq_growing", "lag_high"};
  for (const auto& e : engines) out.push_back(e + "_down");
  return out;
}

}  // namespace rds::console
