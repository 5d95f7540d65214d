#pragma once
// ingest --staging postgres: the outbox between the source and Kafka.
//
//   fetched page --stage(): one transaction--> PostgreSQL (pending)
//        --produce, token = the row's seq--> Kafka --delivery report--> DeliveryLedger
//        --mark_delivered, in batches--> PostgreSQL (delivered)
//
// A page is produced straight from memory after it is staged while the relay is caught up (every
// pending row before it handed to the producer). Otherwise (rows left by an earlier run, a full
// producer queue while Kafka is down, a failed delivery) the relay reads pending rows from
// PostgreSQL in order, from its cursor, and produces those the ledger does not hold, until it has
// caught up: fetching never waits for Kafka, and no fetched user is lost to a crash, since a row is
// marked delivered only after its delivery report.
//
// Thread: the ingest job's; on_delivery runs inside the producer's poll on that thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/record_encoder.h"
#include "kafka/producer.h"
#include "mapping/record.h"
#include "staging/ledger.h"
#include "staging/store.h"

namespace rds::ingest {

struct StagingCounters {
  uint64_t staged = 0;     // rows written to PostgreSQL by this run
  uint64_t recovered = 0;  // pending rows of earlier runs produced by this one
  uint64_t produced = 0;   // rows handed to the producer (re-sends included)
  uint64_t marked = 0;     // rows marked delivered
  uint64_t value_bytes = 0;  // bytes of the staged pages' values on the topic
};

class StagingRelay {
 public:
  StagingRelay(staging::Store& store, kafka::Producer& producer, RecordEncoder& encoder, std::string run_id);

  // Stages a fetched page (one transaction), then produces it if the relay is caught up. An error
  // is PostgreSQL's (kUnavailable while it is down: nothing of the page was staged).
  Status stage(const std::vector<mapping::Record>& page, std::chrono::system_clock::time_point fetched_at);
  // Catches up from PostgreSQL while the producer takes rows, and marks delivered rows; call it
  // between pages and while draining. kUnavailable when PostgreSQL is down (call again later).
  Status relay();
  void on_delivery(const kafka::DeliveryReport& report);
  // Everything staged has been produced and its report marked, or nothing is in flight any more.
  bool idle() const;
  // Pending rows, in PostgreSQL, not handed to the producer yet (while behind).
  bool caught_up() const { return caught_up_; }

  const StagingCounters& counters() const { return counters_; }
  const std::string& run_id() const { return run_id_; }

 private:
  Status produce(int64_t seq, const std::string& key, std::string_view value, bool recovered);
  Status mark();

  staging::Store& store_;
  kafka::Producer& producer_;
  RecordEncoder& encoder_;
  std::string run_id_;
  staging::DeliveryLedger ledger_;
  int64_t cursor_ = 0;       // the highest seq handed to the producer in order
  bool caught_up_ = false;   // no pending row after cursor_ (until relay() has looked: false)
  int64_t first_seq_ = -1;   // this run's first staged seq: rows below it are earlier runs'
  StagingCounters counters_;
};

}  // namespace rds::ingest
