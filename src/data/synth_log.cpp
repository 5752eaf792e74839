// Implements synth_log.h: the synthetic log generator (popularity, categories, users, sessions, funnel).
#include "data/synth_log.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <random>
#include <vector>

namespace forecart::data {

namespace {

// Sampling an index with probability proportional to weights, by binary search in the cumulative sums.
class Cumulative {
 public:
  void add(double w) { sums_.push_back((sums_.empty() ? 0.0 : sums_.back()) + w); }
  bool empty() const { return sums_.empty(); }
  size_t sample(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0.0, sums_.back())(rng);
    return std::min(static_cast<size_t>(std::upper_bound(sums_.begin(), sums_.end(), u) - sums_.begin()),
                    sums_.size() - 1);
  }

 private:
  std::vector<double> sums_;
};

// The catalogue: item r (0-based popularity rank) has weight (r+1)^-zipf and a category drawn from a hash of
// r, so that popular items are spread over the categories.
struct Catalogue {
  Cumulative all;
  std::vector<uint32_t> category;             // per item
  std::vector<std::vector<uint32_t>> member;  // per category: its items
  std::vector<Cumulative> within;             // per category: over member[c]

  Catalogue(const SynthLogOptions& o) : category(o.items), member(o.categories), within(o.categories) {
    for (uint32_t r = 0; r < o.items; ++r) {
      uint64_t h = (r + 1) * 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
      h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
      h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
      category[r] = static_cast<uint32_t>((h ^ (h >> 31)) % o.categories);
      const double w = std::pow(static_cast<double>(r) + 1.0, -o.zipf);
      all.add(w);
      member[category[r]].push_back(r);
      within[category[r]].add(w);
    }
  }
};

// Buffered output to a plain or gzip file.
class Sink {
 public:
  Status open(const std::string& path) {
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    file_ = gzopen(path.c_str(), gz ? "wb6" : "wbT");
    if (file_ == nullptr) return io_error("cannot write '" + path + "'");
    path_ = path;
    return Status::Ok();
  }
  fmt::memory_buffer& buffer() { return buf_; }
  Status flush() {
    if (buf_.size() == 0) return Status::Ok();
    if (gzwrite(file_, buf_.data(), static_cast<unsigned>(buf_.size())) != static_cast<int>(buf_.size()))
      return io_error("cannot write '" + path_ + "' (disk full?)");
    bytes_ += buf_.size();
    buf_.clear();
    return Status::Ok();
  }
  Status close() {
    FORECART_RETURN_IF_ERROR(flush());
    const int rc = gzclose(file_);
    file_ = nullptr;
    return rc == Z_OK ? Status::Ok() : io_error("cannot finish '" + path_ + "'");
  }
  ~Sink() {
    if (file_ != nullptr) gzclose(file_);
  }
  uint64_t bytes() const { return bytes_; }

 private:
  gzFile file_ = nullptr;
  std::string path_;
  fmt::memory_buffer buf_;
  uint64_t bytes_ = 0;
};

constexpr const char* kActions[] = {"view", "cart", "purchase"};

void write_event(bool csv, uint64_t user, uint32_t item, int action, uint32_t category, int64_t t,
                 fmt::memory_buffer& out) {
  if (csv) {
    fmt::format_to(std::back_inserter(out), "u{},i{},{},{},c{}\n", user, item + 1, kActions[action], t, category + 1);
    return;
  }
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  fmt::format_to(std::back_inserter(out),
                 "{{\"user_id\":\"u{}\",\"item_id\":\"i{}\",\"event_type\":\"{}\","
                 "\"timestamp\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z\",\"category_id\":\"c{}\"}}\n",
                 user, item + 1, kActions[action], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, category + 1);
}

Status check_options(const SynthLogOptions& o) {
  if (o.format != "csv" && o.format != "jsonl") return invalid_argument("format '" + o.format + "': csv or jsonl");
  if (o.events == 0 || o.items == 0 || o.categories == 0 || o.categories > o.items)
    return invalid_argument("events and items must be positive, categories between 1 and items");
  if (!(o.zipf >= 0 && o.zipf <= 4) || !(o.user_events >= 1) || !(o.session_events >= 1) || o.days == 0)
    return invalid_argument("zipf in [0, 4], user and session events >= 1, days >= 1");
  for (double p : {o.repeat, o.same_category, o.cart, o.purchase})
    if (!(p >= 0 && p <= 1)) return invalid_argument("probabilities must be in [0, 1]");
  if (o.repeat + o.same_category > 1) return invalid_argument("repeat + same_category must be at most 1");
  return Status::Ok();
}

}  // namespace

