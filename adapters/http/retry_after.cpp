#include "http/retry_after.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace qjob::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

std::optional<int> small_number(std::string_view s) {
  if (!all_digits(s) || s.size() > 4) return std::nullopt;
  int v = 0;
  for (char ch : s) v = v * 10 + (ch - '0');
  return v;
}

int month_number(std::string_view s) {
  constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (s == months[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

// The three date forms of RFC 9110 section 5.6.7, read alike once commas and
// dashes are spaces: a weekday, then day and year in that order around a month
// name, a hh:mm:ss time, and "GMT" where the form has it.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  std::string spaced(text);
  for (char& ch : spaced) {
    if (ch == ',' || ch == '-') ch = ' ';
  }
  std::vector<std::string_view> tokens;
  std::string_view rest = spaced;
  while (!rest.empty()) {
    rest = trim(rest);
    const std::size_t end = rest.find(' ');
    tokens.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  if (tokens.size() < 5 || tokens.size() > 6) return std::nullopt;
  for (char ch : tokens[0]) {
    if (!std::isalpha(static_cast<unsigned char>(ch))) return std::nullopt;
  }
  int month = 0;
  std::vector<int> numbers;
  std::size_t year_digits = 0;
  std::string_view time;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view t = tokens[i];
    if (t == "GMT") continue;
    if (const int m = month_number(t); m != 0 && month == 0) {
      month = m;
    } else if (t.find(':') != std::string_view::npos && time.empty()) {
      time = t;
    } else if (const std::optional<int> n = small_number(t); n && numbers.size() < 2) {
      numbers.push_back(*n);
      if (numbers.size() == 2) year_digits = t.size();
    } else {
      return std::nullopt;
    }
  }
  if (month == 0 || numbers.size() != 2 || time.size() != 8 || time[2] != ':' || time[5] != ':') return std::nullopt;
  const auto hh = small_number(time.substr(0, 2)), mm = small_number(time.substr(3, 2)),
             ss = small_number(time.substr(6, 2));
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  int year = numbers[1];
  if (year_digits == 2) year += year < 70 ? 2000 : 1900;  // RFC 850's two-digit years
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(numbers[0]))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(*hh) + std::chrono::minutes(*mm) +
         std::chrono::seconds(*ss);
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (all_digits(value)) {
    // Capped while reading, which also keeps the arithmetic from overflowing.
    std::int64_t seconds = 0;
    for (char ch : value) {
      seconds = seconds * 10 + (ch - '0');
      if (seconds > max_retry_after.count()) return max_retry_after;
    }
    return std::chrono::seconds(seconds);
  }
  const std::optional<std::chrono::sys_seconds> at = parse_http_date(value);
  if (!at) return std::nullopt;
  // Compared in whole seconds: a date far from now (year 9999, year 0) overflows
  // the clock's nanoseconds (found by tests/fuzz).
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  if (*at <= now_seconds) return std::chrono::seconds(0);
  if (*at - now_seconds > max_retry_after) return max_retry_after;
  return std::min(std::chrono::ceil<std::chrono::seconds>(*at - now), max_retry_after);
}

}  // namespace qjob::http
