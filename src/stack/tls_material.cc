#include "stack/tls_material.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "stack/service.h"

namespace rds::stack {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

constexpr long kDay = 24L * 3600;
constexpr long kCaDays = 3650;
constexpr long kServerDays = 825;  // what browsers and most TLS stacks still accept
constexpr long kRenewDays = 30;    // a certificate closer than this to its end is made anew

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

Error tls_error(const std::string& what) {
  return Error(ErrorCode::kInternal, fmt::format("TLS material: {}: {}", what, openssl_reason()));
}

Result<Cert> read_cert(const std::filesystem::path& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!bio) return Error(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return Error(ErrorCode::kInvalidArgument, fmt::format("{}: not a PEM certificate", path.string()));
  return cert;
}

Result<Key> read_key(const std::filesystem::path& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!bio) return Error(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return Error(ErrorCode::kInvalidArgument, fmt::format("{}: not a PEM private key", path.string()));
  return key;
}

template <typename Write>
Result<std::string> to_pem(Write write) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || write(bio.get()) != 1) return tls_error("writing PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> cert_pem(X509* cert) {
  return to_pem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); });
}
Result<std::string> key_pem(EVP_PKEY* key) {
  // PKCS#8 ("BEGIN PRIVATE KEY"), which Kafka's and Cassandra's PEM readers take.
  return to_pem([key](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

bool valid_long_enough(X509* cert) {
  time_t soon = std::time(nullptr) + kRenewDays * kDay;
  return X509_cmp_time(X509_get0_notAfter(cert), &soon) > 0 && X509_cmp_current_time(X509_get0_notBefore(cert)) < 0;
}

Status add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return tls_error(fmt::format("extension {}={}", OBJ_nid2sn(nid), value));
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return tls_error("adding an extension");
  return ok_status();
}

// A new certificate for `key`, subject CN=`common_name`, signed by issuer_key (self-signed when
// issuer is null), with `extensions` (nid, value) in order.
Result<Cert> make_cert(EVP_PKEY* key, const std::string& common_name, long days, X509* issuer, EVP_PKEY* issuer_key,
                       const std::vector<std::pair<int, std::string>>& extensions) {
  Cert cert(X509_new(), &X509_free);
  if (!cert) return tls_error("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return tls_error("serial number");
  serial[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr), &BN_free);
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) return tls_error("serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // an hour of slack for clocks
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * kDay);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("rdstream stack"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  if (X509_set_pubkey(cert.get(), key) != 1) return tls_error("public key");
  for (const auto& [nid, value] : extensions) {
    RDS_TRY(add_extension(cert.get(), issuer != nullptr ? issuer : cert.get(), nid, value));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) return tls_error("signing");
  return cert;
}

Result<Key> new_key() {
  Key key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  if (!key) return tls_error("generating an RSA key");
  return key;
}

// The SANs a server certificate is made with, in certificate_sans' form.
std::vector<std::string> wanted_sans(const std::vector<std::string>& ips, const std::vector<std::string>& dns_names) {
  std::vector<std::string> out;
  for (const auto& ip : ips) out.push_back("IP:" + ip);
  for (const auto& dns : dns_names) out.push_back("DNS:" + dns);
  return out;
}

}  // namespace

Status verify_certificate(const std::filesystem::path& cert_path, const std::filesystem::path& ca_path) {
  auto cert = read_cert(cert_path);
  if (!cert.ok()) return cert.take_error();
  auto ca = read_cert(ca_path);
  if (!ca.ok()) return ca.take_error();
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return tls_error("setting up verification");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} does not verify against {}: {}", cert_path.string(), ca_path.string(),
                             X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
  }
  return ok_status();
}

Result<std::vector<std::string>> certificate_sans(const std::filesystem::path& cert_path) {
  auto cert = read_cert(cert_path);
  if (!cert.ok()) return cert.take_error();
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const ASN1_STRING* s = n->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == 4) {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, ASN1_STRING_get0_data(n->d.iPAddress), text, sizeof text);
      out.push_back(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

Result<CaFiles> ensure_ca(const std::filesystem::path& dir) {
  CaFiles files{dir / "ca.pem", dir / "ca.key"};
  {
    auto cert = read_cert(files.cert);
    auto key = read_key(files.key);
    if (cert.ok() && key.ok() && X509_check_ca(cert->get()) > 0 && X509_check_private_key(cert->get(), key->get()) == 1 &&
        valid_long_enough(cert->get())) {
      return files;
    }
    ERR_clear_error();
  }
  auto key = new_key();
  if (!key.ok()) return key.take_error();
  auto cert = make_cert(key->get(), "rdstream stack CA", kCaDays, nullptr, nullptr,
                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"}});
  if (!cert.ok()) return cert.take_error();
  auto key_text = key_pem(key->get());
  if (!key_text.ok()) return key_text.take_error();
  auto cert_text = cert_pem(cert->get());
  if (!cert_text.ok()) return cert_text.take_error();
  RDS_TRY(write_secret_file(files.key, *key_text));
  RDS_TRY(write_text_file(files.cert, *cert_text));
  return files;
}

Result<ServerCertFiles> ensure_server_cert(const std::filesystem::path& dir, const std::string& name,
                                           const std::vector<std::string>& ips,
                                           const std::vector<std::string>& dns_names) {
  ServerCertFiles files{dir / (name + ".pem"), dir / (name + ".key"), dir / (name + "-keystore.pem")};
  const CaFiles ca_files{dir / "ca.pem", dir / "ca.key"};
  auto wanted = wanted_sans(ips, dns_names);
  std::sort(wanted.begin(), wanted.end());
  {
    auto cert = read_cert(files.cert);
    auto key = read_key(files.key);
    auto sans = certificate_sans(files.cert);
    if (sans.ok()) std::sort(sans->begin(), sans->end());
    std::error_code ec;
    if (cert.ok() && key.ok() && sans.ok() && *sans == wanted && X509_check_private_key(cert->get(), key->get()) == 1 &&
        valid_long_enough(cert->get()) && verify_certificate(files.cert, ca_files.cert).ok() &&
        std::filesystem::exists(files.keystore, ec)) {
      return files;
    }
    ERR_clear_error();
  }
  auto ca_cert = read_cert(ca_files.cert);
  if (!ca_cert.ok()) return ca_cert.take_error().with_context("TLS material: the CA (make it first)");
  auto ca_key = read_key(ca_files.key);
  if (!ca_key.ok()) return ca_key.take_error().with_context("TLS material: the CA's key");
  auto key = new_key();
  if (!key.ok()) return key.take_error();
  std::string san;
  for (const auto& s : wanted_sans(ips, dns_names)) san += (san.empty() ? "" : ",") + s;
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid"},
  };
  if (!san.empty()) extensions.emplace_back(NID_subject_alt_name, san);
  auto cert = make_cert(key->get(), name, kServerDays, ca_cert->get(), ca_key->get(), extensions);
  if (!cert.ok()) return cert.take_error();
  auto key_text = key_pem(key->get());
  if (!key_text.ok()) return key_text.take_error();
  auto cert_text = cert_pem(cert->get());
  if (!cert_text.ok()) return cert_text.take_error();
  auto ca_text = cert_pem(ca_cert->get());
  if (!ca_text.ok()) return ca_text.take_error();
  RDS_TRY(write_secret_file(files.key, *key_text));
  RDS_TRY(write_text_file(files.cert, *cert_text + *ca_text));
  RDS_TRY(write_secret_file(files.keystore, *key_text + *cert_text + *ca_text));
  return files;
}

}  // namespace rds::stack
