// The registry client and `rdstream schema` against the real registry the shared test stack runs
// (Apicurio 3, BACKWARD compatibility, its Confluent-compatible API). Each test has subjects of
// its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "avro/codec.h"
#include "registry/client.h"
#include "support/result_matchers.h"

namespace rds::registry {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string unique(const std::string& what) {
  return what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000'000);
}

// `rdstream <args>` with stdout and stderr; the exit code in `code`.
std::string run(const std::string& args, int* code) {
  std::string out;
  FILE* p = ::popen((env("RDSTREAM_BIN") + " " + args + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf{};
  while (p != nullptr && std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int status = p != nullptr ? ::pclose(p) : -1;
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    address_ = env("RDSTREAM_TEST_REGISTRY");
    if (address_.empty()) GTEST_SKIP() << "RDSTREAM_TEST_REGISTRY is set by CTest (ctest -L integration)";
    url_ = "http://" + address_ + "/apis/ccompat/v7";
    auto c = RegistryClient::create({url_, std::chrono::seconds(10)});
    ASSERT_OK(c);
    client_ = std::move(*c);
  }
  std::string address_, url_;
  std::unique_ptr<RegistryClient> client_;
};

const std::string kV1 = avro::record_schema_json("u", "rdstream", {{"id", false, true, std::nullopt}});
const std::string kV2 = avro::record_schema_json(
    "u", "rdstream", {{"id", false, true, std::nullopt}, {"nat", true, true, std::optional<std::string>()}});
// A type change: not BACKWARD compatible.
const std::string kV3 = R"({"type":"record","name":"u","namespace":"rdstream","fields":[{"name":"id","type":"int"}]})";

TEST_F(RegistryTest, RegistersFetchesAndEvolvesBackwardCompatibly) {
  const std::string subject = value_subject(unique("it-topic"));
  auto id = client_->register_schema(subject, kV1);
  ASSERT_OK(id);
  auto again = client_->register_schema(subject, kV1);
  ASSERT_OK(again);
  EXPECT_EQ(*again, *id) << "the same schema keeps its id";
  auto fetched = client_->schema_by_id(*id);
  ASSERT_OK(fetched);
  auto parsed = avro::Schema::parse(*fetched);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->fields().size(), 1u);
  EXPECT_EQ(client_->versions(subject).value(), std::vector<int>{1});

  // A field added with a default: compatible, registered as version 2.
  auto v2 = client_->check(subject, kV2);
  ASSERT_OK(v2);
  EXPECT_TRUE(v2->compatible);
  ASSERT_OK(client_->register_schema(subject, kV2));
  auto latest = client_->version(subject, "latest");
  ASSERT_OK(latest);
  EXPECT_EQ(latest->version, 2);

  // A type change: refused, with the registry's reason.
  auto v3 = client_->check(subject, kV3);
  ASSERT_OK(v3);
  EXPECT_FALSE(v3->compatible);
  auto refused = client_->register_schema(subject, kV3);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << refused.error().message;
  EXPECT_NE(refused.error().message.find(subject), std::string::npos) << refused.error().message;
  EXPECT_EQ(client_->versions(subject).value(), (std::vector<int>{1, 2}));
}

TEST_F(RegistryTest, UnknownThingsAreNotFoundAndADeadRegistryIsUnavailable) {
  auto versions = client_->versions(value_subject(unique("never-registered")));
  ASSERT_FALSE(versions.ok());
  EXPECT_EQ(versions.error().code, ErrorCode::kNotFound) << versions.error().message;
  auto id = client_->schema_by_id(987654321);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound) << id.error().message;
  auto dead = RegistryClient::create({"http://127.0.0.1:1/apis/ccompat/v7", std::chrono::seconds(2)});
  ASSERT_OK(dead);
  auto subjects = (*dead)->subjects();
  ASSERT_FALSE(subjects.ok());
  EXPECT_EQ(subjects.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(subjects.error().retriable);
  EXPECT_FALSE(RegistryClient::create({"ftp://x", std::chrono::seconds(1)}).ok());
}

TEST_F(RegistryTest, TheSchemaCommandChecksAConfigurationBeforeItIsDeployed) {
  if (env("RDSTREAM_BIN").empty()) GTEST_SKIP() << "RDSTREAM_BIN (the rdstream binary) is set by CTest";
  const std::string topic = unique("it-cli");
  const std::string flags = " --registry-url " + url_ + " --topic " + topic;
  int code = -1;
  // The derived schema: the seed's record, id first.
  std::string out = run("schema derive", &code);
  ASSERT_EQ(code, 0) << out;
  auto derived = avro::Schema::parse(out);
  ASSERT_OK(derived);
  EXPECT_EQ(derived->fields().front().name, "id");
  // Nothing registered yet: version 1 to be.
  out = run("schema check" + flags, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("no version yet"), std::string::npos) << out;
  ASSERT_OK(client_->register_schema(value_subject(topic), derived->json()));
  out = run("schema check" + flags, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("compatible"), std::string::npos) << out;
  // The subject is listed, and shown.
  out = run("schema subjects --registry-url " + url_, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find(value_subject(topic) + "  versions: 1"), std::string::npos) << out;
  out = run("schema show" + flags, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("version 1"), std::string::npos) << out;
  // A registry that is not there: exit 3 and the hint.
  out = run("schema subjects --registry-url http://127.0.0.1:1/apis/ccompat/v7", &code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("rdstream stack up"), std::string::npos) << out;
}

}  // namespace
}  // namespace rds::registry
