#pragma once

#include <optional>
#include <string>
#include <string_view>

// bcrypt hashes as htpasswd -B, Go's bcrypt and Python's bcrypt write them, verified with
// libxcrypt. Everything here is thread-safe; hashing takes bcrypt's time (about 60 ms at cost 10),
// so it belongs on a worker thread, never on the event loop.
namespace zqe::web {

// The cost of a well-formed bcrypt hash: "$2a$", "$2b$" or "$2y$", a two-digit cost from 04 to 31,
// "$" and 53 characters of bcrypt's base64 (22 of salt, 31 of hash). nullopt for anything else.
std::optional<int> bcrypt_cost(std::string_view hash);

// Whether `password` hashes to `hash`. The comparison takes the same time wherever they differ;
// a password holding a NUL byte (which C's crypt would cut short) never matches.
bool bcrypt_matches(std::string_view password, const std::string& hash);

// A new hash of `password` with a random salt; for tests and tools. Throws std::runtime_error
// when libxcrypt refuses (e.g. a cost outside 4..31).
std::string bcrypt_hash(std::string_view password, int cost);

// A hash of cost `cost` and a random salt that no known password matches: verifying a password
// against it takes as long as against a real user's hash, which hides whether a user exists.
// Costs no bcrypt computation to make.
std::string unmatchable_bcrypt_hash(int cost);

}  // namespace zqe::web
