// qjob_fake_ionq: the fake IonQ v0.4 server as a process, for e2e tests.
//   qjob_fake_ionq [--port N] [--faults SPEC] [--api-key KEY] [--polls-per-step N] [--step-ms MS] [--seed N]
//                  [--hold-at submitted|ready|started]
// Prints its base URL ("http://127.0.0.1:<port>/v0.4") on stdout once it accepts
// connections, then serves until SIGTERM or SIGINT (exit 0). Bad arguments: exit 2.
#include "fakes/fake_ionq.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <variant>

namespace {

int usage(const std::string& problem) {
  std::cerr << "qjob_fake_ionq: " << problem
            << "\nusage: qjob_fake_ionq [--port N] [--faults SPEC] [--api-key KEY] [--polls-per-step N] [--step-ms MS]"
               " [--seed N] [--hold-at submitted|ready|started]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  qjob::fakes::fake_ionq_options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (i + 1 >= argc) return usage("missing value after " + std::string(arg));
      const std::string value = argv[++i];
      if (arg == "--port") {
        options.port = static_cast<unsigned short>(std::stoul(value));
      } else if (arg == "--faults") {
        auto parsed = qjob::fakes::parse_fault_spec(value);
        if (auto* problem = std::get_if<std::string>(&parsed)) return usage(*problem);
        options.faults = std::get<qjob::fakes::fault_plan>(std::move(parsed));
      } else if (arg == "--api-key") {
        options.api_key = value;
      } else if (arg == "--polls-per-step") {
        options.polls_per_step = static_cast<unsigned>(std::stoul(value));
      } else if (arg == "--step-ms") {
        options.step_time = std::chrono::milliseconds(std::stoll(value));
      } else if (arg == "--hold-at") {
        if (value != "submitted" && value != "ready" && value != "started")
          return usage("--hold-at takes submitted, ready or started");
        options.hold_at = value;
      } else if (arg == "--seed") {
        options.seed = std::stoull(value);
      } else {
        return usage("unknown argument " + std::string(arg));
      }
    }
  } catch (const std::exception&) {
    return usage("a numeric argument is not a number");
  }

  try {
    boost::asio::io_context io(1);
    qjob::fakes::fake_ionq fake(io.get_executor(), options);
    fake.start();
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
      fake.stop();
      io.stop();
    });
    std::cout << fake.base_url() << std::endl;
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "qjob_fake_ionq: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
