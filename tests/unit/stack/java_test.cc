#include "stack/java.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

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

}  // namespace
}  // namespace rds::stack
