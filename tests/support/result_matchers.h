#pragma once
// ASSERT_OK(expr) / EXPECT_OK(expr): expr (a Result<T> or a Status, or anything with ok()) evaluated once; when it is not
// ok, the failure shows the expression, the error's code and its message, instead of gtest's bare
// "Value of: x.ok() Actual: false". More can be streamed after it, as after any assertion.

#include <gtest/gtest.h>

#include "core/error.h"

namespace rds::test {

template <typename R>
::testing::AssertionResult IsOk(const char* expression, const R& result) {
  if (result.ok()) return ::testing::AssertionSuccess();
  if constexpr (requires { result.error().message; }) {
    return ::testing::AssertionFailure() << expression << " is not ok: " << to_string(result.error().code) << ": "
                                         << result.error().message;
  } else {  // something else with ok() (a codec's writer, a test cluster): nothing more to say
    return ::testing::AssertionFailure() << expression << " is not ok";
  }
}

}  // namespace rds::test

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::rds::test::IsOk, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::rds::test::IsOk, expr)
