#include "metrics/exposition_cache.hpp"

#include <array>
#include <utility>

#include "metrics/gzip_segments.hpp"

namespace zqe::metrics {

struct ExpositionCache::Exposition {
  std::vector<ExportedMeeting> meetings;  // what the pieces point into
  std::string tail;
  std::vector<std::string_view> plain;
  // The gzip header and every segment, copied together: segments average a few hundred bytes,
  // and writing them one by one would cost a system call per 64 of them on every gzip scrape.
  // Copying is cheap next to that: the gzip form is a tenth of the text.
  std::string gzip_data;
  std::vector<std::string_view> gzip;  // gzip_data, whole; no final piece yet
  std::size_t plain_size = 0;
  std::uint32_t crc = 0;  // of the whole plain text

  Exposition(std::vector<ExportedMeeting> exported, std::string tail_text)
      : meetings(std::move(exported)), tail(std::move(tail_text)) {
    const std::string tail_segment = gzip::segment(tail);
    constexpr std::size_t kHeaderSegmentsSize = 4096;
    std::size_t gzip_size = gzip::kHeader.size() + kHeaderSegmentsSize + tail_segment.size();
    for (const auto& meeting : meetings) {
      if (meeting.rendered) gzip_size += meeting.rendered->segments.size();
    }
    gzip_data.reserve(gzip_size);
    gzip_data += gzip::kHeader;
    for (std::size_t family = 0; family < kQosFamilyCount; ++family) {
      const bool participant_family = family < kParticipantFamilyCount;
      bool header_added = false;
      for (const auto& [meeting, participant_series] : meetings) {
        if (!meeting || meeting->family_text(family).empty()) continue;
        if (participant_family && !participant_series) continue;
        if (!header_added) {
          add_header(family);
          header_added = true;
        }
        add(meeting->family_text(family), meeting->family_segment(family),
            meeting->families[family].crc);
      }
    }
    add(tail, tail_segment, gzip::crc32_of(tail));
    gzip.push_back(gzip_data);
  }

  void add(std::string_view text, std::string_view segment, std::uint32_t text_crc) {
    plain.push_back(text);
    gzip_data += segment;
    crc = gzip::combine_crc32(crc, text_crc, text.size());
    plain_size += text.size();
  }

  // Family headers never change: their segments are compressed once.
  void add_header(std::size_t family) {
    struct Header {
      std::string segment;
      std::uint32_t crc;
    };
    static const std::array<Header, kQosFamilyCount> headers = [] {
      std::array<Header, kQosFamilyCount> all;
      for (std::size_t index = 0; index < kQosFamilyCount; ++index) {
        const std::string_view text = qos_family_header(index);
        all[index] = {gzip::segment(text), gzip::crc32_of(text)};
      }
      return all;
    }();
    add(qos_family_header(family), headers.at(family).segment, headers.at(family).crc);
  }
};

std::size_t ScrapeBody::size() const {
  std::size_t total = 0;
  for (const std::string_view piece : *pieces) total += piece.size();
  for (const auto& chunk : tail) total += chunk->size();
  return total;
}

std::string ScrapeBody::joined() const {
  std::string text;
  text.reserve(size());
  for (const std::string_view piece : *pieces) text += piece;
  for (const auto& chunk : tail) text += *chunk;
  return text;
}

ExpositionCache::ExpositionCache() {
  update({}, render_account_families({AccountTotals{}}, false));
}

void ExpositionCache::update(std::vector<ExportedMeeting> meetings, std::string tail) {
  current_ = std::make_shared<const Exposition>(std::move(meetings), std::move(tail));
  ++generation_;
}

std::size_t ExpositionCache::plain_size() const {
  return current_->plain_size;
}

// Aliasing pointers: they share ownership of the whole exposition.
BodyPieces ExpositionCache::plain_pieces() const {
  return {current_, &current_->plain};
}

BodyPieces ExpositionCache::gzip_pieces() const {
  return {current_, &current_->gzip};
}

BodyTail ExpositionCache::plain_tail(std::string per_scrape_text) const {
  return {std::make_shared<const std::string>(std::move(per_scrape_text))};
}

BodyTail ExpositionCache::gzip_tail(std::string_view per_scrape_text) const {
  const std::uint32_t crc =
      gzip::combine_crc32(current_->crc, gzip::crc32_of(per_scrape_text), per_scrape_text.size());
  return {std::make_shared<const std::string>(gzip::final_piece(per_scrape_text)),
          std::make_shared<const std::string>(
              gzip::trailer(crc, current_->plain_size + per_scrape_text.size()))};
}

ScrapeBody ExpositionCache::plain_body(std::string per_scrape_text) const {
  return {plain_pieces(), plain_tail(std::move(per_scrape_text))};
}

ScrapeBody ExpositionCache::gzip_body(std::string_view per_scrape_text) const {
  return {gzip_pieces(), gzip_tail(per_scrape_text)};
}

std::string render_qos(const std::vector<const MeetingSnapshot*>& meetings,
                       const RenderOptions& options) {
  const QosRenderer renderer(options);
  std::vector<ExportedMeeting> exported;
  std::vector<ListedMeeting> listed;
  AccountTotals account{options.account, meetings.size(), {}};
  for (const MeetingSnapshot* meeting : meetings) {
    exported.push_back({renderer.render(*meeting), true});
    listed.push_back({&meeting->meeting, options.account});
    account.totals.merge(exported.back().rendered->totals);
  }
  std::string tail;
  if (options.levels.meeting) tail = render_meeting_families(listed, options.meeting_info_labels);
  tail += render_account_families({account}, options.levels.account);
  ExpositionCache cache;
  cache.update(std::move(exported), std::move(tail));
  return cache.plain_body({}).joined();
}

}  // namespace zqe::metrics
