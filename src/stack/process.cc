#include "stack/process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace rds::stack {
namespace {

Error errno_error(std::string_view what) {
  return Error(ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(errno)));
}

ssize_t read_full(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

struct UserIds {
  uid_t uid;
  gid_t gid;
};

Result<std::optional<UserIds>> resolve_user(const std::optional<std::string>& name) {
  if (!name) return std::optional<UserIds>{};
  struct passwd* pw = ::getpwnam(name->c_str());
  if (pw == nullptr) {
    return Error(ErrorCode::kNotFound, fmt::format("system user '{}' does not exist", *name));
  }
  return std::optional<UserIds>(UserIds{pw->pw_uid, pw->pw_gid});
}

// Runs in the forked child only: async-signal-safe calls, then exec. On failure writes errno to
// err_fd (close-on-exec, so the parent sees EOF when exec succeeded) and exits.
[[noreturn]] void exec_child(const LaunchSpec& spec, const std::optional<UserIds>& ids,
                             std::vector<char*>& argv, std::vector<char*>& envp, int log_fd,
                             int err_fd) {
  auto fail = [&](int step) {
    int payload[2] = {step, errno};
    (void)!::write(err_fd, payload, sizeof payload);
    ::_exit(127);
  };
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0 || ::dup2(devnull, STDIN_FILENO) < 0) fail(1);
  if (::dup2(log_fd, STDOUT_FILENO) < 0 || ::dup2(log_fd, STDERR_FILENO) < 0) fail(2);
  if (ids) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(ids->gid) != 0 || ::setuid(ids->uid) != 0) fail(3);
  }
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) fail(4);
  ::execvpe(argv[0], argv.data(), envp.data());
  fail(5);
  ::_exit(127);
}

const char* step_name(int step) {
  switch (step) {
    case 1: return "redirecting stdin";
    case 2: return "redirecting output to the log file";
    case 3: return "dropping privileges";
    case 4: return "entering the working directory";
    case 5: return "executing";
  }
  return "starting";
}

