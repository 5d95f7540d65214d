#include "source/randomuser/request.h"

#include <fmt/format.h>

#include <charconv>

#include "source/randomuser/api.h"

namespace rds::randomuser {

Status RequestParams::validate(std::string_view path) const {
  auto bad = [&](std::string_view field, const std::string& what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", path, field, what));
  };
  if (results < kMinResults || results > kMaxResults) {
    return bad("results", fmt::format("must be between {} and {}, got {}", kMinResults, kMaxResults, results));
  }
  if (page < kMinPage || page > kMaxPage) {
    return bad("page", fmt::format("must be between {} and {}, got {}", kMinPage, kMaxPage, page));
  }
  for (std::size_t index = 0; index < nationalities.size(); ++index) {
    if (!nationality_index(nationalities[index])) {
      // The server would ignore the whole list for one bad code: refuse rather than surprise.
      return bad(fmt::format("nat[{}]", index),
                 fmt::format("unknown nationality '{}' (expected one of {})", nationalities[index],
                             fmt::join(kNationalities, " ")));
    }
  }
  if (!gender.empty() && gender != "male" && gender != "female") {
    return bad("gender", fmt::format("expected male or female, got '{}'", gender));
  }
  for (const auto* list : {&inc, &exc}) {
    const char* name = list == &inc ? "inc" : "exc";
    for (std::size_t index = 0; index < list->size(); ++index) {
      if (!parse_user_field((*list)[index])) {
        return bad(fmt::format("{}[{}]", name, index), fmt::format("unknown field '{}'", (*list)[index]));
      }
    }
  }
  return ok_status();
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

Result<std::string> build_url(std::string_view base_url, const RequestParams& params) {
  RDS_TRY(params.validate());
  std::string url(base_url);
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](std::string_view key, const std::string& value) {
    url.push_back(separator);
    separator = '&';
    url += key;
    url.push_back('=');
    url += url_encode(value);
  };
  auto add_list = [&](std::string_view key, const std::vector<std::string>& values) {
    if (!values.empty()) add(key, fmt::format("{}", fmt::join(values, ",")));
  };
  add("results", std::to_string(params.results));
  if (!params.seed.empty()) {
    add("seed", params.seed);
    add("page", std::to_string(params.page));
  }
  add_list("nat", params.nationalities);
  if (!params.gender.empty()) add("gender", params.gender);
  add_list("inc", params.inc);
  add_list("exc", params.exc);
  if (params.noinfo) add("noinfo", "");
  return url;
}

std::string UrlParts::origin() const { return fmt::format("{}://{}:{}", scheme, host, port); }

Result<UrlParts> split_url(std::string_view url) {
  auto bad = [&](std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("url '{}': {}", url, what));
  };
  UrlParts parts;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected http://host[:port]/path");
  parts.scheme = std::string(url.substr(0, scheme_end));
  if (parts.scheme == "http") {
    parts.port = 80;
  } else if (parts.scheme == "https") {
    parts.port = 443;
  } else {
    return bad("scheme must be http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  parts.path_and_query = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (!parts.path_and_query.empty() && parts.path_and_query.front() == '?') {
    parts.path_and_query = "/" + parts.path_and_query;
  }
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  // "[::1]:8088" or "host:8088" or "host".
  std::size_t port_colon = std::string_view::npos;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in host");
    parts.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("expected ':' after ']'");
      port_colon = close + 1;
    }
  } else {
    port_colon = authority.rfind(':');
    parts.host = std::string(authority.substr(0, port_colon));
  }
  if (parts.host.empty()) return bad("missing host");
  if (port_colon != std::string_view::npos) {
    const std::string_view port_text = authority.substr(port_colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return bad("port must be a number between 1 and 65535");
    }
    parts.port = port;
  }
  return parts;
}

}  // namespace rds::randomuser
