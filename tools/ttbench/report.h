// `ttbench report`: a markdown report and a self-contained HTML report (plots embedded as base64
// data URIs) of one run: TinyTorch/LibTorch time ratios, optimized vs reference speed-up, a
// roofline against the measured FMA peak, peak memory, trends over the run history, training
// curves, the comparison with a baseline when one is given, and the run context, each plot with
// the table of the numbers behind it. Plots are drawn by plots.py (matplotlib); without an
// interpreter that has matplotlib the report is still written, saying the plots are missing.
#pragma once

#include <string>
#include <vector>

#include "compare.h"
#include "history.h"

namespace ttbench {

struct ReportOptions {
  std::string runs_dir = "runs", baselines_dir = "baselines";
  std::string run = "latest";
  std::string baseline;  // "" none, "auto" or a file
  std::string out_dir;   // "" = reports/<run id>
  std::string python;    // "" = search (TTBENCH_PYTHON, /usr/bin/python3, python3)
  std::string plots_script = TTBENCH_PLOTS_PY;
  CompareOptions compare;
  HistoryOptions history;
};

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct Section {
  std::string title, text;
  std::string plot_id;  // "" = no plot
  std::vector<Table> tables;
};

struct ReportResult {
  std::string markdown_path, html_path;
  bool plots = false;
  std::string note;  // why plots are missing, if they are
};

ReportResult write_report(const ReportOptions& options);

// Rendering (report_render.cpp).
std::string base64(const std::string& bytes);
std::string html_escape(const std::string& text);
// An interpreter that imports matplotlib: `preferred` if given, else TTBENCH_PYTHON, /usr/bin/python3,
// python3 on PATH. Returns "" and sets `tried` when none does.
std::string find_python(const std::string& preferred, std::string* tried);
std::string render_markdown(const std::string& title, const std::vector<Section>& sections, const std::string& note);
// Embeds <out_dir>/<plot_id>.png of each section that has one (sections whose PNG is missing say so).
std::string render_html(const std::string& title, const std::vector<Section>& sections, const std::string& note,
                        const std::string& out_dir);

}  // namespace ttbench
