#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::daemon {

/// The journal fields of one log record (`FIELD=value` each): MESSAGE (the
/// logger's name, then the text), PRIORITY (syslog's), SYSLOG_IDENTIFIER, and
/// the ids the text carries as `key=value` (STYLE's `job=`, `req=`,
/// `provider=`), so that `journalctl QJOB_JOB_ID=...` finds every line about a
/// job: QJOB_COMPONENT, QJOB_JOB_ID, QJOB_REQUEST_ID, QJOB_PROVIDER (also from a
/// `provider.NAME` logger). Pure.
std::vector<std::string> journal_fields(std::string_view logger, spdlog::level::level_enum level,
                                        std::string_view text);

/// An spdlog sink writing each record to the systemd journal with the fields
/// above. Should the journal refuse a record, it goes to stderr instead. Any thread.
class journal_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}
};

}  // namespace qjob::daemon
