#include "stack/tls_material.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "stack/service.h"
#include "support/result_matchers.h"
#include "support/temp_dir.h"

namespace rds::stack {
namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

std::filesystem::file_time_type mtime(const std::filesystem::path& path) {
  return std::filesystem::last_write_time(path);
}

TEST(TlsMaterialTest, ServerCertificateVerifiesAgainstTheCaWithItsSans) {
  test::TempDir tmp;
  auto ca = ensure_ca(tmp.path() / "tls");
  ASSERT_OK(ca);
  EXPECT_EQ(mode_of(ca->key), 0600u);
  auto server = ensure_server_cert(tmp.path() / "tls", "127.0.0.2", {"127.0.0.2"}, {"localhost"});
  ASSERT_OK(server);
  EXPECT_EQ(mode_of(server->key), 0600u);
  EXPECT_EQ(mode_of(server->keystore), 0600u);
  EXPECT_OK(verify_certificate(server->cert, ca->cert));
  auto sans = certificate_sans(server->cert);
  ASSERT_OK(sans);
  std::sort(sans->begin(), sans->end());
  EXPECT_EQ(*sans, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.2"}));
  // The keystore is the key, then the chain.
  auto keystore = read_text_file(server->keystore);
  ASSERT_OK(keystore);
  EXPECT_EQ(keystore->find("-----BEGIN PRIVATE KEY-----"), 0u);
  EXPECT_NE(keystore->find("-----BEGIN CERTIFICATE-----"), std::string::npos);
}

TEST(TlsMaterialTest, KeptWhenPresentAndValid) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "tls";
  auto ca = ensure_ca(dir);
  ASSERT_OK(ca);
  auto server = ensure_server_cert(dir, "127.0.0.1", {"127.0.0.1"}, {"localhost"});
  ASSERT_OK(server);
  auto ca_text = read_text_file(ca->cert);
  auto cert_text = read_text_file(server->cert);
  const auto ca_time = mtime(ca->key);
  ASSERT_OK(ensure_ca(dir));
  ASSERT_OK(ensure_server_cert(dir, "127.0.0.1", {"127.0.0.1"}, {"localhost"}));
  EXPECT_EQ(*read_text_file(ca->cert), *ca_text);
  EXPECT_EQ(*read_text_file(server->cert), *cert_text);
  EXPECT_EQ(mtime(ca->key), ca_time);
}

TEST(TlsMaterialTest, RemadeWhenTheSansChangeOrTheCaIsNew) {
  test::TempDir tmp;
  const auto dir = tmp.path() / "tls";
  ASSERT_OK(ensure_ca(dir));
  auto server = ensure_server_cert(dir, "node", {"127.0.0.1"}, {});
  ASSERT_OK(server);
  const auto first = *read_text_file(server->cert);
  ASSERT_OK(ensure_server_cert(dir, "node", {"127.0.0.1"}, {"localhost"}));
  const auto second = *read_text_file(server->cert);
  EXPECT_NE(first, second);
  // Another CA: the old certificate no longer verifies, and is made again.
  std::filesystem::remove(dir / "ca.pem");
  auto ca = ensure_ca(dir);
  ASSERT_OK(ca);
  EXPECT_FALSE(verify_certificate(server->cert, ca->cert).ok());
  ASSERT_OK(ensure_server_cert(dir, "node", {"127.0.0.1"}, {"localhost"}));
  EXPECT_OK(verify_certificate(server->cert, ca->cert));
}

TEST(TlsMaterialTest, AForeignCaIsNamedInTheVerificationError) {
  test::TempDir tmp;
  auto ca = ensure_ca(tmp.path() / "a");
  auto other = ensure_ca(tmp.path() / "b");
  ASSERT_OK(ca);
  ASSERT_OK(other);
  auto server = ensure_server_cert(tmp.path() / "a", "x", {"127.0.0.1"}, {});
  ASSERT_OK(server);
  Status wrong = verify_certificate(server->cert, other->cert);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("local issuer certificate"), std::string::npos) << wrong.error().message;
}

}  // namespace
}  // namespace rds::stack
