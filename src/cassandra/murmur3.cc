#include "cassandra/murmur3.h"

#include <limits>

namespace rds::cassandra {
namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// Little-endian 64-bit block from unsigned bytes (Cassandra's getBlock masks with 0xff).
inline uint64_t block(const uint8_t* p) {
  uint64_t v = 0;
  for (int b = 7; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

// A tail byte as Java reads it: signed, sign-extended to 64 bits, then shifted.
inline uint64_t signed_byte(uint8_t b, int shift) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b))) << shift;
}

}  // namespace

Murmur3Hash murmur3_x64_128(std::span<const uint8_t> key, uint64_t seed) {
  const size_t length = key.size();
  const size_t nblocks = length / 16;
  uint64_t h1 = seed;
  uint64_t h2 = seed;
  const uint8_t* data = key.data();
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = block(data + i * 16);
    uint64_t k2 = block(data + i * 16 + 8);
    k1 *= kC1; k1 = rotl(k1, 31); k1 *= kC2; h1 ^= k1;
    h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= kC2; k2 = rotl(k2, 33); k2 *= kC1; h2 ^= k2;
    h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = data + nblocks * 16;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  switch (length & 15) {
    case 15: k2 ^= signed_byte(tail[14], 48); [[fallthrough]];
    case 14: k2 ^= signed_byte(tail[13], 40); [[fallthrough]];
    case 13: k2 ^= signed_byte(tail[12], 32); [[fallthrough]];
    case 12: k2 ^= signed_byte(tail[11], 24); [[fallthrough]];
    case 11: k2 ^= signed_byte(tail[10], 16); [[fallthrough]];
    case 10: k2 ^= signed_byte(tail[9], 8); [[fallthrough]];
    case 9:
      k2 ^= signed_byte(tail[8], 0);
      k2 *= kC2; k2 = rotl(k2, 33); k2 *= kC1; h2 ^= k2;
      [[fallthrough]];
    case 8: k1 ^= signed_byte(tail[7], 56); [[fallthrough]];
    case 7: k1 ^= signed_byte(tail[6], 48); [[fallthrough]];
    case 6: k1 ^= signed_byte(tail[5], 40); [[fallthrough]];
    case 5: k1 ^= signed_byte(tail[4], 32); [[fallthrough]];
    case 4: k1 ^= signed_byte(tail[3], 24); [[fallthrough]];
    case 3: k1 ^= signed_byte(tail[2], 16); [[fallthrough]];
    case 2: k1 ^= signed_byte(tail[1], 8); [[fallthrough]];
    case 1:
      k1 ^= signed_byte(tail[0], 0);
      k1 *= kC1; k1 = rotl(k1, 31); k1 *= kC2; h1 ^= k1;
      break;
    default: break;
  }
  h1 ^= length;
  h2 ^= length;
  h1 += h2;
  h2 += h1;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

Token murmur3_token(std::span<const uint8_t> key) {
  const auto token = static_cast<int64_t>(murmur3_x64_128(key).h1);
  return token == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : token;
}

std::vector<uint8_t> composite_routing_key(const std::vector<std::vector<uint8_t>>& components) {
  if (components.size() == 1) return components.front();
  std::vector<uint8_t> out;
  for (const auto& c : components) {
    out.push_back(static_cast<uint8_t>(c.size() >> 8));
    out.push_back(static_cast<uint8_t>(c.size()));
    out.insert(out.end(), c.begin(), c.end());
    out.push_back(0);
  }
  return out;
}

}  // namespace rds::cassandra
