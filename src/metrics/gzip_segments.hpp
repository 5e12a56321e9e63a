#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Raw deflate (RFC 1951) pieces that concatenate into one gzip member. Each segment is
// compressed on its own, with no back-references outside itself, and ends with a sync flush:
// byte-aligned and not final. Any sequence of segments followed by one final piece is therefore
// a valid deflate stream, so a body can be assembled from segments compressed at different
// times, and only what changed is compressed again.
namespace zqe::metrics::gzip {

// An independent, sync-flushed segment; empty input gives an empty segment.
std::string segment(std::string_view text);
// The last piece of a stream: `text` compressed on its own and ended with a final block.
std::string final_piece(std::string_view text);

std::uint32_t crc32_of(std::string_view text);
// The CRC-32 of A followed by B, from the CRC-32s of both and B's length.
std::uint32_t combine_crc32(std::uint32_t crc_a, std::uint32_t crc_b, std::size_t length_b);

// RFC 1952: member header (deflate, no flags, no time, OS unknown), and the trailer that ends a
// member: CRC-32 and length modulo 2^32 of the uncompressed data, little-endian.
inline constexpr std::string_view kHeader{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10};
std::string trailer(std::uint32_t crc, std::size_t uncompressed_size);

}  // namespace zqe::metrics::gzip
