#include "cli/table_printer.h"

#include <gtest/gtest.h>

namespace rds::cli {
namespace {

TEST(TablePrinterTest, AlignsColumnsLikeCqlsh) {
  std::string out = format_table({"id", "first_name"}, {{"1", "Ava"}, {"22", "Émile"}});
  EXPECT_EQ(out,
            " id | first_name\n"
            "----+------------\n"
            "  1 |        Ava\n"
            " 22 |      Émile\n"
            "\n(2 rows)\n");
}

TEST(TablePrinterTest, EmptyResultStillShowsHeaders) {
  EXPECT_EQ(format_table({"n"}, {}), " n\n---\n\n(0 rows)\n");
}

}  // namespace
}  // namespace rds::cli
