#include "support/test_tools.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "http/types.hpp"

namespace zqe::test {

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (http::iequals(key, name)) return value;
  }
  return "";
}

std::string http_request_text(const std::string& method, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string request = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  return request + "\r\n";
}

HttpReply parse_http_reply(const std::string& raw) {
  HttpReply reply;
  const auto header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos || raw.size() < 12) throw std::runtime_error("no reply");
  reply.status = std::stoi(raw.substr(9, 3));
  std::size_t line_start = raw.find("\r\n") + 2;
  while (line_start < header_end) {
    const auto line_end = raw.find("\r\n", line_start);
    const std::string line = raw.substr(line_start, line_end - line_start);
    const auto colon = line.find(':');
    reply.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    line_start = line_end + 2;
  }
  reply.body = raw.substr(header_end + 4);
  return reply;
}

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(http_request_text(method, target, headers)));
  std::string raw;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(raw), ec);
  if (ec && ec != asio::error::eof) throw std::runtime_error("read: " + ec.message());
  return parse_http_reply(raw);
}

std::string gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  const bool complete = result == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) throw std::runtime_error("invalid gzip data");
  return out;
}

std::pair<int, std::string> run_command(const std::string& command, const std::string& input) {
  char input_path[] = "/tmp/zqe-test-input-XXXXXX";
  const int fd = mkstemp(input_path);
  if (fd < 0) throw std::runtime_error("mkstemp");
  close(fd);
  std::ofstream(input_path, std::ios::binary) << input;
  FILE* pipe = popen((command + " < " + input_path + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  unlink(input_path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::vector<std::string> lines_starting_with(const std::string& text, std::string_view prefix) {
  std::vector<std::string> matching;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with(prefix)) matching.push_back(line);
  }
  return matching;
}

}  // namespace zqe::test
