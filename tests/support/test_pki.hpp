#pragma once

#include <memory>
#include <string>
#include <vector>

// Certificates made at test time with OpenSSL's API, so that none with a private key has to be
// committed (and expire): a CA, certificates it signs, self-signed strangers. EC P-256 keys.
namespace zqe::test {

struct Credential {
  std::string certificate_pem;
  std::string key_pem;
  std::string certificate_path;  // the PEMs as files in the PKI's directory
  std::string key_path;
};

class TestPki {
 public:
  // Makes a CA and writes ca.pem into `directory`.
  explicit TestPki(std::string directory, const std::string& ca_name = "zqe test CA");
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_pem() const { return ca_.certificate_pem; }
  const std::string& ca_path() const { return ca_.certificate_path; }

  // A certificate for a TLS server (client: false) or client, signed by the CA, with these
  // subject alternative names in OpenSSL's notation ("DNS:localhost", "IP:127.0.0.1",
  // "email:a@b", "URI:spiffe://x"); written as NAME.crt and NAME.key.
  Credential issue(const std::string& name, const std::vector<std::string>& sans, bool client);
  // The same, signed by its own key instead of the CA's.
  Credential issue_self_signed(const std::string& name, const std::vector<std::string>& sans,
                               bool client);

 private:
  struct Key;
  Credential make(const std::string& name, const std::vector<std::string>& sans, bool client,
                  bool self_signed);

  std::string directory_;
  std::unique_ptr<Key> ca_key_;
  Credential ca_;
};

// The server certificate's SANs of the tests: the address they connect to and its name.
inline const std::vector<std::string> kLocalhostSans = {"IP:127.0.0.1", "DNS:localhost"};

}  // namespace zqe::test
