#pragma once

// The web as the Azure adapter sees it in tests: every http_client the
// adapter's factory makes answers from one shared script (or a responder) and
// records what it was sent, with the origin it was sent to.

#include "azure/azure_options.hpp"
#include "http/http_client.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qjob::test {

struct fake_web {
  struct sent_request {
    std::string origin;
    http::request request;
  };
  using answer = boost::system::result<http::response>;

  std::vector<sent_request> sent;
  std::deque<answer> answers;  // answered in order when no responder is set
  std::function<answer(const std::string& origin, const http::request&)> responder;
  std::vector<std::string> clients_made;  // origins, in the order the factory was asked
  /// When not zero, every answer comes after this long on a timer, so that
  /// calls overlap as they do on the network.
  std::chrono::milliseconds delay{0};

  /// The factory to give azure_api.
  static azure::client_factory factory(std::shared_ptr<fake_web> web);
};

class fake_web_client final : public http::http_client {
public:
  fake_web_client(std::shared_ptr<fake_web> web, std::string origin) : web_(std::move(web)), origin_(std::move(origin)) {}

  boost::asio::awaitable<boost::system::result<http::response>> send(http::request req) override {
    web_->sent.push_back({origin_, req});
    if (web_->delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, web_->delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    if (web_->responder) co_return web_->responder(origin_, req);
    BOOST_REQUIRE_MESSAGE(!web_->answers.empty(), "no answer scripted for " + origin_ + req.target);
    auto answer = std::move(web_->answers.front());
    web_->answers.pop_front();
    co_return answer;
  }

private:
  std::shared_ptr<fake_web> web_;
  std::string origin_;
};

inline azure::client_factory fake_web::factory(std::shared_ptr<fake_web> web) {
  return [web](std::string_view origin) -> std::unique_ptr<http::http_client> {
    web->clients_made.emplace_back(origin);
    return std::make_unique<fake_web_client>(web, std::string(origin));
  };
}

inline http::response respond(unsigned status, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::response r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [name, value] : headers) r.headers.add(std::move(name), std::move(value));
  return r;
}

}  // namespace qjob::test
