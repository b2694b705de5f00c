#include "fakes/fake_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <variant>

namespace qjob::fakes {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using http_response = beast_http::response<beast_http::string_body>;

namespace {

// Larger request bodies get 413 (IonQ's published limit; the others publish none).
constexpr std::size_t max_body_bytes = 10u * 1024 * 1024;

}  // namespace

struct fake_http_server::state {
  state(net::any_io_executor ex, std::shared_ptr<fake_api> served, fault_plan plan)
      : executor(ex), api(std::move(served)), acceptor(ex), faults(std::move(plan)) {}

  net::any_io_executor executor;
  std::shared_ptr<fake_api> api;
  tcp::acceptor acceptor;
  fault_injector faults;
  std::vector<recorded_request> requests;
  std::uint64_t connections = 0;
  // Open sessions' streams, and whether each waits for its next request.
  std::map<std::uint64_t, std::pair<beast::tcp_stream*, bool>> sessions;

  fake_answer hook(const http_request& req, const std::string& path) {
    if (req.method() == beast_http::verb::get && path == "/_fake/requests") {
      json::array out;
      for (const auto& r : requests) {
        out.push_back(json::object{{"method", r.method},
                                   {"target", r.target},
                                   {"path", r.path},
                                   {"authorized", r.authorized},
                                   {"connection", r.connection},
                                   {"qjob_id", r.qjob_id},
                                   {"created_job", r.created_job},
                                   {"fault", r.fault},
                                   {"status", r.status}});
      }
      return {200, json::serialize(out)};
    }
    if (req.method() == beast_http::verb::put && path == "/_fake/faults") {
      auto parsed = parse_fault_spec(req.body());
      if (auto* problem = std::get_if<std::string>(&parsed))
        return {400, json::serialize(json::object{{"error", *problem}})};
      faults.reset(std::get<fault_plan>(std::move(parsed)));
      return {200, json::serialize(json::object{{"ok", true}})};
    }
    if (auto answered = api->hook(req, path)) return std::move(*answered);
    return {404, json::serialize(json::object{{"error", "no such test hook"}})};
  }

