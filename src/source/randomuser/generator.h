#pragma once
// A deterministic generator of randomuser-v1.4-shaped users: the mock API serves them and the
// benchmarks feed them through the pipeline without any network.
//
// Determinism: (seed, page, index in page, options) -> the same user, on every platform and run
// (our own PRNG, integer arithmetic, no std::distributions whose output is implementation-defined).
// Like the real API, the first N users of a page do not depend on how many were asked for.
// Thread-safety: a UserGenerator is immutable after construction; share it freely.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/record.h"
#include "source/randomuser/api.h"

namespace rds::randomuser {

enum class Gender { kMale, kFemale };

// Every field in docs/compat.md "A user", as plain values. Strings are reused by generate(out) so a
// loop that keeps one GeneratedUser allocates nothing after warm-up.
struct GeneratedUser {
  Gender gender = Gender::kMale;
  std::string title, first, last;
  std::int64_t street_number = 0;
  std::string street_name, city, state, country;
  // A string for GB, CA, NO; an int elsewhere (docs/compat.md "A user").
  bool postcode_is_string = false;
  std::string postcode_text;        // when postcode_is_string
  std::int64_t postcode_number = 0;  // otherwise
  std::string latitude, longitude, tz_offset, tz_description;
  std::string email;
  std::string uuid, username, password, salt, md5, sha1, sha256;
  std::string dob_date, registered_date;  // ISO-8601 with milliseconds and Z
  std::int64_t dob_age = 0, registered_age = 0;
  std::string phone, cell;
  std::string id_name;
  std::optional<std::string> id_value;    // null for some nationalities, like the API
  std::string picture_large, picture_medium, picture_thumbnail;
  std::string nat;
};

struct GeneratorOptions {
  std::vector<std::size_t> nationalities;  // indices into kNationalities; empty = all of them
  std::optional<Gender> gender;            // nullopt = either
};

// Ages are computed against this fixed instant (2025-01-01T00:00:00Z), not the clock, so that a
// user is the same whenever it is generated.
inline constexpr std::int64_t kAgeReferenceEpochSeconds = 1735689600;

class UserGenerator {
 public:
  explicit UserGenerator(std::string seed, GeneratorOptions options = {});

  // User number `index` (0-based) of `page`.
  void generate(int page, int index, GeneratedUser& out) const;
  GeneratedUser generate(int page, int index) const;

  const std::string& seed() const { return seed_; }
  const GeneratorOptions& options() const { return options_; }

 private:
  std::string seed_;
  std::uint64_t seed_hash_;
  GeneratorOptions options_;
};

// The user as the API's JSON object, with only `fields` (the `inc`/`exc` result), in API order.
nlohmann::json to_json(const GeneratedUser& user, FieldSet fields = FieldSet::all());
// The same as compact JSON text, written directly (the mock API's hot path). Parses to to_json().
void append_json(std::string& out, const GeneratedUser& user, FieldSet fields = FieldSet::all());
// The "direct record" path: the record the default mapping makes of to_json(user), without JSON.
void to_record(const GeneratedUser& user, mapping::Record& out);
mapping::Record to_record(const GeneratedUser& user);

}  // namespace rds::randomuser
