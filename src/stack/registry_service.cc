// The schema registry: Apicurio Registry 3 (the `all` tar.gz from Maven Central, unpacked by
// scripts/bootstrap into the engine cache), the seed's Schema Registry's role on its port, 8081.
// rdstream talks to its Confluent-compatible API (/apis/ccompat/v7), so a Confluent Schema
// Registry URL works as well.
//
// - Java: Apicurio 3 needs 21 or newer; these machines have the Temurin 25 JDK
//   (stack.registry_java_home). Missing, it is said plainly.
// - Storage: the stack's PostgreSQL (database `apicurio`, made here), not the in-memory default,
//   so schemas survive a restart. The password reaches the JVM through its environment.
// - Loopback only: its HTTP port and its management port (health, metrics), which Quarkus would
//   otherwise bind on all interfaces.
// - Global compatibility is set to BACKWARD once it answers (Apicurio starts with NONE).
#include <fmt/format.h>
#include <httplib.h>

#include "stack/health.h"
#include "stack/java.h"
#include "stack/service.h"

namespace rds::stack {
namespace {

constexpr const char* kDatabase = "apicurio";
constexpr int kRequiredMajor = 21;

class RegistryService final : public Service {
 public:
  using Service::Service;

  ServiceKind kind() const override { return ServiceKind::kRegistry; }
  std::string address() const override { return fmt::format("{}:{}", config_.host, config_.registry_port); }
  std::vector<PortUse> ports() const override {
    return {{"--registry-port", config_.registry_port}, {"--registry-management-port", config_.registry_management_port}};
  }
  std::string identity_marker() const override {
    return "-Drdstream.stack=" + std::filesystem::absolute(dir()).string();
  }
  std::chrono::seconds stop_grace() const override { return std::chrono::seconds(30); }
  std::string client_hint() const override {
    return fmt::format("curl http://{}/apis/ccompat/v7/subjects", address());
  }

  // Its storage: the database in the stack's PostgreSQL, which was started just before it.
  Status prepare() override { return ensure_stack_database(config_, kDatabase, name()); }

  Result<LaunchSpec> launch_spec() const override {
    auto java = java_at(config_.registry_java_home);
    if (!java.ok() || java->major_version < kRequiredMajor) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("registry: Apicurio Registry {} needs Java {} or newer, and {} has {}; install a JDK "
                               "21+ (these machines have the Temurin 25 JDK at /usr/lib/jvm/temurin-25-jdk-amd64) "
                               "and point RDSTREAM_REGISTRY_JAVA_HOME at it",
                               apicurio_version(), kRequiredMajor, config_.registry_java_home,
                               java.ok() ? fmt::format("Java {}", java->major_version) : std::string("no java")));
    }
    const auto app = config_.engine_cache / ("apicurio-" + apicurio_version());
    std::error_code ec;
    if (!std::filesystem::exists(app / "quarkus-run.jar", ec)) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("registry: Apicurio Registry {} is missing from {}; run scripts/bootstrap",
                               apicurio_version(), app.string()));
    }
    auto password = postgres_superuser_password(config_);
    if (!password.ok()) return password.take_error();
    const auto abs = std::filesystem::absolute(dir());
    LaunchSpec spec;
    spec.argv = {java->java.string(),
                 fmt::format("-Xmx{}m", config_.registry_heap_mb),
                 "-XX:+UseG1GC",
                 gc_log_option(abs / "gc.log"),
                 identity_marker(),
                 fmt::format("-Dquarkus.http.host={}", config_.host),
                 fmt::format("-Dquarkus.http.port={}", config_.registry_port),
                 fmt::format("-Dquarkus.management.host={}", config_.host),
                 fmt::format("-Dquarkus.management.port={}", config_.registry_management_port),
                 "-jar",
                 (app / "quarkus-run.jar").string()};
    spec.env = {"APICURIO_STORAGE_KIND=sql",
                "APICURIO_STORAGE_SQL_KIND=postgresql",
                fmt::format("APICURIO_DATASOURCE_URL=jdbc:postgresql://{}:{}/{}", config_.host, config_.postgres_port,
                            kDatabase),
                fmt::format("APICURIO_DATASOURCE_USERNAME={}", kPostgresSuperuser),
                "APICURIO_DATASOURCE_PASSWORD=" + *password};
    spec.working_dir = abs;
    spec.log_file = log_file();
    return spec;
  }

  // A real request to the API rdstream uses.
  Status check_health(std::chrono::milliseconds timeout) const override {
    auto r = client(timeout).Get("/apis/ccompat/v7/subjects");
    if (!r) return Error(ErrorCode::kUnavailable, fmt::format("registry: {} does not answer", address()), true);
    if (r->status != 200) {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("registry: GET /apis/ccompat/v7/subjects answered HTTP {}", r->status), true);
    }
    return ok_status();
  }

  Status after_healthy(std::chrono::milliseconds timeout) const override {
    auto r = client(timeout).Put("/apis/ccompat/v7/config", R"({"compatibility": "BACKWARD"})", "application/json");
    if (!r || r->status != 200) {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("registry: setting the global compatibility to BACKWARD failed ({})",
                               r ? fmt::format("HTTP {}: {}", r->status, r->body) : std::string("no answer")),
                   true);
    }
    return ok_status();
  }

 private:
  httplib::Client client(std::chrono::milliseconds timeout) const {
    httplib::Client c(config_.host, config_.registry_port);
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
    c.set_connection_timeout(std::max<int64_t>(1, s), 0);
    c.set_read_timeout(std::max<int64_t>(1, s), 0);
    return c;
  }
};

}  // namespace

std::unique_ptr<Service> make_registry_service(const StackConfig& config) {
  return std::make_unique<RegistryService>(config);
}

}  // namespace rds::stack
