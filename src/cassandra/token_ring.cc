#include "cassandra/token_ring.h"

#include <algorithm>
#include <charconv>

namespace rds::cassandra {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int parse_factor(const std::string& text) {
  // "3", or "3/1" (transient replicas, Cassandra 4+): the full count comes first.
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  (void)ptr;
  return ec == std::errc() && value > 0 ? value : 0;
}

}  // namespace

ReplicationStrategy ReplicationStrategy::from_options(const std::map<std::string, std::string>& options) {
  ReplicationStrategy s;
  auto cls = options.find("class");
  const std::string name = cls == options.end() ? std::string() : cls->second;
  if (ends_with(name, "SimpleStrategy")) {
    s.kind = Kind::kSimple;
    auto rf = options.find("replication_factor");
    s.replication_factor = rf == options.end() ? 1 : std::max(1, parse_factor(rf->second));
  } else if (ends_with(name, "NetworkTopologyStrategy")) {
    s.kind = Kind::kNetworkTopology;
    for (const auto& [key, value] : options) {
      if (key == "class") continue;
      if (int f = parse_factor(value); f > 0) s.dc_factors[key] = f;
    }
  } else {
    s.kind = Kind::kEverywhere;  // LocalStrategy, EverywhereStrategy, anything unknown
  }
  return s;
}

TokenRing::TokenRing(const std::vector<std::vector<Token>>& host_tokens, std::vector<std::string> host_dcs)
    : dcs_(std::move(host_dcs)) {
  dcs_.resize(host_tokens.size());
  for (HostIndex h = 0; h < host_tokens.size(); ++h) {
    for (Token t : host_tokens[h]) ring_.emplace_back(t, h);
  }
  std::sort(ring_.begin(), ring_.end());
}

std::vector<HostIndex> TokenRing::replicas(Token token, const ReplicationStrategy& strategy) const {
  std::vector<HostIndex> out;
  if (ring_.empty()) return out;
  const size_t hosts = dcs_.size();
  if (strategy.kind == ReplicationStrategy::Kind::kEverywhere) {
    for (HostIndex h = 0; h < hosts; ++h) out.push_back(h);
    return out;
  }
  // The owner of a token is the first node whose token is >= it, wrapping past the largest.
  auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(token, HostIndex{0}),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t start = static_cast<size_t>(it - ring_.begin()) % ring_.size();
  std::vector<bool> taken(hosts, false);
  std::map<std::string, int> per_dc;
  size_t wanted = 0;
  if (strategy.kind == ReplicationStrategy::Kind::kSimple) {
    wanted = std::min<size_t>(static_cast<size_t>(strategy.replication_factor), hosts);
  } else {
    for (const auto& [dc, f] : strategy.dc_factors) {
      const auto in_dc = static_cast<size_t>(std::count(dcs_.begin(), dcs_.end(), dc));
      wanted += std::min<size_t>(static_cast<size_t>(f), in_dc);
    }
  }
  for (size_t step = 0; step < ring_.size() && out.size() < wanted; ++step) {
    const HostIndex h = ring_[(start + step) % ring_.size()].second;
    if (taken[h]) continue;
    if (strategy.kind == ReplicationStrategy::Kind::kNetworkTopology) {
      auto f = strategy.dc_factors.find(dcs_[h]);
      if (f == strategy.dc_factors.end() || per_dc[dcs_[h]] >= f->second) continue;
      ++per_dc[dcs_[h]];
    }
    taken[h] = true;
    out.push_back(h);
  }
  return out;
}

}  // namespace rds::cassandra
