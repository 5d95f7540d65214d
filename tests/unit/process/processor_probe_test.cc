#include "process/processor_probe.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace rds::process {
namespace {

TEST(ProcessorProbeTest, CountsAndGauges) {
  ProcessorProbe probe;
  probe.consumed(10, 1000);
  probe.stored(7);
  probe.rejected("bad_uuid", "users_created", 0, 3, "id is 'x'");
  probe.dead_lettered("bad_uuid");
  probe.dead_lettered("bad_uuid");
  probe.dead_lettered("sink_rejected");
  probe.dead_lettered("not-a-code");  // ignored: labels stay bounded
  probe.sink_failed(true, "timeout");
  probe.retried();
  probe.committed();
  probe.set_in_flight(3);
  probe.set_lag(12);
  probe.set_paused_partitions(1);
  const auto s = probe.snapshot();
  EXPECT_EQ(s.records_consumed, 10u);
  EXPECT_EQ(s.bytes_consumed, 1000u);
  EXPECT_EQ(s.records_stored, 7u);
  EXPECT_EQ(s.records_rejected, 1u);
  EXPECT_EQ(s.records_dead_lettered, 3u);
  EXPECT_EQ(s.dead_lettered_by_code[ProcessorProbe::code_index("bad_uuid")], 2u);
  EXPECT_EQ(s.dead_lettered_by_code[ProcessorProbe::code_index("sink_rejected")], 1u);
  EXPECT_EQ(s.sink_failures, 1u);
  EXPECT_EQ(s.retries, 1u);
  EXPECT_EQ(s.offsets_committed, 1u);
  EXPECT_EQ(s.in_flight, 3);
  EXPECT_EQ(s.lag, 12);
  EXPECT_EQ(s.paused_partitions, 1);
}

TEST(ProcessorProbeTest, CountsInTheOneVocabularyWithBoundedLabels) {
  metrics::Metrics m;
  ProcessorProbe probe(m);
  probe.consumed(2, 20);
  probe.stored(1);
  probe.dead_lettered("wrong_type");
  probe.commit_failed("x");
  const std::string text = m.render();
  EXPECT_NE(text.find("rdstream_received_records_total{stage=\"process\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rdstream_sent_records_total{stage=\"process\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rdstream_dead_letters_total{reason=\"wrong_type\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("rdstream_discarded_records_total{reason=\"wrong_type\",stage=\"process\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rdstream_dead_letters_total{reason=\"sink_rejected\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("rdstream_errors_total{error_type=\"commit\",stage=\"process\"} 1\n"), std::string::npos);
  for (RejectCode code : kAllRejectCodes) {
    EXPECT_NE(text.find(fmt::format("reason=\"{}\"", to_string(code))), std::string::npos);
  }
}

}  // namespace
}  // namespace rds::process
