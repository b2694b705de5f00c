#include "azure/entra_token.hpp"

#include "azure/azure_errors.hpp"
#include "azure/azure_url.hpp"
#include "http/retry_after.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace qjob::azure {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

using remote::make_error;

/// Entra's own words on a refusal: `error` and the first line of
/// `error_description` (the rest is trace and correlation ids).
std::string entra_says(std::string_view body) {
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  std::string out;
  if (const auto* e = value.get_object().if_contains("error"); e != nullptr && e->is_string()) out = e->get_string();
  if (const auto* d = value.get_object().if_contains("error_description"); d != nullptr && d->is_string()) {
    std::string_view text = d->get_string();
    text = text.substr(0, text.find_first_of("\r\n"));
    if (text.size() > 300) text = text.substr(0, 300);
    out += (out.empty() ? "" : ": ") + std::string(text);
  }
  return out;
}

std::optional<std::int64_t> seconds_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  // Above INT64_MAX (to_number<int64_t> would throw): a lifetime capped at a day anyway.
  if (v->is_uint64()) return std::numeric_limits<std::int64_t>::max();
  // Entra's v1 endpoint wrote numbers as strings.
  if (v->is_string()) {
    std::int64_t n = 0;
    const std::string_view s = v->get_string();
    if (s.empty() || s.size() > 12) return std::nullopt;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return std::nullopt;
}

/// Ends a fetch however its coroutine ends (returned, failed or destroyed),
/// so that the callers waiting for it wake and look again.
struct fetch_guard {
  bool& fetching;
  std::uint64_t& generation;
  std::optional<net::steady_timer>& wake;
  ~fetch_guard() {
    fetching = false;
    ++generation;
    if (wake) wake->cancel();
  }
};

}  // namespace

entra_token::entra_token(entra_credentials credentials, std::function<std::chrono::steady_clock::time_point()> now,
                         std::chrono::milliseconds timeout)
    : credentials_(std::move(credentials)), now_(std::move(now)), timeout_(timeout) {
  auto parts = split_url(credentials_.authority);
  if (!parts) throw std::invalid_argument("the Entra authority is not an http(s) URL");
  origin_ = parts->origin;
  std::string prefix = parts->path;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  token_path_ = prefix + "/" + percent_encode(credentials_.tenant_id) + "/oauth2/v2.0/token";
}

net::awaitable<remote::api_result<std::string>> entra_token::get(http::http_client& authority) {
  for (;;) {
    if (token_ && now_() < refresh_at_) co_return *token_;
    if (!fetching_) break;
    const auto seen = generation_;
    if (!wake_) {
      const auto executor = co_await net::this_coro::executor;
      wake_.emplace(executor, std::chrono::steady_clock::time_point::max());
    }
    wake_->expires_at(std::chrono::steady_clock::time_point::max());
    co_await wake_->async_wait(net::as_tuple(net::use_awaitable));
    const auto state = co_await net::this_coro::cancellation_state;
    if (state.cancelled() != net::cancellation_type::none)
      co_return make_error(remote::error_kind::transient, "cancelled while waiting for an Entra token");
    if (generation_ != seen && last_error_) co_return *last_error_;
  }
  co_return co_await fetch(authority);
}

net::awaitable<remote::api_result<std::string>> entra_token::fetch(http::http_client& authority) {
  fetching_ = true;
  fetch_guard guard{fetching_, generation_, wake_};
  last_error_.reset();
  http::request request;
  request.method = boost::beast::http::verb::post;
  request.target = token_path_;
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.add("Accept", "application/json");
  request.body = form_encode({{"grant_type", "client_credentials"},
                              {"client_id", credentials_.client_id},
                              {"client_secret", credentials_.client_secret},
                              {"scope", credentials_.scope}});
  request.timeout = timeout_;
  const auto asked = now_();
  auto sent = co_await authority.send(std::move(request));
  remote::api_error error;
  if (!sent) {
    error = make_error(remote::error_kind::transient, "no answer from Microsoft Entra: " + sent.error().message());
  } else if (sent->status < 200 || sent->status >= 300) {
    const auto status = sent->status;
    const bool refused_credentials = status == 400 || status == 401;
    std::string message = refused_credentials ? "Microsoft Entra refused the client credentials (HTTP "
                                              : "Microsoft Entra answered HTTP ";
    message += std::to_string(status);
    if (refused_credentials) message += ")";
    if (auto says = entra_says(sent->body); !says.empty()) message += ": " + says;
    error = make_error(refused_credentials ? remote::error_kind::credentials
                       : (status == 429 || status >= 500) ? remote::error_kind::transient
                                                          : remote::error_kind::credentials,
                       std::move(message), status);
    if (auto header = sent->headers.find("Retry-After"))
      error.retry_after = http::parse_retry_after(*header, std::chrono::system_clock::now());
  } else {
    boost::system::error_code ec;
    const auto value = json::parse(sent->body, ec);
    const auto* object = (!ec && value.is_object()) ? &value.get_object() : nullptr;
    const auto* token = object ? object->if_contains("access_token") : nullptr;
    const auto lifetime = object ? seconds_of(object->if_contains("expires_in")) : std::nullopt;
    if (token == nullptr || !token->is_string() || token->get_string().empty() || !lifetime || *lifetime <= 0) {
      error = make_error(remote::error_kind::transient, "Microsoft Entra's token answer cannot be read");
    } else {
      // A day at most: a token is never kept longer, whatever the answer says.
      const std::chrono::seconds life{std::min<std::int64_t>(*lifetime, 86'400)};
      const auto margin = life > credentials_.refresh_margin ? credentials_.refresh_margin : life / 2;
      token_ = std::string(token->get_string());
      refresh_at_ = asked + life - margin;
      co_return *token_;
    }
  }
  last_error_ = error;
  co_return error;
}

}  // namespace qjob::azure
