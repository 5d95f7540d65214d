#include "staging/ledger.h"

#include <fmt/format.h>

#include <algorithm>

namespace rds::staging {

Status DeliveryLedger::produced(int64_t seq) {
  if (busy(seq)) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("staged row {} produced again while its first attempt is "
                                                          "in flight or not yet marked delivered",
                                                          seq));
  }
  in_flight_.insert(seq);
  return ok_status();
}

void DeliveryLedger::delivered(int64_t seq) {
  if (in_flight_.erase(seq) == 1) to_mark_.insert(seq);
}

void DeliveryLedger::failed(int64_t seq) {
  if (in_flight_.erase(seq) == 0) return;
  rescan_from_ = rescan_from_ ? std::min(*rescan_from_, seq) : seq;
}

std::vector<int64_t> DeliveryLedger::take_to_mark(std::size_t max) {
  std::vector<int64_t> out;
  for (auto it = to_mark_.begin(); it != to_mark_.end() && out.size() < max;) {
    out.push_back(*it);
    marking_.insert(*it);
    it = to_mark_.erase(it);
  }
  return out;
}

void DeliveryLedger::marked(const std::vector<int64_t>& seqs) {
  for (int64_t seq : seqs) marking_.erase(seq);
}

void DeliveryLedger::unmarked(const std::vector<int64_t>& seqs) {
  for (int64_t seq : seqs) {
    if (marking_.erase(seq) == 1) to_mark_.insert(seq);
  }
}

bool DeliveryLedger::busy(int64_t seq) const {
  return in_flight_.count(seq) != 0 || to_mark_.count(seq) != 0 || marking_.count(seq) != 0;
}

std::optional<int64_t> DeliveryLedger::take_rescan_from() {
  auto out = rescan_from_;
  rescan_from_.reset();
  return out;
}

}  // namespace rds::staging
