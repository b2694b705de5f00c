#include "runtime/mailbox.hpp"

#include "support/coroutine_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace qa = qjob::actors;
using qjob::test::run_coroutine;

namespace {

using text_box = qa::mailbox<std::string>;

net::awaitable<std::string> receive(text_box& box) {
  auto [ec, message] = co_await box.async_receive(net::as_tuple(net::use_awaitable));
  BOOST_TEST(!ec);
  co_return message;
}

net::awaitable<void> post_to_a_full_mailbox_delivers_once_there_is_room_body() {
  auto box = std::make_shared<text_box>(co_await net::this_coro::executor, 1);
  const qa::actor_ref<std::string> ref(box);
  BOOST_TEST(ref.try_send("first"));
  BOOST_TEST(!ref.try_send("dropped"));  // what post is for: try_send loses it
  // Long enough not to fit in a string's own buffer: a moved-from copy would be empty.
  const std::string kept(64, 'k');
  ref.post(kept);
  ref.post("last");
  std::vector<std::string> received;
  for (int i = 0; i < 3; ++i) received.push_back(co_await receive(*box));
  BOOST_TEST((received == std::vector<std::string>{"first", kept, "last"}));
}

net::awaitable<void> post_to_a_mailbox_with_room_delivers_at_once_body() {
  auto box = std::make_shared<text_box>(co_await net::this_coro::executor, 4);
  const qa::actor_ref<std::string> ref(box);
  ref.post("now");
  // Already buffered: a receive that does not wait finds it.
  std::string found;
  BOOST_TEST(box->try_receive([&](boost::system::error_code, std::string message) { found = std::move(message); }));
  BOOST_TEST(found == "now");
}

// Passes when run_coroutine returns: the coroutine post spawned ended at once
// instead of waiting for room for ever (the test would then hang until CTest's
// timeout).
net::awaitable<void> post_to_a_closed_mailbox_is_dropped_quietly_body() {
  auto box = std::make_shared<text_box>(co_await net::this_coro::executor, 1);
  const qa::actor_ref<std::string> ref(box);
  box->close();
  ref.post("nobody reads this");
  BOOST_TEST(!ref.try_send("nor this"));
  co_return;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mailbox_tests)

BOOST_AUTO_TEST_CASE(post_to_a_full_mailbox_delivers_once_there_is_room) {
  run_coroutine(post_to_a_full_mailbox_delivers_once_there_is_room_body());
}

BOOST_AUTO_TEST_CASE(post_to_a_mailbox_with_room_delivers_at_once) {
  run_coroutine(post_to_a_mailbox_with_room_delivers_at_once_body());
}

BOOST_AUTO_TEST_CASE(post_to_a_closed_mailbox_is_dropped_quietly) {
  run_coroutine(post_to_a_closed_mailbox_is_dropped_quietly_body());
}

BOOST_AUTO_TEST_SUITE_END()
