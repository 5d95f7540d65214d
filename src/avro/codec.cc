#include "avro/codec.h"

#include <avro.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace rds::avro {
namespace {

std::string libavro_error() {
  const char* e = avro_strerror();
  return e != nullptr && *e != '\0' ? e : "unknown libavro error";
}

struct SchemaDeleter {
  void operator()(avro_schema_t s) const { avro_schema_decref(s); }
};
struct IfaceDeleter {
  void operator()(avro_value_iface_t* i) const { avro_value_iface_decref(i); }
};
using SchemaHandle = std::unique_ptr<struct avro_obj_t, SchemaDeleter>;
using IfaceHandle = std::unique_ptr<avro_value_iface_t, IfaceDeleter>;

// A libavro value of a record schema, made once and reused.
struct Value {
  IfaceHandle iface;
  avro_value_t value{};
  bool made = false;
  ~Value() {
    if (made) avro_value_decref(&value);
  }
};

Status make_value(avro_schema_t schema, Value& out) {
  out.iface.reset(avro_generic_class_from_schema(schema));
  if (!out.iface) return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
  if (avro_generic_value_new(out.iface.get(), &out.value) != 0) {
    return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
  }
  out.made = true;
  return ok_status();
}

// A field's type as rdstream accepts it: "string", or a union of "null" and "string".
Result<Field> read_field(const nlohmann::json& f) {
  Field field;
  if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
    return Error(ErrorCode::kInvalidArgument, "a field without a name");
  }
  field.name = f["name"].get<std::string>();
  const nlohmann::json& type = f.value("type", nlohmann::json());
  auto is_string = [](const nlohmann::json& t) {
    return t == "string" || (t.is_object() && t.value("type", "") == "string");
  };
  if (is_string(type)) {
    field.nullable = false;
  } else if (type.is_array() && type.size() == 2 && ((type[0] == "null" && is_string(type[1])) ||
                                                     (is_string(type[0]) && type[1] == "null"))) {
    field.nullable = true;
    field.null_first = type[0] == "null";
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("field {}: type {} is not supported: rdstream's record values are strings "
                             "(\"string\", or [\"null\", \"string\"] for a nullable column)",
                             field.name, type.dump()));
  }
  if (f.contains("default")) {
    const auto& d = f["default"];
    if (d.is_null()) {
      // A union's default is of its first branch (Avro specification): null only if null comes first.
      if (!field.nullable || !field.null_first) {
        return Error(ErrorCode::kInvalidArgument, fmt::format("field {}: default null but null is not its first type", field.name));
      }
      field.default_value = std::optional<std::string>();
    } else if (d.is_string()) {
      if (field.nullable && field.null_first) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("field {}: a string default needs \"string\" first in the union", field.name));
      }
      field.default_value = std::optional<std::string>(d.get<std::string>());
    } else {
      return Error(ErrorCode::kInvalidArgument, fmt::format("field {}: default {} is not a string", field.name, d.dump()));
    }
  }
  return field;
}

}  // namespace

struct Schema::Impl {
  std::string json;
  std::string name;
  std::vector<Field> fields;
  SchemaHandle schema;
};

Result<Schema> Schema::parse(std::string_view json) {
  auto impl = std::make_shared<Impl>();
  impl->json = std::string(json);
  avro_schema_t parsed = nullptr;
  if (avro_schema_from_json_length(impl->json.c_str(), impl->json.size(), &parsed) != 0) {
    return Error(ErrorCode::kInvalidArgument, "not an Avro schema: " + libavro_error());
  }
  impl->schema.reset(parsed);
  if (!is_avro_record(parsed)) {
    return Error(ErrorCode::kInvalidArgument, "the schema is not a record: rdstream's records are Avro records");
  }
  impl->name = avro_schema_name(parsed);
  const auto doc = nlohmann::json::parse(impl->json, nullptr, false);
  if (doc.is_discarded() || !doc.contains("fields") || !doc["fields"].is_array()) {
    return Error(ErrorCode::kInvalidArgument, "the record schema has no fields array");
  }
  for (const auto& f : doc["fields"]) {
    auto field = read_field(f);
    if (!field.ok()) return field.take_error();
    impl->fields.push_back(std::move(*field));
  }
  Schema s;
  s.impl_ = std::move(impl);
  return s;
}

const std::string& Schema::name() const { return impl_->name; }
const std::vector<Field>& Schema::fields() const { return impl_->fields; }
const std::string& Schema::json() const { return impl_->json; }

// ---- encoding ---------------------------------------------------------------------------------------

struct Encoder::State {
  Schema schema;
  Value record;
  std::string buffer;
};

Result<Encoder> Encoder::create(const Schema& schema) {
  auto state = std::make_shared<State>();
  state->schema = schema;
  RDS_TRY(make_value(schema.impl().schema.get(), state->record));
  Encoder e;
  e.state_ = std::move(state);
  return e;
}

