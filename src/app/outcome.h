#pragma once
// What a stage's run ends with, for the CLI to print and turn into an exit code: the summary lines
// (stdout), the problems (stderr) and what kind of ending it was.

#include <string>

#include "core/error.h"

namespace rds::app {

struct Outcome {
  enum class Kind {
    kOk,
    kBadSettings,   // a setting or a flag is wrong: nothing ran
    kUnavailable,   // an engine or the API could not be reached or failed
    kDataLoss,      // records were not delivered or not stored
  };
  Kind kind = Kind::kOk;
  std::string summary;  // lines for stdout, each ending in '\n'
  std::string problem;  // lines for stderr, each ending in '\n'

  // Settings errors are kInvalidArgument; anything else is an engine's.
  static Outcome failed(const Error& error, std::string_view context = {}) {
    Outcome o;
    o.kind = error.code == ErrorCode::kInvalidArgument ? Kind::kBadSettings : Kind::kUnavailable;
    o.problem = (context.empty() ? std::string() : std::string(context) + ": ") + error.message + "\n";
    return o;
  }
};

}  // namespace rds::app
