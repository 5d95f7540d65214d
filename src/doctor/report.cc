#include "doctor/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace rds::doctor {

void Report::ok(std::string subject, std::string text) {
  findings_.push_back({Finding::Level::kOk, std::move(subject), std::move(text), {}});
}

void Report::warning(std::string subject, std::string text, std::string fix) {
  findings_.push_back({Finding::Level::kWarning, std::move(subject), std::move(text), std::move(fix)});
}

void Report::problem(std::string subject, std::string text, std::string fix) {
  findings_.push_back({Finding::Level::kProblem, std::move(subject), std::move(text), std::move(fix)});
}

int Report::problems() const {
  return static_cast<int>(std::count_if(findings_.begin(), findings_.end(),
                                        [](const Finding& f) { return f.level == Finding::Level::kProblem; }));
}

int Report::warnings() const {
  return static_cast<int>(std::count_if(findings_.begin(), findings_.end(),
                                        [](const Finding& f) { return f.level == Finding::Level::kWarning; }));
}

void Report::print(std::ostream& out) const {
  for (const auto& f : findings_) {
    const char* level = f.level == Finding::Level::kOk ? "ok" : f.level == Finding::Level::kWarning ? "warning" : "PROBLEM";
    out << fmt::format("{:<8} {}: {}\n", level, f.subject, f.text);
    if (!f.fix.empty()) out << fmt::format("{:<8} fix: {}\n", "", f.fix);
  }
  out << fmt::format("\n{} problem{}, {} warning{}\n", problems(), problems() == 1 ? "" : "s", warnings(),
                     warnings() == 1 ? "" : "s");
}

}  // namespace rds::doctor
