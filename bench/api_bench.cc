// The cost of the object model, with baselines from the same run:
//   - decode: JSON text -> json::Value (baseline) vs JSON text -> typed Rollout;
//   - encode: typed Rollout -> JSON text;
//   - memory: heap bytes held per object by a typed Rollout vs by its json::Value tree vs its
//     JSON text, for 10,000 Rollouts (what an informer cache would hold; the aim of issue 3 is
//     under 4 KiB per cached Rollout).
// Heap bytes are counted by replacing global operator new/delete in this binary.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "api/rollout.h"
#include "api/rollout_codec.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "sample_rollout.h"

namespace {

std::atomic<int64_t> g_live_bytes{0};

std::string RolloutJson() {
  auto manifests = devflow::api::ReadManifests(devflow::bench::kRolloutYaml, "bench.yaml");
  if (!manifests.ok()) {
    std::fprintf(stderr, "bad bench manifest: %s\n", manifests.error().ToString().c_str());
    std::abort();
  }
  return devflow::json::Write((*manifests)[0].object);
}

void BM_ParseJsonTree(benchmark::State& state) {
  const std::string text = RolloutJson();
  for (auto _ : state) {
    auto v = devflow::json::Parse(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseJsonTree);

void BM_DecodeTypedRollout(benchmark::State& state) {
  const std::string text = RolloutJson();
  for (auto _ : state) {
    auto v = devflow::json::Parse(text);
    auto rollout = devflow::api::Decode<devflow::api::Rollout>(*v);
    benchmark::DoNotOptimize(rollout);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_DecodeTypedRollout);

void BM_EncodeTypedRollout(benchmark::State& state) {
  const auto rollout =
      devflow::api::Decode<devflow::api::Rollout>(*devflow::json::Parse(RolloutJson()));
  for (auto _ : state) {
    std::string text = devflow::json::Write(devflow::api::Encode(rollout));
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_EncodeTypedRollout);

// Heap bytes per object when 10,000 are held at once.
template <class Make>
double BytesPerObject(Make make) {
  constexpr int kCount = 10000;
  int64_t before = g_live_bytes.load();
  auto held = make(kCount);
  int64_t after = g_live_bytes.load();
  benchmark::DoNotOptimize(held);
  return static_cast<double>(after - before) / kCount;
}

void ReportMemory() {
  const std::string text = RolloutJson();
  const auto tree = *devflow::json::Parse(text);
  double text_bytes = BytesPerObject([&](int n) {
    std::vector<std::string> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i) v.push_back(text);
    return v;
  });
  double tree_bytes = BytesPerObject([&](int n) {
    std::vector<devflow::json::Value> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i) v.push_back(*devflow::json::Parse(text));
    return v;
  });
  double typed_bytes = BytesPerObject([&](int n) {
    std::vector<devflow::api::Rollout> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i) v.push_back(devflow::api::Decode<devflow::api::Rollout>(tree));
    return v;
  });
  std::printf("\nMemory per Rollout, 10,000 held (heap bytes, incl. the vector slot):\n");
  std::printf("  JSON text (baseline)      %8.0f B\n", text_bytes);
  std::printf("  json::Value tree          %8.0f B\n", tree_bytes);
  std::printf("  typed api::Rollout        %8.0f B   (sizeof %zu B; aim for a cache: < 4096 B)\n",
              typed_bytes, sizeof(devflow::api::Rollout));
}

}  // namespace

void* operator new(std::size_t size) {
  g_live_bytes.fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
  // Keep the size in front of the block so delete can subtract it.
  auto* p = static_cast<std::size_t*>(std::malloc(size + sizeof(std::max_align_t)));
  if (p == nullptr) throw std::bad_alloc();
  *p = size;
  return reinterpret_cast<char*>(p) + sizeof(std::max_align_t);
}
void operator delete(void* ptr) noexcept {
  if (ptr == nullptr) return;
  auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(ptr) - sizeof(std::max_align_t));
  g_live_bytes.fetch_sub(static_cast<int64_t>(*p), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* ptr, std::size_t) noexcept { operator delete(ptr); }

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  ReportMemory();
  benchmark::Shutdown();
  return 0;
}
