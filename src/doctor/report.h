#pragma once
// What `rdstream doctor` found: one line per check, each problem with the fix a person can apply.
// Pure (no I/O but the printing), so that checks and their wording are unit-tested apart from the
// engines.

#include <iosfwd>
#include <string>
#include <vector>

namespace rds::doctor {

struct Finding {
  enum class Level { kOk, kWarning, kProblem };
  Level level = Level::kOk;
  std::string subject;  // "kafka", "cassandra", "cassandra 127.0.0.2:9042"
  std::string text;     // what was found
  std::string fix;      // what to do about it (warnings and problems)
};

class Report {
 public:
  void ok(std::string subject, std::string text);
  void warning(std::string subject, std::string text, std::string fix);
  void problem(std::string subject, std::string text, std::string fix);

  const std::vector<Finding>& findings() const { return findings_; }
  int problems() const;
  int warnings() const;
  // One line per finding ("ok", "warning", "PROBLEM"), fixes indented under it, then a total.
  void print(std::ostream& out) const;

 private:
  std::vector<Finding> findings_;
};

}  // namespace rds::doctor
