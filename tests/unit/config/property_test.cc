// The settings machinery on a small table of its own: each type from each source, the
// precedence, checks, unknown keys with their hint, secrets.
#include "config/property.h"

#include <gtest/gtest.h>

#include <map>

#include "config/load.h"
#include "support/result_matchers.h"

namespace rds::config {
namespace {

struct Table {
  Registry reg;
  String name{reg, {.path = "a.name", .description = "d", .commands = kIngest, .flag = "--name", .env = "T_NAME"},
              "x", non_empty()};
  Int port{reg, {.path = "a.port", .description = "d", .commands = kIngest, .flag = "--port", .env = "T_PORT"}, 9,
           range(1, 100)};
  Double rate{reg, {.path = "a.rate", .description = "d", .commands = kIngest, .flag = "--rate", .env = "T_RATE"},
              0.5, real_range(0.0, 1.0)};
  Bool on{reg, {.path = "a.b.on", .description = "d", .commands = kIngest, .flag = "--on", .env = "T_ON"}, false};
  StringList hosts{reg, {.path = "a.hosts", .description = "d", .commands = kIngest, .flag = "--hosts",
                         .env = "T_HOSTS"},
                   {"h"}};
  StringMap props{reg, {.path = "b.props", .description = "d", .commands = kIngest, .flag = "--props",
                        .env = "T_PROPS"},
                  {}};
  String secret{reg, {.path = "b.secret", .description = "d", .commands = kIngest, .env = "T_SECRET", .secret = true,
                      .in_file = false},
                "hunter2"};
  SectionProperty list{reg, {.path = "b.list", .description = "d", .commands = kIngest}, {}};
};

Environment env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const Status& s) { return s.ok() ? "(ok)" : s.error().message; }

TEST(PropertyTest, EveryTypeFromTheFile) {
  Table t;
  ASSERT_EQ(error_of(apply_yaml_text(t.reg, R"(
a:
  name: y
  port: 42
  rate: 0.25
  b: {on: True}
  hosts: [p, q]
b:
  props: {security.protocol: SSL}
  list: [{k: v}]
)", Source::kFile, "f.yaml")), "(ok)");
  EXPECT_EQ(t.name(), "y");
  EXPECT_EQ(t.port(), 42);
  EXPECT_EQ(t.rate(), 0.25);
  EXPECT_TRUE(t.on());
  EXPECT_EQ(t.hosts(), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(t.props(), (std::map<std::string, std::string>{{"security.protocol", "SSL"}}));
  EXPECT_EQ(t.list().node[0]["k"].as<std::string>(), "v");
  for (const PropertyBase* p : t.reg.all()) {
    EXPECT_EQ(p->source(), p == &t.secret ? Source::kDefault : Source::kFile) << p->path();
  }
}

TEST(PropertyTest, EveryTypeFromTheEnvironmentAndFromFlags) {
  Table t;
  ASSERT_EQ(error_of(apply_environment(t.reg, env_of({{"T_NAME", "e"}, {"T_PORT", "7"}, {"T_RATE", "1"},
                                                      {"T_ON", "yes"}, {"T_HOSTS", "a, b"},
                                                      {"T_PROPS", "x=1,y=2"}, {"T_SECRET", "s3"}}))),
            "(ok)");
  EXPECT_EQ(t.name(), "e");
  EXPECT_EQ(t.port(), 7);
  EXPECT_EQ(t.rate(), 1.0);
  EXPECT_TRUE(t.on());
  EXPECT_EQ(t.hosts(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.props(), (std::map<std::string, std::string>{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(t.secret(), "s3");
  EXPECT_EQ(t.port.source(), Source::kEnvironment);

  ASSERT_EQ(error_of(apply_flags(t.reg, {{"a.name", {"f"}}, {"a.port", {"8", "9"}}, {"a.hosts", {"c", "d,e"}},
                                          {"a.b.on", {"false"}}})),
            "(ok)");
  EXPECT_EQ(t.name(), "f");
  EXPECT_EQ(t.port(), 9);  // a repeated scalar flag: the last one
  EXPECT_EQ(t.hosts(), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_FALSE(t.on());
  EXPECT_EQ(t.port.source(), Source::kFlag);
}

TEST(PropertyTest, PrecedenceIsFlagThenEnvironmentThenFileThenDefaultInAnyOrder) {
  Table t;
  // Applied highest first: the lower sources still change nothing they do not own.
  ASSERT_OK(apply_flags(t.reg, {{"a.port", {"3"}}}));
  ASSERT_OK(apply_environment(t.reg, env_of({{"T_PORT", "4"}, {"T_NAME", "env"}})));
  ASSERT_OK(apply_yaml_text(t.reg, "a: {port: 5, name: file, rate: 0.75}", Source::kFile, ""));
  EXPECT_EQ(t.port(), 3);
  EXPECT_EQ(t.port.source(), Source::kFlag);
  EXPECT_EQ(t.name(), "env");
  EXPECT_EQ(t.name.source(), Source::kEnvironment);
  EXPECT_EQ(t.rate(), 0.75);
  EXPECT_EQ(t.rate.source(), Source::kFile);
  EXPECT_EQ(t.hosts.source(), Source::kDefault);
  // A value from a lower source is still checked.
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: {port: 500}", Source::kFile, "f.yaml")),
            "f.yaml: a.port: 500 is out of range: must be between 1 and 100");
  EXPECT_EQ(t.port(), 3);
}

TEST(PropertyTest, BadValuesNameWhereTheyCameFrom) {
  Table t;
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: {port: 0, rate: x, name: '', b: {on: maybe}, hosts: {k: v}}",
                                     Source::kFile, "c.yaml")),
            "c.yaml: a.port: 0 is out of range: must be between 1 and 100; a.rate: expected a number; "
            "a.name: must not be empty; a.b.on: expected true or false; "
            "a.hosts: expected a list of strings, got a map");
  EXPECT_EQ(error_of(apply_environment(t.reg, env_of({{"T_PORT", "92x"}}))),
            "T_PORT='92x': a.port: '92x' is not an integer");
  EXPECT_EQ(error_of(apply_flags(t.reg, {{"a.rate", {"2"}}})),
            "--rate 2: a.rate: 2 is out of range: must be between 0 and 1");
  EXPECT_EQ(t.port(), 9);  // nothing bad was taken
}

TEST(PropertyTest, UnknownKeysNameTheirPathAndTheClosestKnownOne) {
  Table t;
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: {prot: 1}", Source::kFile, "")), "a.prot: unknown key; did you mean port?");
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: {b: {of: true}}", Source::kFile, "")),
            "a.b.of: unknown key; did you mean on?");
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "zzz: 1", Source::kFile, "")), "zzz: unknown key (expected a or b)");
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: 3", Source::kFile, "")), "a: expected a map, got a string");
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "a: [unclosed", Source::kFile, "f.yaml")).rfind("f.yaml: YAML syntax error at line 1", 0), 0u);
  EXPECT_EQ(closest("contact_point", {"contact_points", "port"}), "contact_points");
  EXPECT_EQ(closest("bootstrap", {"bootstrap_servers", "topic"}), "bootstrap_servers");
  EXPECT_EQ(closest("foo", {"log", "kafka"}), "");
}

