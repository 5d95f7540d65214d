#include "mockapi/query.h"

#include <charconv>

namespace rds::mockapi {
namespace {

// First value of `key`, if present (httplib keeps repeated keys; the first wins, as in the API).
const std::string* first(const QueryParams& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? nullptr : &it->second;
}

// A whole decimal number within [low, high], else `fallback`. "5000abc", "2.5", "" -> fallback.
int int_or(const std::string* text, int low, int high, int fallback) {
  if (!text) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < low || value > high) {
    return fallback;
  }
  return value;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) parts.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

ApiQuery parse_query(const QueryParams& params) {
  using randomuser::FieldSet;
  ApiQuery query;
  query.results = int_or(first(params, "results"), randomuser::kMinResults, randomuser::kMaxResults, 1);
  query.page = int_or(first(params, "page"), randomuser::kMinPage, randomuser::kMaxPage, 1);
  if (const auto* seed = first(params, "seed")) query.seed = *seed;

  if (const auto* nat = first(params, "nat")) {
    for (const auto& code : split_commas(*nat)) {
      auto index = randomuser::nationality_index(code);
      if (!index) {
        query.nationalities.clear();  // one bad code: the whole list is ignored
        break;
      }
      query.nationalities.push_back(*index);
    }
  }
  if (const auto* gender = first(params, "gender"); gender && query.seed.empty()) {
    const std::string value = lower(*gender);
    if (value == "male") query.gender = randomuser::Gender::kMale;
    if (value == "female") query.gender = randomuser::Gender::kFemale;
  }
  if (const auto* inc = first(params, "inc")) {
    FieldSet fields = FieldSet::none();
    for (const auto& name : split_commas(*inc)) {
      if (auto field = randomuser::parse_user_field(name)) fields.add(*field);
    }
    // Only unknown names: behave as if inc were absent rather than return empty users.
    if (!fields.empty()) query.fields = fields;
  }
  if (const auto* exc = first(params, "exc")) {
    for (const auto& name : split_commas(*exc)) {
      if (auto field = randomuser::parse_user_field(name)) query.fields.remove(*field);
    }
  }
  query.noinfo = params.count("noinfo") > 0;
  if (const auto* format = first(params, "format"); format && !format->empty()) query.format = lower(*format);
  return query;
}

}  // namespace rds::mockapi
