// PostgreSQL from Debian's server binaries (initdb, postgres), in its own data directory under the
// stack's state directory. PostgreSQL refuses to run as root, so when we are root it runs as the
// `postgres` system user that Debian's package creates.

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "stack/health.h"
#include "stack/service.h"

namespace rds::stack {

// The superuser the stack creates; the password comes from RDSTREAM_POSTGRES_PASSWORD or, if that
// is unset, from a random one generated at initdb time into <state>/postgres/password (mode 0600).

namespace {

Result<std::filesystem::path> find_postgres_bin(const std::string& configured) {
  if (!configured.empty()) return std::filesystem::path(configured);
  std::error_code ec;
  std::filesystem::path best;
  int best_version = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "postgres", ec)) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    return Error(ErrorCode::kNotFound,
                 "postgres: PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/bootstrap "
                 "(Debian package postgresql-15)");
  }
  return best;
}

class PostgresService final : public Service {
 public:
  using Service::Service;

  ServiceKind kind() const override { return ServiceKind::kPostgres; }
  std::string address() const override { return fmt::format("{}:{}", config_.host, config_.postgres_port); }
  std::vector<PortUse> ports() const override { return {{"--postgres-port", config_.postgres_port}}; }
  std::string identity_marker() const override { return data_dir().string(); }
  int stop_signal() const override { return SIGINT; }  // "fast" shutdown: rolls back, checkpoints
  std::string client_hint() const override {
    return fmt::format("PGPASSWORD=$(cat {}) psql -h {} -p {} -U {} postgres",
                       std::filesystem::absolute(password_file()).string(), config_.host, config_.postgres_port,
                       kPostgresSuperuser);
  }

  Status prepare() override {
    const auto abs = std::filesystem::absolute(dir());
    RDS_TRY(check_ownership_marker(data_dir(), marker(), name(), abs));
    auto bin = find_postgres_bin(config_.postgres_bin_dir);
    if (!bin.ok()) return bin.take_error();
    auto user = run_as();
    std::error_code ec;
    std::filesystem::create_directories(abs / "run", ec);
    RDS_TRY(hand_over(abs / "run"));
    if (std::filesystem::exists(data_dir() / "PG_VERSION", ec)) return ok_status();

    RDS_TRY(check_reachable_by_user(abs));
    auto password = superuser_password();
    if (!password.ok()) return password.take_error();
    // initdb reads the password from a file only the server's user can read; removed right after.
    const auto pwfile = abs / ".initdb-password";
    RDS_TRY(write_secret_file(pwfile, *password + "\n"));
    RDS_TRY(hand_over(pwfile));
    std::filesystem::create_directories(data_dir(), ec);
    RDS_TRY(hand_over(data_dir()));
    ::chmod(data_dir().c_str(), 0700);
    LaunchSpec initdb;
    initdb.argv = {(*bin / "initdb").string(), "-D", data_dir().string(), "-U", kPostgresSuperuser,
                   "--pwfile", pwfile.string(), "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"};
    initdb.log_file = log_file();
    initdb.working_dir = abs;
    initdb.run_as_user = user;
    auto rc = run_to_completion(initdb, std::chrono::seconds(120));
    std::filesystem::remove(pwfile, ec);
    if (!rc.ok()) return rc.take_error().with_context("postgres: initdb");
    if (*rc != 0) {
      return Error(ErrorCode::kIo, fmt::format("postgres: initdb failed (exit {}); see {}", *rc, log_file().string()));
    }
    return write_ownership_marker(data_dir(), marker());
  }

  Result<LaunchSpec> launch_spec() const override {
    auto bin = find_postgres_bin(config_.postgres_bin_dir);
    if (!bin.ok()) return bin.take_error();
    const auto abs = std::filesystem::absolute(dir());
    LaunchSpec spec;
    spec.argv = {(*bin / "postgres").string(),
                 "-D", data_dir().string(),
                 "-p", std::to_string(config_.postgres_port),
                 "-c", fmt::format("listen_addresses={}", config_.host),
                 "-c", fmt::format("unix_socket_directories={}", (abs / "run").string()),
                 "-c", "logging_collector=off",
                 "-c", "shared_buffers=128MB",
                 "-c", "max_connections=100"};
    spec.log_file = log_file();
    spec.working_dir = abs;
    spec.run_as_user = run_as();
    return spec;
  }

