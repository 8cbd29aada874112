// The report on a synthetic run store: markdown and HTML are written with every section and table;
// the HTML is self-contained and opens in headless Chromium with no script errors and no broken
// images (skipped, saying why, when chromium is not installed); without matplotlib the report is
// still written and says the plots are missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "baseline.h"
#include "report.h"
#include "results.h"
#include "synthetic.h"

namespace {
using namespace ttbench;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Three runs (for a trend) and a baseline from the first.
ReportOptions make_store(const std::string& name) {
  const fs::path root = ttbench_test::temp_dir(name);
  for (unsigned i = 0; i < 3; ++i) {
    ttbench_test::SyntheticRun r;
    r.id = "2025010" + std::to_string(i + 1) + "T000000Z-run" + std::to_string(i);
    r.seed = i + 1;
    if (i == 2) r.slowdown["ops/matmul/fwd/tinytorch/optimized"] = 0.10;
    ttbench_test::write_synthetic_run(root / "runs", r);
    if (i == 0) update_baseline({RunStore((root / "runs").string()).load(r.id)}, (root / "baselines").string(), "test");
  }
  ReportOptions options;
  options.runs_dir = (root / "runs").string();
  options.baselines_dir = (root / "baselines").string();
  options.baseline = "auto";
  options.out_dir = (root / "report").string();
  return options;
}

bool have_chromium() { return !shell_output("command -v chromium").empty(); }

bool have_matplotlib() {
  std::string tried;
  return !find_python("", &tried).empty();
}

TEST(Report, WritesEverySectionWithPlotsEmbedded) {
  if (!have_matplotlib()) GTEST_SKIP() << "no Python with matplotlib (bash tools/install-deps.sh installs it)";
  const ReportOptions options = make_store("report");
  const ReportResult result = write_report(options);
  ASSERT_TRUE(result.plots) << result.note;
  const std::string md = read_file(result.markdown_path), html = read_file(result.html_path);
  for (const char* section :
       {"Comparison with the baseline", "TinyTorch / LibTorch time ratio per case", "Optimized vs reference speed-up",
        "roofline", "Peak memory per case", "Trend over the stored runs", "Training loss curves", "Training step time",
        "Run context"}) {
    EXPECT_THAT(md, HasSubstr(section));
    EXPECT_THAT(html, HasSubstr(section));
  }
  for (const char* plot : {"ratio", "speedup", "roofline", "memory", "trend", "loss"})
    EXPECT_TRUE(fs::exists(fs::path(options.out_dir) / (std::string(plot) + ".png"))) << plot;
  EXPECT_THAT(md, HasSubstr("![TinyTorch / LibTorch time ratio per case](ratio.png)"));
  EXPECT_THAT(md, HasSubstr("REGRESSION"));  // the planted 10% in the compared run
  // The loss curves: every implementation's row, with its largest difference to LibTorch's curve.
  EXPECT_THAT(md, HasSubstr("| train/mlp/epoch/samples=160,batch=8,optimizer=sgd | tinytorch/optimized | 20 |"));
  EXPECT_THAT(md, HasSubstr("| 0.001 |"));
  // Self-contained: images are data URIs, nothing is loaded from elsewhere.
  EXPECT_THAT(html, HasSubstr("src=\"data:image/png;base64,iVBORw0KGgo"));
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(html, Not(HasSubstr(".png\"")));
}

TEST(Report, OpensInHeadlessChromiumWithoutBrokenImages) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (bash tools/install-deps.sh installs it)";
  if (!have_matplotlib()) GTEST_SKIP() << "no Python with matplotlib (bash tools/install-deps.sh installs it)";
  const ReportOptions options = make_store("chromium");
  const ReportResult result = write_report(options);
  ASSERT_TRUE(result.plots) << result.note;
  // A copy of the report with a probe that records script errors and, once loaded, counts images
  // that failed to decode; Chromium's --dump-dom prints the page after the load event.
  std::string html = read_file(result.html_path);
  const std::string probe_head =
      "<script>window.__errors = []; window.addEventListener('error', e => window.__errors.push(String(e.message "
      "|| e.type)), true);</script>";
  const std::string probe_body =
      "<script>window.addEventListener('load', () => { const imgs = Array.from(document.images); const broken = "
      "imgs.filter(i => !i.complete || i.naturalWidth === 0).length; const p = document.createElement('pre'); p.id = "
      "'probe'; p.textContent = `images=${imgs.length} broken=${broken} errors=${window.__errors.length}`; "
      "document.body.appendChild(p); });</script>";
  html.insert(html.find("<head>") + 6, probe_head);
  html.insert(html.rfind("</body>"), probe_body);
  const fs::path probed = fs::path(options.out_dir) / "probed.html";
  std::ofstream(probed) << html;
  const std::string dom = shell_output(
      "timeout 120 chromium --headless --disable-gpu --no-sandbox --disable-dev-shm-usage --virtual-time-budget=5000 "
      "--dump-dom file://" +
      probed.string());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("images=(\\d+) broken=(\\d+) errors=(\\d+)")))
      << "no probe output from chromium; got: " << dom.substr(0, 500);
  EXPECT_EQ(m[1], "6");  // ratio, speed-up, roofline, memory, trend, loss (no training step benchmarks)
  EXPECT_EQ(m[2], "0");
  EXPECT_EQ(m[3], "0");
}

TEST(Report, WithoutMatplotlibStillWritesTheReport) {
  ReportOptions options = make_store("noplots");
  options.python = "/nonexistent/python3";
  const ReportResult result = write_report(options);
  EXPECT_FALSE(result.plots);
  EXPECT_THAT(result.note, HasSubstr("no Python interpreter with matplotlib was found (tried /nonexistent/python3)"));
  const std::string md = read_file(result.markdown_path), html = read_file(result.html_path);
  EXPECT_THAT(md, HasSubstr("no plots: no Python interpreter with matplotlib"));
  EXPECT_THAT(html, HasSubstr("Plot not drawn"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(md, HasSubstr("| ops/matmul/fwd/n=64 | 1 |"));  // the tables are there
}

}  // namespace
