// libFuzzer target: OpenBSD's hostname.wgN parser must never crash, and what it accepts,
// written again, reads back as the same interface.
#include "openbsdhostname.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = OpenBsdHostname::parse(text);
    if (!parsed)
        return 0;
    // The writer takes the addresses from the planned interface, as the planner gives them.
    PlannedInterface planned;
    planned.config = parsed->config;
    planned.config.addresses.clear();
    for (const QString &address : parsed->config.addresses) {
        std::optional<QString> &slot = address.contains(QLatin1Char(':')) ? planned.ipv6Address : planned.ipv4Address;
        if (!slot)
            slot = address;
    }
    for (PeerConfig &peer : planned.config.peers)
        peer.name.clear(); // a comment line, which write() puts only when it has no line break
    const auto again = OpenBsdHostname::parse(OpenBsdHostname::write(planned));
    if (!again || again->config.privateKey != parsed->config.privateKey || again->config.peers.size() != parsed->config.peers.size())
        std::abort();
    return 0;
}
