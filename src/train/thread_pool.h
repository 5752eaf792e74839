// The one thread pool of the native trainer and evaluator: fork-join, fixed work per thread.
// run(fn) calls fn(tid) for tid = 0..n-1 (0 on the calling thread) and returns when all are done.
// Which work a tid does is fixed by the caller, so results never depend on scheduling.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"

namespace forecart::train {

class ThreadPool {
 public:
  explicit ThreadPool(size_t n) : n_(n ? n : 1) {}
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Starts the n - 1 worker threads (kInternal when the system refuses).
  Status start();
  size_t size() const { return n_; }
  void run(const std::function<void(size_t tid)>& fn);

  // fn(begin, end, tid) over [0, total) cut into size() contiguous, near-equal parts.
  template <typename Fn>
  void for_parts(size_t total, Fn fn) {
    run([&](size_t tid) {
      const size_t b = total * tid / n_, e = total * (tid + 1) / n_;
      if (b < e) fn(b, e, tid);
    });
  }

 private:
  void loop(size_t tid);

  size_t n_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  uint64_t generation_ = 0;
  size_t pending_ = 0;
  bool stop_ = false;
};

}  // namespace forecart::train
