#include "source/randomuser/generator.h"

#include <array>

#include "source/randomuser/nat_profiles.h"
#include "source/randomuser/word_lists.h"

namespace rds::randomuser {
namespace {

// Bounds of generated dates (epoch seconds).
constexpr std::int64_t kDobFrom = -788918400;          // 1945-01-01
constexpr std::int64_t kDobTo = 1104451200;            // 2004-12-31
constexpr std::int64_t kRegisteredFrom = 1009843200;   // 2002-01-01
constexpr std::int64_t kRegisteredTo = 1672444800;     // 2022-12-31

std::uint64_t mix64(std::uint64_t z) {  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

// splitmix64 stream: fast, and its output is fixed by its definition (unlike std::distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t state) : state_(state) {}
  std::uint64_t next() { return mix64(state_ += 0x9E3779B97F4A7C15ULL); }
  // Uniform in [0, n), by multiply-shift (no modulo bias worth caring about for n < 2^32).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }
  std::int64_t between(std::int64_t low, std::int64_t high) {  // inclusive
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<std::int64_t>(next() % span);
  }
  std::string_view pick(std::span<const std::string_view> list) {
    return list[below(static_cast<std::uint32_t>(list.size()))];
  }

 private:
  std::uint64_t state_;
};

constexpr char kHexDigits[] = "0123456789abcdef";

void append_digits(std::string& out, std::int64_t value) {
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  char buf[20];
  int len = 0;
  do {
    buf[len++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (len > 0) out.push_back(buf[--len]);
}

void append_padded(std::string& out, std::int64_t value, int width) {
  char buf[8];
  for (int pos = width - 1; pos >= 0; --pos) {
    buf[pos] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

void fill_pattern(std::string& out, std::string_view pattern, Rng& rng) {
  out.clear();
  for (const char c : pattern) {
    if (c == '#') {
      out.push_back(static_cast<char>('0' + rng.below(10)));
    } else if (c == 'A') {
      out.push_back(static_cast<char>('A' + rng.below(26)));
    } else {
      out.push_back(c);
    }
  }
}

void fill_hex(std::string& out, std::size_t digits, Rng& rng) {
  out.clear();
  while (out.size() < digits) {
    std::uint64_t bits = rng.next();
    for (int nibble = 0; nibble < 16 && out.size() < digits; ++nibble, bits >>= 4) {
      out.push_back(kHexDigits[bits & 0xF]);
    }
  }
}

// A v4-shaped UUID (RFC 4122 §4.4: version nibble 4, variant bits 10) from the user's stream.
void fill_uuid(std::string& out, Rng& rng) {
  std::array<std::uint8_t, 16> bytes{};
  const std::uint64_t high = rng.next();
  const std::uint64_t low = rng.next();
  for (int pos = 0; pos < 8; ++pos) {
    bytes[pos] = static_cast<std::uint8_t>(high >> (56 - 8 * pos));
    bytes[8 + pos] = static_cast<std::uint8_t>(low >> (56 - 8 * pos));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);
  out.clear();
  for (int pos = 0; pos < 16; ++pos) {
    if (pos == 4 || pos == 6 || pos == 8 || pos == 10) out.push_back('-');
    out.push_back(kHexDigits[bytes[pos] >> 4]);
    out.push_back(kHexDigits[bytes[pos] & 0xF]);
  }
}

struct CivilTime {
  std::int64_t year;
  int month, day, hour, minute, second;
};

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's civil_from_days).
CivilTime civil_from_epoch(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day, static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
          static_cast<int>(rest % 60)};
}

// "1987-03-14T09:12:44.512Z"; returns the whole years from the instant to the age reference.
std::int64_t fill_date(std::string& out, std::int64_t seconds, int millis) {
  const CivilTime t = civil_from_epoch(seconds);
  out.clear();
  append_padded(out, t.year, 4);
  out.push_back('-');
  append_padded(out, t.month, 2);
  out.push_back('-');
  append_padded(out, t.day, 2);
  out.push_back('T');
  append_padded(out, t.hour, 2);
  out.push_back(':');
  append_padded(out, t.minute, 2);
  out.push_back(':');
  append_padded(out, t.second, 2);
  out.push_back('.');
  append_padded(out, millis, 3);
  out.push_back('Z');
  const CivilTime ref = civil_from_epoch(kAgeReferenceEpochSeconds);
  const bool before_birthday = std::array{ref.month, ref.day, ref.hour, ref.minute, ref.second} <
                               std::array{t.month, t.day, t.hour, t.minute, t.second};
  return ref.year - t.year - (before_birthday ? 1 : 0);
}

// A coordinate with four decimals, like the API's strings ("-12.3456").
void fill_coordinate(std::string& out, Rng& rng, std::int64_t limit_degrees) {
  const std::int64_t scaled = rng.between(-limit_degrees * 10000, limit_degrees * 10000);
  out.clear();
  if (scaled < 0) out.push_back('-');
  const std::int64_t magnitude = scaled < 0 ? -scaled : scaled;
  append_digits(out, magnitude / 10000);
  out.push_back('.');
  append_padded(out, magnitude % 10000, 4);
}

void append_lower(std::string& out, std::string_view text) {
  for (const char c : text) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
}

void fill_picture(std::string& out, std::string_view size_dir, bool male, std::int64_t number) {
  out.assign("https://randomuser.me/api/portraits/");
  out += size_dir;
  out += male ? "men/" : "women/";
  append_digits(out, number);
  out += ".jpg";
}

}  // namespace

UserGenerator::UserGenerator(std::string seed, GeneratorOptions options)
    : seed_(std::move(seed)), seed_hash_(fnv1a(seed_)), options_(std::move(options)) {}

GeneratedUser UserGenerator::generate(int page, int index) const {
  GeneratedUser user;
  generate(page, index, user);
  return user;
}

void UserGenerator::generate(int page, int index, GeneratedUser& out) const {
  const std::uint64_t position =
      (static_cast<std::uint64_t>(static_cast<std::uint32_t>(page)) << 32) |
      static_cast<std::uint32_t>(index);
  Rng rng(mix64(seed_hash_ ^ mix64(position)));

  // The draws below happen in a fixed order: changing it changes every generated user.
  const std::size_t nat = options_.nationalities.empty()
                              ? rng.below(static_cast<std::uint32_t>(kNationalities.size()))
                              : options_.nationalities[rng.below(
                                    static_cast<std::uint32_t>(options_.nationalities.size()))];
  const NatProfile& profile = nat_profile(nat);
  const bool male_draw = rng.below(2) == 0;
  out.gender = options_.gender ? *options_.gender : (male_draw ? Gender::kMale : Gender::kFemale);
  const bool male = out.gender == Gender::kMale;

  static constexpr std::array<std::string_view, 3> kFemaleTitles = {"Ms", "Mrs", "Miss"};
  out.title.assign(male ? std::string_view("Mr") : kFemaleTitles[rng.below(3)]);
  out.first.assign(rng.pick(male ? words::male_first_names() : words::female_first_names()));
  out.last.assign(rng.pick(words::last_names()));

  out.street_number = rng.between(1, 9999);
  out.street_name.assign(rng.pick(words::street_stems()));
  out.street_name.push_back(' ');
  out.street_name += rng.pick(words::street_kinds());
  out.city.assign(rng.pick(words::city_stems()));
  out.city += rng.pick(words::city_endings());
  out.state.assign(rng.pick(words::regions()));
  out.country.assign(profile.country);
  out.postcode_is_string = profile.postcode_is_string;
  if (profile.postcode_is_string) {
    fill_pattern(out.postcode_text, profile.postcode_pattern, rng);
    out.postcode_number = 0;
  } else {
    out.postcode_text.clear();
    out.postcode_number = rng.between(profile.postcode_min, profile.postcode_max);
  }
  fill_coordinate(out.latitude, rng, 90);
  fill_coordinate(out.longitude, rng, 180);
  out.tz_offset.assign(profile.tz_offset);
  out.tz_description.assign(profile.tz_description);

  out.email.clear();
  append_lower(out.email, out.first);
  out.email.push_back('.');
  append_lower(out.email, out.last);
  out.email += "@example.com";

  fill_uuid(out.uuid, rng);
  out.username.assign(rng.pick(words::username_adjectives()));
  out.username += rng.pick(words::username_nouns());
  append_digits(out.username, rng.between(100, 999));
  out.password.assign(rng.pick(words::passwords()));
  static constexpr std::string_view kSaltChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  out.salt.clear();
  for (int pos = 0; pos < 8; ++pos) {
    out.salt.push_back(kSaltChars[rng.below(static_cast<std::uint32_t>(kSaltChars.size()))]);
  }
  // Random hex of the right lengths, not real digests of password+salt: nothing reads them, and
  // hashing would cost more than the rest of the user.
  fill_hex(out.md5, 32, rng);
  fill_hex(out.sha1, 40, rng);
  fill_hex(out.sha256, 64, rng);

  out.dob_age = fill_date(out.dob_date, rng.between(kDobFrom, kDobTo), static_cast<int>(rng.below(1000)));
  out.registered_age = fill_date(out.registered_date, rng.between(kRegisteredFrom, kRegisteredTo),
                                 static_cast<int>(rng.below(1000)));

  fill_pattern(out.phone, profile.phone_pattern, rng);
  fill_pattern(out.cell, profile.phone_pattern, rng);
  out.id_name.assign(profile.id_name);
  if (profile.id_name.empty()) {
    out.id_value.reset();
  } else {
    if (!out.id_value) out.id_value.emplace();
    fill_pattern(*out.id_value, profile.id_pattern, rng);
  }

  const std::int64_t portrait = rng.between(0, 99);
  fill_picture(out.picture_large, "", male, portrait);
  fill_picture(out.picture_medium, "med/", male, portrait);
  fill_picture(out.picture_thumbnail, "thumb/", male, portrait);
  out.nat.assign(profile.code);
}

}  // namespace rds::randomuser
