// Apache Airflow 3, the seed's orchestrator, from the venv scripts/bootstrap installs into the
// engine cache (every package pinned in airflow/requirements.txt). `stack up --with airflow`
// starts its four processes, each a service of its own: the api-server (UI and REST API), the
// scheduler (LocalExecutor: it runs the tasks), the dag-processor (parses airflow/dags) and the
// triggerer.
//
// - Home: <state_dir>/airflow (AIRFLOW_HOME): airflow.cfg, secrets.json, the admin password, the
//   task logs, and env.sh, which a person sources to run `airflow ...` against this Airflow.
// - Metadata: the database `airflow` in the stack's PostgreSQL; `airflow db migrate` before the
//   api-server starts (idempotent: it also upgrades after a new requirements file).
// - Loopback only: the api-server binds 127.0.0.1. The scheduler's and the triggerer's log
//   servers (8793/8794) would bind every interface and cannot be told otherwise, so they are not
//   started (--skip-serve-logs): every process runs here, and the api-server reads the task logs
//   from the shared log folder.
// - Login: SimpleAuthManager with one user, admin, whose password is generated once into
//   <home>/admin-password (0600).
// - Tasks: the DAG's task runs `rdstream ingest`; the processes' environment tells it this
//   binary, the state directory (the staging password), Kafka's and PostgreSQL's ports.
// - Identity: Airflow rewrites its command lines (setproctitle), so a process is recognised as
//   ours by its working directory, which is the service's own directory.
#include <fmt/format.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "stack/airflow_config.h"
#include "stack/service.h"

