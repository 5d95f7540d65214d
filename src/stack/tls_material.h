#pragma once
// The stack's TLS material (`rdstream stack up --tls`), made in-process with OpenSSL: a CA made
// once into <state_dir>/tls (ca.pem, ca.key 0600), and a server certificate per node address
// signed by it, whose SANs are the node's address (IP) and DNS:localhost. Idempotent: a file that
// is present and still valid (parses, verifies against the CA, has the SANs asked for, is not
// about to expire) is kept as it is; anything else is made anew. Files only, no engine knowledge.

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace rds::stack {

struct CaFiles {
  std::filesystem::path cert;  // <dir>/ca.pem
  std::filesystem::path key;   // <dir>/ca.key, mode 0600
};

struct ServerCertFiles {
  std::filesystem::path cert;      // <dir>/<name>.pem: the certificate, then the CA's
  std::filesystem::path key;       // <dir>/<name>.key: PKCS#8, unencrypted, mode 0600
  std::filesystem::path keystore;  // <dir>/<name>-keystore.pem: the key, then cert.pem (Kafka's PEM keystore), 0600
};

// <dir>/ca.pem and ca.key, made unless both are present and the certificate is a valid CA for
// the key. A CA made anew invalidates every server certificate signed by the old one (they are
// made again by ensure_server_cert, which verifies against the current CA).
Result<CaFiles> ensure_ca(const std::filesystem::path& dir);

// The server certificate for `name` (a file name, e.g. "127.0.0.1"), with IP SANs `ips` and DNS
// SANs `dns_names`, signed by the CA in `dir` (ensure_ca first).
Result<ServerCertFiles> ensure_server_cert(const std::filesystem::path& dir, const std::string& name,
                                           const std::vector<std::string>& ips,
                                           const std::vector<std::string>& dns_names);

// For checks and tests: whether the first certificate of `cert` verifies against `ca` (the error
// names OpenSSL's reason), and the SANs it carries ("IP:127.0.0.1", "DNS:localhost").
Status verify_certificate(const std::filesystem::path& cert, const std::filesystem::path& ca);
Result<std::vector<std::string>> certificate_sans(const std::filesystem::path& cert);

}  // namespace rds::stack
