#pragma once
// A randomuser v1.4 user as the API returns it (values invented), for mapping tests.

#include <nlohmann/json.hpp>

namespace rds::mapping::testing {

inline nlohmann::json sample_user() {
  return nlohmann::json::parse(R"({
    "gender": "female",
    "name": {"title": "Ms", "first": "Ava", "last": "Lind"},
    "location": {
      "street": {"number": 4127, "name": "Harbour Road"},
      "city": "Eastvale", "state": "Oregon", "country": "United States", "postcode": 48213,
      "coordinates": {"latitude": "-12.5", "longitude": "101.25"},
      "timezone": {"offset": "-8:00", "description": "Pacific Time"}
    },
    "email": "ava.lind@example.com",
    "login": {"uuid": "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f", "username": "bluefox417",
              "password": "tulip", "salt": "a1b2c3d4", "md5": "x", "sha1": "y", "sha256": "z"},
    "dob": {"date": "1987-03-14T09:12:44.512Z", "age": 37},
    "registered": {"date": "2011-07-02T18:03:10.101Z", "age": 13},
    "phone": "(512) 555-0176", "cell": "(512) 555-0177",
    "id": {"name": "SSN", "value": null},
    "picture": {"large": "https://randomuser.me/api/portraits/women/12.jpg",
                "medium": "https://randomuser.me/api/portraits/med/women/12.jpg",
                "thumbnail": "https://randomuser.me/api/portraits/thumb/women/12.jpg"},
    "nat": "US"
  })");
}

}  // namespace rds::mapping::testing
