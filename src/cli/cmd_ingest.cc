// `rdstream ingest`: users from a randomuser-compatible API (or the generator) into Kafka.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <random>

#include "cli/commands.h"
#include "core/log.h"
#include "core/signals.h"
#include "ingest/api_source.h"
#include "ingest/ingest_job.h"
#include "mapping/mapping_config.h"

namespace rds::cli {
namespace {

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
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "users_created";
  int partitions = 3;
  std::string compression = kafka::kDefaultCompression;
  int max_attempts = 12;
};

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

void register_ingest(CLI::App& app, Globals& globals) {
  auto f = std::make_shared<IngestFlags>();
  CLI::App* cmd = app.add_subcommand("ingest", "Fetch users from a randomuser-compatible API into Kafka");
  cmd->add_option("--config", f->config_file, "config.yaml (the seed's format or rdstream's): API url and mapping")
      ->check(CLI::ExistingFile);
  cmd->add_option("--url", f->url, "API url (default: the config's, else https://randomuser.me/api/)");
  cmd->add_option("--source", f->source, "api | generator (in-process, no network)")
      ->check(CLI::IsMember({"api", "generator"}))
      ->capture_default_str();
  cmd->add_option("--results", f->results, "users per request (1-5000)")->check(CLI::Range(1, 5000))->capture_default_str();
  cmd->add_option("--seed", f->seed, "API seed: the same seed and pages give the same users (default: random, logged)");
  cmd->add_option("--page", f->page, "first page")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--nat", f->nat, "nationalities, e.g. GB,US")->delimiter(',');
  cmd->add_option("--inc", f->inc, "fields to include (passed to the API)")->delimiter(',');
  cmd->add_option("--exc", f->exc, "fields to exclude (passed to the API)")->delimiter(',');
  cmd->add_option("--duration", f->duration_s, "seconds to run; 0 = until --count or Ctrl-C")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--count", f->count, "stop after this many records (then no duration limit unless given)");
  add_kafka_flags(cmd, f->bootstrap, f->topic);
  cmd->add_option("--partitions", f->partitions, "partitions when the topic is created")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--compression", f->compression, "none | gzip | snappy | lz4 | zstd")->capture_default_str();
  cmd->add_option("--max-attempts", f->max_attempts, "attempts per API request before giving up")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  cmd->callback([f, cmd, &globals] {
    auto mapping_config = f->config_file.empty() ? Result<mapping::MappingConfig>(mapping::default_mapping())
                                                 : mapping::load_mapping_file(f->config_file);
    if (!mapping_config.ok()) {
      std::cerr << "rdstream ingest: " << mapping_config.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    auto mapper = mapping::Mapper::create(*mapping_config);
    if (!mapper.ok()) {
      std::cerr << "rdstream ingest: " << mapper.error().message << "\n";
      globals.exit_code = kExitUsage;
      return;
    }
    const std::string seed = f->seed.empty() ? random_seed() : f->seed;
    std::unique_ptr<ingest::RecordSource> source;
    if (f->source == "generator") {
      source = std::make_unique<ingest::GeneratorSource>(seed, f->page);
    } else {
      ingest::ApiSourceConfig api;
      api.url = f->url.empty() ? mapping_config->url : f->url;
      api.request.results = f->results;
      api.request.seed = seed;
      api.request.page = f->page;
      api.request.nationalities = f->nat;
      api.request.inc = f->inc;
      api.request.exc = f->exc;
      api.retry.max_attempts = f->max_attempts;
      if (Status valid = api.request.validate(); !valid.ok()) {
        std::cerr << "rdstream ingest: " << valid.error().message << "\n";
        globals.exit_code = kExitUsage;
        return;
      }
      source = std::make_unique<ingest::ApiSource>(std::move(api), std::move(*mapper));
    }
    ingest::IngestOptions options;
    options.producer.bootstrap_servers = f->bootstrap;
    options.producer.topic = f->topic;
    options.producer.compression = f->compression;
    options.topic_partitions = f->partitions;
    options.batch_records = f->results;
    options.count = f->count;
    const bool duration_given = cmd->count("--duration") > 0;
    if (f->duration_s == 0 || (f->count && !duration_given)) {
      options.duration.reset();
    } else {
      options.duration = std::chrono::milliseconds(static_cast<int64_t>(f->duration_s * 1000));
    }
    options.progress_line = ::isatty(STDERR_FILENO) != 0;
    log::info("ingest", "seed {} (pass --seed {} to replay this run)", seed, seed);

    const auto& stop = install_stop_signals();
    auto summary = ingest::run_ingest(*source, options, stop);
    if (!summary.ok()) {
      std::cerr << "rdstream ingest: " << summary.error().message << "\n";
      globals.exit_code = summary.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnavailable;
      return;
    }
    std::cout << "ingest summary: " << summary->to_text() << "\n";
    if (!summary->complete()) {
      if (!summary->source_error.empty()) std::cerr << "rdstream ingest: stopped early: " << summary->source_error << "\n";
      globals.exit_code = (summary->failed > 0 || summary->undelivered > 0) ? kExitDataLoss : kExitUnavailable;
    }
  });
}

}  // namespace rds::cli
