#include "linkstatus.h"

#include "keystore.h"
#include "planner.h"
#include "project.h"

LinkStatusBoard::LinkStatusBoard(const Project &project, const KeyStore &keys)
{
    const Planner planner(project);
    // host -> peer name -> (interface, the peer's public key, keepalive sent)
    QList<QHash<QString, std::pair<End, int>>> facing(project.hosts.size());
    for (qsizetype host = 0; host < project.hosts.size(); ++host) {
        m_names.append(project.hosts[host].name);
        for (const PlannedInterface &planned : planner.planAll(host, keys)) {
            for (const PeerConfig &peer : planned.config.peers)
                facing[host].insert(peer.name, {End{host, planned.interfaceName, peer.publicKey}, peer.persistentKeepalive});
        }
    }
    for (qsizetype a = 0; a < project.hosts.size(); ++a) {
        for (qsizetype b = a + 1; b < project.hosts.size(); ++b) {
            const auto ab = facing[a].constFind(m_names[b]);
            const auto ba = facing[b].constFind(m_names[a]);
            if (ab == facing[a].cend() && ba == facing[b].cend())
                continue;
            // An end that lacks the other as a peer still sees nothing of it: a mismatch
            // that shows as one-sided or down.
            Link link;
            link.a = ab != facing[a].cend() ? ab->first : End{a, {}, {}};
            link.b = ba != facing[b].cend() ? ba->first : End{b, {}, {}};
            link.keepalive = (ab != facing[a].cend() && ab->second > 0) || (ba != facing[b].cend() && ba->second > 0);
            m_links.append(link);
        }
    }
}

void LinkStatusBoard::update(qsizetype host, const HostSample &sample)
{
    Samples &samples = m_samples[host];
    samples.reachable = true;
    if (samples.current)
        samples.previous = std::move(samples.current);
    samples.current = sample;
}

void LinkStatusBoard::unreachable(qsizetype host)
{
    Samples &samples = m_samples[host];
    samples.reachable = false;
    // Rates after a gap would average over it; start afresh when the host is back.
    samples.current.reset();
    samples.previous.reset();
}

void LinkStatusBoard::view(const End &end, std::optional<LinkEndView> *view, QString *endpoint, double *rxRate,
                           double *txRate) const
{
    const Samples samples = m_samples.value(end.host);
    if (!samples.reachable || !samples.current)
        return;
    const HostSample &sample = *samples.current;
    LinkEndView seen;
    const auto iface = end.interfaceName.isEmpty() ? sample.interfaces.cend() : sample.interfaces.constFind(end.interfaceName);
    seen.interfaceUp = iface != sample.interfaces.cend() && iface->up;
    if (seen.interfaceUp) {
        const qint64 at = iface->handshakes.value(end.peerKey, 0);
        if (at > 0)
            seen.handshakeAge = std::max<qint64>(0, sample.now - at);
        const auto bytes = iface->transfer.value(end.peerKey);
        seen.rxBytes = bytes.first;
        seen.txBytes = bytes.second;
        *endpoint = iface->endpoints.value(end.peerKey);
        if (samples.previous) {
            const auto before = samples.previous->interfaces.constFind(end.interfaceName);
            if (before != samples.previous->interfaces.cend() && before->up) {
                const auto old = before->transfer.value(end.peerKey);
                // Counters restart with the interface; a drop is a restart, not negative traffic.
                const qint64 rx = bytes.first >= old.first ? bytes.first - old.first : bytes.first;
                const qint64 tx = bytes.second >= old.second ? bytes.second - old.second : bytes.second;
                seen.traffic = rx > 0 || tx > 0;
                const qint64 seconds = sample.now - samples.previous->now;
                if (seconds > 0) {
                    *rxRate = double(rx) / double(seconds);
                    *txRate = double(tx) / double(seconds);
                }
            }
        }
    }
    *view = seen;
}

QList<LinkStatus> LinkStatusBoard::links() const
{
    QList<LinkStatus> result;
    result.reserve(m_links.size());
    for (const Link &link : m_links) {
        LinkStatus status;
        status.a = m_names[link.a.host];
        status.b = m_names[link.b.host];
        status.interfaceA = link.a.interfaceName;
        status.interfaceB = link.b.interfaceName;
        status.keepalive = link.keepalive;
        view(link.a, &status.viewA, &status.endpointSeenByA, &status.rxRateA, &status.txRateA);
        view(link.b, &status.viewB, &status.endpointSeenByB, &status.rxRateB, &status.txRateB);
        status.state = LinkStates::judge(status.viewA, status.viewB, status.keepalive);
        result.append(status);
    }
    return result;
}
