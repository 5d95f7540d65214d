#include "cql/display.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace rds::cql {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kMinCivilDay =
    static_cast<int64_t>(sys_days(std::chrono::year{-32767} / 1 / 1).time_since_epoch().count());
constexpr int64_t kMaxCivilDay =
    static_cast<int64_t>(sys_days(std::chrono::year{32767} / 12 / 31).time_since_epoch().count());

bool format_civil_day(int64_t day, std::string& out) {
  if (day < kMinCivilDay || day > kMaxCivilDay) return false;
  const year_month_day ymd{sys_days{days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  out += buf;
  return true;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

void format_timestamp(int64_t millis, std::string& out) {
  const int64_t day = floor_div(millis, 86400000);
  int64_t ms_of_day = millis % 86400000;  // no day * 86400000: it overflows near INT64_MIN
  if (ms_of_day < 0) ms_of_day += 86400000;
  std::string date;
  if (!format_civil_day(day, date)) {
    out += std::to_string(millis);
    return;
  }
  const int64_t secs = ms_of_day / 1000;
  char buf[64];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d.%06d+0000", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                static_cast<int>(ms_of_day % 1000) * 1000);
  out += date;
  out += buf;
}

void format_float(double x, int precision, std::string& out) {
  if (std::isnan(x)) {
    out += "NaN";
    return;
  }
  if (std::isinf(x)) {
    out += x > 0 ? "Infinity" : "-Infinity";
    return;
  }
  // cqlsh: when %g would not use scientific notation, widen the precision by the digits left of
  // the point so that e.g. 123456.7 is not rounded to 1.2346e+05.
  int p = precision;
  if (std::fabs(x) > std::numeric_limits<double>::epsilon()) {
    const int exponent = static_cast<int>(std::log10(std::fabs(x)));
    if (exponent >= -4 && exponent < precision) p = precision + exponent + 1;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", p, x);
  out += buf;
}

void quote(const std::string& s, std::string& out) {
  out.push_back('\'');
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
}

void display(const Value& v, bool nested, std::string& out);

void join(const std::vector<Value>& items, char open, char close, std::string& out) {
  out.push_back(open);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    display(items[i], true, out);
  }
  out.push_back(close);
}

void display(const Value& v, bool nested, std::string& out) {
  struct Visitor {
    bool nested;
    std::string& out;
    void operator()(const Null&) const { out += "null"; }
    void operator()(const Unset&) const { out += "unset"; }
    void operator()(bool b) const { out += b ? "True" : "False"; }
    void operator()(int8_t x) const { out += std::to_string(x); }
    void operator()(int16_t x) const { out += std::to_string(x); }
    void operator()(int32_t x) const { out += std::to_string(x); }
    void operator()(int64_t x) const { out += std::to_string(x); }
    void operator()(float x) const { format_float(x, 5, out); }
    void operator()(double x) const { format_float(x, 12, out); }
    void operator()(const std::string& s) const {
      if (nested) {
        quote(s, out);
      } else {
        out += s;
      }
    }
    void operator()(const Blob& b) const { out += "0x" + to_hex(ByteView(b.bytes)); }
    void operator()(const Uuid& u) const { out += u.to_string(); }
    void operator()(const Timestamp& t) const { format_timestamp(t.millis, out); }
    void operator()(const Date& d) const {
      if (!format_civil_day(d.days_since_epoch(), out)) out += std::to_string(d.days_since_epoch());
    }
    void operator()(const Time& t) const {
      char buf[48];
      const int64_t secs = t.nanos / 1000000000;
      std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%09lld",
                    static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                    static_cast<long long>(secs % 60),
                    static_cast<long long>(t.nanos % 1000000000));
      out += buf;
    }
    void operator()(const Inet& a) const { out += a.to_string(); }
    void operator()(const Varint& x) const { out += x.to_string(); }
    void operator()(const Decimal& x) const { out += x.to_string(); }
    void operator()(const List& l) const { join(l.items, '[', ']', out); }
    void operator()(const Set& s) const { join(s.items, '{', '}', out); }
    void operator()(const Map& m) const {
      out.push_back('{');
      for (size_t i = 0; i < m.entries.size(); ++i) {
        if (i) out += ", ";
        display(m.entries[i].first, true, out);
        out += ": ";
        display(m.entries[i].second, true, out);
      }
      out.push_back('}');
    }
    void operator()(const Tuple& t) const { join(t.items, '(', ')', out); }
    void operator()(const Udt& u) const {
      out.push_back('{');
      for (size_t i = 0; i < u.fields.size(); ++i) {
        if (i) out += ", ";
        out += u.fields[i].first + ": ";
        display(u.fields[i].second, true, out);
      }
      out.push_back('}');
    }
  };
  std::visit(Visitor{nested, out}, v.v);
}

}  // namespace

std::string to_display(const Value& v) {
  std::string out;
  display(v, false, out);
  return out;
}

}  // namespace rds::cql
