#pragma once
// What a mapped record becomes on the topic: its JSON object (the default; the seed's Spark job
// reads it), or Confluent-framed Avro (kafka.record_format: avro). Pure: the Avro encoder is given
// the schema and the id the registry gave it (app::register_record_schema does that I/O first),
// so nothing here talks to the registry, and nothing is produced under an unregistered schema.
//
// Not thread-safe (the Avro encoder reuses its buffers): one per ingest job.

#include <memory>
#include <string>

#include "avro/codec.h"
#include "core/result.h"
#include "mapping/record.h"

namespace rds::ingest {

class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;
  // The record's value on the topic. An error is the record's own (a column the schema lacks, a
  // value the schema does not allow), never retriable.
  virtual Result<std::string> encode(const mapping::Record& record) = 0;
  virtual std::string describe() const = 0;  // for logs: "JSON", "Avro (schema id 3)"
  // True when encode() returns mapping::to_json's text, which staging stores as the row's record:
  // the relay then keeps the value instead of serialising the record a second time.
  virtual bool value_is_record_json() const { return false; }
};

class JsonRecordEncoder final : public RecordEncoder {
 public:
  Result<std::string> encode(const mapping::Record& record) override;
  std::string describe() const override { return "JSON"; }
  bool value_is_record_json() const override { return true; }
};

class AvroRecordEncoder final : public RecordEncoder {
 public:
  // `schema` as registered under `schema_id`; its fields are the record's columns by name.
  static Result<std::unique_ptr<AvroRecordEncoder>> create(const avro::Schema& schema, int32_t schema_id);
  Result<std::string> encode(const mapping::Record& record) override;
  std::string describe() const override;

 private:
  AvroRecordEncoder(avro::Schema schema, avro::Encoder encoder, int32_t schema_id)
      : schema_(std::move(schema)), encoder_(std::move(encoder)), schema_id_(schema_id) {}

  avro::Schema schema_;
  avro::Encoder encoder_;
  int32_t schema_id_;
  std::vector<std::optional<std::string_view>> values_;  // reused: one per schema field
};

// A staged row's record (mapping::to_json's text) decoded and encoded again, for the relay and
// replay. kInvalidArgument when the text is not a record or the encoder refuses it.
Result<std::string> encode_staged(std::string_view record_json, RecordEncoder& encoder);

}  // namespace rds::ingest
