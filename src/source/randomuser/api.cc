#include "source/randomuser/api.h"

namespace rds::randomuser {
namespace {

constexpr std::array<std::string_view, kUserFieldCount> kFieldNames = {
    "gender", "name", "location", "email", "login", "dob",
    "registered", "phone", "cell", "id", "picture", "nat"};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<std::size_t> nationality_index(std::string_view code) {
  if (code.size() != 2) return std::nullopt;
  const char a = upper(code[0]);
  const char b = upper(code[1]);
  for (std::size_t index = 0; index < kNationalities.size(); ++index) {
    if (kNationalities[index][0] == a && kNationalities[index][1] == b) return index;
  }
  return std::nullopt;
}

std::string_view to_string(UserField field) { return kFieldNames[static_cast<std::size_t>(field)]; }

std::optional<UserField> parse_user_field(std::string_view name) {
  for (std::size_t index = 0; index < kFieldNames.size(); ++index) {
    const auto candidate = kFieldNames[index];
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (std::size_t pos = 0; pos < name.size() && same; ++pos) same = lower(name[pos]) == candidate[pos];
    if (same) return static_cast<UserField>(index);
  }
  return std::nullopt;
}

}  // namespace rds::randomuser
