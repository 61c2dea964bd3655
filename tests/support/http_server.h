// A small HTTP/1.1 server for tests, header-only, POSIX sockets: it listens on 127.0.0.1:0 (read
// the port back with port()), serves each connection on its own thread with a handler the test
// gives, records every request (method, target, headers, body), and can misbehave on purpose:
// answer late, close before the declared Content-Length (a truncated body), or end the body by
// closing the connection (no Content-Length). Each answer closes its connection.
//
// Used as a stand-in for the Census API and as a webhook receiver. A request body is read by its
// Content-Length (chunked uploads are not supported). Thread-safe: the handler is called on the
// connection threads (one at a time per connection, concurrently across them).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tradewatch::testing {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/imports/naics?get=...": path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The path without the query.
  std::string path() const { return target.substr(0, target.find('?')); }
  // The query string without '?', or "".
  std::string query() const {
    const size_t q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
  }
  // The first header named `name` (any case), or "".
  std::string header(std::string_view name) const {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [n, v] : headers) {
      if (n == lower) return v;
    }
    return "";
  }
};

struct HttpReply {
  int status = 200;
  // Sent as given; Content-Length and Connection: close are added.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Waits this long before sending anything (a slow server). Cut short when the server stops.
  std::chrono::milliseconds delay{0};
  // Declares a Content-Length this many bytes larger than the body, sends the body and closes:
  // the client sees a truncated body.
  size_t missing_bytes = 0;
  // Sends no Content-Length: the body ends when the connection closes.
  bool close_delimited = false;
};

// An answer of `status` with `body` and no header of its own.
inline HttpReply Reply(int status, std::string body = "") {
  HttpReply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  // Listens on 127.0.0.1 on a free port and starts serving; ok() tells whether it could.
  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return;
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(addr);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~HttpServer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> connections;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connections.swap(connections_);
    }
    for (std::thread& t : connections) t.join();
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  // "http://127.0.0.1:PORT".
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Replaces the handler for the requests that follow.
  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }

  // Every complete request received so far, in arrival order.
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }

  // Waits until at least `n` requests arrived or `timeout` passed; returns whether they did.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

 private:
  void AcceptLoop() {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
      }
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

  // Reads one request; false when the client went away or the server stops first.
  bool ReadRequest(int fd, HttpRequest* request) {
    std::string data;
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    char buffer[8192];
    while (true) {
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          ParseHead(data.substr(0, header_end), request);
          const std::string length = request->header("content-length");
          content_length = length.empty() ? 0 : std::strtoul(length.c_str(), nullptr, 10);
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) {
        request->body = data.substr(header_end + 4, content_length);
        return true;
      }
      if (Stopping()) return false;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return false;
      data.append(buffer, static_cast<size_t>(n));
    }
  }

  static void ParseHead(const std::string& head, HttpRequest* request) {
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t first = request_line.find(' ');
    const size_t second = request_line.find(' ', first + 1);
    request->method = request_line.substr(0, first);
    request->target = request_line.substr(first + 1, second - first - 1);
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos
                                                      ? std::string::npos
                                                      : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      request->headers.emplace_back(std::move(name), std::move(value));
    }
  }

  static std::string_view Reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 204:
        return "No Content";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 503:
        return "Service Unavailable";
      default:
        return "Status";
    }
  }

  static void SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      // MSG_NOSIGNAL: a client that gave up must not kill the test with SIGPIPE.
      const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  void Serve(int fd) {
    HttpRequest request;
    if (!ReadRequest(fd, &request)) {
      close(fd);
      return;
    }
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
      handler = handler_;
    }
    wake_.notify_all();
    const HttpReply reply = handler(request);
    if (reply.delay.count() > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, reply.delay, [&] { return stopping_; });
    }
    std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                       std::string(Reason(reply.status)) + "\r\n";
    for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
    if (!reply.close_delimited && reply.status != 204 && reply.status != 304) {
      head += "Content-Length: " + std::to_string(reply.body.size() + reply.missing_bytes) + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    SendAll(fd, head);
    SendAll(fd, reply.body);
    shutdown(fd, SHUT_WR);
    // Let the client read everything before the socket goes: wait for its close (bounded).
    char buffer[1024];
    for (int i = 0; i < 40 && !Stopping(); ++i) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) > 0 && recv(fd, buffer, sizeof(buffer), 0) <= 0) break;
    }
    close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<HttpRequest> requests_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace tradewatch::testing
