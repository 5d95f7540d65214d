#pragma once
// The console's front-end (console/web), embedded in the binary at build time by
// cmake/EmbedAssets.cmake, so the console works offline and ships as one file.

#include <string_view>

namespace rds::console {

struct Asset {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

// nullptr when unknown. "/" is index.html.
const Asset* find_asset(std::string_view path);

}  // namespace rds::console
