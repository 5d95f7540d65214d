#pragma once
// Avro for rdstream's records, on Debian's Avro C library (libavro): schemas parsed and values
// written and read by it. rdstream's records are flat and every value is a string (the seed's Spark
// schema is all StringType), so a field is `string`, or a union of `null` and `string` for a
// nullable column; anything else is refused when the schema is parsed.
//
// Resolution (a body written with one schema, read with another) follows the Avro specification's
// rules for records, matched by field name: a writer's field the reader lacks is skipped, a reader's
// field the writer lacks takes the reader's default (an error without one), and a null where the
// reader's field is not nullable is an error. libavro 1.11's resolver has no default values (a
// reader field missing from the writer fails it), so the matching is done here, on values libavro
// decoded with the writer's own schema.
//
// Not thread-safe: an Encoder or Decoder keeps one libavro value to reuse; keep one per thread.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::avro {

struct Field {
  std::string name;
  bool nullable = false;  // a union with null
  bool null_first = true;  // the union's order: ["null","string"] (the usual one) or ["string","null"]
  // The field's default, when it has one: nullopt inside means the default is null.
  std::optional<std::optional<std::string>> default_value;
};

// A record schema as libavro parsed it, with its fields as rdstream reads them. Cheap to copy.
class Schema {
 public:
  // kInvalidArgument with libavro's reason, or naming the field whose type is not a string.
  static Result<Schema> parse(std::string_view json);
  const std::string& name() const;
  const std::vector<Field>& fields() const;
  const std::string& json() const;  // as given
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// A record's values, in its schema's field order; nullopt is null.
using Values = std::vector<std::optional<std::string>>;
using ValueViews = std::vector<std::optional<std::string_view>>;

class Encoder {
 public:
  static Result<Encoder> create(const Schema& schema);
  // Avro binary (no framing). kInvalidArgument for a wrong number of values or a null in a field
  // that is not nullable.
  Result<std::string> encode(const std::vector<std::optional<std::string_view>>& values);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

class Decoder {
 public:
  // kInvalidArgument when `reader` cannot read what `writer` wrote (a reader field without a
  // default that the writer lacks; a nullable writer field into a non-nullable reader field).
  static Result<Decoder> create(const Schema& writer, const Schema& reader);
  // The reader's values. kTruncated for a body that ends early, kProtocol for bytes left over or
  // a value libavro cannot decode.
  Result<Values> decode(std::string_view body);
  // The same without copying: views into the decoder's own buffers (and the reader schema's
  // defaults), valid until the next decode. The processor's path.
  Result<const ValueViews*> decode_views(std::string_view body);
  // Whether the writer has the reader's field `reader_field` (else its value is the default).
  bool from_writer(std::size_t reader_field) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// The JSON text of a record schema for `fields` (string or nullable string; defaults as given).
std::string record_schema_json(std::string_view name, std::string_view ns, const std::vector<Field>& fields);

}  // namespace rds::avro
