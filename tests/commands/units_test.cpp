#include "commands/units.hpp"

#include <gtest/gtest.h>

namespace zqe::commands::units {
namespace {

TEST(Units, Milliseconds) {
  EXPECT_EQ(milliseconds(0.126), "126 ms");
  EXPECT_EQ(milliseconds(0.0305), "30.5 ms");
  EXPECT_EQ(milliseconds(0.0), "0 ms");
  EXPECT_EQ(milliseconds(1.5), "1500 ms");
  EXPECT_EQ(milliseconds(std::nullopt), "-");
}

TEST(Units, Percent) {
  EXPECT_EQ(percent(0.003), "0.3 %");
  EXPECT_EQ(percent(0.0125), "1.25 %");
  EXPECT_EQ(percent(0.12), "12 %");
  EXPECT_EQ(percent(0.0), "0 %");
  EXPECT_EQ(percent(1.0), "100 %");
  EXPECT_EQ(percent(std::nullopt), "-");
}

TEST(Units, BytesPerSecondWithSiPrefixes) {
  EXPECT_EQ(bytes_per_second(875), "875 B/s");
  EXPECT_EQ(bytes_per_second(999.4), "999 B/s");
  EXPECT_EQ(bytes_per_second(1000), "1 kB/s");
  EXPECT_EQ(bytes_per_second(2875), "2.9 kB/s");  // Zoom's "23 kbps"
  EXPECT_EQ(bytes_per_second(123'450), "123.5 kB/s");
  EXPECT_EQ(bytes_per_second(1'260'000), "1.3 MB/s");
  EXPECT_EQ(bytes_per_second(999'949), "999.9 kB/s");
  EXPECT_EQ(bytes_per_second(999'950), "1 MB/s");
  EXPECT_EQ(bytes_per_second(0), "0 B/s");
  EXPECT_EQ(bytes_per_second(std::nullopt), "-");
}

TEST(Units, ResolutionFrameRateAndScore) {
  EXPECT_EQ(resolution(1280, 720), "1280x720");
  EXPECT_EQ(resolution(1280, std::nullopt), "-");
  EXPECT_EQ(frame_rate(25), "25 fps");
  EXPECT_EQ(frame_rate(12.5), "12.5 fps");
  EXPECT_EQ(frame_rate(std::nullopt), "-");
  EXPECT_EQ(mos(4.2345), "4.23");
  EXPECT_EQ(mos(4.0), "4.00");
  EXPECT_EQ(mos(std::nullopt), "-");
}

TEST(Units, UtcTimestamp) {
  EXPECT_EQ(utc_timestamp(1'795'341'600), "2026-11-22T10:00:00Z");
  EXPECT_EQ(utc_timestamp(1'795'341'600.9), "2026-11-22T10:00:00Z");
  EXPECT_EQ(utc_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_timestamp(std::nullopt), "-");
}

TEST(Units, Trimmed) {
  EXPECT_EQ(trimmed(0.30, 2), "0.3");
  EXPECT_EQ(trimmed(2.0, 2), "2");
  EXPECT_EQ(trimmed(-0.0001, 2), "0");
  EXPECT_EQ(trimmed(10, 0), "10");
}

}  // namespace
}  // namespace zqe::commands::units
