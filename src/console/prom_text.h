#pragma once
// Reading the Prometheus text exposition format (version 0.0.4), as an rdstream instance's
// /metrics serves it, so the console can chart what each instance counts. Pure: text in, samples
// out. Comments (# HELP, # TYPE) are skipped; timestamps after a value are accepted and ignored.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace rds::console {

struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;

  // The value of label `name`, or nullptr.
  const std::string* label(std::string_view name) const;
};

// kProtocol naming the line (1-based) and what is wrong with it.
Result<std::vector<Sample>> parse_prometheus_text(std::string_view text);

// A filter on labels: every pair must match.
using LabelMatch = std::vector<std::pair<std::string, std::string>>;

// The sum of every series of `name` whose labels include `match`; nullopt when there is none
// (unknown, not zero).
std::optional<double> sum_of(const std::vector<Sample>& samples, std::string_view name, const LabelMatch& match = {});

// A histogram's cumulative buckets: (upper bound, count), ascending, +Inf last.
using Buckets = std::vector<std::pair<double, double>>;
// The `<name>_bucket` series summed over series matching `match`; empty when there is none.
Buckets buckets_of(const std::vector<Sample>& samples, std::string_view name, const LabelMatch& match = {});
// `later - earlier`, bucket by bucket (what was observed in between); `earlier` may be empty.
Buckets bucket_delta(const Buckets& later, const Buckets& earlier);
// The q-quantile (0..1) by linear interpolation inside the bucket, as PromQL's
// histogram_quantile does; nullopt with no observations. Beyond the last finite bound it answers
// that bound.
std::optional<double> quantile(const Buckets& buckets, double q);

}  // namespace rds::console
