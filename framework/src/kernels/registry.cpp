// Backend registry and run-time selection (API in tinytorch/backend.h).
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/kernel_table.h"
#include "tinytorch/backend.h"
#include "tinytorch/error.h"

namespace tinytorch {
namespace kernels {
namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, KernelTable> tables;
  std::atomic<const KernelTable*> active{nullptr};
};

Registry& registry() {
  static Registry r;
  return r;
}

// Names of the registered backends; the caller holds r.mutex.
std::string registered_names(const Registry& r) {
  std::vector<std::string> names;
  for (const auto& entry : r.tables) names.push_back(entry.first);
  return fmt::format("{}", fmt::join(names, ", "));
}

// Resolves the active table on first use: TINYTORCH_BACKEND, else the fastest registered backend.
const KernelTable* initial_backend(Registry& r) {
  r.tables.emplace("reference", reference_kernels());
  r.tables.emplace("optimized", optimized_kernels());
  if (const char* env = std::getenv("TINYTORCH_BACKEND"); env != nullptr && *env != '\0') {
    auto it = r.tables.find(env);
    TT_CHECK(it != r.tables.end(), "TINYTORCH_BACKEND: unknown backend \"{}\"; available: {}", env,
             registered_names(r));
    return &it->second;
  }
  auto optimized = r.tables.find("optimized");
  return optimized != r.tables.end() ? &optimized->second : &r.tables.at("reference");
}
}  // namespace

void register_backend(const KernelTable& table) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.tables[table.name] = table;
}

const KernelTable& active_kernels() {
  Registry& r = registry();
  if (const KernelTable* table = r.active.load(std::memory_order_acquire)) return *table;
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.active.load() == nullptr) r.active.store(initial_backend(r), std::memory_order_release);
  return *r.active.load();
}
}  // namespace kernels

void set_backend(const std::string& name) {
  kernels::active_kernels();  // make sure the registry is initialised
  auto& r = kernels::registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.tables.find(name);
  TT_CHECK(it != r.tables.end(), "set_backend: unknown backend \"{}\"; available: {}", name,
           kernels::registered_names(r));
  r.active.store(&it->second, std::memory_order_release);
}

std::string backend_name() { return kernels::active_kernels().name; }

std::vector<std::string> available_backends() {
  kernels::active_kernels();  // registers the built-in backends on first use
  auto& r = kernels::registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& entry : r.tables) names.push_back(entry.first);
  return names;
}

}  // namespace tinytorch
