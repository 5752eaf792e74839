// Catalogue scoring micro-benchmark: the generic int8 kernel (q8_gemv, one state) against
// XNNPACK's f32 fully-connected operator over the same table (one state, and a batch of 64).
// Run: build/native/bench/bench_score   (Release build; figures are per scored item).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/xnnpack_scorer.h"
#include "quant/q8.h"

namespace {
using namespace forecart;
constexpr size_t kDim = 64;

struct Fixture {
  std::vector<float> table, states, out;
  Q8Matrix q8;
  explicit Fixture(size_t n, size_t batch = 64) : table(n * kDim), states(batch * kDim), out(n * batch) {
    std::mt19937 rng(1);
    std::normal_distribution<float> d(0.0f, 0.1f);
    for (auto& v : table) v = d(rng);
    for (auto& v : states) v = d(rng);
    q8 = quantize_q8_ref(table.data(), static_cast<uint32_t>(n), kDim);
  }
};

void BM_q8_gemv_generic(benchmark::State& st) {
  const size_t n = static_cast<size_t>(st.range(0));
  Fixture f(n, 1);
  std::vector<int8_t> xq(kDim);
  for (auto _ : st) {
    const float xs = quantize_row_q8_ref(f.states.data(), kDim, xq.data());
    q8_gemv(f.q8.data.data(), f.q8.scales.data(), xq.data(), xs, nullptr, n, kDim, f.out.data());
    benchmark::DoNotOptimize(f.out.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(n));
  st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(f.q8.bytes()));
}

void BM_f32_xnnpack(benchmark::State& st) {
  const size_t n = static_cast<size_t>(st.range(0)), batch = static_cast<size_t>(st.range(1));
  Fixture f(n, batch);
  auto scorer = XnnScorer::create(f.table.data(), nullptr, n, kDim, 1);
  if (!scorer.ok()) {
    st.SkipWithError(scorer.status().to_string().c_str());
    return;
  }
  for (auto _ : st) {
    if (!scorer.value()->score(f.states.data(), batch, f.out.data()).ok()) st.SkipWithError("score failed");
    benchmark::DoNotOptimize(f.out.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(n * batch));
}

void BM_f32_gemv_generic(benchmark::State& st) {
  const size_t n = static_cast<size_t>(st.range(0));
  Fixture f(n, 1);
  for (auto _ : st) {
    f32_gemv(f.table.data(), f.states.data(), nullptr, n, kDim, f.out.data());
    benchmark::DoNotOptimize(f.out.data());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(n));
}
}  // namespace

BENCHMARK(BM_q8_gemv_generic)->Arg(1000)->Arg(23715)->Arg(100000);
BENCHMARK(BM_f32_gemv_generic)->Arg(1000)->Arg(23715)->Arg(100000);
BENCHMARK(BM_f32_xnnpack)->Args({1000, 1})->Args({23715, 1})->Args({100000, 1})->Args({23715, 64});
BENCHMARK_MAIN();
