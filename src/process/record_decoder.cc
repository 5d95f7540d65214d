#include "process/record_decoder.h"

#include <fmt/format.h>

#include "avro/framing.h"

namespace rds::process {
namespace {

using Clock = std::chrono::steady_clock;

// A byte no JSON text starts with (JSON may start with whitespace, a BOM, or a value): a record
// framed by something other than Confluent's magic byte 0, or binary garbage.
bool is_control_byte(unsigned char c) { return c != 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

}  // namespace

Result<avro::Schema> reader_schema(const TableConfig& table) {
  std::vector<avro::Field> fields;
  for (const ColumnSpec& column : table.columns) {
    avro::Field f;
    f.name = column.name;
    f.nullable = true;
    if (column.name != table.primary_key) f.default_value = std::optional<std::string>();
    fields.push_back(std::move(f));
  }
  auto schema = avro::Schema::parse(avro::record_schema_json(table.table, "rdstream", fields));
  if (!schema.ok()) return schema.take_error().with_context(fmt::format("the reader schema of {}", table.qualified_name()));
  return schema;
}

RecordDecoder::RecordDecoder(avro::Schema reader, FetchSchema fetch, std::size_t cache_size,
                             std::chrono::milliseconds unavailable_pause)
    : reader_(std::move(reader)),
      fetch_(std::move(fetch)),
      cache_size_(std::max<std::size_t>(cache_size, 1)),
      unavailable_pause_(unavailable_pause) {}

std::variant<RecordDecoder::Entry*, Rejection, Deferred> RecordDecoder::entry_for(int32_t id) {
  if (auto it = cache_.find(id); it != cache_.end()) return &it->second;
  if (Clock::now() < unavailable_until_) {
    return Deferred{Error(ErrorCode::kUnavailable,
                          fmt::format("the writer's schema (id {}) cannot be fetched now: {}", id, unavailable_reason_))};
  }
  ++fetches_;
  auto text = fetch_(id);
  if (!text.ok()) {
    if (text.error().code == ErrorCode::kNotFound) {
      // Not cached: an id that is unknown now may be registered by the time the next one comes.
      return Rejection{RejectCode::kUnknownSchemaId,
                       fmt::format("the schema registry has no schema with id {}: {}", id, text.error().message)};
    }
    unavailable_until_ = Clock::now() + unavailable_pause_;
    unavailable_reason_ = text.error().message;
    return Deferred{text.error().with_context(fmt::format("fetching the writer's schema (id {})", id))};
  }
  // A schema's id never changes what it names, so a resolution (or its failure) is cached.
  Entry entry;
  auto writer = avro::Schema::parse(*text);
  if (!writer.ok()) {
    entry.problem = fmt::format("the writer's schema (id {}) cannot be read as {}: {}", id, reader_.name(),
                                writer.error().message);
  } else {
    auto decoder = avro::Decoder::create(*writer, reader_);
    if (decoder.ok()) {
      entry.decoder.emplace(std::move(*decoder));
    } else {
      entry.problem = fmt::format("the writer's schema (id {}) cannot be resolved: {}", id, decoder.error().message);
    }
  }
  if (cache_.size() >= cache_size_) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
  cache_order_.push_back(id);
  return &cache_.emplace(id, std::move(entry)).first->second;
}

Decoded RecordDecoder::decode(std::string_view value) {
  if (!avro::is_framed(value)) {
    if (!value.empty() && is_control_byte(static_cast<unsigned char>(value.front()))) {
      return Rejection{RejectCode::kBadMagic,
                       fmt::format("the record starts with byte 0x{:02x}: neither JSON nor Confluent-framed Avro "
                                   "(magic byte 0x00, a 4-byte schema id, the Avro body)",
                                   static_cast<unsigned char>(value.front()))};
    }
    return value;  // JSON, or not: the validator says
  }
  auto framed = avro::unframe(value);
  if (!framed.ok()) return Rejection{RejectCode::kTruncatedAvro, framed.error().message};
  auto found = entry_for(framed->schema_id);
  if (auto* rejection = std::get_if<Rejection>(&found)) return std::move(*rejection);
  if (auto* deferred = std::get_if<Deferred>(&found)) return std::move(*deferred);
  Entry& entry = *std::get<Entry*>(found);
  if (!entry.decoder) return Rejection{RejectCode::kUnresolvableSchema, entry.problem};
  auto values = entry.decoder->decode_views(framed->body);
  if (!values.ok()) {
    const RejectCode code = values.error().code == ErrorCode::kTruncated ? RejectCode::kTruncatedAvro : RejectCode::kBadAvro;
    return Rejection{code, fmt::format("schema id {}: {}", framed->schema_id, values.error().message)};
  }
  // The reader's fields are the table's columns, in order (reader_schema()).
  const auto& fields = reader_.fields();
  columns_.assign(fields.size(), std::nullopt);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& v = (**values)[i];
    if (!v && !entry.decoder->from_writer(i)) continue;  // the default null: unset, as in JSON
    columns_[i] = TextValue{v};
  }
  return &columns_;
}

}  // namespace rds::process
