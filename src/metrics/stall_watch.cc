#include "metrics/stall_watch.h"

#include <algorithm>

#include "core/log.h"

namespace rds::metrics {

StallWatch::StallWatch(Metrics& metrics, std::string engine, std::string what, std::chrono::milliseconds threshold)
    : engine_(std::move(engine)),
      what_(std::move(what)),
      threshold_(threshold),
      stalls_(metrics.stalls(engine_)),
      stalled_gauge_(metrics.engine_stalled(engine_)) {
  stalled_gauge_.Set(0);
}

void StallWatch::observe(uint64_t waiting, uint64_t acknowledged, Clock::time_point now) {
  const bool progressed = !started_ || acknowledged != last_acknowledged_;
  started_ = true;
  last_acknowledged_ = acknowledged;
  if (progressed || waiting == 0) {
    if (stalled_) {
      const double seconds = std::chrono::duration<double>(now - last_progress_).count();
      log::info("stall", "{}: acknowledging again after {:.1f} s stalled ({} {} had waited at most); "
                "nothing was dropped", engine_, seconds, most_waiting_, what_);
      stalled_ = false;
      stalled_gauge_.Set(0);
    }
    last_progress_ = now;
    most_waiting_ = 0;
    return;
  }
  most_waiting_ = std::max(most_waiting_, waiting);
  if (!stalled_ && now - last_progress_ >= threshold_) {
    stalled_ = true;
    stalls_.Increment();
    stalled_gauge_.Set(1);
    const double seconds = std::chrono::duration<double>(now - last_progress_).count();
    log::warn("stall", "{}: {} {} waiting and none acknowledged for {:.1f} s (is {} up? a long GC pause?); "
              "rdstream keeps them and retries", engine_, waiting, what_, seconds, engine_);
  }
}

}  // namespace rds::metrics
