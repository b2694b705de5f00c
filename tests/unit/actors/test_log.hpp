#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

namespace qjob::actors::test {

/// A logger that keeps what it is given, so a test can check what an actor logged.
/// Thread-safe (the _mt sink), for actors that log from the storage thread.
class captured_log {
public:
  explicit captured_log(const std::string& name = "test")
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)),
        logger_(std::make_shared<spdlog::logger>(name, sink_)) {
    logger_->set_pattern("%l %v");
  }

  /// The logger to hand to the code under test.
  const std::shared_ptr<spdlog::logger>& logger() const noexcept { return logger_; }

  /// Everything logged so far. Call it when the loggers' users are quiet.
  std::string text() const {
    logger_->flush();
    return text_.str();
  }

  bool contains(const std::string& needle) const { return text().find(needle) != std::string::npos; }

private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace qjob::actors::test
