// TEMPORARY until the CQL codec lands (src/cql): replaced by a real CQL query in this session.
#include "stack/health.h"

namespace rds::stack {
Status cassandra_health(const std::string&, uint16_t, const std::string&, const std::string&,
                        std::chrono::milliseconds) {
  return Error(ErrorCode::kUnavailable, "CQL health check not built yet", true);
}
}  // namespace rds::stack
