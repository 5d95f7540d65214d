#pragma once
// Processes the stack starts: spawned detached (own session, double fork so that neither the CLI
// nor a test process ever holds a zombie), tracked by pid files, and recognised again by a marker
// string in their /proc/<pid>/cmdline so that a recycled pid is never mistaken for ours.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace rds::stack {

struct LaunchSpec {
  std::vector<std::string> argv;              // argv[0] is an absolute path or found on PATH
  std::vector<std::string> env;               // extra "KEY=VALUE" entries added to the environment
  std::filesystem::path working_dir;
  std::filesystem::path log_file;             // stdout and stderr are appended here
  std::optional<std::string> run_as_user;     // drop root privileges to this user before exec
};

// Starts the command detached from this process; returns its pid once exec succeeded.
Result<pid_t> spawn_detached(const LaunchSpec& spec);

// Runs the command to completion (output appended to spec.log_file); returns its exit status.
Result<int> run_to_completion(const LaunchSpec& spec, std::chrono::seconds timeout);

// True when pid names a live (not zombie) process whose command line contains `marker`.
bool process_matches(pid_t pid, const std::string& marker);
bool process_alive(pid_t pid);
// The live process's working directory (empty when it is gone or not ours to inspect). Airflow
// rewrites its command line (setproctitle), so its services are recognised by this instead.
std::filesystem::path process_cwd(pid_t pid);

// Sends `signal`, waits up to `grace` for the process to exit, then SIGKILLs it and waits again.
// Returns an error only if the process still exists after SIGKILL.
Status terminate(pid_t pid, int signal, std::chrono::milliseconds grace);

// Stops what is left of process group `pgid` (children of a stopped service): `signal`, up to
// `grace`, then SIGKILL. Never this process's own group.
void terminate_group(pid_t pgid, int signal, std::chrono::milliseconds grace);

Result<pid_t> read_pid_file(const std::filesystem::path& path);
Status write_pid_file(const std::filesystem::path& path, pid_t pid);

// The last `lines` lines of a text file (empty when it does not exist).
std::string tail_file(const std::filesystem::path& path, int lines);

// The first `max_errors` error entries of an engine's log: each line logged at ERROR or FATAL
// (Cassandra's "ERROR [main] ...", Kafka's "[...] ERROR ...", PostgreSQL's "FATAL: ...") with the
// exception message lines after it, stack frames left out. A node that dies at start-up usually
// explains why in the middle of its log, then flushes for a while: the tail alone misses the cause.
std::string error_entries(const std::filesystem::path& path, int max_errors);

}  // namespace rds::stack
