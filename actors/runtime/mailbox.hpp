#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <utility>

namespace qjob::actors {

namespace net = boost::asio;

/// An actor's inbox for senders on the actor's own thread: a bounded channel of
/// one message type (a std::variant of the actor's message structs).
template <class Message>
using mailbox = net::experimental::channel<void(boost::system::error_code, Message)>;

/// An inbox that other threads send to (the storage thread, simulator workers).
template <class Message>
using concurrent_mailbox = net::experimental::concurrent_channel<void(boost::system::error_code, Message)>;

/// What others hold to reach an actor: the sending half of its mailbox, never the
/// actor itself. Copyable and cheap. The mailbox is shared, so a ref outliving its
/// actor is harmless: sends to a closed mailbox fail instead of touching freed memory.
template <class Message, template <class> class Mailbox = mailbox>
class actor_ref {
public:
  using mailbox_type = Mailbox<Message>;

  actor_ref() = default;
  explicit actor_ref(std::shared_ptr<mailbox_type> box) : box_(std::move(box)) {}

  /// Sends without waiting; false when the mailbox is full or closed. For senders
  /// that must not wait (HTTP intake answers 429 instead).
  bool try_send(Message message) const {
    return box_ && box_->try_send(boost::system::error_code{}, std::move(message));
  }

  /// Sends without waiting and without losing the message: at once when there is
  /// room, otherwise from a coroutine of its own that waits for room (so it may
  /// arrive after messages sent later). For what must reach the actor but must
  /// not hold up its sender: a slot given back, lost, would stay taken until the
  /// next start, and a sender waiting on a full mailbox could close a cycle of
  /// actors each waiting on the next.
  void post(Message message) const {
    // A try_send that fails leaves its argument as it was: Asio builds the
    // payload only once there is room (runtime tests check it).
    if (!box_ || box_->try_send(boost::system::error_code{}, std::move(message))) return;
    net::co_spawn(box_->get_executor(), send_when_room(box_, std::move(message)), net::detached);
  }

  /// Sends, waiting while the mailbox is full. Returns false when it is closed
  /// (the actor has stopped). Runs on the caller's executor.
  ///
  /// Build the message as a named local and pass it moved: g++ 12 miscompiles an
  /// aggregate temporary inside a co_await expression (it destroys a second, live
  /// copy of its members), so `co_await ref.send(message_type{...})` must not be written.
  template <class T>
  net::awaitable<bool> send(T&& message) const {
    if (!box_) co_return false;
    Message boxed(std::forward<T>(message));
    auto [ec] = co_await box_->async_send(boost::system::error_code{}, std::move(boxed),
                                          net::as_tuple(net::use_awaitable));
    co_return !ec;
  }

  /// Closes the mailbox: the actor serves what is buffered, then stops.
  void close() const {
    if (box_) box_->close();
  }

  explicit operator bool() const noexcept { return box_ != nullptr; }

private:
  static net::awaitable<void> send_when_room(std::shared_ptr<mailbox_type> box, Message message) {
    co_await box->async_send(boost::system::error_code{}, std::move(message), net::as_tuple(net::use_awaitable));
  }

  std::shared_ptr<mailbox_type> box_;
};

}  // namespace qjob::actors
