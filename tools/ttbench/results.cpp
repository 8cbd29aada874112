// Reading Google Benchmark JSON, the compact results form, fingerprints and the run store.
#include "results.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "stats.h"

namespace fs = std::filesystem;

namespace ttbench {
namespace {

// Fields of a Google Benchmark entry that are not user counters.
const std::set<std::string> kStandardFields = {"name",
                                               "family_index",
                                               "per_family_instance_index",
                                               "run_name",
                                               "run_type",
                                               "repetitions",
                                               "repetition_index",
                                               "threads",
                                               "iterations",
                                               "real_time",
                                               "cpu_time",
                                               "time_unit",
                                               "aggregate_name",
                                               "aggregate_unit",
                                               "label",
                                               "error_occurred",
                                               "error_message"};

double unit_to_ns(const std::string& unit, const std::string& path) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  throw InputError(fmt::format("{}: unknown time_unit '{}' (expected ns, us, ms or s)", path, unit));
}

std::string strip_real_time(const std::string& name) {
  const std::string suffix = "/real_time";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    return name.substr(0, name.size() - suffix.size());
  return name;
}

std::string context_string(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// The fingerprint fields, as written by suites/common/bench_context.cpp and Google Benchmark.
const std::array<const char*, 7> kFingerprintKeys = {
    "cpu_model", "num_cpus", "cpu_isa_flags", "tinytorch_isa", "libtorch_blas", "libtorch_blas_core", "build_type"};

std::string slug_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}
// Google Benchmark writes non-finite counters as bare NaN or inf (e.g. FLOP/s of a case with no
// FLOPs), which is not JSON: outside strings they become null. `shifts` records, per replacement,
// where it ends in the result and how many bytes longer the result became there.
std::string non_finite_to_null(const std::string& text, std::vector<std::pair<size_t, long>>* shifts) {
  static const char* kTokens[] = {"-Infinity", "Infinity", "-NaN", "NaN", "-nan", "nan", "-inf", "inf"};
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    const char* token = nullptr;
    for (const char* t : kTokens)
      if (text.compare(i, std::strlen(t), t) == 0) {
        token = t;
        break;
      }
    if (!token) {
      out += c;
      ++i;
      continue;
    }
    out += "null";
    shifts->push_back({out.size(), 4 - static_cast<long>(std::strlen(token))});
    i += std::strlen(token);
  }
  return out;
}
}  // namespace

const Benchmark* RunResults::find(const std::string& name) const {
  for (const auto& [suite, results] : suites)
    for (const Benchmark& b : results.benchmarks)
      if (b.name == name) return &b;
  return nullptr;
}

std::vector<const Benchmark*> RunResults::all() const {
  std::vector<const Benchmark*> out;
  for (const auto& [suite, results] : suites)
    for (const Benchmark& b : results.benchmarks) out.push_back(&b);
  return out;
}

std::string RunResults::context(const std::string& key) const {
  for (const auto& [suite, results] : suites) {
    auto it = results.context.find(key);
    if (it != results.context.end()) return it->second;
  }
  return "";
}

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open (missing file?)", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::pair<size_t, long>> shifts;
  const std::string clean = non_finite_to_null(text, &shifts);
  try {
    return json::parse(clean);
  } catch (const json::parse_error& e) {
    // Back to a position in the file; nlohmann counts one byte past the end when the input stops early.
    long byte = static_cast<long>(e.byte);
    for (const auto& [end, longer] : shifts)
      if (e.byte > end) byte -= longer;
    const size_t at = std::min<size_t>(static_cast<size_t>(std::max(byte, 0L)), text.size());
    throw InputError(fmt::format("{}: malformed JSON at byte {} of {}{}: {}", path, at, text.size(),
                                 byte > static_cast<long>(text.size()) ? " (the file ends there: truncated?)" : "",
                                 e.what()));
  }
}

void write_json_file(const std::string& path, const json& value) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  std::ofstream out(path);
  out << value.dump(1) << "\n";
  if (!out) throw InputError(fmt::format("{}: cannot write", path));
}

