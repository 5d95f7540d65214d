#pragma once
// Port checks done before a service starts, so that "address already in use" is reported by us,
// clearly and before the JVM spends 20 s starting, rather than buried in a service's log.

#include <cstdint>
#include <string>

namespace rds::stack {

// True when a TCP listener could bind host:port right now (SO_REUSEADDR, like the services).
bool port_available(const std::string& host, uint16_t port);

// True when something accepts TCP connections on host:port (within timeout_ms).
bool port_accepting(const std::string& host, uint16_t port, int timeout_ms);

}  // namespace rds::stack
