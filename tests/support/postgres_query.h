#pragma once
// One value of a query on a real PostgreSQL, for integration tests: the first column of the first
// row ("" when there is none). A failed statement fails the test with PostgreSQL's message.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

namespace rds::testing {

inline std::string pg_value(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  const auto status = PQresultStatus(r);
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) {
    out = PQgetvalue(r, 0, 0);
  } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

}  // namespace rds::testing
