#include "cassandra/event_loop.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

namespace rds::cassandra {

EventLoop::EventLoop() = default;

EventLoop::~EventLoop() {
  stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status EventLoop::start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Error(ErrorCode::kIo, fmt::format("epoll_create1: {}", std::strerror(errno)));
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Error(ErrorCode::kIo, fmt::format("eventfd: {}", std::strerror(errno)));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = static_cast<uint64_t>(static_cast<uint32_t>(wake_fd_));
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Error(ErrorCode::kIo, fmt::format("epoll_ctl: {}", std::strerror(errno)));
  }
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    run();
  });
  // Wait until thread_id_ is set so in_loop_thread() is right from the start.
  while (thread_id_.load() == std::thread::id()) std::this_thread::yield();
  return ok_status();
}

void EventLoop::stop() {
  if (!thread_.joinable()) return;
  assert(!in_loop_thread());
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

bool EventLoop::post(Task task) {
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
    was_empty = posted_.empty();
    posted_.push_back(std::move(task));
  }
  // One wake-up per batch: the loop drains the whole queue when it wakes.
  if (was_empty && !in_loop_thread()) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }
  return true;
}

bool EventLoop::run_after(std::chrono::milliseconds delay, Task task) {
  return post([this, delay, task = std::move(task)]() mutable { add_timer(delay, std::move(task)); });
}

EventLoop::TimerId EventLoop::add_timer(Clock::duration after, Task task) {
  assert(in_loop_thread());
  const TimerId id = next_timer_++;
  timer_heap_.push({Clock::now() + after, id});
  timers_.emplace(id, std::move(task));
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timers_.erase(id); }

Status EventLoop::watch(int fd, uint32_t events, FdHandler handler) {
  assert(in_loop_thread());
  const uint32_t generation = ++generation_;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Error(ErrorCode::kIo, fmt::format("epoll_ctl(ADD): {}", std::strerror(errno)));
  }
  watches_[fd] = Watch{generation, std::make_shared<FdHandler>(std::move(handler))};
  return ok_status();
}

void EventLoop::set_events(int fd, uint32_t events) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<uint64_t>(it->second.generation) << 32) | static_cast<uint32_t>(fd);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::unwatch(int fd) {
  if (watches_.erase(fd) > 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::run_posted() {
  // Tasks posted while these run (from this thread or others) are picked up by the next round.
  for (int round = 0; round < 64; ++round) {
    // Swapped with a cleared vector that kept its capacity: the queue does not grow from nothing
    // (and reallocate) on every round.
    std::vector<Task>& batch = running_;
    {
      std::lock_guard lock(mutex_);
      batch.swap(posted_);
      if (stop_requested_ && batch.empty()) stopping_ = stopped_ = true;
    }
    if (batch.empty()) return;
    for (auto& task : batch) task();
    batch.clear();
  }
}

int EventLoop::next_timeout_ms() {
  {
    std::lock_guard lock(mutex_);
    if (!posted_.empty() || stop_requested_) return 0;
  }
  while (!timer_heap_.empty() && timers_.find(timer_heap_.top().id) == timers_.end()) timer_heap_.pop();
  if (timer_heap_.empty()) return 1000;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timer_heap_.top().when - Clock::now());
  // Round up so we never wake just before a timer is due and spin.
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count() + 1, 1000));
}

void EventLoop::run_due_timers() {
  const auto now = Clock::now();
  while (!timer_heap_.empty() && timer_heap_.top().when <= now) {
    const TimerId id = timer_heap_.top().id;
    timer_heap_.pop();
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled
    Task task = std::move(it->second);
    timers_.erase(it);
    task();
  }
}

void EventLoop::run() {
  std::vector<epoll_event> events(256);
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), next_timeout_ms());
    for (int i = 0; i < n; ++i) {
      const uint64_t data = events[i].data.u64;
      const int fd = static_cast<int>(static_cast<uint32_t>(data));
      if (fd == wake_fd_ && (data >> 32) == 0) {
        uint64_t count = 0;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        continue;
      }
      auto it = watches_.find(fd);
      // A handler that ran earlier in this batch may have closed fd (and maybe reused it).
      if (it == watches_.end() || it->second.generation != static_cast<uint32_t>(data >> 32)) continue;
      auto handler = it->second.handler;  // keeps it alive if the handler unwatches itself
      (*handler)(events[i].events);
    }
    run_due_timers();
    run_posted();
  }
}

}  // namespace rds::cassandra
