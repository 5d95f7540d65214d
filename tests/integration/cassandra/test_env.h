#pragma once
// Where the shared CTest stack's Cassandra is (tests/integration/CMakeLists.txt sets these).

#include <cstdlib>
#include <string>

#include "cassandra/session.h"

namespace rds::test {

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

inline cassandra::SessionConfig stack_session_config() {
  cassandra::SessionConfig config;
  config.contact_points = {env_or("RDSTREAM_TEST_CASSANDRA_HOST", "127.0.0.1")};
  config.port = static_cast<uint16_t>(std::stoi(env_or("RDSTREAM_TEST_CASSANDRA_PORT", "29042")));
  config.credentials = {"cassandra", "cassandra"};
  return config;
}

}  // namespace rds::test
