#include "sim/topology/topology.h"

namespace planelab {

void AddDevice(std::vector<DeviceSpec>* devices, std::map<std::string, std::vector<std::string>>* groups,
               const std::string& id, const std::string& kind, std::vector<std::string> member_of, uint32_t asn) {
  DeviceSpec d;
  d.id = id;
  d.kind = kind;
  d.asn = asn;
  d.managed = kind == "router";
  d.groups = member_of;
  devices->push_back(d);
  for (const auto& g : member_of) (*groups)[g].push_back(id);
}

void AddLink(std::vector<LinkSpec>* links, const LinkSpec& base, const std::string& a, const std::string& b) {
  LinkSpec l = base;
  l.a = a;
  l.b = b;
  l.id = a + "-" + b;
  links->push_back(l);
}

namespace {

std::string HostId(const std::string& prefix, int router, int j, int per) {
  return prefix + "h" + std::to_string(router) + (per > 1 ? "-" + std::to_string(j) : "");
}

}  // namespace

uint64_t GridColumns(int routers) {
  uint64_t c = 1;
  while (c * c < static_cast<uint64_t>(routers > 0 ? routers : 0)) ++c;
  return c;
}

std::string WithThousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

TopologySize GeneratorSize(const GeneratorSpec& g) {
  auto u = [](int v) { return v > 0 ? static_cast<uint64_t>(v) : uint64_t{0}; };
  const uint64_t routers = u(g.routers), spines = u(g.spines), leaves = u(g.leaves), hosts = u(g.hosts_per_router);
  TopologySize s;
  if (g.kind == "line" || g.kind == "ring") {
    s.devices = routers + routers * hosts;
    s.links = (routers > 0 ? routers - 1 : 0) + (g.kind == "ring" && routers > 2 ? 1 : 0) + routers * hosts;
  } else if (g.kind == "grid") {
    const uint64_t cols = GridColumns(g.routers);
    s.devices = routers + routers * hosts;
    // Right and down neighbours: (cols - 1) per full row, plus one per router below another.
    s.links = (routers > cols ? routers - cols : 0) + (routers - (routers + cols - 1) / cols) + routers * hosts;
  } else if (g.kind == "clique") {
    s.devices = routers + routers * hosts;
    s.links = routers * (routers > 0 ? routers - 1 : 0) / 2 + routers * hosts;
  } else if (g.kind == "star") {
    s.devices = 1 + routers + routers * hosts;
    s.links = routers + routers * hosts;
  } else if (g.kind == "internet") {
    // transits in a full mesh; each stub homed to two transits (one when there is only one).
    s.devices = spines + leaves + leaves * hosts;
    s.links = spines * (spines > 0 ? spines - 1 : 0) / 2 + leaves * (spines > 1 ? 2 : 1) + leaves * hosts;
  } else if (g.kind == "leaf-spine") {
    s.devices = spines + leaves + leaves * hosts;
    s.links = spines * leaves + leaves * hosts;
  }
  return s;
}

std::string TopologyLimitProblem(TopologySize existing, TopologySize adding, const std::string& what) {
  if (existing.devices + adding.devices <= kMaxDevices && existing.links + adding.links <= kMaxLinks) return "";
  std::string before;
  if (existing.devices || existing.links) {
    before = " (" + WithThousands(existing.devices) + " devices and " + WithThousands(existing.links) +
             " links come before it)";
  }
  return what + " makes " + WithThousands(adding.devices) + " devices and " + WithThousands(adding.links) +
         " links; a scenario may have at most " + WithThousands(kMaxDevices) + " devices and " +
         WithThousands(kMaxLinks) + " links in all" + before;
}

void ExpandGenerator(const GeneratorSpec& g, std::vector<DeviceSpec>* devices, std::vector<LinkSpec>* links,
                     std::map<std::string, std::vector<std::string>>* groups) {
  const std::string& p = g.prefix;
  auto hosts_for = [&](const std::string& router, int index, int per) {
    for (int j = 1; j <= per; ++j) {
      std::string h = HostId(p, index, j, per);
      AddDevice(devices, groups, h, "host", {"hosts"});
      AddLink(links, g.link, h, router);
    }
  };
  if (g.kind == "line" || g.kind == "ring") {
    for (int i = 1; i <= g.routers; ++i) AddDevice(devices, groups, p + "r" + std::to_string(i), "router", {"routers"});
    for (int i = 1; i < g.routers; ++i) AddLink(links, g.link, p + "r" + std::to_string(i), p + "r" + std::to_string(i + 1));
    if (g.kind == "ring" && g.routers > 2) AddLink(links, g.link, p + "r" + std::to_string(g.routers), p + "r1");
    for (int i = 1; i <= g.routers; ++i) hosts_for(p + "r" + std::to_string(i), i, g.hosts_per_router);
  } else if (g.kind == "grid") {
    // A sparse mesh of degree at most 4, like a provider backbone: routers in rows of ceil(sqrt(n)), each linked to
    // its right and lower neighbours (a benchmark topology for link-state routing at scale).
    const int cols = static_cast<int>(GridColumns(g.routers));
    for (int i = 1; i <= g.routers; ++i) AddDevice(devices, groups, p + "r" + std::to_string(i), "router", {"routers"});
    for (int i = 1; i <= g.routers; ++i) {
      if ((i - 1) % cols != cols - 1 && i < g.routers) AddLink(links, g.link, p + "r" + std::to_string(i), p + "r" + std::to_string(i + 1));
      if (i + cols <= g.routers) AddLink(links, g.link, p + "r" + std::to_string(i), p + "r" + std::to_string(i + cols));
    }
    for (int i = 1; i <= g.routers; ++i) hosts_for(p + "r" + std::to_string(i), i, g.hosts_per_router);
  } else if (g.kind == "clique") {
    // A full mesh of single-router ASes, as in Labovitz et al., "Delayed Internet Routing
    // Convergence" (SIGCOMM 2000): router i has AS asn_base + i (default 65000 + i, private, RFC 6996).
    uint32_t base = g.asn_base ? g.asn_base : 65000u;
    for (int i = 1; i <= g.routers; ++i) {
      AddDevice(devices, groups, p + "r" + std::to_string(i), "router", {"routers"}, base + static_cast<uint32_t>(i));
    }
    for (int a = 1; a <= g.routers; ++a) {
      for (int b = a + 1; b <= g.routers; ++b) AddLink(links, g.link, p + "r" + std::to_string(a), p + "r" + std::to_string(b));
    }
    for (int i = 1; i <= g.routers; ++i) hosts_for(p + "r" + std::to_string(i), i, g.hosts_per_router);
  } else if (g.kind == "star") {
    AddDevice(devices, groups, p + "hub", "router", {"routers", "core"});
    for (int i = 1; i <= g.routers; ++i) {
      AddDevice(devices, groups, p + "r" + std::to_string(i), "router", {"routers", "edge"});
      AddLink(links, g.link, p + "hub", p + "r" + std::to_string(i));
    }
    for (int i = 1; i <= g.routers; ++i) hosts_for(p + "r" + std::to_string(i), i, g.hosts_per_router);
  } else if (g.kind == "internet") {
    // A small teaching internet: transit ASes peering in a full mesh, stub ASes each dual-homed to two
    // transits. Transits use documentation ASNs (RFC 5398: 64496-64511), stubs private ones (RFC 6996).
    int transits = g.spines, stubs = g.leaves;
    for (int t = 1; t <= transits; ++t) {
      AddDevice(devices, groups, p + "t" + std::to_string(t), "router", {"routers", "transits"},
                64496u + static_cast<uint32_t>(t - 1));
    }
    for (int a = 1; a <= transits; ++a) {
      for (int b = a + 1; b <= transits; ++b) AddLink(links, g.link, p + "t" + std::to_string(a), p + "t" + std::to_string(b));
    }
    for (int s = 1; s <= stubs; ++s) {
      std::string id = p + "s" + std::to_string(s);
      AddDevice(devices, groups, id, "router", {"routers", "stubs"}, 65000u + static_cast<uint32_t>(s));
      int first = (s - 1) % transits + 1, second = s % transits + 1;
      AddLink(links, g.link, id, p + "t" + std::to_string(first));
      if (second != first) AddLink(links, g.link, id, p + "t" + std::to_string(second));
    }
    for (int s = 1; s <= stubs; ++s) hosts_for(p + "s" + std::to_string(s), s, g.hosts_per_router);
  } else if (g.kind == "leaf-spine") {
    // RFC 7938 §5.2.1: all spines share one ASN, every leaf has its own; private ASNs (RFC 6996),
    // 4-octet ones when the 2-octet private range is too small.
    uint32_t base = g.asn_base ? g.asn_base : (g.leaves <= 500 ? 65000u : 4200000000u);
    for (int s = 1; s <= g.spines; ++s) {
      AddDevice(devices, groups, p + "spine" + std::to_string(s), "router", {"routers", "spines"}, base);
    }
    for (int l = 1; l <= g.leaves; ++l) {
      AddDevice(devices, groups, p + "leaf" + std::to_string(l), "router", {"routers", "leaves"}, base + static_cast<uint32_t>(l));
    }
    for (int l = 1; l <= g.leaves; ++l) {
      for (int s = 1; s <= g.spines; ++s) AddLink(links, g.link, p + "leaf" + std::to_string(l), p + "spine" + std::to_string(s));
    }
    for (int l = 1; l <= g.leaves; ++l) hosts_for(p + "leaf" + std::to_string(l), l, g.hosts_per_router);
  }
}

}  // namespace planelab
