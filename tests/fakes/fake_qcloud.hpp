#pragma once

#include "fakes/fake_http_server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace qjob::fakes {

/// How a fake_qcloud behaves.
struct fake_qcloud_options {
  /// The key clients must send, as `Authorization: oqcs_auth=<key>` and as
  /// `apiKey` in the body; others are refused.
  std::string api_key = "test-key";
  /// 0 for an ephemeral port.
  unsigned short port = 0;
  /// A task moves one state each time it has been queried this many times; 0:
  /// queries do not move tasks.
  unsigned polls_per_step = 1;
  /// A state tasks stop at (1 WAITING, 5 QUEUING, 2 COMPUTING, ...) until the
  /// test moves them on; 0 lets them finish.
  int hold_at = 0;
  /// Tasks on the real chip (QMachineType 5) with more operations than this end
  /// 8 SEQUENCE_TOO_LONG, as the chip's build system refuses them.
  std::size_t max_chip_operations = 200;
  /// Seeds the task ids.
  std::uint64_t seed = 1;
  /// Faults injected from the start.
  fault_plan faults;
};

/// A fake Origin QCloud on 127.0.0.1, speaking the task API as pyqpanda's
/// QCloudMachineImp uses it (section 3 of the provider notes):
/// - `POST /oqcs/task/submitTask.json` with `{apiKey, code (OriginIR), codeLen,
///   qubitNum, classicalbitNum, taskName, measureType, QMachineType, shot, ...}`
///   -> `{"success": true, "message": "", "obj": {"taskId": "<32 hex digits>"}}`;
///   OriginIR it cannot read, or more qubits than the machine has, is refused
///   with `success: false` and a message;
/// - `POST /oqcs/task/getTaskDetailForQpanda.json` with `{taskId, apiKey}` ->
///   `obj.qcodeTaskNewVo.taskResultList[0]` with `taskState` as a numeric
///   string moving 1 WAITING -> 2 COMPUTING -> 3 FINISHED on the simulator, and
///   5 QUEUING -> 6 SENT_TO_BUILD_SYSTEM -> 9 BUILD_SYSTEM_RUN -> 3 on the chip
///   (or -> 8 SEQUENCE_TOO_LONG), `taskResult` once finished as the JSON text
///   `{"key": ["00", "11"], "value": [0.5, 0.5]}` (the exact probabilities of
///   the circuit, bit 0 rightmost), `errorMessage` when it failed;
/// - a wrong key: `success: false`, "apiKey authentication failed"; an unknown
///   task: `success: false`, "task not found".
/// No list and no cancel, as QCloud has none. The server's faults answer HTTP
/// statuses with an HTML body, as QCloud's gateway would. One test hook of its
/// own: `GET /_fake/jobs`.
///
/// Runs on the executor given (one thread); the object's methods must be called
/// there too.
class fake_qcloud {
public:
  /// Binds and listens at once; call start() to serve.
  explicit fake_qcloud(boost::asio::any_io_executor executor, fake_qcloud_options options = {});
  fake_qcloud(const fake_qcloud&) = delete;
  fake_qcloud& operator=(const fake_qcloud&) = delete;
  ~fake_qcloud();

  void start();
  void stop();

  /// "http://127.0.0.1:<port>", the base URL clients use.
  std::string base_url() const;
  fake_http_server& server() { return server_; }

  /// Tasks created per `taskName` (qjobd names a task by our job id when the
  /// job has no name).
  std::map<std::string, std::size_t> creates_by_task_name() const;
  /// Tasks held.
  std::size_t task_count() const;
  /// A task's state code now (without counting as a query), or nullopt if unknown.
  std::optional<int> task_state(const std::string& id) const;
  /// Lets the tasks held at `hold_at` go on.
  void release_held();

private:
  struct state;  // the tasks, and the API the server serves
  std::shared_ptr<state> state_;
  fake_http_server server_;
};

}  // namespace qjob::fakes
