// Kafka: every bootstrap address, the cluster's metadata, what each broker advertises, the topic.
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <cstdlib>
#include <set>

#include "doctor/doctor.h"
#include "kafka/metadata.h"
#include "stack/ports.h"

namespace rds::doctor {
namespace {

struct Address {
  std::string host;
  uint16_t port = 0;
  std::string text() const { return fmt::format("{}:{}", host, port); }
};

std::vector<Address> parse_list(const std::string& list, uint16_t default_port) {
  std::vector<Address> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (auto scheme = item.find("://"); scheme != std::string::npos) item = item.substr(scheme + 3);
    if (!item.empty()) {
      const auto colon = item.rfind(':');
      Address a;
      a.host = colon == std::string::npos ? item : item.substr(0, colon);
      a.port = colon == std::string::npos ? default_port : static_cast<uint16_t>(std::atoi(item.c_str() + colon + 1));
      out.push_back(a);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

void check_kafka(const DoctorConfig& config, Report& report) {
  const auto bootstrap = parse_list(config.bootstrap_servers, 9092);
  if (bootstrap.empty()) {
    report.problem("kafka", "kafka.bootstrap_servers is empty", "set it to host:port of at least one broker");
    return;
  }
  std::set<std::string> reachable;
  std::set<std::string> down;  // reported here already, with its fix
  for (const auto& a : bootstrap) {
    if (stack::port_accepting(a.host, a.port, static_cast<int>(config.timeout.count()))) {
      reachable.insert(a.text());
      continue;
    }
    down.insert(a.text());
    const std::string hint = stack_start_hint(a.host, "kafka");
    report.problem("kafka " + a.text(), "this bootstrap server does not accept connections (down, or a wrong address)",
                   hint.empty() ? "start that broker, or remove it from kafka.bootstrap_servers"
                                : fmt::format("start it ({}), or remove it from kafka.bootstrap_servers", hint));
  }
  if (reachable.empty()) return;  // nothing more to ask

  auto metadata = kafka::fetch_metadata(config.bootstrap_servers, kafka::MetadataTopics::kAll, config.timeout,
                                        config.kafka_properties);
  if (!metadata.ok()) {
    report.problem("kafka", fmt::format("the brokers accept connections but give no metadata: {}", metadata.error().message),
                   "check kafka.properties (security.protocol, sasl.*, ssl.*) against the listener's settings");
    return;
  }
  // A broker is reached through what it advertises, not through the bootstrap address: a listener
  // advertised as a name or address this host cannot reach fails every client after bootstrap.
  std::string brokers;
  size_t answering = 0;
  for (const auto& b : metadata->brokers) {
    const Address advertised{b.host, static_cast<uint16_t>(b.port)};
    brokers += fmt::format("{}{} at {}", brokers.empty() ? "" : ", ", b.id, advertised.text());
    if (reachable.count(advertised.text()) != 0) {
      ++answering;
      continue;
    }
    // A broker killed a moment ago stays in the metadata until the controller fences it (about 9 s):
    // one that is a bootstrap server is already reported as down, with the command that starts it.
    if (down.count(advertised.text()) != 0) continue;
    if (stack::port_accepting(advertised.host, advertised.port, static_cast<int>(config.timeout.count()))) {
      ++answering;
      continue;
    }
    const std::string hint = stack_start_hint(advertised.host, "kafka");
    report.problem(fmt::format("kafka broker {}", b.id),
                   fmt::format("it advertises {}, which does not answer from this host, although the bootstrap "
                               "address{} {} did: clients fail right after bootstrapping",
                               advertised.text(), reachable.size() == 1 ? "" : "es", fmt::join(reachable, ", ")),
                   hint.empty() ? "set that broker's advertised.listeners to an address clients reach (e.g. "
                                  "PLAINTEXT://<its reachable host>:<port>), or start it if it is down"
                                : fmt::format("start it if it is down ({}); otherwise set its advertised.listeners to an "
                                              "address clients reach",
                                              hint));
  }
  if (answering == metadata->brokers.size()) {
    report.ok("kafka", fmt::format("{} broker{} answer{}: {}", answering, answering == 1 ? "" : "s",
                                   answering == 1 ? "s" : "", brokers));
  } else {
    report.ok("kafka", fmt::format("{} of the {} brokers in the metadata answer: {}", answering,
                                   metadata->brokers.size(), brokers));
  }

  const kafka::TopicMetadata* topic = nullptr;
  for (const auto& t : metadata->topics) {
    if (t.name == config.topic) topic = &t;
  }
  if (topic == nullptr) {
    report.warning("kafka topic " + config.topic, "does not exist yet",
                   "`rdstream ingest` or `process` creates it (kafka.partitions, kafka.replication_factor); or "
                   "create it yourself, or fix kafka.topic");
    return;
  }
  if (!topic->status.ok()) {
    report.problem("kafka topic " + config.topic, topic->status.error().message,
                   "see the brokers' logs; a partition without a leader needs its broker back");
    return;
  }
  if (auto v = partitions_verdict(config.topic, topic->partitions, config.instances)) {
    report.warning(v->subject, v->text, v->fix);
  } else {
    report.ok("kafka topic " + config.topic, fmt::format("{} partitions", topic->partitions));
  }
}

}  // namespace rds::doctor
