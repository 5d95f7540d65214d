#pragma once
// Runs a command as a child process with its stdout and stderr captured to files, waits for it
// with a timeout (killing it, by its pid, when the timeout passes), and returns both outputs and
// the exit code. For tests that drive the `rdstream` binary like a user would.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace rds::test {

struct ChildResult {
  int exit_code = -1;  // -1 when it did not exit by itself (killed on timeout, or a signal)
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds took{0};
};

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `interrupt_after` > 0: send SIGINT (Ctrl-C) once that much time has passed.
inline ChildResult run_child(const std::vector<std::string>& argv, const std::filesystem::path& work_dir,
                             std::chrono::milliseconds timeout,
                             std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0)) {
  ChildResult result;
  const auto out_path = work_dir / "stdout.txt";
  const auto err_path = work_dir / "stderr.txt";
  const auto started = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) return result;
  int status = 0;
  bool interrupted = false;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (!interrupted && interrupt_after.count() > 0 && std::chrono::steady_clock::now() - started > interrupt_after) {
      ::kill(pid, SIGINT);
      interrupted = true;
    }
    if (std::chrono::steady_clock::now() - started > timeout) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = read_whole_file(out_path);
  result.err = read_whole_file(err_path);
  return result;
}

}  // namespace rds::test
