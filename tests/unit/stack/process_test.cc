#include "stack/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "stack/ports.h"
#include "support/temp_dir.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

using namespace std::chrono_literals;

TEST(ProcessTest, SpawnsDetachedRecognisesAndTerminates) {
  test::TempDir dir;
  LaunchSpec spec;
  // The marker is an argument, as the engines' -Drdstream.stack=<dir> is.
  spec.argv = {"/bin/sh", "-c", "echo started; exec sleep 60", "rdstream-process-test-marker"};
  spec.log_file = dir.path() / "out.log";
  auto pid = spawn_detached(spec);
  ASSERT_OK(pid);
  EXPECT_TRUE(process_alive(*pid));
  // `exec sleep` replaces the shell: the marker is gone, so the pid no longer counts as ours.
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(process_matches(*pid, "rdstream-process-test-marker"));
  EXPECT_TRUE(process_matches(*pid, "sleep 60"));
  ASSERT_OK(terminate(*pid, SIGTERM, 5s));
  EXPECT_FALSE(process_alive(*pid));
  EXPECT_NE(tail_file(spec.log_file, 5).find("started"), std::string::npos);
}

TEST(ProcessTest, TerminateEscalatesToSigkill) {
  test::TempDir dir;
  LaunchSpec spec;
  spec.argv = {"/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"};
  spec.log_file = dir.path() / "out.log";
  auto pid = spawn_detached(spec);
  ASSERT_OK(pid);
  std::this_thread::sleep_for(200ms);
  ASSERT_OK(terminate(*pid, SIGTERM, 300ms));
  EXPECT_FALSE(process_alive(*pid));
}

TEST(ProcessTest, ExecFailureIsReportedNotHidden) {
  test::TempDir dir;
  LaunchSpec spec;
  spec.argv = {"/nonexistent/java", "-version"};
  spec.log_file = dir.path() / "out.log";
  auto pid = spawn_detached(spec);
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.error().message.find("executing /nonexistent/java"), std::string::npos) << pid.error().message;
}

TEST(ProcessTest, RunToCompletionGivesExitCodeAndTimesOut) {
  test::TempDir dir;
  LaunchSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 3"};
  spec.log_file = dir.path() / "out.log";
  auto rc = run_to_completion(spec, 10s);
  ASSERT_OK(rc);
  EXPECT_EQ(*rc, 3);
  spec.argv = {"/bin/sh", "-c", "sleep 30"};
  auto slow = run_to_completion(spec, 1s);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, ErrorCode::kTimeout);
}

TEST(ProcessTest, PidFilesRoundTripAndRejectGarbage) {
  test::TempDir dir;
  const auto path = dir.path() / "x.pid";
  EXPECT_EQ(read_pid_file(path).error().code, ErrorCode::kNotFound);
  ASSERT_OK(write_pid_file(path, 4242));
  EXPECT_EQ(*read_pid_file(path), 4242);
  std::ofstream(path, std::ios::trunc) << "not-a-pid";
  EXPECT_EQ(read_pid_file(path).error().code, ErrorCode::kInvalidArgument);
  std::ofstream(path, std::ios::trunc) << "-5";
  EXPECT_FALSE(read_pid_file(path).ok());
}

TEST(ProcessTest, DeadOrForeignPidsAreNotOurs) {
  EXPECT_FALSE(process_alive(0));
  EXPECT_FALSE(process_matches(0, "x"));
  // Our own process is alive but does not carry an engine's marker.
  EXPECT_TRUE(process_alive(::getpid()));
  EXPECT_FALSE(process_matches(::getpid(), "-Drdstream.stack=/no/such/dir"));
}

// A socket listening on 127.0.0.1 at a port the kernel picks; -1 if it could not be made.
int listen_on_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

TEST(PortsTest, DetectsAPortInUse) {
  uint16_t port = 0;
  const int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(port_available("127.0.0.1", port));
  EXPECT_TRUE(port_accepting("127.0.0.1", port, 1000));
  ::close(fd);
  EXPECT_TRUE(port_available("127.0.0.1", port));
  EXPECT_FALSE(port_accepting("127.0.0.1", port, 200));
}

// After SIGKILL a JVM's main thread is often a zombie while its other threads are still exiting,
// holding the process's sockets open. Such a process is still alive: `stop-node --kill` must not
// return while its broker still accepts connections.
TEST(ProcessTest, AProcessWhoseMainThreadExitedIsAliveUntilItsLastThreadIs) {
  uint16_t port = 0;
  const int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pthread_t worker;
    ::pthread_create(&worker, nullptr, [](void*) -> void* { ::sleep(60); return nullptr; }, nullptr);
    // The main thread alone goes; the worker keeps the socket. (The raw exit: pthread_exit would
    // unwind into gtest's catch-all.)
    ::syscall(SYS_exit, 0);
  }
  ::close(fd);
  // Wait for the main thread to be a zombie.
  char state = '?';
  for (int i = 0; i < 100 && state != 'Z'; ++i) {
    std::this_thread::sleep_for(20ms);
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = content.rfind(')');
    if (paren != std::string::npos && paren + 2 < content.size()) state = content[paren + 2];
  }
  ASSERT_EQ(state, 'Z') << "the child's main thread did not exit";
  EXPECT_TRUE(port_accepting("127.0.0.1", port, 1000));
  EXPECT_TRUE(process_alive(child)) << "its worker thread still runs and holds the listening socket";

  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(process_alive(child));
  EXPECT_FALSE(port_accepting("127.0.0.1", port, 200));
}

// The cause of a failed start sits in the middle of the log, before the shutdown's flushing.
TEST(ProcessTest, ErrorEntriesQuoteTheCauseWithoutStackFrames) {
  test::TempDir dir;
  const auto log = dir.path() / "cassandra.log";
  {
    std::ofstream out(log);
    out << "INFO  [main] 2026-12-06 02:16:00,000 StorageService.java:1 - Starting\n"
        << "ERROR [main] 2026-12-06 02:16:07,160 CassandraDaemon.java:887 - Exception encountered during startup\n"
        << "java.lang.UnsupportedOperationException: A node required to move the data consistently is down\n"
        << "\tat org.apache.cassandra.dht.RangeStreamer.getAllRangesWithStrictSourcesFor(RangeStreamer.java:1)\n"
        << "\tat org.apache.cassandra.dht.RangeStreamer.addRanges(RangeStreamer.java:2)\n"
        << "Caused by: java.io.IOException: peer gone\n"
        << "\t... 4 common frames omitted\n"
        << "INFO  [StorageServiceShutdownHook] 2026-12-06 02:16:08,253 HintsService.java:234 - Paused hints\n"
        << "[2026-12-06 02:16:09,000] ERROR Second problem (kafka.Kafka$)\n"
        << "2026-12-06 02:16:10 UTC [1] FATAL:  third problem\n"
        << "ERROR fourth, left out\n";
  }
  const std::string errors = error_entries(log, 3);
  EXPECT_NE(errors.find("Exception encountered during startup"), std::string::npos) << errors;
  EXPECT_NE(errors.find("A node required to move the data consistently is down"), std::string::npos) << errors;
  EXPECT_NE(errors.find("Caused by: java.io.IOException: peer gone"), std::string::npos) << errors;
  EXPECT_NE(errors.find("Second problem"), std::string::npos) << errors;
  EXPECT_NE(errors.find("third problem"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("\tat "), std::string::npos) << errors;
  EXPECT_EQ(errors.find("Paused hints"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("fourth"), std::string::npos) << errors;
  EXPECT_EQ(error_entries(dir.path() / "missing.log", 3), "");
}

}  // namespace
}  // namespace rds::stack
