#include "metrics/exposition_cache.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

namespace zqe::metrics {
namespace {

constexpr int kCompressionLevel = 6;
constexpr int kRawDeflateWindowBits = -15;  // negative: no zlib or gzip wrapper of its own
constexpr int kDefaultMemLevel = 8;
// deflateBound() assumes Z_FINISH; a sync flush appends an empty stored block on top.
constexpr std::size_t kSyncFlushMarkerSize = 6;

const Bytef* zlib_bytes(std::string_view text) {
  return reinterpret_cast<const Bytef*>(text.data());
}

std::uint32_t crc32_of(std::string_view text) {
  return static_cast<std::uint32_t>(crc32_z(0, zlib_bytes(text), text.size()));
}

// A raw deflate stream of `input` ended by `flush`: Z_SYNC_FLUSH leaves it byte-aligned and open
// so that another stream can follow, Z_FINISH ends it with a final block.
std::string deflate_raw(std::string_view input, int flush) {
  if (input.size() > std::numeric_limits<uInt>::max()) {
    throw std::length_error("exposition too large to compress in one call");
  }
  z_stream stream{};
  if (deflateInit2(&stream, kCompressionLevel, Z_DEFLATED, kRawDeflateWindowBits, kDefaultMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib deflateInit2 failed");
  }
  const std::unique_ptr<z_stream, int (*)(z_streamp)> end_deflate(&stream, deflateEnd);
  // zlib never writes through next_in; the cast only satisfies its pre-const API.
  stream.next_in = const_cast<Bytef*>(zlib_bytes(input));
  stream.avail_in = static_cast<uInt>(input.size());

  // Exposition text deflates to well under a quarter of its size: start there and grow, rather
  // than zero-fill (and keep resident) deflateBound's worst case of the whole input.
  std::string output(input.size() / 4 + kSyncFlushMarkerSize + 1024, '\0');
  std::size_t produced = 0;
  for (;;) {
    const auto room = static_cast<uInt>(
        std::min<std::size_t>(output.size() - produced, std::numeric_limits<uInt>::max()));
    stream.next_out = reinterpret_cast<Bytef*>(output.data() + produced);
    stream.avail_out = room;
    const int status = deflate(&stream, flush);
    if (status == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    produced += room - stream.avail_out;
    // zlib is done with a flush once it leaves output space unused.
    const bool done = flush == Z_FINISH ? status == Z_STREAM_END : stream.avail_out != 0;
    if (done) break;
    if (produced == output.size()) output.resize(output.size() * 2);
  }
  output.resize(produced);
  output.shrink_to_fit();
  return output;
}

// RFC 1952: deflate, no flags, no modification time, no extra flags, OS unknown.
const std::shared_ptr<const std::string>& gzip_header() {
  static const auto header =
      std::make_shared<const std::string>("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  return header;
}

void append_little_endian(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out += static_cast<char>((value >> shift) & 0xFF);
  }
}

}  // namespace

ExpositionCache::ExpositionCache() {
  update(std::string());
}

void ExpositionCache::update(std::string text) {
  // Everything that can throw happens before the members change, so the cache stays consistent.
  auto deflated = std::make_shared<const std::string>(deflate_raw(text, Z_SYNC_FLUSH));
  const std::uint32_t crc = crc32_of(text);
  plain_ = std::make_shared<const std::string>(std::move(text));
  deflated_ = std::move(deflated);
  crc_ = crc;
  ++generation_;
}

BodyChunks ExpositionCache::plain_body(std::string per_scrape_text) const {
  return {plain_, std::make_shared<const std::string>(std::move(per_scrape_text))};
}

BodyChunks ExpositionCache::gzip_body(std::string_view per_scrape_text) const {
  const auto crc = static_cast<std::uint32_t>(
      crc32_combine(crc_, crc32_of(per_scrape_text), static_cast<z_off_t>(per_scrape_text.size())));
  // ISIZE is the uncompressed length modulo 2^32; the cast does exactly that.
  const auto total_size = static_cast<std::uint32_t>(plain_->size() + per_scrape_text.size());
  std::string trailer;
  append_little_endian(trailer, crc);
  append_little_endian(trailer, total_size);
  return {gzip_header(), deflated_,
          std::make_shared<const std::string>(deflate_raw(per_scrape_text, Z_FINISH)),
          std::make_shared<const std::string>(std::move(trailer))};
}

}  // namespace zqe::metrics
