#include "common/base64.hpp"

#include <gtest/gtest.h>

namespace zqe {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode("", Base64Alphabet::standard), "");
  EXPECT_EQ(base64_encode("f", Base64Alphabet::standard), "Zg==");
  EXPECT_EQ(base64_encode("fo", Base64Alphabet::standard), "Zm8=");
  EXPECT_EQ(base64_encode("foobar", Base64Alphabet::standard), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("f", Base64Alphabet::url), "Zg");
  EXPECT_EQ(base64_encode("\xfb\xff", Base64Alphabet::standard), "+/8=");
  EXPECT_EQ(base64_encode("\xfb\xff", Base64Alphabet::url), "-_8");
}

TEST(Base64, DecodesWhatItEncodes) {
  const std::string bytes("\x00\x01\xfe\xff zoom", 9);
  for (const Base64Alphabet alphabet : {Base64Alphabet::standard, Base64Alphabet::url}) {
    for (std::size_t size = 0; size <= bytes.size(); ++size) {
      const std::string prefix = bytes.substr(0, size);
      EXPECT_EQ(base64_decode(base64_encode(prefix, alphabet), alphabet), prefix);
    }
  }
}

TEST(Base64, RejectsWhatNoEncoderProduces) {
  EXPECT_FALSE(base64_decode("Zg=", Base64Alphabet::standard));
  EXPECT_FALSE(base64_decode("Z===", Base64Alphabet::standard));
  EXPECT_FALSE(base64_decode("Zm9v!", Base64Alphabet::url));
  EXPECT_FALSE(base64_decode("-_8=", Base64Alphabet::standard));
  EXPECT_FALSE(base64_decode("Zm9vY", Base64Alphabet::url));
}

}  // namespace
}  // namespace zqe
