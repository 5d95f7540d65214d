#pragma once
// One thread running epoll: socket readiness, one-shot timers and tasks posted from other threads.
// The asynchronous CQL client (Connection, Session) lives entirely on this thread, so its state
// needs no locks; other threads talk to it only through post().
//
// Thread: post(), run_after() and in_loop_thread() may be called from any thread; everything else
// only on the loop thread (asserted in debug builds). Callbacks run on the loop thread and must
// not block.

#include <chrono>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace rds::cassandra {

class EventLoop {
 public:
  using Task = std::function<void()>;
  using FdHandler = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;
  using Clock = std::chrono::steady_clock;

  EventLoop();
  ~EventLoop();  // stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts the thread. Fails (kIo) if epoll or eventfd cannot be created.
  Status start();
  // Runs the tasks already posted, then stops and joins the thread. Not from the loop thread.
  void stop();

  // Any thread: runs `task` on the loop thread soon, in posting order. Returns false (and drops
  // the task) once the loop has stopped, so callers can fail the work themselves.
  bool post(Task task);
  // Any thread: runs `task` on the loop thread after `delay`. False once the loop has stopped.
  bool run_after(std::chrono::milliseconds delay, Task task);
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_.load(); }

  // Loop thread only.
  TimerId add_timer(Clock::duration after, Task task);
  void cancel_timer(TimerId id);
  Status watch(int fd, uint32_t events, FdHandler handler);
  void set_events(int fd, uint32_t events);
  void unwatch(int fd);
  Clock::time_point now() const { return Clock::now(); }

 private:
  void run();
  void run_posted();
  int next_timeout_ms();
  void run_due_timers();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  bool stopping_ = false;  // loop thread

  std::mutex mutex_;  // guards posted_, stop_requested_ and stopped_
  std::vector<Task> posted_;
  std::vector<Task> running_;  // loop thread: the batch run_posted() is running
  bool stop_requested_ = false;
  bool stopped_ = false;  // the loop drained its last tasks: post() refuses from then on

  struct Watch {
    uint32_t generation;
    std::shared_ptr<FdHandler> handler;
  };
  std::unordered_map<int, Watch> watches_;
  uint32_t generation_ = 0;

  struct TimerEntry {
    Clock::time_point when;
    TimerId id;
    bool operator>(const TimerEntry& o) const { return when > o.when || (when == o.when && id > o.id); }
  };
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timer_heap_;
  std::unordered_map<TimerId, Task> timers_;  // cancelled timers are erased here, lazily in the heap
  TimerId next_timer_ = 1;
};

}  // namespace rds::cassandra