void add_gbench_results(const std::string& path, RunResults* run) {
  const json doc = read_json_file(path);
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw InputError(fmt::format("{}: not Google Benchmark JSON (no \"benchmarks\" array)", path));
  SuiteResults suite;
  if (doc.contains("context") && doc["context"].is_object())
    for (const auto& [key, value] : doc["context"].items()) suite.context[key] = context_string(value);
  std::map<std::string, std::map<std::string, std::vector<double>>> counter_values;
  std::map<std::string, size_t> index;
  for (const json& entry : doc["benchmarks"]) {
    if (!entry.is_object() || !entry.contains("name"))
      throw InputError(fmt::format("{}: a \"benchmarks\" entry has no name: {}", path, entry.dump().substr(0, 200)));
    if (entry.value("run_type", "iteration") != "iteration") continue;  // aggregates are recomputed here
    const std::string name = strip_real_time(entry["name"].get<std::string>());
    auto [it, inserted] = index.emplace(name, suite.benchmarks.size());
    if (inserted) {
      Benchmark b;
      b.name = name;
      if (!tt_bench::parse_bench_name(name, &b.parts)) b.parts = tt_bench::BenchName{"", name, "", "", "", 0};
      suite.benchmarks.push_back(std::move(b));
    }
    Benchmark& b = suite.benchmarks[it->second];
    if (entry.value("error_occurred", false)) {
      b.error = entry.value("error_message", "error");
      continue;
    }
    if (!entry.contains("real_time") || !entry["real_time"].is_number())
      throw InputError(fmt::format("{}: benchmark '{}' has no numeric real_time", path, name));
    const double iterations = entry.value("iterations", 1.0);
    b.times_ns.push_back(entry["real_time"].get<double>() * unit_to_ns(entry.value("time_unit", "ns"), path));
    b.iterations.push_back(iterations);
    for (const auto& [key, value] : entry.items())
      if (value.is_number() && !kStandardFields.count(key)) counter_values[name][key].push_back(value.get<double>());
  }
  for (Benchmark& b : suite.benchmarks)
    for (const auto& [key, values] : counter_values[b.name]) b.counters[key] = stats::median(values);
  std::string suite_name = suite.context.count("suite") ? suite.context["suite"] : "";
  if (suite_name.empty() && !suite.benchmarks.empty()) suite_name = suite.benchmarks.front().parts.suite;
  if (suite_name.empty()) suite_name = fs::path(path).stem().string();
  SuiteResults& target = run->suites[suite_name];
  for (auto& [key, value] : suite.context) target.context[key] = value;
  for (Benchmark& b : suite.benchmarks) target.benchmarks.push_back(std::move(b));
}

json results_to_json(const RunResults& run) {
  json out = json::object();
  out["suites"] = json::object();
  for (const auto& [name, suite] : run.suites) {
    json benchmarks = json::array();
    for (const Benchmark& b : suite.benchmarks) {
      json entry = {
          {"name", b.name}, {"real_time_ns", b.times_ns}, {"iterations", b.iterations}, {"counters", b.counters}};
      if (!b.error.empty()) entry["error"] = b.error;
      if (!b.run_medians.empty()) entry["run_medians_ns"] = b.run_medians;
      benchmarks.push_back(std::move(entry));
    }
    out["suites"][name] = {{"context", suite.context}, {"benchmarks", std::move(benchmarks)}};
  }
  if (run.fma_peak_flops) out["fma_peak_flops_per_thread"] = *run.fma_peak_flops;
  return out;
}

RunResults results_from_json(const json& value, const std::string& path) {
  RunResults run;
  try {
    for (const auto& [name, suite_json] : value.at("suites").items()) {
      SuiteResults& suite = run.suites[name];
      suite.context = suite_json.at("context").get<std::map<std::string, std::string>>();
      for (const json& entry : suite_json.at("benchmarks")) {
        Benchmark b;
        b.name = entry.at("name").get<std::string>();
        if (!tt_bench::parse_bench_name(b.name, &b.parts)) b.parts = tt_bench::BenchName{"", b.name, "", "", "", 0};
        b.times_ns = entry.at("real_time_ns").get<std::vector<double>>();
        b.run_medians = entry.value("run_medians_ns", std::vector<double>{});
        b.iterations = entry.value("iterations", std::vector<double>{});
        b.counters = entry.value("counters", std::map<std::string, double>{});
        b.error = entry.value("error", "");
        suite.benchmarks.push_back(std::move(b));
      }
    }
    if (value.contains("fma_peak_flops_per_thread"))
      run.fma_peak_flops = value["fma_peak_flops_per_thread"].get<double>();
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not a ttbench results file: {}", path, e.what()));
  }
  return run;
}

