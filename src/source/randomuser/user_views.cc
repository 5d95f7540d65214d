// The three views of a GeneratedUser: nlohmann JSON, JSON text, and the default-mapped record.
// They must agree; tests/unit/randomuser/generator_test.cc checks that they do.
#include <string_view>

#include "mapping/json_writer.h"
#include "source/randomuser/generator.h"

namespace rds::randomuser {
namespace {

using mapping::append_json_int;
using mapping::append_json_string;

std::string_view gender_name(Gender gender) { return gender == Gender::kMale ? "male" : "female"; }

// Writes `"key":` with the separating comma when needed.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ObjectWriter& key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_ += name;  // our own keys: plain ASCII, nothing to escape
    out_ += "\":";
    return *this;
  }
  // Starts a nested object under `name`; close() it before writing more keys here.
  ObjectWriter begin(std::string_view name) {
    key(name);
    return ObjectWriter(out_);
  }
  ObjectWriter& str(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(out_, value);
    return *this;
  }
  ObjectWriter& num(std::string_view name, std::int64_t value) {
    key(name);
    append_json_int(out_, value);
    return *this;
  }
  void close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

nlohmann::json to_json(const GeneratedUser& u, FieldSet fields) {
  nlohmann::json j = nlohmann::json::object();
  if (fields.has(UserField::kGender)) j["gender"] = gender_name(u.gender);
  if (fields.has(UserField::kName)) j["name"] = {{"title", u.title}, {"first", u.first}, {"last", u.last}};
  if (fields.has(UserField::kLocation)) {
    nlohmann::json postcode = u.postcode_is_string ? nlohmann::json(u.postcode_text)
                                                   : nlohmann::json(u.postcode_number);
    j["location"] = {{"street", {{"number", u.street_number}, {"name", u.street_name}}},
                     {"city", u.city},
                     {"state", u.state},
                     {"country", u.country},
                     {"postcode", std::move(postcode)},
                     {"coordinates", {{"latitude", u.latitude}, {"longitude", u.longitude}}},
                     {"timezone", {{"offset", u.tz_offset}, {"description", u.tz_description}}}};
  }
  if (fields.has(UserField::kEmail)) j["email"] = u.email;
  if (fields.has(UserField::kLogin)) {
    j["login"] = {{"uuid", u.uuid}, {"username", u.username}, {"password", u.password},
                  {"salt", u.salt}, {"md5", u.md5},           {"sha1", u.sha1},
                  {"sha256", u.sha256}};
  }
  if (fields.has(UserField::kDob)) j["dob"] = {{"date", u.dob_date}, {"age", u.dob_age}};
  if (fields.has(UserField::kRegistered)) {
    j["registered"] = {{"date", u.registered_date}, {"age", u.registered_age}};
  }
  if (fields.has(UserField::kPhone)) j["phone"] = u.phone;
  if (fields.has(UserField::kCell)) j["cell"] = u.cell;
  if (fields.has(UserField::kId)) {
    j["id"] = {{"name", u.id_name},
               {"value", u.id_value ? nlohmann::json(*u.id_value) : nlohmann::json(nullptr)}};
  }
  if (fields.has(UserField::kPicture)) {
    j["picture"] = {{"large", u.picture_large}, {"medium", u.picture_medium},
                    {"thumbnail", u.picture_thumbnail}};
  }
  if (fields.has(UserField::kNat)) j["nat"] = u.nat;
  return j;
}

void append_json(std::string& out, const GeneratedUser& u, FieldSet fields) {
  ObjectWriter user(out);
  if (fields.has(UserField::kGender)) user.str("gender", gender_name(u.gender));
  if (fields.has(UserField::kName)) {
    user.begin("name").str("title", u.title).str("first", u.first).str("last", u.last).close();
  }
  if (fields.has(UserField::kLocation)) {
    auto location = user.begin("location");
    location.begin("street").num("number", u.street_number).str("name", u.street_name).close();
    location.str("city", u.city).str("state", u.state).str("country", u.country);
    if (u.postcode_is_string) {
      location.str("postcode", u.postcode_text);
    } else {
      location.num("postcode", u.postcode_number);
    }
    location.begin("coordinates").str("latitude", u.latitude).str("longitude", u.longitude).close();
    location.begin("timezone").str("offset", u.tz_offset).str("description", u.tz_description).close();
    location.close();
  }
  if (fields.has(UserField::kEmail)) user.str("email", u.email);
  if (fields.has(UserField::kLogin)) {
    user.begin("login")
        .str("uuid", u.uuid)
        .str("username", u.username)
        .str("password", u.password)
        .str("salt", u.salt)
        .str("md5", u.md5)
        .str("sha1", u.sha1)
        .str("sha256", u.sha256)
        .close();
  }
  if (fields.has(UserField::kDob)) user.begin("dob").str("date", u.dob_date).num("age", u.dob_age).close();
  if (fields.has(UserField::kRegistered)) {
    user.begin("registered").str("date", u.registered_date).num("age", u.registered_age).close();
  }
  if (fields.has(UserField::kPhone)) user.str("phone", u.phone);
  if (fields.has(UserField::kCell)) user.str("cell", u.cell);
  if (fields.has(UserField::kId)) {
    auto id = user.begin("id");
    id.str("name", u.id_name);
    if (u.id_value) {
      id.str("value", *u.id_value);
    } else {
      id.key("value");
      out += "null";
    }
    id.close();
  }
  if (fields.has(UserField::kPicture)) {
    user.begin("picture")
        .str("large", u.picture_large)
        .str("medium", u.picture_medium)
        .str("thumbnail", u.picture_thumbnail)
        .close();
  }
  if (fields.has(UserField::kNat)) user.str("nat", u.nat);
  user.close();
}

void to_record(const GeneratedUser& u, mapping::Record& out) {
  // Same columns, order and values as mapping::default_mapping() applied to to_json(u).
  static constexpr std::string_view kColumns[] = {
      "id", "first_name", "last_name", "gender", "address", "post_code",
      "email", "username", "dob", "registered_date", "phone", "picture"};
  out.fields.resize(std::size(kColumns));
  for (std::size_t pos = 0; pos < std::size(kColumns); ++pos) out.fields[pos].column.assign(kColumns[pos]);
  out.fields[0].value.assign(u.uuid);
  out.fields[1].value.assign(u.first);
  out.fields[2].value.assign(u.last);
  out.fields[3].value.assign(gender_name(u.gender));
  std::string& address = out.fields[4].value;
  address.clear();
  append_json_int(address, u.street_number);
  address.push_back(' ');
  address += u.street_name;
  address += ", ";
  address += u.city;
  address += ", ";
  address += u.state;
  address += ", ";
  address += u.country;
  std::string& post_code = out.fields[5].value;
  post_code.clear();
  if (u.postcode_is_string) {
    post_code = u.postcode_text;
  } else {
    append_json_int(post_code, u.postcode_number);
  }
  out.fields[6].value.assign(u.email);
  out.fields[7].value.assign(u.username);
  out.fields[8].value.assign(u.dob_date);
  out.fields[9].value.assign(u.registered_date);
  out.fields[10].value.assign(u.phone);
  out.fields[11].value.assign(u.picture_medium);
}

mapping::Record to_record(const GeneratedUser& user) {
  mapping::Record record;
  to_record(user, record);
  return record;
}

}  // namespace rds::randomuser
