#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Holds the QoS exposition rendered at the last change, as plain text and pre-deflated, so a
// scrape only appends the small per-scrape part (the exporter's own metrics). The gzip reply is
// one valid gzip member: the cached deflate data ends with a sync flush (byte-aligned, not
// final), the per-scrape part is deflated fresh and finished, and the CRC-32 of the whole is
// combined from both parts with crc32_combine.
namespace zqe::metrics {

using BodyChunks = std::vector<std::shared_ptr<const std::string>>;

class ExpositionCache {
 public:
  ExpositionCache();

  // Replaces the cached text and compresses it once.
  void update(std::string text);

  // The plain body: cached text followed by `per_scrape_text`.
  BodyChunks plain_body(std::string per_scrape_text) const;
  // The same content as one gzip member.
  BodyChunks gzip_body(std::string_view per_scrape_text) const;

  std::size_t plain_size() const { return plain_->size(); }
  // Changes with every update(), so callers can tell whether what they built on is current.
  std::uint64_t generation() const { return generation_; }

 private:
  std::shared_ptr<const std::string> plain_;
  std::shared_ptr<const std::string> deflated_;  // raw deflate, sync-flushed, not final
  std::uint32_t crc_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace zqe::metrics
