// A minimal HTTP/1.0 GET over a loopback socket, for scraping /metrics in tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tradewatch::testing {

// The body of GET http://127.0.0.1:port/path, or an error with the status line.
inline absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::InternalError("write failed");
  }
  std::string response;
  char chunk[8192];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof(chunk))) > 0) response.append(chunk, static_cast<size_t>(n));
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || body == std::string::npos) {
    return absl::InternalError("not an HTTP response: " + response.substr(0, 80));
  }
  const std::string status_line = response.substr(0, response.find("\r\n"));
  if (status_line.find(" 200") == std::string::npos) {
    return absl::InternalError("GET " + path + ": " + status_line);
  }
  return response.substr(body + 4);
}

// The value of one series in a Prometheus text exposition ("name" or 'name{label="v"}', written
// as the exposition writes it), or `missing` when the body has no such line.
inline double ScrapedValue(const std::string& body, const std::string& series,
                           double missing = -1) {
  std::string escaped;
  for (char c : series) {
    if (std::string_view("{}[]().*+?^$|\\").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("(^|\n)" + escaped + " ([0-9.e+-]+)"))) {
    return missing;
  }
  return std::stod(m[2]);
}

}  // namespace tradewatch::testing
