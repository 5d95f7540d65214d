#include "stack/java.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <vector>

namespace rds::stack {

int parse_java_major_version(const std::string& output) {
  static const std::regex kVersion(R"re(version "(\d+)(?:\.(\d+))?)re");
  std::smatch m;
  if (!std::regex_search(output, m, kVersion)) return 0;
  int first = std::stoi(m[1].str());
  if (first == 1 && m[2].matched) return std::stoi(m[2].str());  // "1.8.0" -> 8
  return first;
}

namespace {

std::string capture_version(const std::filesystem::path& java) {
  // `java -version` prints to stderr; the path comes from our own search, quoted for the shell.
  std::string cmd = fmt::format("'{}' -version 2>&1", java.string());
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
    ::pclose(p);
  }
  return out;
}

}  // namespace

Result<JavaRuntime> find_java(const std::string& java_home, bool search_system_dirs) {
  std::vector<std::filesystem::path> candidates;
  auto add_home = [&](const std::string& home) {
    if (!home.empty()) candidates.push_back(std::filesystem::path(home) / "bin" / "java");
  };
  add_home(java_home);
  if (const char* v = std::getenv("JAVA_HOME")) add_home(v);
  std::error_code ec;
  if (search_system_dirs) {
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/jvm", ec)) {
      if (entry.path().filename().string().rfind("java-17-", 0) == 0) add_home(entry.path().string());
    }
  }
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) candidates.push_back(std::filesystem::path(p.substr(start, end - start)) / "java");
      start = end + 1;
    }
  }
  std::string found_versions;
  for (const auto& c : candidates) {
    if (::access(c.c_str(), X_OK) != 0) continue;
    int major = parse_java_major_version(capture_version(c));
    if (major == kRequiredJavaMajor) return JavaRuntime{c, major};
    found_versions += fmt::format(" {} (Java {})", c.string(), major);
  }
  if (found_versions.empty()) {
    return Error(ErrorCode::kNotFound,
                 "Java is missing: no java executable found; install Java 17 with scripts/bootstrap "
                 "(Debian package openjdk-17-jre-headless) or set RDSTREAM_JAVA_HOME to a JDK 17");
  }
  return Error(ErrorCode::kNotFound,
               fmt::format("Java 17 is required (Kafka 4 needs 17+, Cassandra 5.0 supports 17 at most); found:{}; "
                           "install openjdk-17-jre-headless (scripts/bootstrap) or set RDSTREAM_JAVA_HOME",
                           found_versions));
}

Result<JavaRuntime> java_at(const std::filesystem::path& home) {
  const auto java = home / "bin" / "java";
  if (::access(java.c_str(), X_OK) != 0) {
    return Error(ErrorCode::kNotFound, fmt::format("no java executable at {}", java.string()));
  }
  return JavaRuntime{java, parse_java_major_version(capture_version(java))};
}

std::string gc_log_option(const std::filesystem::path& file) {
  return fmt::format("-Xlog:gc:file=\"{}\":time,uptime:filecount=5,filesize=10m", file.string());
}

}  // namespace rds::stack
