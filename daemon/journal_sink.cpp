#include "journal_sink.hpp"

#include <systemd/sd-journal.h>
#include <sys/uio.h>

#include <cstdio>

namespace qjob::daemon {

namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;
    case spdlog::level::err: return 3;
    case spdlog::level::warn: return 4;
    case spdlog::level::info: return 6;
    default: return 7;
  }
}

/// The value of the first `key=value` token of `text`; "" when there is none.
std::string_view token(std::string_view text, std::string_view key) {
  for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    const bool starts_word = at == 0 || text[at - 1] == ' ' || text[at - 1] == '(';
    if (!starts_word || at + key.size() >= text.size() || text[at + key.size()] != '=') continue;
    const auto begin = at + key.size() + 1;
    auto end = text.find_first_of(" ,;)", begin);
    if (end == std::string_view::npos) end = text.size();
    // A trailing colon ends a prefix ("job=ID: ..."), it is not part of the id.
    if (end > begin && text[end - 1] == ':') --end;
    if (end > begin) return text.substr(begin, end - begin);
  }
  return {};
}

}  // namespace

std::vector<std::string> journal_fields(std::string_view logger, spdlog::level::level_enum level,
                                        std::string_view text) {
  std::vector<std::string> fields;
  fields.push_back("MESSAGE=" + std::string(logger) + ": " + std::string(text));
  fields.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
  fields.push_back("SYSLOG_IDENTIFIER=qjobd");
  fields.push_back("QJOB_COMPONENT=" + std::string(logger));
  if (auto job = token(text, "job"); !job.empty()) fields.push_back("QJOB_JOB_ID=" + std::string(job));
  if (auto request = token(text, "req"); !request.empty()) fields.push_back("QJOB_REQUEST_ID=" + std::string(request));
  auto provider = token(text, "provider");
  constexpr std::string_view provider_logger = "provider.";
  if (provider.empty() && logger.starts_with(provider_logger)) provider = logger.substr(provider_logger.size());
  if (!provider.empty()) fields.push_back("QJOB_PROVIDER=" + std::string(provider));
  return fields;
}

void journal_sink::sink_it_(const spdlog::details::log_msg& message) {
  const std::string_view logger(message.logger_name.data(), message.logger_name.size());
  const std::string_view text(message.payload.data(), message.payload.size());
  const auto fields = journal_fields(logger, message.level, text);
  std::vector<iovec> parts;
  parts.reserve(fields.size());
  for (const auto& field : fields)
    parts.push_back(iovec{const_cast<char*>(field.data()), field.size()});
  if (::sd_journal_sendv(parts.data(), static_cast<int>(parts.size())) < 0)
    std::fprintf(stderr, "<%d>%s\n", syslog_priority(message.level), fields.front().c_str() + 8);
}

}  // namespace qjob::daemon