  Status check_health(std::chrono::milliseconds timeout) const override {
    auto password = superuser_password();
    if (!password.ok()) return password.take_error();
    return postgres_health(config_.host, config_.postgres_port, kPostgresSuperuser, *password, timeout);
  }

 private:
  std::filesystem::path data_dir() const { return std::filesystem::absolute(dir()) / "data"; }
  std::filesystem::path password_file() const { return dir() / "password"; }
  std::string marker() const { return "rdstream postgres\n"; }

  std::optional<std::string> run_as() const {
    if (::geteuid() != 0) return std::nullopt;
    return config_.postgres_user;
  }

  // When we are root the server's files must belong to the user it runs as.
  Status hand_over(const std::filesystem::path& path) const {
    auto user = run_as();
    if (!user) return ok_status();
    struct passwd* pw = ::getpwnam(user->c_str());
    if (pw == nullptr) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("postgres: system user '{}' does not exist; PostgreSQL refuses to run as root. "
                               "Install Debian's postgresql-15 (scripts/bootstrap) which creates it",
                               *user));
    }
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return Error(ErrorCode::kIo, fmt::format("postgres: cannot chown {} to {}", path.string(), *user));
    }
    return ok_status();
  }

  // The server's user must be able to walk down to its data directory.
  Status check_reachable_by_user(const std::filesystem::path& abs) const {
    if (!run_as()) return ok_status();
    for (auto p = abs.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      struct stat st{};
      if (::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("postgres: directory {} is not searchable by user '{}', so PostgreSQL cannot "
                                 "reach its data; use a --state-dir outside it or `chmod o+x {}`",
                                 p.string(), config_.postgres_user, p.string()));
      }
    }
    return ok_status();
  }

  Result<std::string> superuser_password() const { return postgres_superuser_password(config_); }
};

}  // namespace

Result<std::string> postgres_superuser_password(const StackConfig& config) {
  if (!config.postgres_password.empty()) return config.postgres_password;  // RDSTREAM_POSTGRES_PASSWORD
  const auto password_file = config.service_dir(ServiceKind::kPostgres) / "password";
  auto existing = read_text_file(password_file);
  if (existing.ok()) {
    std::string p = *existing;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    if (!p.empty()) return p;
  }
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::absolute(config.service_dir(ServiceKind::kPostgres)) / "data" / "PG_VERSION", ec)) {
    return Error(ErrorCode::kAuth,
                 fmt::format("postgres: the superuser password is unknown: set RDSTREAM_POSTGRES_PASSWORD or "
                             "restore {}", password_file.string()));
  }
  std::string fresh = random_secret(24);
  RDS_TRY(write_secret_file(password_file, fresh + "\n"));
  return fresh;
}

Status ensure_stack_database(const StackConfig& config, const std::string& database, const std::string& who) {
  auto password = postgres_superuser_password(config);
  if (!password.ok()) return password.take_error();
  const auto deadline = std::chrono::steady_clock::now() + config.start_timeout;
  while (true) {
    Status made = postgres_ensure_database(config.host, config.postgres_port, kPostgresSuperuser, *password, database,
                                           std::chrono::seconds(5));
    if (made.ok()) return ok_status();
    // PostgreSQL started along with it: wait for it. Not started now: it must be running already.
    if (!made.error().retriable || !config.has(ServiceKind::kPostgres) || std::chrono::steady_clock::now() > deadline) {
      return made.take_error().with_context(
          fmt::format("{}: it keeps its state in the stack's PostgreSQL, which must run (--only ...,postgres,{})", who,
                      who));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::unique_ptr<Service> make_postgres_service(const StackConfig& config) {
  return std::make_unique<PostgresService>(config);
}

}  // namespace rds::stack
