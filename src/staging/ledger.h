#pragma once
// The relay's view of the staged rows it handles in this process, by seq:
//
//   pending in PostgreSQL --produced()--> in flight --delivered()--> to mark --take_to_mark()/marked()--> gone
//                                            |
//                                            +--failed()--> forgotten (still pending in PostgreSQL: the relay
//                                                           scans again from rescan_from())
//
// PostgreSQL stays the source of truth: a row is delivered there only after its delivery report
// (marked in batches), so a crash at any point leaves it pending and the next run produces it
// again (the key is the user's id: the table stays effectively once). The ledger only keeps the
// relay from producing a row twice while its first attempt is still in flight or waiting to be
// marked. Pure, not thread-safe: the ingest thread drives it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "core/result.h"

namespace rds::staging {

class DeliveryLedger {
 public:
  // kInvalidArgument when `seq` is already in flight or waiting to be marked (a relay bug).
  Status produced(int64_t seq);
  // Its delivery report said delivered / failed. Unknown seqs are ignored (reported twice).
  void delivered(int64_t seq);
  void failed(int64_t seq);
  // Up to `max` delivered seqs to mark in PostgreSQL, oldest first; they stay "to mark" (skipped by
  // the relay) until marked() or unmarked().
  std::vector<int64_t> take_to_mark(std::size_t max);
  void marked(const std::vector<int64_t>& seqs);
  // The UPDATE failed: the seqs go back to "to mark", for the next attempt.
  void unmarked(const std::vector<int64_t>& seqs);

  // True for a seq the relay must not produce now.
  bool busy(int64_t seq) const;
  // After a failed delivery: the relay's scan must restart below this seq (the lowest failed one);
  // nullopt when nothing failed since the last call.
  std::optional<int64_t> take_rescan_from();

  bool rescan_due() const { return rescan_from_.has_value(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::size_t to_mark() const { return to_mark_.size() + marking_.size(); }

 private:
  std::set<int64_t> in_flight_;
  std::set<int64_t> to_mark_;   // delivered, not yet taken
  std::set<int64_t> marking_;   // taken, UPDATE not confirmed
  std::optional<int64_t> rescan_from_;
};

}  // namespace rds::staging
