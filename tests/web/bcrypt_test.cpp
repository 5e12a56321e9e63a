#include "web/bcrypt.hpp"

#include <gtest/gtest.h>

namespace zqe::web {
namespace {

// exporter-toolkit's documentation example ($2y$, cost 10; its password is not known).
constexpr const char* kToolkitExample =
    "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG";

TEST(BcryptCost, ReadsTheCostOfWellFormedHashes) {
  EXPECT_EQ(bcrypt_cost(kToolkitExample), 10);
  EXPECT_EQ(bcrypt_cost("$2b$04$NHJtS5sjNgHhub3Oxmb3WO8xTzzuaWi8QgMh9GWJ3nDRunT5WKq.6"), 4);
  EXPECT_EQ(bcrypt_cost("$2a$31$8Ql3NWb24ymeJY9.Avdj4Ohw6sxdzWpt7Mj4Gy9bJKT0H7IxXgrii"), 31);
}

TEST(BcryptCost, RefusesEverythingElse) {
  for (const char* text :
       {"", "secret", "$2y$10$", "$2x$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",
        "$2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",
        "$2y$32$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",
        "$2y$1a$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",
        "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7z",    // one short
        "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zGG",  // one long
        "$2y$10$X0h1gDsPszWURQaxFh+zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",   // not bcrypt base64
        "$1$salt$hash", "$6$rounds=5000$salt$hash"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(bcrypt_cost(text));
  }
}

TEST(BcryptMatches, VerifiesEachPrefix) {
  // Made with libxcrypt, "pw" or "secret" at cost 4.
  EXPECT_TRUE(bcrypt_matches("pw", "$2b$04$NHJtS5sjNgHhub3Oxmb3WO8xTzzuaWi8QgMh9GWJ3nDRunT5WKq.6"));
  EXPECT_FALSE(
      bcrypt_matches("pW", "$2b$04$NHJtS5sjNgHhub3Oxmb3WO8xTzzuaWi8QgMh9GWJ3nDRunT5WKq.6"));
  EXPECT_TRUE(
      bcrypt_matches("secret", "$2a$04$8Ql3NWb24ymeJY9.Avdj4Ohw6sxdzWpt7Mj4Gy9bJKT0H7IxXgrii"));
  EXPECT_TRUE(
      bcrypt_matches("secret", "$2y$04$w1GSfi3Me8/OpusORc5Iy.6tGVL1kkjjyyfBzYvA7o0yJTBxJMjW6"));
  EXPECT_FALSE(bcrypt_matches("", "$2y$04$w1GSfi3Me8/OpusORc5Iy.6tGVL1kkjjyyfBzYvA7o0yJTBxJMjW6"));
}

TEST(BcryptMatches, HashesItMakesVerify) {
  const std::string hash = bcrypt_hash("correct horse", 4);
  EXPECT_EQ(bcrypt_cost(hash), 4);
  EXPECT_TRUE(bcrypt_matches("correct horse", hash));
  EXPECT_FALSE(bcrypt_matches("correct horse ", hash));
  EXPECT_NE(bcrypt_hash("correct horse", 4), hash);  // a new salt each time
}

TEST(BcryptMatches, APasswordWithANulByteNeverMatches) {
  const std::string hash = bcrypt_hash("abc", 4);
  EXPECT_FALSE(bcrypt_matches(std::string_view("abc\0def", 7), hash));
}

TEST(BcryptMatches, GarbageNeverMatches) {
  EXPECT_FALSE(bcrypt_matches("pw", ""));
  EXPECT_FALSE(bcrypt_matches("pw", "not a hash"));
  EXPECT_FALSE(
      bcrypt_matches("pw", "$2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"));
}

TEST(UnmatchableBcryptHash, HasTheCostAskedForAndMatchesNothing) {
  const std::string hash = unmatchable_bcrypt_hash(5);
  EXPECT_EQ(bcrypt_cost(hash), 5);
  EXPECT_FALSE(bcrypt_matches("", hash));
  EXPECT_FALSE(bcrypt_matches("pw", hash));
  EXPECT_NE(unmatchable_bcrypt_hash(5), hash);
}

}  // namespace
}  // namespace zqe::web
