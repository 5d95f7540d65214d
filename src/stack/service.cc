#include "stack/service.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace rds::stack {

std::string Service::name() const {
  const std::string base(to_string(kind()));
  return config_.nodes(kind()) > 1 ? fmt::format("{}-{}", base, node_) : base;
}

std::unique_ptr<Service> make_service(ServiceKind kind, const StackConfig& config, int node) {
  switch (kind) {
    case ServiceKind::kKafka: return make_kafka_service(config, node);
    case ServiceKind::kCassandra: return make_cassandra_service(config, node);
    case ServiceKind::kPostgres: return make_postgres_service(config);
    case ServiceKind::kConsole: return make_console_service(config);
    case ServiceKind::kRegistry: return make_registry_service(config);
    case ServiceKind::kAirflowApiServer:
    case ServiceKind::kAirflowScheduler:
    case ServiceKind::kAirflowDagProcessor:
    case ServiceKind::kAirflowTriggerer: return make_airflow_service(kind, config);
  }
  return nullptr;
}

Status write_text_file(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << content;
    if (!out) return Error(ErrorCode::kIo, fmt::format("cannot write {}", tmp));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error(ErrorCode::kIo, fmt::format("cannot write {}: {}", path.string(), ec.message()));
  return ok_status();
}

Status write_secret_file(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp";
  std::filesystem::remove(tmp, ec);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error(ErrorCode::kIo, fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) return Error(ErrorCode::kIo, fmt::format("cannot write {}", tmp));
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error(ErrorCode::kIo, fmt::format("cannot write {}: {}", path.string(), ec.message()));
  return ok_status();
}

std::string random_secret(int length) {
  static const char kChars[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < length; ++i) out += kChars[rd() % (sizeof kChars - 1)];
  return out;
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {
std::filesystem::path marker_path(const std::filesystem::path& data_dir) {
  return data_dir / ".rdstream-owned";
}
}  // namespace

Status check_ownership_marker(const std::filesystem::path& data_dir, const std::string& marker_content,
                              const std::string& service, const std::filesystem::path& service_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) return ok_status();
  const bool empty = std::filesystem::is_empty(data_dir, ec);
  if (empty) return ok_status();
  auto marker = read_text_file(marker_path(data_dir));
  if (!marker.ok()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: data directory {} was not created by rdstream (or its initialisation "
                             "was interrupted); move it away or delete {} and run `rdstream stack up` again",
                             service, data_dir.string(), service_dir.string()));
  }
  if (*marker != marker_content) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: data directory {} belongs to another setup ({}); expected {}; delete {} "
                             "or use another --state-dir",
                             service, data_dir.string(), *marker, marker_content, service_dir.string()));
  }
  return ok_status();
}

Status write_ownership_marker(const std::filesystem::path& data_dir, const std::string& marker_content) {
  return write_text_file(marker_path(data_dir), marker_content);
}

}  // namespace rds::stack
