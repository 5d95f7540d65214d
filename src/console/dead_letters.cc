#include "console/dead_letters.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "process/dead_letter.h"

namespace rds::console {

const std::string* find_header(const std::vector<kafka::Header>& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

DeadLetters::DeadLetters(kafka::Inspector& inspector, kafka::AnyTopicProducerConfig producer, std::string topic)
    : inspector_(inspector), producer_config_(std::move(producer)), topic_(std::move(topic)) {}

Result<DeadLetterPage> DeadLetters::newest(std::optional<std::string> reason, std::size_t limit) {
  DeadLetterPage page;
  auto offsets = inspector_.topic(topic_);
  if (!offsets) {
    if (offsets.error().code == ErrorCode::kNotFound) return page;  // no dead letter yet
    return offsets.take_error();
  }
  std::vector<kafka::OffsetRange> ranges;
  for (const auto& p : offsets->partitions) {
    const int64_t begin = std::max(p.start_offset, p.end_offset - static_cast<int64_t>(kMaxScanPerPartition));
    ranges.push_back({p.partition, begin, p.end_offset});
  }
  auto records = inspector_.read(topic_, ranges, std::chrono::seconds(10));
  if (!records) return records.take_error();
  page.scanned = static_cast<int64_t>(records->size());
  for (auto& r : *records) {
    DeadLetter d;
    d.partition = r.partition;
    d.offset = r.offset;
    d.timestamp_ms = r.timestamp_ms;
    d.key = std::move(r.key);
    d.value = r.value.value_or("");
    if (d.value.size() > kMaxValueBytes) {
      d.value.resize(kMaxValueBytes);
      d.value_truncated = true;
    }
    const std::string* code = find_header(r.headers, process::kHeaderErrorCode);
    d.reason = code != nullptr ? *code : "unknown";
    d.headers = std::move(r.headers);
    page.reasons[d.reason]++;
    if (!reason || *reason == d.reason) page.records.push_back(std::move(d));
  }
  std::sort(page.records.begin(), page.records.end(), [](const DeadLetter& a, const DeadLetter& b) {
    return a.timestamp_ms != b.timestamp_ms ? a.timestamp_ms > b.timestamp_ms
                                            : std::tie(a.partition, a.offset) > std::tie(b.partition, b.offset);
  });
  if (page.records.size() > limit) page.records.resize(limit);
  return page;
}

Result<ReplayResult> DeadLetters::replay(const std::vector<Position>& positions, std::chrono::milliseconds timeout) {
  std::lock_guard lock(replay_mutex_);
  ReplayResult result;
  // One range per partition, from the lowest asked offset to the highest.
  std::map<int32_t, std::pair<int64_t, int64_t>> spans;
  std::set<std::pair<int32_t, int64_t>> wanted;
  for (const auto& p : positions) {
    wanted.insert({p.partition, p.offset});
    auto [it, inserted] = spans.try_emplace(p.partition, p.offset, p.offset + 1);
    if (!inserted) {
      it->second.first = std::min(it->second.first, p.offset);
      it->second.second = std::max(it->second.second, p.offset + 1);
    }
  }
  auto offsets = inspector_.topic(topic_);
  if (!offsets) return offsets.take_error();
  std::vector<kafka::OffsetRange> ranges;
  for (auto& [partition, span] : spans) {
    const auto part = std::find_if(offsets->partitions.begin(), offsets->partitions.end(),
                                   [&](const auto& p) { return p.partition == partition; });
    if (part == offsets->partitions.end()) continue;  // reported below as not found
    span.first = std::max(span.first, part->start_offset);
    span.second = std::min(span.second, part->end_offset);
    if (span.first < span.second) ranges.push_back({partition, span.first, span.second});
  }
  auto records = inspector_.read(topic_, ranges, timeout);
  if (!records) return records.take_error();

  std::mutex reports_mutex;
  std::map<uint64_t, Status> reports;
  auto producer = kafka::Producer::create(producer_config_, [&](const kafka::DeliveryReport& report) {
    std::lock_guard l(reports_mutex);
    reports[report.token] = report.status;
  });
  if (!producer) return producer.take_error();

  struct Sent {
    int32_t partition;
    int64_t offset;
    std::string topic;
  };
  std::map<uint64_t, Sent> sent;
  uint64_t token = 0;
  for (const auto& r : *records) {
    if (wanted.erase({r.partition, r.offset}) == 0) continue;
    const std::string* source = find_header(r.headers, process::kHeaderSourceTopic);
    if (source == nullptr || source->empty()) {
      result.errors.push_back({r.partition, r.offset,
                               fmt::format("no {} header: not a dead letter of rdstream", process::kHeaderSourceTopic)});
      continue;
    }
    std::vector<kafka::Header> headers;
    for (const auto& h : r.headers) {
      if (h.first.rfind("rdstream.", 0) != 0) headers.push_back(h);  // the record's own headers only
    }
    headers.emplace_back(kHeaderReplayedFrom, fmt::format("{}/{}/{}", topic_, r.partition, r.offset));
    kafka::Record record{*source, r.key, r.value, headers};
    Status queued = (*producer)->produce(record, token);
    if (!queued.ok()) {
      result.errors.push_back({r.partition, r.offset, queued.error().message});
      continue;
    }
    sent[token++] = Sent{r.partition, r.offset, *source};
  }
  for (const auto& [partition, offset] : wanted) {
    result.errors.push_back({partition, offset, fmt::format("no record at {}/{}/{}", topic_, partition, offset)});
  }
  const Status flushed = (*producer)->flush(timeout);
  std::lock_guard l(reports_mutex);
  for (const auto& [t, s] : sent) {
    const auto report = reports.find(t);
    if (report == reports.end()) {
      result.errors.push_back({s.partition, s.offset,
                               flushed.ok() ? "no delivery report" : "not delivered: " + flushed.error().message});
    } else if (!report->second.ok()) {
      result.errors.push_back({s.partition, s.offset, report->second.error().message});
    } else {
      result.replayed.push_back({s.partition, s.offset, s.topic});
    }
  }
  return result;
}

}  // namespace rds::console