struct Prepared {
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

Prepared prepare_vectors(const LaunchSpec& spec) {
  Prepared p;
  // spec.env's entries replace inherited ones of the same name (getenv would find the first).
  auto overridden = [&spec](std::string_view entry) {
    const auto key = entry.substr(0, entry.find('=') + 1);
    for (const auto& e : spec.env) {
      if (std::string_view(e).substr(0, e.find('=') + 1) == key) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) p.env_storage.emplace_back(*e);
  }
  for (const auto& e : spec.env) p.env_storage.push_back(e);
  for (const auto& a : spec.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (auto& e : p.env_storage) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  return p;
}

Result<int> open_log(const std::filesystem::path& log_file, const std::optional<UserIds>& ids) {
  std::error_code ec;
  std::filesystem::create_directories(log_file.parent_path(), ec);
  int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return errno_error(fmt::format("opening log file {}", log_file.string()));
  if (ids) (void)!::fchown(fd, ids->uid, ids->gid);
  return fd;
}

}  // namespace

Result<pid_t> spawn_detached(const LaunchSpec& spec) {
  if (spec.argv.empty()) return Error(ErrorCode::kInternal, "spawn_detached: empty argv");
  auto ids = resolve_user(spec.run_as_user);
  if (!ids.ok()) return ids.take_error();
  auto log_fd = open_log(spec.log_file, *ids);
  if (!log_fd.ok()) return log_fd.take_error();
  Prepared vectors = prepare_vectors(spec);

  int pid_pipe[2];
  int err_pipe[2];
  if (::pipe2(pid_pipe, O_CLOEXEC) != 0) return errno_error("pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return errno_error("pipe");

  pid_t middle = ::fork();
  if (middle < 0) return errno_error("fork");
  if (middle == 0) {
    // Intermediate child: new session, fork the real process, report its pid, exit at once so
    // that the daemon is re-parented (to init or a subreaper) and never becomes our zombie.
    ::setsid();
    pid_t daemon_pid = ::fork();
    if (daemon_pid == 0) {
      ::close(pid_pipe[0]);
      ::close(pid_pipe[1]);
      ::close(err_pipe[0]);
      exec_child(spec, *ids, vectors.argv, vectors.envp, *log_fd, err_pipe[1]);
    }
    (void)!::write(pid_pipe[1], &daemon_pid, sizeof daemon_pid);
    ::_exit(daemon_pid < 0 ? 1 : 0);
  }
  ::close(pid_pipe[1]);
  ::close(err_pipe[1]);
  ::close(*log_fd);
  int status = 0;
  ::waitpid(middle, &status, 0);
  pid_t daemon_pid = -1;
  ssize_t n = read_full(pid_pipe[0], &daemon_pid, sizeof daemon_pid);
  ::close(pid_pipe[0]);
  int payload[2] = {0, 0};
  ssize_t err_n = read_full(err_pipe[0], payload, sizeof payload);
  ::close(err_pipe[0]);
  if (n != static_cast<ssize_t>(sizeof daemon_pid) || daemon_pid <= 0) {
    return Error(ErrorCode::kIo, "fork of the service process failed");
  }
  if (err_n == static_cast<ssize_t>(sizeof payload)) {
    return Error(ErrorCode::kIo, fmt::format("{} {}: {}", step_name(payload[0]), spec.argv[0],
                                             std::strerror(payload[1])));
  }
  return daemon_pid;
}

Result<int> run_to_completion(const LaunchSpec& spec, std::chrono::seconds timeout) {
  auto ids = resolve_user(spec.run_as_user);
  if (!ids.ok()) return ids.take_error();
  auto log_fd = open_log(spec.log_file, *ids);
  if (!log_fd.ok()) return log_fd.take_error();
  Prepared vectors = prepare_vectors(spec);
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return errno_error("pipe");
  pid_t child = ::fork();
  if (child < 0) return errno_error("fork");
  if (child == 0) {
    ::close(err_pipe[0]);
    exec_child(spec, *ids, vectors.argv, vectors.envp, *log_fd, err_pipe[1]);
  }
  ::close(err_pipe[1]);
  ::close(*log_fd);
  int payload[2] = {0, 0};
  ssize_t err_n = read_full(err_pipe[0], payload, sizeof payload);
  ::close(err_pipe[0]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (r < 0 && errno != EINTR) return errno_error("waitpid");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      return Error(ErrorCode::kTimeout,
                   fmt::format("{} did not finish within {} s", spec.argv[0], timeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (err_n == static_cast<ssize_t>(sizeof payload)) {
    return Error(ErrorCode::kIo, fmt::format("{} {}: {}", step_name(payload[0]), spec.argv[0],
                                             std::strerror(payload[1])));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

namespace {

// The state letter of /proc/<pid>[/task/<tid>]/stat, '?' when it cannot be read.
char stat_state(const std::filesystem::path& stat_file) {
  std::ifstream stat(stat_file);
  if (!stat) return '?';
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = content.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= content.size()) return '?';
  return content[close_paren + 2];
}

}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie still answers kill(0); its state in /proc is 'Z'. But the pid's own state is its main
  // thread's: after SIGKILL a JVM's main thread is often a zombie while its other threads are still
  // exiting, and they share its file table, so its listening sockets still accept. The process is
  // gone only once every task is (CI saw `doctor` find a broker answering just after `stop-node --kill`).
  // No task list: the process went between kill(0) and here.
  std::error_code ec;
  std::filesystem::directory_iterator task(fmt::format("/proc/{}/task", pid), ec);
  for (; !ec && task != std::filesystem::directory_iterator(); task.increment(ec)) {
    const char state = stat_state(task->path() / "stat");
    if (state != 'Z' && state != 'X' && state != '?') return true;
  }
  return false;
}

bool process_matches(pid_t pid, const std::string& marker) {
  if (!process_alive(pid)) return false;
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  if (!in) return false;
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : cmdline) {
    if (c == '\0') c = ' ';
  }
  return cmdline.find(marker) != std::string::npos;
}

std::filesystem::path process_cwd(pid_t pid) {
  if (!process_alive(pid)) return {};
  std::error_code ec;
  auto cwd = std::filesystem::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  return ec ? std::filesystem::path() : cwd;
}

void terminate_group(pid_t pgid, int signal, std::chrono::milliseconds grace) {
  if (pgid <= 1 || pgid == ::getpgrp()) return;
  auto group_gone = [pgid] { return ::kill(-pgid, 0) != 0 && errno == ESRCH; };
  if (group_gone()) return;
  auto wait_gone = [&](std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!group_gone() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  ::kill(-pgid, signal);
  wait_gone(grace);
  if (group_gone()) return;
  ::kill(-pgid, SIGKILL);
  wait_gone(std::chrono::seconds(10));  // returned only once they are gone (or are zombies of init's)
}

Status terminate(pid_t pid, int signal, std::chrono::milliseconds grace) {
  auto wait_gone = [pid](std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (process_alive(pid)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  };
  if (!process_alive(pid)) return ok_status();
  if (::kill(pid, signal) != 0 && errno != ESRCH) return errno_error(fmt::format("kill {}", pid));
  if (wait_gone(grace)) return ok_status();
  ::kill(pid, SIGKILL);
  if (wait_gone(std::chrono::seconds(10))) return ok_status();
  return Error(ErrorCode::kIo, fmt::format("process {} is still running after SIGKILL", pid));
}

Result<pid_t> read_pid_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("no pid file {}", path.string()));
  long value = 0;
  if (!(in >> value) || value <= 0 || value > 4194304) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("pid file {} is corrupt", path.string()));
  }
  return static_cast<pid_t>(value);
}

Status write_pid_file(const std::filesystem::path& path, pid_t pid) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << pid << '\n')) return errno_error(fmt::format("writing {}", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error(ErrorCode::kIo, fmt::format("renaming {}: {}", tmp, ec.message()));
  return ok_status();
}

std::string tail_file(const std::filesystem::path& path, int lines) {
  std::ifstream in(path);
  if (!in) return {};
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(std::move(line));
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::ostringstream out;
  for (const auto& l : last) out << l << '\n';
  return out.str();
}

namespace {

bool is_error_line(std::string_view line) {
  for (std::string_view level : {"ERROR", "FATAL"}) {
    if (line.starts_with(level)) return true;
    // "[2026-12-06 02:15:45,123] ERROR ..." (Kafka) or "... LOG:  FATAL: ..." style
    if (line.find(fmt::format("] {} ", level)) != std::string_view::npos) return true;
    if (line.find(fmt::format(" {}:  ", level)) != std::string_view::npos) return true;
  }
  return false;
}

// A line that continues the entry above it: an exception's message or "Caused by:", not a frame.
bool is_continuation(std::string_view line) {
  if (line.empty() || line.starts_with("\tat ") || line.starts_with("\t... ")) return false;
  if (line.starts_with("Caused by:")) return true;
  return line.find("Exception") != std::string_view::npos || line.find("Error:") != std::string_view::npos;
}

}  // namespace

std::string error_entries(const std::filesystem::path& path, int max_errors) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream out;
  int errors = 0;
  bool in_entry = false;
  std::string line;
  while (std::getline(in, line)) {
    if (is_error_line(line)) {
      if (errors == max_errors) break;
      ++errors;
      in_entry = true;
      out << line << '\n';
    } else if (in_entry && (line.starts_with("\tat ") || line.starts_with("\t... "))) {
      continue;  // stack frames: the messages are what a reader needs
    } else if (in_entry && is_continuation(line)) {
      out << line << '\n';
    } else {
      in_entry = false;
    }
  }
  return out.str();
}

}  // namespace rds::stack
