#pragma once
// The Python of the test tools' venv (fastavro, confluent-kafka; tests/python/requirements.txt),
// which scripts/bootstrap makes in the engine cache; RDS_PYTHON_TESTS_VENV is its directory's name
// (tests/CMakeLists.txt). And a way to run a script with it.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace rds::test {

inline std::filesystem::path tools_python() {
  const char* cache = std::getenv("RDSTREAM_ENGINE_CACHE");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = cache != nullptr && *cache != '\0'
                                         ? std::filesystem::path(cache)
                                         : std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache/rdstream/engines";
  return base / RDS_PYTHON_TESTS_VENV / "bin" / "python";
}

// Runs `script` (written to `dir`) with the tools' python, `args` appended as they are (quote
// them), stdin from `input`; its stdout and stderr, and its exit code in `code`.
inline std::string run_tools_python(const std::string& script, const std::string& input, const std::filesystem::path& dir,
                                    int* code, const std::string& args = "") {
  const auto script_path = dir / "check.py";
  const auto input_path = dir / "input.txt";
  std::ofstream(script_path) << script;
  std::ofstream(input_path) << input;
  const std::string command = "'" + tools_python().string() + "' '" + script_path.string() + "' " + args + " < '" +
                              input_path.string() + "' 2>&1";
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  while (p != nullptr && std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int status = p != nullptr ? ::pclose(p) : -1;
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace rds::test
