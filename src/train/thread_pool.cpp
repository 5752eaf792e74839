// The fork-join thread pool (see thread_pool.h).
#include "train/thread_pool.h"

#include <string>
#include <system_error>

namespace forecart::train {

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

Status ThreadPool::start() {
  try {
    for (size_t tid = workers_.size() + 1; tid < n_; ++tid) workers_.emplace_back([this, tid] { loop(tid); });
  } catch (const std::system_error& e) {
    return Status(StatusCode::kInternal, std::string("could not start worker threads: ") + e.what());
  }
  return Status::Ok();
}

void ThreadPool::run(const std::function<void(size_t)>& fn) {
  if (n_ == 1) {
    fn(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    job_ = &fn;
    pending_ = n_ - 1;
    ++generation_;
  }
  start_.notify_all();
  fn(0);
  std::unique_lock<std::mutex> lk(mu_);
  done_.wait(lk, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::loop(size_t tid) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(size_t)>* job = nullptr;
    {
      std::unique_lock<std::mutex> lk(mu_);
      start_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
    }
    (*job)(tid);
    std::lock_guard<std::mutex> lk(mu_);
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace forecart::train
