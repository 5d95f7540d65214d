#pragma once
// Murmur3 tokens exactly as Cassandra's Murmur3Partitioner computes them
// (org.apache.cassandra.utils.MurmurHash.hash3_x64_128 with seed 0, token = first 64 bits).
//
// Cassandra's quirk: in the tail (the last len % 16 bytes) each byte is read as a *signed* Java
// byte and sign-extended before shifting, unlike reference MurmurHash3 which uses unsigned bytes.
// Keys whose tail has a byte >= 0x80 therefore hash differently from the reference algorithm;
// drivers copy the quirk, and so do we. The 16-byte blocks use unsigned bytes.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rds::cassandra {

using Token = int64_t;

struct Murmur3Hash {
  uint64_t h1 = 0;
  uint64_t h2 = 0;
};

// hash3_x64_128 with Cassandra's signed tail bytes.
Murmur3Hash murmur3_x64_128(std::span<const uint8_t> key, uint64_t seed = 0);

// The partitioner token of a serialized partition key. Long.MIN_VALUE is reserved as the ring's
// minimum, so Murmur3Partitioner.normalize maps it to Long.MAX_VALUE.
Token murmur3_token(std::span<const uint8_t> key);
inline Token murmur3_token(std::string_view key) {
  return murmur3_token(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
}

// The routing key of a partition key made of several columns (CompositeType serialization): for
// each component a 2-byte big-endian length, the bytes, and a 0 end-of-component byte. A single
// component is its own bytes.
std::vector<uint8_t> composite_routing_key(const std::vector<std::vector<uint8_t>>& components);

}  // namespace rds::cassandra
