#include "stack/java.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "stack/process.h"
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

TEST(JavaTest, ParsesModernAndLegacyVersionLines) {
  EXPECT_EQ(parse_java_major_version("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"), 17);
  EXPECT_EQ(parse_java_major_version("openjdk version \"25\" 2025-09-16"), 25);
  EXPECT_EQ(parse_java_major_version("java version \"1.8.0_372\""), 8);
  EXPECT_EQ(parse_java_major_version("bash: java: command not found"), 0);
  EXPECT_EQ(parse_java_major_version(""), 0);
}

TEST(JavaTest, MissingJavaNamesTheFix) {
  const std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const char* saved_java_home = std::getenv("JAVA_HOME");
  const std::string saved_home = saved_java_home ? saved_java_home : "";
  ::setenv("PATH", "/nonexistent", 1);
  ::unsetenv("JAVA_HOME");
  auto found = find_java("/also/nonexistent", /*search_system_dirs=*/false);
  ::setenv("PATH", saved_path.c_str(), 1);
  if (saved_java_home) ::setenv("JAVA_HOME", saved_home.c_str(), 1);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::kNotFound);
  EXPECT_NE(found.error().message.find("Java is missing"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("scripts/bootstrap"), std::string::npos);
}

TEST(JavaTest, GcLogOptionIsAcceptedByTheJvmAndWritesTheLog) {
  auto java = find_java("");
  if (!java.ok()) GTEST_SKIP() << java.error().message;
  // A ':' in the path would end the file name if the option did not quote it.
  const auto dir = std::filesystem::temp_directory_path() / ("rds-gc-log:" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  LaunchSpec spec;
  spec.argv = {java->java.string(), "-XX:+UseG1GC", gc_log_option(dir / "gc.log"), "-version"};
  spec.log_file = dir / "java.out";
  spec.working_dir = dir;
  auto rc = run_to_completion(spec, std::chrono::seconds(60));
  ASSERT_OK(rc);
  std::stringstream log;
  log << std::ifstream(dir / "gc.log").rdbuf();
  std::stringstream out;
  out << std::ifstream(dir / "java.out").rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(*rc, 0) << out.str();
  EXPECT_NE(log.str().find("Using G1"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace rds::stack