namespace rds::stack {
namespace {

constexpr const char* kDatabase = "airflow";
constexpr auto kMigrateTimeout = std::chrono::seconds(600);

std::string_view command_of(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::kAirflowApiServer: return "api-server";
    case ServiceKind::kAirflowScheduler: return "scheduler";
    case ServiceKind::kAirflowDagProcessor: return "dag-processor";
    default: return "triggerer";
  }
}

// n random bytes, base64 (URL-safe alphabet when url_safe: Fernet's keys).
Result<std::string> random_base64(int n, bool url_safe) {
  std::vector<unsigned char> bytes(static_cast<size_t>(n));
  if (RAND_bytes(bytes.data(), n) != 1) return Error(ErrorCode::kInternal, "airflow: OpenSSL could not make a key");
  std::string out(static_cast<size_t>(4 * ((n + 2) / 3)), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), n);
  if (url_safe) {
    for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

class AirflowService final : public Service {
 public:
  AirflowService(const StackConfig& config, ServiceKind kind) : Service(config), kind_(kind) {}

  ServiceKind kind() const override { return kind_; }
  std::string address() const override {
    return is_api() ? fmt::format("{}:{}", config_.host, config_.airflow_port) : "-";
  }
  std::vector<PortUse> ports() const override {
    if (!is_api()) return {};
    return {{"--airflow-port", config_.airflow_port}};
  }
  std::string identity_marker() const override { return own_dir().string(); }
  bool owns(pid_t pid) const override { return process_cwd(pid) == own_dir(); }
  bool stop_process_group() const override { return true; }
  std::chrono::seconds stop_grace() const override { return std::chrono::seconds(30); }
  std::string client_hint() const override {
    switch (kind_) {
      case ServiceKind::kAirflowApiServer:
        return fmt::format("http://{} (user {}, password: cat {})", address(), kAirflowAdmin,
                           (home() / "admin-password").string());
      case ServiceKind::kAirflowScheduler:
        return fmt::format(". {} && airflow dags trigger user_automation", (home() / "env.sh").string());
      default: return {};
    }
  }

  // Shared by the four (whichever starts first does it; each is idempotent): the database, the
  // secrets, airflow.cfg, env.sh, the schema.
  Status prepare() override {
    std::error_code ec;
    if (!std::filesystem::exists(venv() / "bin" / "airflow", ec)) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("{}: Apache Airflow is missing from {}; run scripts/bootstrap (it installs "
                               "airflow/requirements.txt there)",
                               name(), venv().string()));
    }
    if (!std::filesystem::is_directory(config_.airflow_dags_dir, ec)) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("{}: the DAG folder {} does not exist; point RDSTREAM_AIRFLOW_DAGS_DIR at the "
                               "repository's airflow/dags",
                               name(), config_.airflow_dags_dir.string()));
    }
    RDS_TRY(ensure_stack_database(config_, kDatabase, "airflow"));
    auto layout = make_layout();
    if (!layout.ok()) return layout.take_error();
    RDS_TRY(write_secret_file(home() / "airflow.cfg", render_airflow_cfg(*layout)));
    RDS_TRY(write_admin_password());
    RDS_TRY(write_text_file(home() / "env.sh",
                            fmt::format("# . this file, then run `airflow ...` against the stack's Airflow.\n"
                                        "export AIRFLOW_HOME='{}'\nexport PATH='{}':\"$PATH\"\n",
                                        home().string(), (venv() / "bin").string())));
    // The api-server migrates at every start; the others only when nothing has yet.
    const auto migrated = home() / ".migrated";
    auto done = read_text_file(migrated);
    if (!is_api() && done.ok() && *done == venv().filename().string()) return ok_status();
    LaunchSpec migrate;
    migrate.argv = {(venv() / "bin" / "airflow").string(), "db", "migrate"};
    migrate.env = environment();
    migrate.working_dir = own_dir();
    migrate.log_file = log_file();
    auto rc = run_to_completion(migrate, kMigrateTimeout);
    if (!rc.ok()) return rc.take_error().with_context(name() + ": airflow db migrate");
    if (*rc != 0) {
      return Error(ErrorCode::kIo, fmt::format("{}: `airflow db migrate` failed (exit {}); see {}", name(), *rc,
                                               log_file().string()));
    }
    return write_text_file(migrated, venv().filename().string());
  }

  Result<LaunchSpec> launch_spec() const override {
    LaunchSpec spec;
    spec.argv = {(venv() / "bin" / "airflow").string(), std::string(command_of(kind_))};
    if (kind_ == ServiceKind::kAirflowScheduler || kind_ == ServiceKind::kAirflowTriggerer) {
      spec.argv.push_back("--skip-serve-logs");  // see the top: it would listen on every interface
    }
    spec.env = environment();
    spec.working_dir = own_dir();
    spec.log_file = log_file();
    return spec;
  }

  // GET /api/v2/monitor/health, which needs no login: the api-server answers for the metadata
  // database and for each of the other three, from their heartbeats.
  Status check_health(std::chrono::milliseconds timeout) const override {
    httplib::Client c(config_.host, config_.airflow_port);
    const auto s = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    c.set_connection_timeout(s, 0);
    c.set_read_timeout(s, 0);
    auto r = c.Get("/api/v2/monitor/health");
    if (!r) {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("{}: the api-server on {}:{} does not answer", name(), config_.host, config_.airflow_port),
                   true);
    }
    if (r->status != 200) {
      return Error(ErrorCode::kUnavailable, fmt::format("{}: GET /api/v2/monitor/health answered HTTP {}", name(), r->status),
                   true);
    }
    auto status = airflow_component_status(r->body, kind_);
    if (!status.ok()) return Error(ErrorCode::kUnavailable, name() + ": " + status.error().message, true);
    if (*status != "healthy") {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("{}: Airflow reports it {}", name(), status->empty() ? "not running" : *status), true);
    }
    return ok_status();
  }

 private:
  bool is_api() const { return kind_ == ServiceKind::kAirflowApiServer; }
  std::filesystem::path own_dir() const { return std::filesystem::weakly_canonical(std::filesystem::absolute(dir())); }
  std::filesystem::path home() const {
    return std::filesystem::weakly_canonical(std::filesystem::absolute(config_.state_dir / "airflow"));
  }
  std::filesystem::path venv() const { return config_.engine_cache / airflow_venv_name(); }

  // What every Airflow process and the tasks it runs see, besides the inherited environment.
  std::vector<std::string> environment() const {
    const char* path = std::getenv("PATH");
    return {"AIRFLOW_HOME=" + home().string(),
            // Airflow starts some of its children as `airflow` by name.
            fmt::format("PATH={}:{}", (venv() / "bin").string(), path != nullptr ? path : "/usr/bin:/bin"),
            // For the DAG's `rdstream ingest --staging postgres` (airflow/dags/user_automation.py).
            "RDSTREAM_BIN=" + config_.rdstream_binary.string(),
            "RDSTREAM_STATE_DIR=" + std::filesystem::absolute(config_.state_dir).string(),
            "RDSTREAM_KAFKA=" + config_.kafka_bootstrap(),
            fmt::format("RDSTREAM_STAGING_PORT={}", config_.postgres_port)};
  }

  Result<AirflowLayout> make_layout() const {
    AirflowLayout l;
    l.home = home();
    l.dags_dir = std::filesystem::absolute(config_.airflow_dags_dir);
    l.host = config_.host;
    l.api_port = config_.airflow_port;
    l.db_port = config_.postgres_port;
    l.db_user = kPostgresSuperuser;
    l.db_name = kDatabase;
    auto password = postgres_superuser_password(config_);
    if (!password.ok()) return password.take_error();
    l.db_password = *password;
    auto secrets = load_or_make_secrets();
    if (!secrets.ok()) return secrets.take_error();
    l.secrets = *secrets;
    return l;
  }

  Result<AirflowSecrets> load_or_make_secrets() const {
    const auto path = home() / "secrets.json";
    if (auto text = read_text_file(path); text.ok()) {
      auto j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_object() && j.value("fernet_key", "") != "" && j.value("jwt_secret", "") != "" &&
          j.value("api_secret_key", "") != "") {
        return AirflowSecrets{j["fernet_key"], j["jwt_secret"], j["api_secret_key"]};
      }
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: {} is corrupt; delete it (Airflow's encrypted connections and variables, if "
                               "any, are then lost) and start again",
                               name(), path.string()));
    }
    AirflowSecrets s;
    for (auto [target, url_safe] : {std::pair{&s.fernet_key, true}, {&s.jwt_secret, false}, {&s.api_secret_key, false}}) {
      auto key = random_base64(32, url_safe);
      if (!key.ok()) return key.take_error();
      *target = *key;
    }
    nlohmann::json j = {{"fernet_key", s.fernet_key}, {"jwt_secret", s.jwt_secret}, {"api_secret_key", s.api_secret_key}};
    RDS_TRY(write_secret_file(path, j.dump(2) + "\n"));
    return s;
  }

  // The admin's password, once: a plain file for people, and the JSON SimpleAuthManager reads.
  Status write_admin_password() const {
    const auto plain = home() / "admin-password";
    std::string password;
    if (auto existing = read_text_file(plain); existing.ok() && !existing->empty()) {
      password = existing->substr(0, existing->find('\n'));
    } else {
      password = random_secret(20);
      RDS_TRY(write_secret_file(plain, password + "\n"));
    }
    return write_secret_file(home() / "simple_auth_manager_passwords.json",
                             nlohmann::json{{kAirflowAdmin, password}}.dump() + "\n");
  }

  ServiceKind kind_;
};

}  // namespace

std::unique_ptr<Service> make_airflow_service(ServiceKind kind, const StackConfig& config) {
  return std::make_unique<AirflowService>(config, kind);
}

}  // namespace rds::stack
