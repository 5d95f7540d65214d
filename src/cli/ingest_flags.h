#pragma once
// The ingest flags, shared by `rdstream ingest` and `rdstream run`, and what they build: a record
// source and the ingest options.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/ingest_job.h"
#include "ingest/record_source.h"

namespace rds::cli {

struct IngestFlags {
  std::string config_file;
  std::string url;
  std::string source = "api";
  int results = 1000;
  std::string seed;
  int page = 1;
  std::vector<std::string> nat, inc, exc;
  double duration_s = 60;
  std::optional<uint64_t> count;
  double rate = 0;  // records per second, 0 = unlimited
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "users_created";
  int partitions = 3;
  std::string compression = kafka::kDefaultCompression;
  int max_attempts = 12;
};

void add_ingest_flags(CLI::App* cmd, IngestFlags& flags);

struct IngestPlan {
  std::unique_ptr<ingest::RecordSource> source;
  ingest::IngestOptions options;
  std::string seed;
};

// Loads the mapping (the seed's config.yaml or rdstream's), builds the source and the options.
// kInvalidArgument errors name the flag or the config path.
Result<IngestPlan> build_ingest_plan(const IngestFlags& flags, const CLI::App& cmd);

}  // namespace rds::cli
