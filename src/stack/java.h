#pragma once
// Finding a Java runtime both engines accept. Kafka 4.x needs 17+; Cassandra 5.0 supports 11 and
// 17 only (its launch flags below are those of its conf/jvm17-server.options), so we need 17.

#include <filesystem>
#include <string>

#include "core/result.h"

namespace rds::stack {

struct JavaRuntime {
  std::filesystem::path java;  // the java executable
  int major_version = 0;
};

inline constexpr int kRequiredJavaMajor = 17;

// Parses the first line of `java -version` output: `openjdk version "17.0.15" 2025-04-15`
// (also "1.8.0_372" style, giving 8). Returns 0 when no version is found.
int parse_java_major_version(const std::string& version_output);

// Looks in java_home (if set: the setting stack.java_home, RDSTREAM_JAVA_HOME), $JAVA_HOME, /usr/lib/jvm/java-17-* (unless
// search_system_dirs is false, for tests), then PATH.
Result<JavaRuntime> find_java(const std::string& java_home, bool search_system_dirs = true);

// The java of the JDK at `home` (<home>/bin/java) and its major version, whatever it is; kNotFound
// when there is no java there.
Result<JavaRuntime> java_at(const std::filesystem::path& home);

// The -Xlog option that writes the JVM's GC events (every pause, with its length) to `file`, in
// 5 rotated files of 10 MiB, as Cassandra's and Kafka's own start scripts do by default: a pause
// stalls every request the engine holds, so it is the first thing to look at when latency spikes.
// The file's directory must exist (the JVM does not start otherwise). The name is quoted, so a
// path may contain ':'.
std::string gc_log_option(const std::filesystem::path& file);

}  // namespace rds::stack
