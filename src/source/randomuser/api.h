#pragma once
// Facts about the randomuser.me API v1.4 that rdstream relies on: parameter ranges, nationality
// codes, the user's top-level fields (docs/compat.md "The randomuser.me API (v1.4)").

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rds::randomuser {

inline constexpr std::string_view kApiVersion = "1.4";
inline constexpr int kMinResults = 1;
inline constexpr int kMaxResults = 5000;
inline constexpr int kMinPage = 1;
inline constexpr int kMaxPage = 10000;

inline constexpr std::array<std::string_view, 21> kNationalities = {
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE",
    "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR", "UA", "US"};

// Index into kNationalities of an upper- or lower-case code; nullopt for anything else.
std::optional<std::size_t> nationality_index(std::string_view code);

// A user's top-level fields, in the order the API writes them; the names `inc`/`exc` take.
enum class UserField : std::uint8_t {
  kGender, kName, kLocation, kEmail, kLogin, kDob, kRegistered, kPhone, kCell, kId, kPicture, kNat
};
inline constexpr std::size_t kUserFieldCount = 12;
std::string_view to_string(UserField field);
std::optional<UserField> parse_user_field(std::string_view name);  // case-insensitive

// A set of UserFields (the `inc`/`exc` result).
class FieldSet {
 public:
  static constexpr FieldSet all() { return FieldSet((1u << kUserFieldCount) - 1); }
  static constexpr FieldSet none() { return FieldSet(0); }
  constexpr bool has(UserField f) const { return (bits_ >> static_cast<unsigned>(f)) & 1u; }
  constexpr void add(UserField f) { bits_ |= 1u << static_cast<unsigned>(f); }
  constexpr void remove(UserField f) { bits_ &= ~(1u << static_cast<unsigned>(f)); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const FieldSet&) const = default;

 private:
  constexpr explicit FieldSet(std::uint32_t bits) : bits_(bits) {}
  std::uint32_t bits_;
};

}  // namespace rds::randomuser