Result<std::string> Encoder::encode(const std::vector<std::optional<std::string_view>>& values) {
  const auto& fields = state_->schema.fields();
  if (values.size() != fields.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} values for the {} fields of {}", values.size(), fields.size(), state_->schema.name()));
  }
  avro_value_t* record = &state_->record.value;
  avro_value_reset(record);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    avro_value_t slot;
    if (avro_value_get_by_index(record, i, &slot, nullptr) != 0) {
      return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
    }
    if (!values[i] && !f.nullable) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("field {} is not nullable, and its value is null", f.name));
    }
    avro_value_t target = slot;
    if (f.nullable) {
      const int branch = values[i] ? (f.null_first ? 1 : 0) : (f.null_first ? 0 : 1);
      if (avro_value_set_branch(&slot, branch, &target) != 0) return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
    }
    // libavro's string length counts the terminating NUL, and it copies from a NUL-terminated
    // buffer: the views are copied into one first.
    int rc = 0;
    if (!values[i]) {
      rc = avro_value_set_null(&target);
    } else {
      state_->buffer.assign(values[i]->data(), values[i]->size());
      rc = avro_value_set_string_len(&target, state_->buffer.c_str(), state_->buffer.size() + 1);
    }
    if (rc != 0) return Error(ErrorCode::kInternal, fmt::format("field {}: libavro: {}", f.name, libavro_error()));
  }
  size_t size = 0;
  if (avro_value_sizeof(record, &size) != 0) return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
  std::string out(size, '\0');
  avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(size));
  const int rc = avro_value_write(writer, record);
  avro_writer_free(writer);
  if (rc != 0) return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
  return out;
}

// ---- decoding ---------------------------------------------------------------------------------------

struct Decoder::State {
  Schema writer, reader;
  Value record;                    // of the writer's schema
  std::vector<int> from_writer;    // per reader field: the writer's field index, or -1 (default)
  avro_reader_t in = nullptr;      // a memory reader, pointed at each body in turn
  ValueViews views;                // decode_views()'s answer, reused
  ~State() {
    if (in != nullptr) avro_reader_free(in);
  }
};

Result<Decoder> Decoder::create(const Schema& writer, const Schema& reader) {
  auto state = std::make_shared<State>();
  state->writer = writer;
  state->reader = reader;
  for (const Field& r : reader.fields()) {
    int index = -1;
    for (std::size_t w = 0; w < writer.fields().size(); ++w) {
      if (writer.fields()[w].name == r.name) index = static_cast<int>(w);
    }
    if (index < 0 && !r.default_value) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("schema {} cannot read {}: field {} is missing from the writer's schema and has no "
                               "default",
                               reader.name(), writer.name(), r.name));
    }
    state->from_writer.push_back(index);
  }
  RDS_TRY(make_value(writer.impl().schema.get(), state->record));
  state->in = avro_reader_memory("", 0);
  if (state->in == nullptr) return Error(ErrorCode::kInternal, "libavro: " + libavro_error());
  Decoder d;
  d.state_ = std::move(state);
  return d;
}

Result<const ValueViews*> Decoder::decode_views(std::string_view body) {
  avro_value_t* record = &state_->record.value;
  avro_value_reset(record);
  avro_reader_memory_set_source(state_->in, body.data(), static_cast<int64_t>(body.size()));
  const int rc = avro_value_read(state_->in, record);
  // The memory reader does not say where it stopped (avro_reader_is_eof is for files), but it
  // refuses a read past the end: one more byte tells whether any is left.
  char extra = 0;
  const bool at_end = rc == 0 && avro_read(state_->in, &extra, 1) != 0;
  if (rc != 0) {
    return Error(ErrorCode::kTruncated,
                 fmt::format("Avro body of {} bytes does not decode with schema {}: {}", body.size(),
                             state_->writer.name(), libavro_error()));
  }
  if (!at_end) {
    return Error(ErrorCode::kProtocol,
                 fmt::format("Avro body of {} bytes has bytes left over after a {} record", body.size(),
                             state_->writer.name()));
  }
  const auto& wfields = state_->writer.fields();
  const auto& rfields = state_->reader.fields();
  ValueViews& out = state_->views;
  out.assign(rfields.size(), std::nullopt);
  for (std::size_t i = 0; i < rfields.size(); ++i) {
    const Field& r = rfields[i];
    const int w = state_->from_writer[i];
    if (w < 0) {
      out[i] = *r.default_value;
    } else {
      avro_value_t slot;
      avro_value_get_by_index(record, static_cast<std::size_t>(w), &slot, nullptr);
      avro_value_t value = slot;
      if (wfields[static_cast<std::size_t>(w)].nullable) avro_value_get_current_branch(&slot, &value);
      if (avro_value_get_type(&value) == AVRO_STRING) {
        const char* text = nullptr;
        size_t size = 0;
        avro_value_get_string(&value, &text, &size);
        out[i] = std::string_view(text, size > 0 ? size - 1 : 0);  // size counts the NUL
      }
    }
    if (!out[i] && !r.nullable) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("field {} is null, and {} does not allow it", r.name,
                                                            state_->reader.name()));
    }
  }
  return &out;
}

Result<Values> Decoder::decode(std::string_view body) {
  auto views = decode_views(body);
  if (!views.ok()) return views.take_error();
  Values out;
  out.reserve((*views)->size());
  for (const auto& v : **views) out.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
  return out;
}

bool Decoder::from_writer(std::size_t reader_field) const {
  return reader_field < state_->from_writer.size() && state_->from_writer[reader_field] >= 0;
}

std::string record_schema_json(std::string_view name, std::string_view ns, const std::vector<Field>& fields) {
  nlohmann::json doc = {{"type", "record"}, {"name", std::string(name)}, {"namespace", std::string(ns)},
                        {"fields", nlohmann::json::array()}};
  for (const Field& f : fields) {
    nlohmann::json field = {{"name", f.name}};
    if (!f.nullable) {
      field["type"] = "string";
    } else if (f.null_first) {
      field["type"] = nlohmann::json::array({"null", "string"});
    } else {
      field["type"] = nlohmann::json::array({"string", "null"});
    }
    if (f.default_value) field["default"] = *f.default_value ? nlohmann::json(**f.default_value) : nlohmann::json(nullptr);
    doc["fields"].push_back(std::move(field));
  }
  return doc.dump();
}

}  // namespace rds::avro
