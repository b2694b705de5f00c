// Origin QCloud's answers into the QCloud adapter's readers (adapters/qcloud):
// the first byte chooses the reader, the rest is the body. The submit answer,
// the task detail (and its state code and embedded taskResult), and a taskResult
// read on its own.
#include "qcloud/qcloud_task.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qjob::qcloud;
  if (size < 1) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)read_submit_answer(body);
      break;
    case 1: {
      auto detail = read_task_detail(body);
      if (!detail.value) break;
      (void)map_task_state(detail.value->code);
      if (!detail.value->result.empty()) (void)read_task_result(detail.value->result);
      break;
    }
    case 2:
      (void)read_task_result(body);
      break;
  }
  return 0;
}
