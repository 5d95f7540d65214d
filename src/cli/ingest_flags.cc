#include "cli/ingest_flags.h"

#include <unistd.h>

#include <random>

#include "cli/commands.h"
#include "ingest/api_source.h"
#include "mapping/mapping_config.h"

namespace rds::cli {
namespace {

std::string random_seed() {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 12; ++i) out += kChars[rd() % (sizeof kChars - 1)];
  return out;
}

}  // namespace

void add_kafka_flags(CLI::App* cmd, std::string& bootstrap, std::string& topic) {
  cmd->add_option("--bootstrap-servers", bootstrap, "Kafka bootstrap servers")
      ->envname("RDSTREAM_KAFKA")
      ->capture_default_str();
  cmd->add_option("--topic", topic, "Kafka topic (the seed's users_created)")->capture_default_str();
}

void add_ingest_flags(CLI::App* cmd, IngestFlags& f) {
  cmd->add_option("--config", f.config_file, "config.yaml (the seed's format or rdstream's)")->check(CLI::ExistingFile);
  cmd->add_option("--url", f.url, "API url (default: the config's, else https://randomuser.me/api/)");
  cmd->add_option("--source", f.source, "api | generator (in-process, no network)")
      ->check(CLI::IsMember({"api", "generator"}))
      ->capture_default_str();
  cmd->add_option("--results", f.results, "users per request (1-5000)")->check(CLI::Range(1, 5000))->capture_default_str();
  cmd->add_option("--seed", f.seed, "API seed: the same seed and pages give the same users (default: random, logged)");
  cmd->add_option("--page", f.page, "first page")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--nat", f.nat, "nationalities, e.g. GB,US")->delimiter(',');
  cmd->add_option("--inc", f.inc, "fields to include (passed to the API)")->delimiter(',');
  cmd->add_option("--exc", f.exc, "fields to exclude (passed to the API)")->delimiter(',');
  cmd->add_option("--duration", f.duration_s, "seconds to run; 0 = until --count or Ctrl-C")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--count", f.count, "stop after this many records (then no duration limit unless given)");
  // Validated in build_ingest_plan (IngestOptions::validate), so a negative rate gets our message.
  cmd->add_option("--rate", f.rate, "records per second at most, paced smoothly in small steps; 0 = unlimited")
      ->capture_default_str();
  add_kafka_flags(cmd, f.bootstrap, f.topic);
  cmd->add_option("--partitions", f.partitions, "partitions when the topic is created")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--compression", f.compression, "none | gzip | snappy | lz4 | zstd")->capture_default_str();
  cmd->add_option("--max-attempts", f.max_attempts, "attempts per API request before giving up")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
}

Result<IngestPlan> build_ingest_plan(const IngestFlags& f, const CLI::App& cmd) {
  auto mapping_config = f.config_file.empty() ? Result<mapping::MappingConfig>(mapping::default_mapping())
                                              : mapping::load_mapping_file(f.config_file);
  if (!mapping_config.ok()) return mapping_config.take_error();
  auto mapper = mapping::Mapper::create(*mapping_config);
  if (!mapper.ok()) return mapper.take_error();
  IngestPlan plan;
  plan.seed = f.seed.empty() ? random_seed() : f.seed;
  if (f.source == "generator") {
    plan.source = std::make_unique<ingest::GeneratorSource>(plan.seed, f.page);
  } else {
    ingest::ApiSourceConfig api;
    api.url = f.url.empty() ? mapping_config->url : f.url;
    api.request.results = f.results;
    api.request.seed = plan.seed;
    api.request.page = f.page;
    api.request.nationalities = f.nat;
    api.request.inc = f.inc;
    api.request.exc = f.exc;
    api.retry.max_attempts = f.max_attempts;
    RDS_TRY(api.request.validate());
    plan.source = std::make_unique<ingest::ApiSource>(std::move(api), std::move(*mapper));
  }
  auto& options = plan.options;
  options.producer.bootstrap_servers = f.bootstrap;
  options.producer.topic = f.topic;
  options.producer.compression = f.compression;
  RDS_TRY(options.producer.validate());
  options.topic_partitions = f.partitions;
  options.batch_records = f.results;
  options.count = f.count;
  options.rate = f.rate;
  const bool duration_given = cmd.count("--duration") > 0;
  if (f.duration_s == 0 || (f.count && !duration_given)) {
    options.duration.reset();
  } else {
    options.duration = std::chrono::milliseconds(static_cast<int64_t>(f.duration_s * 1000));
  }
  options.progress_line = ::isatty(STDERR_FILENO) != 0;
  RDS_TRY(options.validate());
  return plan;
}

}  // namespace rds::cli
