// Training checkpoints (see checkpoint.h).
#include "train/checkpoint.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>

namespace forecart::train {

namespace {

constexpr uint32_t kCheckpointVersion = 2;  // 2: EpochLog gained val_action_loss and criterion

// The one field list. V is Writer or Reader; C is Checkpoint or const Checkpoint.
template <typename V, typename C>
void visit_fields(V& v, C& ck) {
  auto& st = ck.loop;
  v(st.epoch), v(st.step), v(st.loss_sum), v(st.item_sum), v(st.action_sum), v(st.epoch_secs);
  v(st.positions), v(st.epoch_tokens), v(st.best), v(st.since_best), v(st.best_epoch), v(st.elapsed);
  v(st.graph_steps), v(ck.adam_steps);
  v(st.rng), v(st.order), v(st.log);
  v(ck.params), v(ck.adam_m), v(ck.adam_v), v(ck.best);
}

struct Writer {
  std::string out;
  template <typename T>
  void operator()(const T& x) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<const char*>(&x), sizeof(T));
  }
  template <typename T>
  void operator()(const std::vector<T>& x) {
    (*this)(static_cast<uint64_t>(x.size()));
    if (!x.empty()) out.append(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(T));
  }
  void operator()(const std::string& x) { (*this)(std::vector<char>(x.begin(), x.end())); }
};

struct Reader {
  const std::string& s;
  size_t at;
  size_t max_elems;  // bound on any vector, checked before allocating
  bool ok = true;
  bool take(void* dst, size_t n) {
    if (!ok || n > s.size() - at) return ok = false;
    if (n) std::memcpy(dst, s.data() + at, n);
    at += n;
    return true;
  }
  template <typename T>
  void operator()(T& x) {
    take(&x, sizeof(T));
  }
  template <typename T>
  void operator()(std::vector<T>& x) {
    uint64_t n = 0;
    if (!take(&n, sizeof n) || n > max_elems || n * sizeof(T) > s.size() - at) {
      ok = false;
      return;
    }
    x.resize(n);
    take(x.data(), n * sizeof(T));
  }
  void operator()(std::string& x) {
    std::vector<char> v;
    (*this)(v);
    x.assign(v.begin(), v.end());
  }
};

}  // namespace

Status save_checkpoint(const std::string& path, uint64_t fingerprint, const Checkpoint& ck) {
  Writer w{"FCK1"};
  w(kCheckpointVersion);
  w(fingerprint);
  visit_fields(w, ck);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(w.out.data(), static_cast<std::streamsize>(w.out.size()));
    if (!f.flush()) return io_error("cannot write checkpoint '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return io_error("cannot rename checkpoint onto '" + path + "'");
  return Status::Ok();
}

Status load_checkpoint(const std::string& path, uint64_t fingerprint, size_t num_params, Checkpoint* ck) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return io_error("cannot open checkpoint '" + path + "' (nothing to resume)");
  const std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (s.size() < 8 || s.compare(0, 4, "FCK1") != 0) return parse_error("'" + path + "' is not a forecart checkpoint");
  Reader r{s, 4, s.size()};
  uint32_t version = 0;
  uint64_t fp = 0;
  r(version);
  if (version != kCheckpointVersion) return parse_error("checkpoint version not supported");
  r(fp);
  if (fp != fingerprint)
    return invalid_argument("checkpoint '" + path +
                            "' was made with other data or options; resume needs the same ones");
  visit_fields(r, *ck);
  if (!r.ok || r.at != s.size() || ck->params.size() != num_params || ck->adam_m.size() != num_params ||
      ck->adam_v.size() != num_params || ck->best.size() != num_params)
    return parse_error("checkpoint '" + path + "' is truncated or corrupt");
  return Status::Ok();
}

}  // namespace forecart::train
