#pragma once
// Hand-written byte builder for tests: spells frames field by field following
// native_protocol_v4.spec, independently of the codec's Writer, so encoder and decoder are
// checked against the spec rather than against each other.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace rds::cql::testing {

class SpecBytes {
 public:
  SpecBytes& u8(uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  SpecBytes& u16(uint16_t v) { return u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v)); }
  SpecBytes& i32(int32_t v) {
    auto u = static_cast<uint32_t>(v);
    return u8(static_cast<uint8_t>(u >> 24)).u8(static_cast<uint8_t>(u >> 16))
        .u8(static_cast<uint8_t>(u >> 8)).u8(static_cast<uint8_t>(u));
  }
  SpecBytes& i64(int64_t v) {
    auto u = static_cast<uint64_t>(v);
    return i32(static_cast<int32_t>(u >> 32)).i32(static_cast<int32_t>(u & 0xffffffffu));
  }
  SpecBytes& raw(std::initializer_list<uint8_t> bytes) {
    b_.insert(b_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  SpecBytes& raw(const std::vector<uint8_t>& bytes) {
    b_.insert(b_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  SpecBytes& chars(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  // [string]: [short] n + n bytes
  SpecBytes& str(std::string_view s) { return u16(static_cast<uint16_t>(s.size())).chars(s); }
  // [long string]: [int] n + n bytes
  SpecBytes& lstr(std::string_view s) { return i32(static_cast<int32_t>(s.size())).chars(s); }
  // [bytes]
  SpecBytes& bytes(const std::vector<uint8_t>& v) {
    return i32(static_cast<int32_t>(v.size())).raw(v);
  }
  SpecBytes& bytes_str(std::string_view s) { return i32(static_cast<int32_t>(s.size())).chars(s); }
  SpecBytes& null_bytes() { return i32(-1); }
  // [short bytes]
  SpecBytes& sbytes(const std::vector<uint8_t>& v) {
    return u16(static_cast<uint16_t>(v.size())).raw(v);
  }
  SpecBytes& append(const SpecBytes& o) { return raw(o.b_); }

  size_t size() const { return b_.size(); }
  const std::vector<uint8_t>& vec() const { return b_; }

  // A response frame (version 0x84) around `body`.
  static std::vector<uint8_t> response(uint8_t opcode, const SpecBytes& body, int16_t stream = 1,
                                       uint8_t flags = 0) {
    SpecBytes f;
    f.u8(0x84).u8(flags).u16(static_cast<uint16_t>(stream)).u8(opcode)
        .i32(static_cast<int32_t>(body.size())).raw(body.b_);
    return f.b_;
  }
  // A request frame (version 0x04) around `body`.
  static std::vector<uint8_t> request(uint8_t opcode, const SpecBytes& body, int16_t stream = 0,
                                      uint8_t flags = 0) {
    SpecBytes f;
    f.u8(0x04).u8(flags).u16(static_cast<uint16_t>(stream)).u8(opcode)
        .i32(static_cast<int32_t>(body.size())).raw(body.b_);
    return f.b_;
  }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace rds::cql::testing
