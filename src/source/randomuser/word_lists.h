#pragma once
// Word lists for generated users. Made up for rdstream (no names copied from elsewhere); they only
// need to look plausible and vary enough for tests and benchmarks.

#include <span>
#include <string_view>

namespace rds::randomuser::words {

std::span<const std::string_view> male_first_names();
std::span<const std::string_view> female_first_names();
std::span<const std::string_view> last_names();
std::span<const std::string_view> street_stems();     // "Harbour" -> "Harbour Road"
std::span<const std::string_view> street_kinds();     // "Road", "Lane", ...
std::span<const std::string_view> city_stems();       // "Ash" + "ford" -> "Ashford"
std::span<const std::string_view> city_endings();
std::span<const std::string_view> regions();          // the `state` field
std::span<const std::string_view> username_adjectives();
std::span<const std::string_view> username_nouns();
std::span<const std::string_view> passwords();

}  // namespace rds::randomuser::words
