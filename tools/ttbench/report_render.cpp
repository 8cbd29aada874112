// Markdown and self-contained HTML rendering of a report, and finding a Python with matplotlib.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "report.h"
#include "results.h"
#include "runner.h"

namespace fs = std::filesystem;

namespace ttbench {
namespace {

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

std::string anchor(const std::string& title) {
  std::string out;
  for (char c : title)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  return out;
}

const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.8em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
th { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; }
.note { background: #fff4d6; padding: 0.5em 1em; border-left: 4px solid #e0a800; }
details { margin-bottom: 1em; }
code { font-size: 0.95em; }
</style>)";
}  // namespace

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += table[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string find_python(const std::string& preferred, std::string* tried) {
  std::vector<std::string> candidates;
  if (!preferred.empty()) {
    candidates.push_back(preferred);
  } else {
    if (const char* env = std::getenv("TTBENCH_PYTHON")) candidates.push_back(env);
    candidates.push_back("/usr/bin/python3");
    candidates.push_back("python3");
  }
  for (const std::string& python : candidates) {
    *tried += (tried->empty() ? "" : ", ") + python;
    if (shell_output(shell_quote(python) + " -c 'import matplotlib' && echo ok") == "ok") return python;
  }
  return "";
}

std::string render_markdown(const std::string& title, const std::vector<Section>& sections, const std::string& note) {
  std::string md = fmt::format("# {}\n\n", title);
  if (!note.empty()) md += fmt::format("> **Note:** {}\n\n", note);
  for (const Section& s : sections) {
    md += fmt::format("## {}\n\n", s.title);
    if (!s.text.empty()) md += s.text + "\n\n";
    if (!s.plot_id.empty()) md += fmt::format("![{}]({}.png)\n\n", s.title, s.plot_id);
    for (const Table& t : s.tables) {
      if (!t.title.empty()) md += fmt::format("**{}**\n\n", t.title);
      if (t.rows.empty()) {
        md += "(no data)\n\n";
        continue;
      }
      md += "|";
      for (const std::string& h : t.header) md += " " + markdown_cell(h) + " |";
      md += "\n|";
      for (size_t i = 0; i < t.header.size(); ++i) md += "---|";
      md += "\n";
      for (const auto& row : t.rows) {
        md += "|";
        for (const std::string& cell : row) md += " " + markdown_cell(cell) + " |";
        md += "\n";
      }
      md += "\n";
    }
  }
  return md;
}

std::string render_html(const std::string& title, const std::vector<Section>& sections, const std::string& note,
                        const std::string& out_dir) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n{}\n</head>\n"
      "<body>\n<h1>{}</h1>\n",
      html_escape(title), kStyle, html_escape(title));
  if (!note.empty()) html += fmt::format("<p class=\"note\"><b>Note:</b> {}</p>\n", html_escape(note));
  html += "<ul>\n";
  for (const Section& s : sections)
    html += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", anchor(s.title), html_escape(s.title));
  html += "</ul>\n";
  for (const Section& s : sections) {
    html += fmt::format("<h2 id=\"{}\">{}</h2>\n", anchor(s.title), html_escape(s.title));
    // Paragraphs are plain text with `code` spans.
    if (!s.text.empty()) {
      std::string text = html_escape(s.text);
      bool open = false;
      std::string rendered;
      for (char c : text) {
        if (c == '`') {
          rendered += open ? "</code>" : "<code>";
          open = !open;
        } else {
          rendered += c == '\n' ? std::string("<br>\n") : std::string(1, c);
        }
      }
      if (open) rendered += "</code>";
      html += "<p>" + rendered + "</p>\n";
    }
    if (!s.plot_id.empty()) {
      const fs::path png = fs::path(out_dir) / (s.plot_id + ".png");
      std::ifstream in(png, std::ios::binary);
      if (in) {
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        html += fmt::format("<img alt=\"{}\" src=\"data:image/png;base64,{}\">\n", html_escape(s.title), base64(bytes));
      } else {
        html += "<p class=\"note\">Plot not drawn (see the note at the top); the table below has its numbers.</p>\n";
      }
    }
    for (const Table& t : s.tables) {
      if (!t.title.empty()) html += fmt::format("<h3>{}</h3>\n", html_escape(t.title));
      if (t.rows.empty()) {
        html += "<p>(no data)</p>\n";
        continue;
      }
      html += "<table>\n<tr>";
      for (const std::string& h : t.header) html += "<th>" + html_escape(h) + "</th>";
      html += "</tr>\n";
      for (const auto& row : t.rows) {
        html += "<tr>";
        for (const std::string& cell : row) html += "<td>" + html_escape(cell) + "</td>";
        html += "</tr>\n";
      }
      html += "</table>\n";
    }
  }
  return html + "</body>\n</html>\n";
}

}  // namespace ttbench
