#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Origin QCloud's task answers, read into plain values. Every call is a POST
/// whose answer is the envelope `{"success": bool, "message": "...", "obj": {...}}`
/// (section 3 of the provider notes, from pyqpanda's QCloudMachineImp).
namespace qjob::qcloud {

/// What a QCloud task state code means in the unified words. Codes (pyqpanda's
/// TaskStatus): 1 WAITING, 5 QUEUING, 6 SENT_TO_BUILD_SYSTEM -> waiting;
/// 2 COMPUTING, 9 BUILD_SYSTEM_RUN -> executing; 3 FINISHED -> succeeded;
/// 4 FAILED, 7 BUILD_SYSTEM_ERROR, 8 SEQUENCE_TOO_LONG -> failed. Another code
/// stays waiting and `known` is false (the caller logs it once).
struct task_state {
  std::string word;   ///< QCloud's name of the code ("QUEUING"), kept as provider_status
  std::string state;  ///< "waiting", "executing", "succeeded" or "failed"
  bool final = false;
  bool known = true;
};

task_state map_task_state(int code);

/// An answer read: the value, or what is wrong with it. `refused` is set when
/// the envelope says `success: false` (QCloud's `message` in `error`); otherwise
/// the body could not be read (a malformed answer: transient).
template <class T>
struct answer {
  std::optional<T> value;
  std::string error;
  bool refused = false;
};

/// The task id of a `submitTask.json` answer (`obj.taskId`).
answer<std::string> read_submit_answer(std::string_view body);

/// What `getTaskDetailForQpanda.json` says about one task
/// (`obj.qcodeTaskNewVo.taskResultList[0]`).
struct task_detail {
  int code = 0;  ///< taskState, given as a number or a numeric string
  std::string result;         ///< taskResult: JSON text of the outcome probabilities, "" until finished
  std::string error_message;  ///< errorMessage, when it failed
};

answer<task_detail> read_task_detail(std::string_view body);

/// The outcome probabilities of a finished task's `taskResult`:
/// `{"key": ["00", "11"], "value": [0.5, 0.5]}` (names matched case-insensitively,
/// possibly wrapped in a one-element array), keys binary bitstrings over the
/// classical bits (bit 0 rightmost) or hex ("0x3"), read as integers.
answer<std::vector<std::pair<std::uint64_t, double>>> read_task_result(std::string_view text);

}  // namespace qjob::qcloud