std::string Fingerprint::slug() const {
  auto get = [&](const char* key) {
    auto it = fields.find(key);
    return it == fields.end() ? std::string("unknown") : it->second;
  };
  std::string cpu = get("cpu_model");
  for (const char* noise : {"(R)", "(TM)", "CPU", "Processor", "Core"})
    for (size_t at = cpu.find(noise); at != std::string::npos; at = cpu.find(noise))
      cpu.erase(at, std::string(noise).size());
  const size_t at_sign = cpu.find('@');
  if (at_sign != std::string::npos) cpu.erase(at_sign);
  return fmt::format("{}-{}cpu-{}-{}-{}", slug_part(cpu), slug_part(get("num_cpus")), slug_part(get("tinytorch_isa")),
                     slug_part(get("libtorch_blas_core")), slug_part(get("build_type")));
}

json Fingerprint::to_json() const { return json(fields); }

Fingerprint Fingerprint::from_json(const json& value) {
  Fingerprint f;
  f.fields = value.get<std::map<std::string, std::string>>();
  return f;
}

std::vector<std::string> Fingerprint::differences(const Fingerprint& other) const {
  std::vector<std::string> out;
  for (const char* key : kFingerprintKeys) {
    auto a = fields.find(key), b = other.fields.find(key);
    const std::string va = a == fields.end() ? "(missing)" : a->second;
    const std::string vb = b == other.fields.end() ? "(missing)" : b->second;
    if (va != vb) out.push_back(fmt::format("{}: '{}' vs '{}'", key, va, vb));
  }
  return out;
}

Fingerprint fingerprint_of(const RunResults& run) {
  Fingerprint f;
  for (const char* key : kFingerprintKeys) f.fields[key] = run.context(key);
  return f;
}

std::vector<std::string> RunStore::ids() const {
  std::vector<std::string> out;
  if (!fs::is_directory(dir_)) return out;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (entry.is_directory() && fs::exists(entry.path() / "meta.json")) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool RunStore::is_confirmation(const std::string& id) const {
  return read_json_file((fs::path(path_of(id)) / "meta.json").string()).contains("confirmation_of");
}

std::string RunStore::resolve(const std::string& id_or_latest) const {
  const std::vector<std::string> all = ids();
  if (id_or_latest == "latest") {
    // The newest full run: gate --confirm's partial re-runs do not count.
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (!is_confirmation(*it)) return *it;
    throw InputError(fmt::format("no stored runs in {}/; create one with: ttbench run --profile quick", dir_));
  }
  if (std::find(all.begin(), all.end(), id_or_latest) != all.end()) return id_or_latest;
  std::string known;
  for (size_t i = all.size() > 5 ? all.size() - 5 : 0; i < all.size(); ++i) known += " " + all[i];
  throw InputError(fmt::format("run '{}' not found in {}/ (latest runs:{}); list them with: ttbench history",
                               id_or_latest, dir_, known.empty() ? " none" : known));
}

RunResults RunStore::load(const std::string& id) const {
  const fs::path dir = path_of(id);
  RunResults run;
  run.id = id;
  run.meta = read_json_file((dir / "meta.json").string());
  for (const json& suite : run.meta.value("suite_files", json::array()))
    add_gbench_results((dir / suite.get<std::string>()).string(), &run);
  if (run.meta.contains("fma_peak_flops_per_thread") && run.meta["fma_peak_flops_per_thread"].is_number())
    run.fma_peak_flops = run.meta["fma_peak_flops_per_thread"].get<double>();
  return run;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  return text;
}

std::string iso_utc_now() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

std::string shell_output(const std::string& command) {
  std::FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pclose(pipe) != 0) return "";
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

}  // namespace ttbench
