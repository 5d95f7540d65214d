#pragma once
// kafka.record_format, wired: the encoder ingest produces with and the decoder process reads with.
// This is where the schema registry meets the pipeline (the codec itself, avro/ and
// ingest/record_encoder.h, does no I/O).

#include <atomic>
#include <memory>

#include "config/settings/settings.h"
#include "core/result.h"
#include "ingest/record_encoder.h"
#include "process/record_decoder.h"

namespace rds::app {

// json: the JSON encoder. avro: the record schema (app::record_avro_schema) registered under
// `<topic>-value`, retried with backoff while the registry is unreachable (for
// registry.retry_max_elapsed_ms, or until `stop`), then an encoder for its id. A schema the
// registry refuses (incompatible with the subject's versions, or invalid) is kInvalidArgument
// naming the subject, the registry's reason and the fix; nothing has been produced by then.
Result<std::unique_ptr<ingest::RecordEncoder>> record_encoder(const config::Settings& s, const std::atomic<bool>& stop);

// The process stage's decoder: JSON passes through; Confluent-framed Avro is decoded with the
// writer's schema fetched from registry.url by id, resolved against the table's reader schema.
Result<std::unique_ptr<process::RecordDecoder>> record_decoder(const config::Settings& s,
                                                               const process::TableConfig& table);

}  // namespace rds::app
