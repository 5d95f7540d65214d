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
// Staging runs on a thread of its own with its own connection (`stager`), at most
// kStagingDepth pages ahead of the producer: the next page is fetched while one is written (the
// INSERTs were 3.3 s of a 12.5 s run through the mock API when the ingest thread waited for them).
// A page is produced once its transaction committed, never before.
//
// Marking delivered runs on a thread of its own with its own connection (`marker`): the UPDATEs
// cost PostgreSQL about as much as the INSERTs (measured: 1.2 s against 1.6 s for 100,000 users),
// and off the ingest thread they overlap with fetching instead of adding to it. A failed UPDATE
// leaves the rows to mark, for the next round.
//
// Thread: the ingest job's; on_delivery runs inside the producer's poll on that thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
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
  uint64_t set_aside = 0;  // pending rows that no longer encode, set aside (state 2) with the reason
  uint64_t value_bytes = 0;  // bytes of the staged pages' values on the topic
  // Where PostgreSQL's time goes: writing pages, and marking rows delivered (each on its thread).
  std::chrono::microseconds stage_time{0};
  std::chrono::microseconds mark_time{0};
};

class StagingRelay {
 public:
  // `stager` and `marker`: two more connections to the same outbox, for the staging and the
  // marking threads (`store` is the ingest thread's, for catching up).
  StagingRelay(staging::Store& store, staging::Store& stager, staging::Store& marker, kafka::Producer& producer,
               RecordEncoder& encoder, std::string run_id);
  ~StagingRelay();
  StagingRelay(const StagingRelay&) = delete;
  StagingRelay& operator=(const StagingRelay&) = delete;

  // Hands a fetched page to the writing thread (one transaction), waiting while two are being
  // written; pages written meanwhile are produced if the relay is caught up. An error is a page's,
  // this one's or an earlier one's (kUnavailable while PostgreSQL is down); the run should stop:
  // what was staged is safe, and the next run produces it.
  // `raw`: the users' API JSON, parallel to `page`, or empty (the `raw` column stays null).
  Status stage(std::span<const mapping::Record> page, std::span<const std::string> raw,
               std::chrono::system_clock::time_point fetched_at);
  // Catches up from PostgreSQL while the producer takes rows, and marks delivered rows; call it
  // between pages and while draining. kUnavailable when PostgreSQL is down; ingest stops the run
  // then (the rows it holds are safe).
  Status relay();
  void on_delivery(const kafka::DeliveryReport& report);
  // Every page written, every staged row produced, reported delivered and marked, no rescan due.
  bool idle();
  // False while pending rows wait in PostgreSQL for relay() to read them back.
  bool caught_up() const { return caught_up_; }

  const StagingCounters& counters() const { return counters_; }
  const std::string& run_id() const { return run_id_; }

 private:
  Status produce(int64_t seq, const std::string& key, std::string_view value, bool recovered);
  Status mark();

  // The staging thread's side: pages to write, and what came of them, in order.
  struct Page {
    std::vector<staging::StagedRow> rows;
    std::vector<std::string> values;  // what goes on the topic, to produce from memory
    uint64_t bytes = 0;
  };
  struct Staged {
    Page page;
    Result<std::vector<int64_t>> seqs = std::vector<int64_t>{};
    std::chrono::microseconds took{0};
  };
  void stager_loop();
  // Takes the pages the staging thread finished: produced from memory while caught up. The first
  // failed page's error (the run stops: what was staged is safe, the rest was never acknowledged).
  Status collect_staged();
  static constexpr std::size_t kStagingDepth = 2;

  // The marking thread's side: batches to mark, and the outcomes it hands back.
  struct Marked {
    std::vector<int64_t> seqs;
    Status status;
    std::chrono::microseconds took{0};
  };
  void marker_loop();
  void collect_marked();

  staging::Store& store_;
  staging::Store& stager_store_;
  std::mutex stager_mutex_;
  std::condition_variable stager_cv_;       // the staging thread waits for pages
  std::condition_variable stager_done_cv_;  // stage() waits for room
  std::deque<Page> to_stage_;               // guarded by stager_mutex_
  std::deque<Staged> staged_;               // guarded by stager_mutex_
  std::size_t staging_now_ = 0;             // pages queued or being written; guarded by stager_mutex_
  bool stager_stop_ = false;                // guarded by stager_mutex_
  std::thread stager_;
  staging::Store& marker_store_;
  std::mutex marker_mutex_;
  std::condition_variable marker_cv_;
  std::deque<std::vector<int64_t>> to_mark_;  // guarded by marker_mutex_
  std::vector<Marked> marked_;                // guarded by marker_mutex_
  bool marker_stop_ = false;                  // guarded by marker_mutex_
  std::string mark_error_;                    // the last failed UPDATE, logged once per kind
  std::thread marker_;
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