  /// Serves one API request as the fault that hits it (if any) says.
  fake_answer serve(const http_request& req, recorded_request& record, const std::optional<fault_rule>& fault) {
    if (fault && fault->kind == fault_kind::status) return api->error(fault->status);
    fake_answer result = api->route(req, record);
    if (fault && fault->kind == fault_kind::accept_502) result = api->error(502);
    if (fault && fault->kind == fault_kind::malformed) result.body.resize(result.body.size() / 2);
    return result;
  }
};

namespace {

http_response make_response(const fake_answer& a, bool keep_alive) {
  http_response response{static_cast<beast_http::status>(a.status), 11};
  response.set(beast_http::field::content_type, a.content_type);
  response.set("x-request-id", "fake");
  response.body() = a.body;
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

void reset_connection(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  // SO_LINGER 0: close() sends RST, as a crashed proxy would.
  stream.socket().set_option(tcp::socket::linger(true, 0), ignored);
  stream.socket().close(ignored);
}

net::awaitable<void> serve_session(std::shared_ptr<fake_http_server::state> s, tcp::socket socket, std::uint64_t id) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  s->sessions[id] = {&stream, true};
  // Unregisters the stream however the frame ends, even destroyed unresumed with its io_context.
  struct unregister {
    fake_http_server::state& s;
    std::uint64_t id;
    ~unregister() { s.sessions.erase(id); }
  } registration{*s, id};
  for (;;) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.body_limit(max_body_bytes);
    s->sessions[id].second = buffer.size() == 0;
    stream.expires_after(std::chrono::seconds(60));
    auto [read_error, read_bytes] =
        co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    s->sessions[id].second = false;
    if (read_error == beast_http::error::body_limit) {
      const auto too_large = s->api->error(413);
      auto response = make_response(too_large, false);
      co_await beast_http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (read_error) break;
    http_request req = parser.release();

    std::string path(req.target().substr(0, req.target().find('?')));
    if (path.starts_with("/_fake/")) {
      const auto hooked = s->hook(req, path);
      auto response = make_response(hooked, req.keep_alive());
      auto [write_error, written] =
          co_await beast_http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      if (write_error || !req.keep_alive()) break;
      continue;
    }

    recorded_request record;
    record.method = std::string(req.method_string());
    record.target = std::string(req.target());
    const auto api_path = s->api->api_path(path);
    record.path = api_path.value_or("/outside-the-api" + path);
    record.authorized = s->api->authorized(req);
    record.content_type = std::string(req[beast_http::field::content_type]);
    record.user_agent = std::string(req[beast_http::field::user_agent]);
    record.connection = id;
    const auto fault = s->faults.pick(record.method, record.path);
    if (fault) record.fault = std::string(fault_name(fault->kind));

    if (fault && fault->kind == fault_kind::slow) {
      net::steady_timer timer(s->executor, fault->delay);
      auto [timer_error] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (timer_error) break;
    }
    if (fault && (fault->kind == fault_kind::reset || fault->kind == fault_kind::garbage)) {
      s->requests.push_back(std::move(record));
      if (fault->kind == fault_kind::garbage) {
        const std::string garbage = "this is not an HTTP response\r\n\r\n";
        co_await net::async_write(stream, net::buffer(garbage), net::as_tuple(net::use_awaitable));
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.socket().close(ignored);
      } else {
        reset_connection(stream);
      }
      break;
    }

    const auto result = api_path ? s->serve(req, record, fault) : s->api->error(404);
    if (fault && fault->kind == fault_kind::accept_reset) {
      s->requests.push_back(std::move(record));
      reset_connection(stream);
      break;
    }
    record.status = result.status;
    s->requests.push_back(std::move(record));
    auto response = make_response(result, req.keep_alive());
    if (fault && fault->kind == fault_kind::status && fault->retry_after_s > 0)
      response.set(beast_http::field::retry_after, std::to_string(fault->retry_after_s));
    auto [write_error, written] = co_await beast_http::async_write(stream, response, net::as_tuple(net::use_awaitable));
    if (write_error || !req.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> accept_connections(std::shared_ptr<fake_http_server::state> s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !s->acceptor.is_open()) co_return;
    if (ec) continue;
    const auto id = ++s->connections;
    // A session's failure ends that connection only.
    net::co_spawn(s->executor, serve_session(s, std::move(socket), id), [](std::exception_ptr) {});
  }
}

}  // namespace

fake_http_server::fake_http_server(net::any_io_executor executor, std::shared_ptr<fake_api> api, unsigned short port,
                                   fault_plan faults)
    : state_(std::make_shared<state>(executor, std::move(api), std::move(faults))) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(net::socket_base::max_listen_connections);
}

fake_http_server::~fake_http_server() { stop(); }

void fake_http_server::start() {
  net::co_spawn(state_->executor, accept_connections(state_), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

void fake_http_server::stop() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& [id, session] : state_->sessions) session.first->socket().close(ignored);
}

unsigned short fake_http_server::port() const {
  boost::system::error_code ignored;
  return state_->acceptor.local_endpoint(ignored).port();
}

std::string fake_http_server::origin() const { return "http://127.0.0.1:" + std::to_string(port()); }

void fake_http_server::set_faults(fault_plan plan) { state_->faults.reset(std::move(plan)); }

void fake_http_server::add_fault(fault_rule rule) { state_->faults.add(std::move(rule)); }

void fake_http_server::close_idle_connections() {
  boost::system::error_code ignored;
  for (auto& [id, session] : state_->sessions)
    if (session.second) session.first->socket().close(ignored);
}

const std::vector<recorded_request>& fake_http_server::requests() const { return state_->requests; }

std::size_t fake_http_server::count(const std::string& method, const std::string& path_prefix) const {
  return static_cast<std::size_t>(std::count_if(state_->requests.begin(), state_->requests.end(), [&](const auto& r) {
    return r.method == method && r.path.starts_with(path_prefix);
  }));
}

std::uint64_t fake_http_server::connections_accepted() const { return state_->connections; }

}  // namespace qjob::fakes
