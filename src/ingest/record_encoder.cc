#include "ingest/record_encoder.h"

#include <fmt/format.h>

#include "avro/framing.h"

namespace rds::ingest {

Result<std::string> JsonRecordEncoder::encode(const mapping::Record& record) { return mapping::to_json(record); }

Result<std::unique_ptr<AvroRecordEncoder>> AvroRecordEncoder::create(const avro::Schema& schema, int32_t schema_id) {
  auto encoder = avro::Encoder::create(schema);
  if (!encoder.ok()) return encoder.take_error();
  return std::unique_ptr<AvroRecordEncoder>(new AvroRecordEncoder(schema, std::move(*encoder), schema_id));
}

std::string AvroRecordEncoder::describe() const {
  return fmt::format("Avro (schema {} id {})", schema_.name(), schema_id_);
}

Result<std::string> AvroRecordEncoder::encode(const mapping::Record& record) {
  const auto& fields = schema_.fields();
  values_.assign(fields.size(), std::nullopt);
  // Records and the derived schema share the mapping's column order: position first, then by
  // name when a record differs (a generator record under a custom mapping).
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const mapping::Field& f = record.fields[i];
    std::size_t index = i < fields.size() && fields[i].name == f.column ? i : fields.size();
    for (std::size_t j = 0; index == fields.size() && j < fields.size(); ++j) {
      if (fields[j].name == f.column) index = j;
    }
    if (index == fields.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("column {} is not in the registered schema {}: the mapping and the schema differ",
                               f.column, schema_.name()));
    }
    values_[index] = f.value;
  }
  auto body = encoder_.encode(values_);
  if (!body.ok()) return body.take_error();
  return avro::frame(schema_id_, *body);
}

Result<std::string> encode_staged(std::string_view record_json, RecordEncoder& encoder) {
  auto record = mapping::record_from_json(record_json);
  if (!record.ok()) return record.take_error();
  return encoder.encode(*record);
}

}  // namespace rds::ingest