TEST(PropertyTest, SecretsAreRedactedAndNotReadFromFiles) {
  Table t;
  EXPECT_EQ(error_of(apply_yaml_text(t.reg, "b: {secret: x}", Source::kFile, "")),
            "b.secret: is not read from a config file; set T_SECRET");
  ASSERT_OK(apply_environment(t.reg, env_of({{"T_SECRET", "s3cr3t"}})));
  const std::string shown = render_effective(t.reg, 0);
  EXPECT_EQ(shown.find("s3cr3t"), std::string::npos) << shown;
  EXPECT_NE(shown.find("b.secret = <redacted>   (environment T_SECRET)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("a.port   = 9   (default)"), std::string::npos) << shown;
  EXPECT_EQ(render_example(t.reg).find("secret"), std::string::npos);
  // The rdstream-written state file may hold what a config file may not.
  EXPECT_OK(apply_yaml_text(t.reg, "b: {secret: from-state}", Source::kStateFile, ""));
}

TEST(PropertyTest, TheExampleLoadsToTheDefaults) {
  Table t;
  const std::string example = render_example(t.reg);
  ASSERT_EQ(error_of(apply_yaml_text(t.reg, example, Source::kFile, "example")), "(ok)") << example;
  EXPECT_EQ(t.port(), 9);
  EXPECT_EQ(t.port.source(), Source::kFile);
  EXPECT_EQ(t.list.source(), Source::kDefault);  // sections are commented examples
}

}  // namespace
}  // namespace rds::config
