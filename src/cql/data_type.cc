#include "cql/data_type.h"

#include <cstdio>

namespace rds::cql {

bool is_known_type_id(uint16_t id) {
  return (id <= 0x0014 && id != 0x000A) || id == 0x0020 || id == 0x0021 || id == 0x0022 ||
         id == 0x0030 || id == 0x0031;
}

DataType DataType::list(DataType element) {
  DataType t(TypeId::kList);
  t.params.push_back(std::move(element));
  return t;
}

DataType DataType::set(DataType element) {
  DataType t(TypeId::kSet);
  t.params.push_back(std::move(element));
  return t;
}

DataType DataType::map(DataType key, DataType value) {
  DataType t(TypeId::kMap);
  t.params.push_back(std::move(key));
  t.params.push_back(std::move(value));
  return t;
}

DataType DataType::tuple(std::vector<DataType> components) {
  DataType t(TypeId::kTuple);
  t.params = std::move(components);
  return t;
}

DataType DataType::udt(std::string ks, std::string name,
                       std::vector<std::pair<std::string, DataType>> fields) {
  DataType t(TypeId::kUdt);
  t.keyspace = std::move(ks);
  t.udt_name = std::move(name);
  for (auto& [n, ft] : fields) {
    t.field_names.push_back(std::move(n));
    t.params.push_back(std::move(ft));
  }
  return t;
}

DataType DataType::custom(std::string class_name) {
  DataType t(TypeId::kCustom);
  t.custom_class = std::move(class_name);
  return t;
}

std::string DataType::to_cql() const {
  auto join = [this](std::string out) {
    for (size_t i = 0; i < params.size(); ++i) {
      if (i > 0) out += ", ";
      out += params[i].to_cql();
    }
    return out + ">";
  };
  switch (id) {
    case TypeId::kCustom: return "'" + custom_class + "'";
    case TypeId::kAscii: return "ascii";
    case TypeId::kBigint: return "bigint";
    case TypeId::kBlob: return "blob";
    case TypeId::kBoolean: return "boolean";
    case TypeId::kCounter: return "counter";
    case TypeId::kDecimal: return "decimal";
    case TypeId::kDouble: return "double";
    case TypeId::kFloat: return "float";
    case TypeId::kInt: return "int";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kUuid: return "uuid";
    case TypeId::kVarchar: return "text";
    case TypeId::kVarint: return "varint";
    case TypeId::kTimeuuid: return "timeuuid";
    case TypeId::kInet: return "inet";
    case TypeId::kDate: return "date";
    case TypeId::kTime: return "time";
    case TypeId::kSmallint: return "smallint";
    case TypeId::kTinyint: return "tinyint";
    case TypeId::kList: return join("list<");
    case TypeId::kMap: return join("map<");
    case TypeId::kSet: return join("set<");
    case TypeId::kTuple: return join("tuple<");
    case TypeId::kUdt: return keyspace + "." + udt_name;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "type(0x%04x)", static_cast<unsigned>(id));
  return buf;
}

Result<DataType> read_data_type(Reader& r, int depth) {
  if (depth > kMaxTypeDepth) {
    return r.invalid("type nested deeper than " + std::to_string(kMaxTypeDepth) + " levels");
  }
  auto id = r.read_short("type option id");
  if (!id.ok()) return id.take_error();
  if (!is_known_type_id(*id)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "unknown type option id 0x%04x", static_cast<unsigned>(*id));
    return r.invalid(buf);
  }
  DataType t(static_cast<TypeId>(*id));
  switch (t.id) {
    case TypeId::kCustom: {
      auto name = r.read_string("custom type class");
      if (!name.ok()) return name.take_error();
      t.custom_class = std::move(*name);
      break;
    }
    case TypeId::kList:
    case TypeId::kSet: {
      auto e = read_data_type(r, depth + 1);
      if (!e.ok()) return e.take_error();
      t.params.push_back(std::move(*e));
      break;
    }
    case TypeId::kMap: {
      for (int i = 0; i < 2; ++i) {
        auto e = read_data_type(r, depth + 1);
        if (!e.ok()) return e.take_error();
        t.params.push_back(std::move(*e));
      }
      break;
    }
    case TypeId::kUdt: {
      // §4.2.5.2: <ks><udt_name><n><name_1><type_1>...<name_n><type_n>
      auto ks = r.read_string("udt keyspace");
      if (!ks.ok()) return ks.take_error();
      auto name = r.read_string("udt name");
      if (!name.ok()) return name.take_error();
      auto n = r.read_short("udt field count");
      if (!n.ok()) return n.take_error();
      t.keyspace = std::move(*ks);
      t.udt_name = std::move(*name);
      for (size_t i = 0; i < *n; ++i) {
        auto fname = r.read_string("udt field name");
        if (!fname.ok()) return fname.take_error();
        auto ft = read_data_type(r, depth + 1);
        if (!ft.ok()) return ft.take_error();
        t.field_names.push_back(std::move(*fname));
        t.params.push_back(std::move(*ft));
      }
      break;
    }
    case TypeId::kTuple: {
      // §4.2.5.2: <n><type_1>...<type_n>
      auto n = r.read_short("tuple component count");
      if (!n.ok()) return n.take_error();
      for (size_t i = 0; i < *n; ++i) {
        auto ct = read_data_type(r, depth + 1);
        if (!ct.ok()) return ct.take_error();
        t.params.push_back(std::move(*ct));
      }
      break;
    }
    default:
      break;  // native types carry no option value
  }
  return t;
}

void write_data_type(Writer& w, const DataType& t) {
  w.write_short(static_cast<uint16_t>(t.id));
  switch (t.id) {
    case TypeId::kCustom: w.write_string(t.custom_class); break;
    case TypeId::kList:
    case TypeId::kSet:
    case TypeId::kMap:
      for (const auto& p : t.params) write_data_type(w, p);
      break;
    case TypeId::kUdt:
      w.write_string(t.keyspace);
      w.write_string(t.udt_name);
      if (t.params.size() > 0xffff || t.field_names.size() != t.params.size()) {
        w.fail(Error(ErrorCode::kInvalidArgument, "udt type: field names and types differ"));
        return;
      }
      w.write_short(static_cast<uint16_t>(t.params.size()));
      for (size_t i = 0; i < t.params.size(); ++i) {
        w.write_string(t.field_names[i]);
        write_data_type(w, t.params[i]);
      }
      break;
    case TypeId::kTuple:
      if (t.params.size() > 0xffff) {
        w.fail(Error(ErrorCode::kInvalidArgument, "tuple type: too many components"));
        return;
      }
      w.write_short(static_cast<uint16_t>(t.params.size()));
      for (const auto& p : t.params) write_data_type(w, p);
      break;
    default:
      break;
  }
}

}  // namespace rds::cql
