#pragma once
// The console's memory: named series sampled once per tick, over a fixed window (15 minutes by
// default), so a chart can be drawn the moment a browser opens, and the run that just ended still
// shows. Pure and not thread-safe: the collector owns it under its lock.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace rds::console {

class History {
 public:
  // Keeps the last `points` ticks.
  explicit History(std::size_t points);

  // One tick at `t_ms`. A series missing from `values` gets a gap (null) at this tick; a series
  // seen for the first time gets gaps before it; a series with no value left in the window is
  // dropped (a partition that went away does not linger).
  void append(int64_t t_ms, const std::map<std::string, std::optional<double>>& values);

  std::size_t size() const { return times_.size(); }
  // The series' values, oldest first; nullptr if unknown.
  const std::deque<std::optional<double>>* series(const std::string& name) const;
  // {"step_ms": ..., "t": [...], "series": {name: [...]}} (README.md, GET /api/history).
  nlohmann::json to_json(int64_t step_ms) const;

 private:
  std::size_t points_;
  std::deque<int64_t> times_;
  std::map<std::string, std::deque<std::optional<double>>> series_;
};

}  // namespace rds::console
