#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Small tools for tests: a blocking HTTP client, gunzip, running a command.
namespace zqe::test {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

// A blocking HTTP/1.0 request to 127.0.0.1:port; throws on connection errors.
HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

// The text of such a request, and the reply read up to the server's close, for other transports.
std::string http_request_text(const std::string& method, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers);
HttpReply parse_http_reply(const std::string& raw);

// A TCP port of 127.0.0.1 that was free a moment ago, for a child process to listen on.
unsigned short free_port();

// Decompresses a gzip body; throws when it is not valid gzip.
std::string gunzip(const std::string& data);

// The lines of `text` that start with `prefix`, in order.
std::vector<std::string> lines_starting_with(const std::string& text, std::string_view prefix);

// Runs a shell command with `input` on its stdin; returns its exit status and stdout+stderr.
std::pair<int, std::string> run_command(const std::string& command, const std::string& input = "");

}  // namespace zqe::test
