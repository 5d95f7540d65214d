#include "console/history.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rds::console {

History::History(std::size_t points) : points_(std::max<std::size_t>(points, 1)) {}

void History::append(int64_t t_ms, const std::map<std::string, std::optional<double>>& values) {
  times_.push_back(t_ms);
  for (const auto& [name, value] : values) {
    auto [it, inserted] = series_.try_emplace(name);
    if (inserted) it->second.assign(times_.size() - 1, std::nullopt);
    it->second.push_back(value);
  }
  for (auto& [name, points] : series_) {
    if (points.size() < times_.size()) points.push_back(std::nullopt);
  }
  while (times_.size() > points_) {
    times_.pop_front();
    for (auto& [name, points] : series_) points.pop_front();
  }
  for (auto it = series_.begin(); it != series_.end();) {
    const bool empty = std::none_of(it->second.begin(), it->second.end(), [](const auto& v) { return v.has_value(); });
    it = empty ? series_.erase(it) : std::next(it);
  }
}

const std::deque<std::optional<double>>* History::series(const std::string& name) const {
  const auto it = series_.find(name);
  return it == series_.end() ? nullptr : &it->second;
}

nlohmann::json History::to_json(int64_t step_ms) const {
  nlohmann::json out;
  out["step_ms"] = step_ms;
  out["t"] = nlohmann::json(std::vector<int64_t>(times_.begin(), times_.end()));
  nlohmann::json series = nlohmann::json::object();
  for (const auto& [name, points] : series_) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : points) values.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    series[name] = std::move(values);
  }
  out["series"] = std::move(series);
  return out;
}

}  // namespace rds::console
