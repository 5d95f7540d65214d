#pragma once
// A client of a schema registry's Confluent-compatible REST API: Apicurio's /apis/ccompat/v7 (the
// stack's) or a Confluent Schema Registry (its root), given as registry.url. What rdstream needs:
// registering a record schema under its subject (TopicNameStrategy: "<topic>-value"), fetching a
// writer's schema by id, listing subjects and versions, and asking whether a schema is compatible.
//
// Errors: an unreachable or failing registry is kUnavailable (retriable); a schema the registry
// refuses as incompatible or invalid is kInvalidArgument with the registry's own reason; an
// unknown subject, version or id is kNotFound.
//
// Threads: one client per thread (cpp-httplib's client is not shared).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace httplib {
class Client;
}

namespace rds::registry {

struct RegistryConfig {
  // The API's base: the stack's Apicurio (its Confluent-compatible API), or a Confluent registry.
  std::string url = "http://127.0.0.1:8081/apis/ccompat/v7";
  std::chrono::milliseconds timeout{10'000};
};

struct SchemaVersion {
  std::string subject;
  int version = 0;
  int32_t id = 0;
  std::string schema;  // the schema's JSON text
};

struct Compatibility {
  bool compatible = false;
  std::vector<std::string> messages;  // why not, as the registry says it (may be empty)
};

// "<topic>-value": Confluent's TopicNameStrategy for a record's value.
std::string value_subject(const std::string& topic);

class RegistryClient {
 public:
  // kInvalidArgument for a url that is not http(s)://host[:port][/path].
  static Result<std::unique_ptr<RegistryClient>> create(const RegistryConfig& config);
  ~RegistryClient();

  // Registers `schema` (Avro JSON) under `subject` and returns its id; registering a schema the
  // subject already has returns the existing id.
  Result<int32_t> register_schema(const std::string& subject, const std::string& schema);
  Result<std::string> schema_by_id(int32_t id);
  Result<std::vector<std::string>> subjects();
  Result<std::vector<int>> versions(const std::string& subject);
  // `version` is a number or "latest".
  Result<SchemaVersion> version(const std::string& subject, const std::string& version);
  // Against the subject's latest version, by the subject's (or the global) compatibility level.
  Result<Compatibility> check(const std::string& subject, const std::string& schema);

  const std::string& url() const { return config_.url; }

 private:
  RegistryClient() = default;
  struct Answer {
    int status = 0;
    std::string body;
  };
  Result<Answer> get(const std::string& path);
  Result<Answer> post(const std::string& path, const std::string& body);

  RegistryConfig config_;
  std::string base_path_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace rds::registry