Status write_synth_log(const std::string& path, const SynthLogOptions& o, SynthLogReport* report) {
  FORECART_RETURN_IF_ERROR(check_options(o));
  const Catalogue cat(o);
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::lognormal_distribution<double> user_len(std::log(o.user_events) - 0.5, 1.0);  // mean user_events
  std::geometric_distribution<int> session_len(1.0 / o.session_events);
  std::exponential_distribution<double> session_gap(1.0 / (3 * 86400.0)), click_gap(1.0 / 45.0);
  std::uniform_int_distribution<int64_t> first_time(o.start, o.start + int64_t{o.days} * 86400 - 1);

  const bool csv = o.format == "csv";
  Sink sink;
  FORECART_RETURN_IF_ERROR(sink.open(path));
  if (csv) fmt::format_to(std::back_inserter(sink.buffer()), "user_id,item_id,event_type,timestamp,category_id\n");
  SynthLogReport rep;
  std::vector<uint32_t> recent;  // the user's items, newest last
  for (uint64_t user = 1; rep.events < o.events; ++user) {
    ++rep.users;
    recent.clear();
    const uint64_t budget = std::min<uint64_t>(
        o.events - rep.events, std::clamp<uint64_t>(static_cast<uint64_t>(std::llround(user_len(rng))), 1, 5000));
    int64_t t = first_time(rng);
    uint64_t done = 0;
    auto emit = [&](uint32_t item, int action) {
      write_event(csv, user, item, action, cat.category[item], t, sink.buffer());
      ++done;
      ++rep.events;
    };
    while (done < budget) {
      uint32_t session_cat = 0;
      const int views = 1 + session_len(rng);
      for (int v = 0; v < views && done < budget; ++v) {
        const double u = unit(rng);
        uint32_t item;
        if (!recent.empty() && u < o.repeat) {
          const size_t back = std::min<size_t>(recent.size(), 20);
          item = recent[recent.size() - 1 - std::uniform_int_distribution<size_t>(0, back - 1)(rng)];
        } else if (v > 0 && u < o.repeat + o.same_category) {
          item = cat.member[session_cat][cat.within[session_cat].sample(rng)];
        } else {
          item = static_cast<uint32_t>(cat.all.sample(rng));
        }
        if (v == 0) session_cat = cat.category[item];
        emit(item, 0);
        recent.push_back(item);
        if (done < budget && unit(rng) < o.cart) {
          t += 5 + static_cast<int64_t>(click_gap(rng));
          emit(item, 1);
          if (done < budget && unit(rng) < o.purchase) {
            t += 30 + static_cast<int64_t>(click_gap(rng) * 4);
            emit(item, 2);
          }
        }
        t += 1 + static_cast<int64_t>(click_gap(rng));
      }
      t += 600 + static_cast<int64_t>(session_gap(rng));
      if (sink.buffer().size() > (1 << 20)) FORECART_RETURN_IF_ERROR(sink.flush());
    }
  }
  FORECART_RETURN_IF_ERROR(sink.close());
  rep.bytes = sink.bytes();
  if (report) *report = rep;
  return Status::Ok();
}

}  // namespace forecart::data
