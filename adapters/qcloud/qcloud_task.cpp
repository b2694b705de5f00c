#include "qcloud/qcloud_task.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <cmath>
#include <stdexcept>

namespace qjob::qcloud {
namespace {

namespace json = boost::json;

/// A malformed answer, with what is wrong.
struct malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The `obj` of an envelope; throws malformed, or sets `refused` when success is false.
template <class T>
const json::object* envelope(const json::value& v, answer<T>& out) {
  if (!v.is_object()) throw malformed("the answer is not a JSON object");
  const auto& top = v.get_object();
  const auto* success = top.if_contains("success");
  if (success == nullptr || !success->is_bool()) throw malformed("the answer has no 'success'");
  if (!success->get_bool()) {
    out.refused = true;
    const auto* message = top.if_contains("message");
    out.error = message != nullptr && message->is_string() ? std::string(message->get_string())
                                                           : std::string("QCloud refused the request");
    return nullptr;
  }
  const auto* obj = top.if_contains("obj");
  if (obj == nullptr || !obj->is_object()) throw malformed("the answer has no 'obj'");
  return &obj->get_object();
}

template <class T, class Read>
answer<T> guarded(std::string_view body, Read read) {
  answer<T> out;
  try {
    boost::system::error_code ec;
    const auto v = json::parse(body, ec);
    if (ec) throw malformed("the answer is not JSON: " + ec.message());
    read(v, out);
  } catch (const malformed& e) {
    out.value.reset();
    out.error = std::string("malformed QCloud answer: ") + e.what();
  }
  return out;
}

int read_code(const json::value& v) {
  // A code beyond int is no state QCloud defines: malformed, not narrowed onto one
  // that is (nor, from text, a std::out_of_range escaping the reader).
  if (v.is_int64() && v.get_int64() >= std::numeric_limits<int>::min() && v.get_int64() <= std::numeric_limits<int>::max())
    return static_cast<int>(v.get_int64());
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    return static_cast<int>(v.get_uint64());
  if (v.is_string()) {
    const std::string_view text(v.get_string());
    int code = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) && ec == std::errc{} &&
        end == text.data() + text.size())
      return code;
  }
  throw malformed("taskState is not a number");
}

const json::value* find_case_insensitive(const json::object& object, std::string_view key) {
  for (const auto& entry : object) {
    const auto name = entry.key();
    if (name.size() == key.size() &&
        std::equal(name.begin(), name.end(), key.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return &entry.value();
  }
  return nullptr;
}

std::uint64_t read_key(std::string_view key) {
  int base = 2;
  if (key.starts_with("0x") || key.starts_with("0X")) {
    key.remove_prefix(2);
    base = 16;
  }
  if (key.empty() || key.size() > (base == 2 ? 64u : 16u)) throw malformed("outcome key '" + std::string(key) + "'");
  std::uint64_t value = 0;
  for (char c : key) {
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : base == 16 && std::isxdigit(static_cast<unsigned char>(c))
                          ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                          : 99;
    if (digit >= base) throw malformed("outcome key '" + std::string(key) + "'");
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  return value;
}

}  // namespace

task_state map_task_state(int code) {
  switch (code) {
    case 1: return {"WAITING", "waiting", false, true};
    case 5: return {"QUEUING", "waiting", false, true};
    case 6: return {"SENT_TO_BUILD_SYSTEM", "waiting", false, true};
    case 2: return {"COMPUTING", "executing", false, true};
    case 9: return {"BUILD_SYSTEM_RUN", "executing", false, true};
    case 3: return {"FINISHED", "succeeded", true, true};
    case 4: return {"FAILED", "failed", true, true};
    case 7: return {"BUILD_SYSTEM_ERROR", "failed", true, true};
    case 8: return {"SEQUENCE_TOO_LONG", "failed", true, true};
    default: return {"STATE_" + std::to_string(code), "waiting", false, false};
  }
}

answer<std::string> read_submit_answer(std::string_view body) {
  return guarded<std::string>(body, [](const json::value& v, answer<std::string>& out) {
    const auto* obj = envelope(v, out);
    if (obj == nullptr) return;
    const auto* id = obj->if_contains("taskId");
    if (id == nullptr || !id->is_string() || id->get_string().empty()) throw malformed("obj has no 'taskId'");
    out.value = std::string(id->get_string());
  });
}

answer<task_detail> read_task_detail(std::string_view body) {
  return guarded<task_detail>(body, [](const json::value& v, answer<task_detail>& out) {
    const auto* obj = envelope(v, out);
    if (obj == nullptr) return;
    const auto* vo = obj->if_contains("qcodeTaskNewVo");
    if (vo == nullptr || !vo->is_object()) throw malformed("obj has no 'qcodeTaskNewVo'");
    const auto* list = vo->get_object().if_contains("taskResultList");
    if (list == nullptr || !list->is_array() || list->get_array().empty() || !list->get_array()[0].is_object())
      throw malformed("qcodeTaskNewVo has no 'taskResultList'");
    const auto& entry = list->get_array()[0].get_object();
    const auto* state = entry.if_contains("taskState");
    if (state == nullptr) throw malformed("the task has no 'taskState'");
    task_detail detail;
    detail.code = read_code(*state);
    if (const auto* result = entry.if_contains("taskResult"); result != nullptr && result->is_string())
      detail.result = std::string(result->get_string());
    if (const auto* message = entry.if_contains("errorMessage"); message != nullptr && message->is_string())
      detail.error_message = std::string(message->get_string());
    out.value = std::move(detail);
  });
}

answer<std::vector<std::pair<std::uint64_t, double>>> read_task_result(std::string_view text) {
  using distribution = std::vector<std::pair<std::uint64_t, double>>;
  return guarded<distribution>(text, [](const json::value& parsed, answer<distribution>& out) {
    const json::value* v = &parsed;
    if (v->is_array() && v->get_array().size() == 1) v = &v->get_array()[0];
    if (!v->is_object()) throw malformed("taskResult is not an object");
    const auto* keys = find_case_insensitive(v->get_object(), "key");
    const auto* values = find_case_insensitive(v->get_object(), "value");
    if (keys == nullptr || values == nullptr || !keys->is_array() || !values->is_array() ||
        keys->get_array().size() != values->get_array().size())
      throw malformed("taskResult needs 'key' and 'value' arrays of the same length");
    distribution out_values;
    for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
      const auto& key = keys->get_array()[i];
      const auto& value = values->get_array()[i];
      if (!key.is_string() || !value.is_number()) throw malformed("taskResult entry " + std::to_string(i));
      const double p = value.to_number<double>();
      if (!std::isfinite(p) || p < -1e-9) throw malformed("probability of '" + std::string(key.get_string()) + "'");
      if (p > 0) out_values.emplace_back(read_key(key.get_string()), p);
    }
    std::sort(out_values.begin(), out_values.end());
    out.value = std::move(out_values);
  });
}

}  // namespace qjob::qcloud
