#include "core/signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace rds {
namespace {

// Runs the handlers in a child process (they are process-wide and the second signal _exits): the
// child installs them, tells the parent, and then reports over a pipe what each signal did.
TEST(StopSignals, FirstSignalAsksToStopAndSaysSoSecondExitsAtOnce) {
  int err_pipe[2];
  int ready_pipe[2];
  ASSERT_EQ(::pipe(err_pipe), 0);
  ASSERT_EQ(::pipe(ready_pipe), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(err_pipe[0]);
    ::close(ready_pipe[0]);
    const auto& stop = install_stop_signals();
    (void)!::write(ready_pipe[1], "r", 1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    (void)!::write(ready_pipe[1], stop.load() ? "s" : "t", 1);  // stop seen (or timed out)
    while (std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::_exit(0);  // the second signal must end it before this
  }
  ::close(err_pipe[1]);
  ::close(ready_pipe[1]);
  char c = 0;
  ASSERT_EQ(::read(ready_pipe[0], &c, 1), 1);
  ASSERT_EQ(c, 'r');
  ASSERT_EQ(::kill(child, SIGINT), 0);
  ASSERT_EQ(::read(ready_pipe[0], &c, 1), 1);
  EXPECT_EQ(c, 's') << "the first signal did not set the stop flag";
  ASSERT_EQ(::kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  std::string err;
  char buf[256];
  for (ssize_t n; (n = ::read(err_pipe[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
  ::close(err_pipe[0]);
  ::close(ready_pipe[0]);
  EXPECT_NE(err.find("a second signal exits at once"), std::string::npos) << err;
  EXPECT_NE(err.find("second signal: exiting now"), std::string::npos) << err;
}

}  // namespace
}  // namespace rds
