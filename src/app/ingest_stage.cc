#include "app/ingest_stage.h"

#include "app/component_configs.h"
#include "core/log.h"

namespace rds::app {

Outcome run_ingest_stage(const config::Settings& settings, const std::atomic<bool>& stop) {
  auto plan = ingest_plan(settings);
  if (!plan.ok()) return Outcome::failed(plan.error());
  log::info("ingest", "seed {} (pass --seed {} to replay this run)", plan->seed, plan->seed);
  auto summary = ingest::run_ingest(*plan->source, plan->options, stop);
  if (!summary.ok()) return Outcome::failed(summary.error());
  Outcome outcome;
  outcome.summary = "ingest summary: " + summary->to_text() + "\n";
  if (!summary->complete()) {
    if (!summary->source_error.empty()) outcome.problem = "stopped early: " + summary->source_error + "\n";
    if (summary->failed > 0 || summary->undelivered > 0) {
      outcome.kind = Outcome::Kind::kDataLoss;
    } else {
      outcome.kind = summary->source_error_code == ErrorCode::kInvalidArgument ? Outcome::Kind::kBadSettings
                                                                              : Outcome::Kind::kUnavailable;
    }
  }
  return outcome;
}

}  // namespace rds::app
