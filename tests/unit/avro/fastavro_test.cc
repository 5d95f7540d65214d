// rdstream's Avro against another implementation: fastavro (PyPI, in the venv scripts/bootstrap
// makes). Records encoded and framed here are read by fastavro field for field, and fastavro's
// own encoding of the same records is byte for byte ours (the binary encoding is canonical), which
// our decoder reads back.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "avro/codec.h"
#include "avro/framing.h"
#include "support/result_matchers.h"
#include "support/python_tools.h"
#include "support/temp_dir.h"

namespace rds::avro {
namespace {


std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::string unhex(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  return out;
}


// The line format both sides use: the schema on the first line, then one record per line.
constexpr const char* kScript = R"(
import io, json, sys
import fastavro
lines = sys.stdin.read().splitlines()
schema = fastavro.parse_schema(json.loads(lines[0]))
mode = lines[1]
for line in lines[2:]:
    if mode == "read":
        data = bytes.fromhex(line)
        assert data[0] == 0, "magic byte"
        schema_id = int.from_bytes(data[1:5], "big")
        record = fastavro.schemaless_reader(io.BytesIO(data[5:]), schema)
        print(json.dumps({"id": schema_id, "record": record}, ensure_ascii=False))
    else:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, schema, json.loads(line))
        print(out.getvalue().hex())
)";

const std::vector<Field> kFields = {{"id", false, true, std::nullopt},
                                    {"first_name", true, true, std::optional<std::string>()},
                                    {"email", true, false, std::optional<std::string>("none")}};

const std::vector<Values>& records() {
  static const std::vector<Values> kRecords = {{"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f", "Ada", "ada@example.com"},
          {"2", std::nullopt, std::nullopt},
          {"3", "Zoë Ünal 名前", ""},
          {"4", std::string(5000, 'x'), "a\"quote\\and\nnewline"}};
  return kRecords;
}

class FastavroTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(test::tools_python()))
        << test::tools_python() << " is missing: scripts/bootstrap installs tests/python/requirements.txt";
    auto s = Schema::parse(record_schema_json("created_users", "rdstream", kFields));
    ASSERT_OK(s);
    schema_ = *s;
  }
  // fastavro's answer to `lines` in `mode` ("read" or "write"), one line per record; a failed run
  // fails the test with its output.
  std::vector<std::string> fastavro(const std::string& mode, const std::string& lines) {
    int code = -1;
    const std::string out = test::run_tools_python(kScript, schema_.json() + "\n" + mode + "\n" + lines, dir_.path(), &code);
    EXPECT_EQ(code, 0) << out;
    std::vector<std::string> answer;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) answer.push_back(line);
    EXPECT_EQ(answer.size(), records().size()) << out;
    return answer;
  }

  Schema schema_;
  test::TempDir dir_;
};

TEST_F(FastavroTest, FastavroReadsOurFramedRecordsFieldForField) {
  auto encoder = Encoder::create(schema_);
  ASSERT_OK(encoder);
  std::string input;
  for (const auto& r : records()) {
    std::vector<std::optional<std::string_view>> views(r.begin(), r.end());
    auto body = encoder->encode(views);
    ASSERT_OK(body);
    input += hex(frame(42, *body)) + "\n";
  }
  const auto answer = fastavro("read", input);
  for (std::size_t i = 0; i < answer.size() && i < records().size(); ++i) {
    const auto j = nlohmann::json::parse(answer[i]);
    EXPECT_EQ(j["id"], 42);
    const Values& expected = records()[i];
    for (std::size_t f = 0; f < kFields.size(); ++f) {
      const auto& got = j["record"][kFields[f].name];
      if (expected[f]) {
        EXPECT_EQ(got, *expected[f]) << kFields[f].name << " of record " << i;
      } else {
        EXPECT_TRUE(got.is_null()) << kFields[f].name << " of record " << i;
      }
    }
  }
}

TEST_F(FastavroTest, FastavroWritesOurBytesExactlyAndWeReadThem) {
  auto encoder = Encoder::create(schema_);
  auto decoder = Decoder::create(schema_, schema_);
  ASSERT_OK(encoder);
  ASSERT_OK(decoder);
  std::string input;
  for (const auto& r : records()) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t f = 0; f < kFields.size(); ++f) j[kFields[f].name] = r[f] ? nlohmann::json(*r[f]) : nlohmann::json();
    input += j.dump() + "\n";
  }
  const auto answer = fastavro("write", input);
  for (std::size_t i = 0; i < answer.size() && i < records().size(); ++i) {
    const std::string& line = answer[i];
    const std::string theirs = unhex(line);
    std::vector<std::optional<std::string_view>> views(records()[i].begin(), records()[i].end());
    auto ours = encoder->encode(views);
    ASSERT_OK(ours);
    EXPECT_EQ(hex(*ours), line) << "record " << i;
    auto decoded = decoder->decode(theirs);
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, records()[i]);
  }
}

}  // namespace
}  // namespace rds::avro
