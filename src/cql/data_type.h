#pragma once
// CQL data types as described by an [option] in result metadata (native_protocol_v4.spec
// §4.2.5.2). Used when decoding metadata and when decoding/encoding cells (value.h).

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "cql/wire.h"

namespace rds::cql {

// The spec's option ids (§4.2.5.2).
enum class TypeId : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,  // text is an alias (§6.22)
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};
bool is_known_type_id(uint16_t id);

// Nested types are bounded when decoding so that hostile input cannot exhaust the stack.
inline constexpr int kMaxTypeDepth = 32;

struct DataType {
  TypeId id = TypeId::kBlob;
  // list/set: {element}; map: {key, value}; tuple: component types; udt: field types.
  std::vector<DataType> params;
  std::string custom_class;               // kCustom: fully qualified class name
  std::string keyspace;                   // kUdt
  std::string udt_name;                   // kUdt
  std::vector<std::string> field_names;   // kUdt, same length as params

  DataType() = default;
  explicit DataType(TypeId t) : id(t) {}

  static DataType list(DataType element);
  static DataType set(DataType element);
  static DataType map(DataType key, DataType value);
  static DataType tuple(std::vector<DataType> components);
  static DataType udt(std::string keyspace, std::string name,
                      std::vector<std::pair<std::string, DataType>> fields);
  static DataType custom(std::string class_name);

  // CQL spelling: "int", "map<text, frozen<list<int>>>" is not tracked (no frozen info in the
  // protocol), so "map<text, list<int>>"; UDTs are "ks.name"; custom types are quoted class names.
  std::string to_cql() const;

  bool operator==(const DataType&) const = default;
};

// Reads an [option] describing a type; errors name what was read.
Result<DataType> read_data_type(Reader& r, int depth = 0);
void write_data_type(Writer& w, const DataType& t);

}  // namespace rds::cql
