#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/qos_renderer.hpp"

// Holds the QoS exposition as of the last publish, as plain text and as gzip, so that a scrape
// only adds the small per-scrape part (the exporter's own metrics). Both forms are assembled
// from the meetings' rendered pieces without copying them: each participant family's header,
// then that family's series of every meeting in order, then the meeting families. The gzip form
// is one valid gzip member: the cached segments are independent and sync-flushed (see
// gzip_segments.hpp), the per-scrape part is compressed fresh as the final piece, and the CRC-32
// of the whole is combined from the pieces'.
namespace zqe::metrics {

// The cached part of a body: views into memory that the pointer keeps alive.
using BodyPieces = std::shared_ptr<const std::vector<std::string_view>>;
// What a scrape adds after it.
using BodyTail = std::vector<std::shared_ptr<const std::string>>;

struct ScrapeBody {
  BodyPieces pieces;
  BodyTail tail;

  std::size_t size() const;
  std::string joined() const;  // for tests and small bodies
};

struct ExportedMeeting {
  std::shared_ptr<const RenderedMeeting> rendered;  // null: no QoS data yet
  bool participant_series = true;  // false: only its meeting aggregates (the series cap)
};

class ExpositionCache {
 public:
  ExpositionCache();

  // Replaces the cached exposition. `meetings` are in exposition order. `tail` follows their
  // families: render_meeting_families() of the same meetings and render_account_families().
  void update(std::vector<ExportedMeeting> meetings, std::string tail);

  // The cached part of each form, shared by every scrape until the next update().
  BodyPieces plain_pieces() const;
  BodyPieces gzip_pieces() const;
  // What follows it: `per_scrape_text` itself, or, for gzip, that text compressed as the final
  // piece and the gzip trailer. A gzip tail fits only the pieces of the same generation.
  BodyTail plain_tail(std::string per_scrape_text) const;
  BodyTail gzip_tail(std::string_view per_scrape_text) const;

  // The plain body: the cached text followed by `per_scrape_text`.
  ScrapeBody plain_body(std::string per_scrape_text) const;
  // The same content as one gzip member.
  ScrapeBody gzip_body(std::string_view per_scrape_text) const;

  std::size_t plain_size() const;
  // Changes with every update(), so callers can tell whether what they built on is current.
  std::uint64_t generation() const { return generation_; }

 private:
  struct Exposition;
  std::shared_ptr<const Exposition> current_;
  std::uint64_t generation_ = 0;
};

// The whole QoS exposition of one account, exactly as ExpositionCache serves it, in one string
// (tests, benchmarks). Meetings are rendered in the given order; their ids are unique.
std::string render_qos(const std::vector<const MeetingSnapshot*>& meetings,
                       const RenderOptions& options);

}  // namespace zqe::metrics
