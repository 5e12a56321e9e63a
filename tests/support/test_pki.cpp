#include "support/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <stdexcept>

namespace zqe::test {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

template <typename Write>
std::string pem_of(Write write) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(write(bio.get()) == 1, "PEM_write");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

struct TestPki::Key {
  Key() : key(EVP_EC_gen("P-256")) { check(key != nullptr, "EVP_EC_gen"); }
  ~Key() { EVP_PKEY_free(key); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  EVP_PKEY* key;
};

TestPki::TestPki(std::string directory, const std::string& ca_name)
    : directory_(std::move(directory)), ca_key_(std::make_unique<Key>()) {
  ca_ = make(ca_name, {}, /*client=*/false, /*self_signed=*/true);
  write_file(directory_ + "/ca.pem", ca_.certificate_pem);
  ca_.certificate_path = directory_ + "/ca.pem";
}

TestPki::~TestPki() = default;

Credential TestPki::issue(const std::string& name, const std::vector<std::string>& sans,
                          bool client) {
  return make(name, sans, client, /*self_signed=*/false);
}

Credential TestPki::issue_self_signed(const std::string& name, const std::vector<std::string>& sans,
                                      bool client) {
  return make(name, sans, client, /*self_signed=*/true);
}

// The CA is made first, as the one self-signed certificate without a Key of its own: it signs
// with ca_key_.
Credential TestPki::make(const std::string& name, const std::vector<std::string>& sans, bool client,
                         bool self_signed) {
  const bool is_ca = ca_.certificate_pem.empty();
  const Key own_key;
  EVP_PKEY* subject_key = is_ca ? ca_key_->key : own_key.key;
  EVP_PKEY* signing_key = self_signed ? subject_key : ca_key_->key;

  const std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
  X509* cert = certificate.get();
  check(X509_set_version(cert, 2) == 1, "X509_set_version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  check(X509_set_pubkey(cert, subject_key) == 1, "X509_set_pubkey");

  X509* issuer = cert;
  std::unique_ptr<X509, decltype(&X509_free)> ca_certificate(nullptr, &X509_free);
  if (!self_signed) {
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(ca_.certificate_pem.data(), static_cast<int>(ca_.certificate_pem.size())),
        &BIO_free);
    ca_certificate.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    check(ca_certificate != nullptr, "PEM_read_bio_X509");
    issuer = ca_certificate.get();
  }
  check(X509_set_issuer_name(cert, X509_get_subject_name(issuer)) == 1, "X509_set_issuer_name");

  add_extension(cert, issuer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_extension(cert, issuer, NID_key_usage,
                is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(cert, issuer, NID_subject_key_identifier, "hash");
  if (!self_signed) add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (!is_ca) add_extension(cert, issuer, NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
  if (!sans.empty()) {
    std::string list;
    for (const std::string& san : sans) list += (list.empty() ? "" : ",") + san;
    add_extension(cert, issuer, NID_subject_alt_name, list);
  }
  check(X509_sign(cert, signing_key, EVP_sha256()) > 0, "X509_sign");

  Credential credential;
  credential.certificate_pem = pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
  credential.key_pem = pem_of([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, subject_key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!is_ca) {
    credential.certificate_path =
        write_file(directory_ + "/" + name + ".crt", credential.certificate_pem);
    credential.key_path = write_file(directory_ + "/" + name + ".key", credential.key_pem);
  }
  return credential;
}

}  // namespace zqe::test
