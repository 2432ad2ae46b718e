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
        m_ssh.append(project.hosts[host].ssh.has_value());
        m_exits.append(planner.exitsOf(host));
        for (const PlannedInterface &planned : planner.planAll(host, keys)) {
            for (const PeerConfig &peer : planned.config.peers) {
                const qsizetype other = project.indexOf(peer.name);
                const QString running = other < 0 ? QString() : keys.runningPublicKey(planner.keyIdFacing(other, host));
                facing[host].insert(peer.name, {End{host, planned.interfaceName, peer.publicKey, running != peer.publicKey ? running : QString()},
                                                peer.persistentKeepalive});
            }
        }
    }
    m_samples.resize(project.hosts.size());
    for (qsizetype a = 0; a < project.hosts.size(); ++a) {
        for (qsizetype b = a + 1; b < project.hosts.size(); ++b) {
            const auto ab = facing[a].constFind(m_names[b]);
            const auto ba = facing[b].constFind(m_names[a]);
            if (ab == facing[a].cend() && ba == facing[b].cend())
                continue;
            // An end that lacks the other as a peer still sees nothing of it: a mismatch
            // that shows as one-sided or down.
            Link link;
            link.a = ab != facing[a].cend() ? ab->first : End{a, {}, {}, {}};
            link.b = ba != facing[b].cend() ? ba->first : End{b, {}, {}, {}};
            link.keepalive = (ab != facing[a].cend() && ab->second > 0) || (ba != facing[b].cend() && ba->second > 0);
            m_links.append(link);
        }
    }
    // Relayed links, by their hops.
    QHash<std::pair<qsizetype, qsizetype>, qsizetype> linkIndex;
    auto hop = [&](qsizetype x, qsizetype y) -> qsizetype {
        if (linkIndex.isEmpty()) {
            for (qsizetype i = 0; i < m_links.size(); ++i)
                linkIndex.insert({m_links[i].a.host, m_links[i].b.host}, i);
        }
        return linkIndex.value({std::min(x, y), std::max(x, y)}, -1);
    };
    for (qsizetype a = 0; a < project.hosts.size(); ++a) {
        for (const qsizetype relay : planner.relaysOf(a)) {
            for (const qsizetype b : planner.relayedVia(a, relay)) {
                if (b < a)
                    continue;
                Relayed relayed{a, b, relay, hop(a, relay), hop(relay, b)};
                if (relayed.hopA >= 0 && relayed.hopB >= 0)
                    m_relayed.append(relayed);
            }
        }
    }
}

QString LinkStatus::hopsText() const
{
    if (via.isEmpty())
        return {};
    return QStringLiteral("%1–%2 %3, %2–%4 %5").arg(a, via, LinkStates::name(hopA), b, LinkStates::name(hopB));
}

void LinkStatusBoard::update(qsizetype host, const HostSample &sample)
{
    if (host < 0 || host >= m_samples.size())
        return;
    Samples &samples = m_samples[host];
    samples.reachable = true;
    if (samples.current)
        samples.previous = std::move(samples.current);
    samples.current = sample;
}

void LinkStatusBoard::unreachable(qsizetype host)
{
    if (host < 0 || host >= m_samples.size())
        return;
    Samples &samples = m_samples[host];
    samples.reachable = false;
    // Rates after a gap would average over it; start afresh when the host is back.
    samples.current.reset();
    samples.previous.reset();
}

void LinkStatusBoard::view(const End &end, std::optional<LinkEndView> *view, QString *endpoint, double *rxRate,
                           double *txRate) const
{
    const Samples &samples = m_samples.at(end.host);
    if (!samples.reachable || !samples.current)
        return;
    const HostSample &sample = *samples.current;
    LinkEndView seen;
    const auto iface = end.interfaceName.isEmpty() ? sample.interfaces.cend() : sample.interfaces.constFind(end.interfaceName);
    seen.interfaceUp = iface != sample.interfaces.cend() && iface->up;
    if (seen.interfaceUp) {
        // While a rotation is pending the host may still run the old key: look it up too.
        const QString &key = end.runningKey.isEmpty() || iface->handshakes.contains(end.peerKey) ? end.peerKey : end.runningKey;
        const qint64 at = iface->handshakes.value(key, 0);
        if (at > 0)
            seen.handshakeAge = std::max<qint64>(0, sample.now - at);
        const auto bytes = iface->transfer.value(key);
        seen.rxBytes = bytes.first;
        seen.txBytes = bytes.second;
        *endpoint = iface->endpoints.value(key);
        if (samples.previous) {
            const auto before = samples.previous->interfaces.constFind(end.interfaceName);
            if (before != samples.previous->interfaces.cend() && before->up) {
                const auto old = before->transfer.value(key);
                // Counters restart with the interface; a drop is a restart, not negative traffic.
                const qint64 rx = bytes.first >= old.first ? bytes.first - old.first : bytes.first;
                const qint64 tx = bytes.second >= old.second ? bytes.second - old.second : bytes.second;
                seen.traffic = rx > 0 || tx > 0;
                const qint64 seconds = sample.now - samples.previous->now;
                seen.ratesKnown = seconds > 0;
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
        status.needsAttention = status.state == LinkState::Down || status.state == LinkState::OneSided
            || (status.state == LinkState::Unknown && (m_ssh[link.a.host] || m_ssh[link.b.host]));
        result.append(status);
    }
    // A relayed link is as good as its worse hop; its views are each end's of the relay.
    for (const Relayed &relayed : m_relayed) {
        const LinkStatus &first = result[relayed.hopA];
        const LinkStatus &second = result[relayed.hopB];
        const bool aFirst = m_links[relayed.hopA].a.host == relayed.a; // a is that hop's a end
        const bool bFirst = m_links[relayed.hopB].a.host == relayed.b;
        LinkStatus status;
        status.a = m_names[relayed.a];
        status.b = m_names[relayed.b];
        status.via = m_names[relayed.relay];
        status.interfaceA = aFirst ? first.interfaceA : first.interfaceB;
        status.interfaceB = bFirst ? second.interfaceA : second.interfaceB;
        status.viewA = aFirst ? first.viewA : first.viewB;
        status.viewB = bFirst ? second.viewA : second.viewB;
        status.endpointSeenByA = aFirst ? first.endpointSeenByA : first.endpointSeenByB;
        status.endpointSeenByB = bFirst ? second.endpointSeenByA : second.endpointSeenByB;
        status.keepalive = first.keepalive || second.keepalive;
        status.hopA = first.state;
        status.hopB = second.state;
        // The worse hop: down, then one-sided, unknown, idle, alive.
        auto rank = [](LinkState state) {
            switch (state) {
            case LinkState::Down:
                return 4;
            case LinkState::OneSided:
                return 3;
            case LinkState::Unknown:
                return 2;
            case LinkState::Idle:
                return 1;
            case LinkState::Alive:
                break;
            }
            return 0;
        };
        status.state = rank(first.state) >= rank(second.state) ? first.state : second.state;
        status.needsAttention = first.needsAttention || second.needsAttention;
        result.append(status);
    }
    markExits(&result);
    return result;
}

void LinkStatusBoard::markExits(QList<LinkStatus> *links) const
{
    for (qsizetype client = 0; client < m_exits.size(); ++client) {
        if (m_exits[client].isEmpty())
            continue;
        const QString &name = m_names[client];
        // The client's links to its exits, with its own end of each.
        QList<std::pair<qsizetype, const End *>> toExits;
        for (qsizetype i = 0; i < m_links.size(); ++i) {
            const Link &link = m_links[i];
            if (link.a.host == client && m_exits[client].contains(link.b.host))
                toExits.append({i, &link.a});
            else if (link.b.host == client && m_exits[client].contains(link.a.host))
                toExits.append({i, &link.b});
        }
        const std::optional<HostSample> &sample = m_samples[client].current;
        qsizetype active = -1;
        QString detail;
        if (sample && m_samples[client].reachable) {
            // Polled: the peer that holds its default route, as WireGuard has it.
            for (const auto &[index, end] : std::as_const(toExits)) {
                const InterfaceSample interface = sample->interfaces.value(end->interfaceName);
                if (!interface.up || interface.exitKey.isEmpty()
                    || (interface.exitKey != end->peerKey && interface.exitKey != end->runningKey))
                    continue;
                active = index;
                detail = QStringLiteral("holds %1's default route").arg(name);
                const QHash<QString, QString> &watchdog = interface.failover;
                if (!watchdog.isEmpty()) {
                    const int switches = watchdog.value(QStringLiteral("switches")).toInt();
                    detail += switches == 0 ? QStringLiteral("; failover watchdog: no switch since it started")
                                            : QStringLiteral("; failover watchdog: %1 switch%2, last %3 (%4)")
                                                  .arg(switches)
                                                  .arg(switches == 1 ? QString() : QStringLiteral("es"))
                                                  .arg(StatusPoll::ageText(sample->now - watchdog.value(QStringLiteral("since")).toLongLong()),
                                                       watchdog.value(QStringLiteral("last")));
                }
                break;
            }
        } else {
            // Not polled (a phone): the exit it handshook with last, if recently.
            std::optional<qint64> freshest;
            for (const auto &[index, end] : std::as_const(toExits)) {
                const std::optional<qint64> age = (*links)[index].freshestHandshake();
                if (age && *age < 180 && (!freshest || *age < *freshest)) {
                    freshest = age;
                    active = index;
                }
            }
            if (active >= 0)
                detail = QStringLiteral("%1's exit by its latest handshake (%2)").arg(name, StatusPoll::ageText(freshest));
        }
        if (active >= 0) {
            (*links)[active].exitOf = name;
            (*links)[active].exitDetail = detail;
        }
    }
}

std::optional<qint64> LinkStatus::freshestHandshake() const
{
    std::optional<qint64> freshest;
    for (const auto &view : {viewA, viewB}) {
        if (view && view->handshakeAge && (!freshest || *view->handshakeAge < *freshest))
            freshest = view->handshakeAge;
    }
    return freshest;
}

std::optional<LinkStatus::Traffic> LinkStatus::traffic() const
{
    if (viewA)
        return Traffic{rxRateA, txRateA, viewA->ratesKnown, endpointSeenByA, true};
    if (viewB)
        return Traffic{txRateB, rxRateB, viewB->ratesKnown, endpointSeenByB, false};
    return std::nullopt;
}

namespace StatusPoll {

QByteArray script()
{
    // Every section starts with a line beginning with '@', which no wg show line (a base64
    // key first) can. "@end" shows that the output was not cut short.
    return R"SH(printf '@now %s\n' "$(date +%s)"
for i in "$@"; do
    printf '@interface %s\n' "$i"
    for what in latest-handshakes transfer endpoints; do
        out=$(wg show "$i" "$what" 2>/dev/null) || { printf '@down\n'; continue 2; }
        printf '@%s\n' "$what"
        [ -z "$out" ] || printf '%s\n' "$out"
    done
    # The peer that holds the default route, and what a failover watchdog says.
    x=$(wg show "$i" allowed-ips 2>/dev/null | awk '{ for (f = 2; f <= NF; f++) if ($f == "0.0.0.0/0" || $f == "::/0") { print $1; exit } }')
    [ -z "$x" ] || printf '@exit %s\n' "$x"
    f=/run/meshwright/failover-$i.state
    [ -r "$f" ] && grep -E '^(active|since|switches|last|updated)=' "$f" | sed 's/^/@failover /'
done
printf '@end\n'
)SH";
}

std::optional<HostSample> parse(const QByteArray &output, QString *error)
{
    auto fail = [&](int line, const QString &message) -> std::optional<HostSample> {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(line).arg(message);
        return std::nullopt;
    };
    if (output.size() > WgShow::MaxOutput * 3)
        return fail(0, QStringLiteral("more than %1 bytes: not the poll's output").arg(WgShow::MaxOutput * 3));
    const QList<QByteArray> lines = output.split('\n');
    HostSample sample;
    bool sawNow = false;
    bool ended = false;
    InterfaceSample *current = nullptr;
    QByteArray section; // latest-handshakes, transfer or endpoints
    QByteArray body;
    int bodyStart = 0;
    // Parses the section collected so far into the current interface.
    auto flush = [&]() -> bool {
        if (section.isEmpty())
            return true;
        QString why;
        bool ok = false;
        if (section == "latest-handshakes") {
            if (const auto parsed = WgShow::parseLatestHandshakes(body, &why)) {
                current->handshakes = *parsed;
                ok = true;
            }
        } else if (section == "transfer") {
            if (const auto parsed = WgShow::parseTransfer(body, &why)) {
                current->transfer = *parsed;
                ok = true;
            }
        } else if (const auto parsed = WgShow::parseEndpoints(body, &why)) {
            current->endpoints = *parsed;
            ok = true;
        }
        if (!ok && error) // the parsers count lines from the section's first
            *error = QStringLiteral("in %1 from line %2: %3").arg(QString::fromLatin1(section)).arg(bodyStart).arg(why);
        section.clear();
        body.clear();
        return ok;
    };
    for (int i = 0; i < lines.size(); ++i) {
        const int number = i + 1;
        const QByteArray &line = lines[i];
        if (ended) {
            if (!line.trimmed().isEmpty())
                return fail(number, QStringLiteral("output after the end"));
            continue;
        }
        if (!line.startsWith('@')) {
            if (section.isEmpty()) {
                if (line.trimmed().isEmpty())
                    continue;
                return fail(number, QStringLiteral("unexpected output outside a section"));
            }
            body += line + '\n';
            continue;
        }
        if (!flush())
            return std::nullopt;
        const QByteArray marker = line.mid(1).trimmed();
        if (!sawNow) {
            bool ok = false;
            const qint64 now = marker.startsWith("now ") ? marker.mid(4).toLongLong(&ok) : 0;
            if (!ok || now <= 0)
                return fail(number, QStringLiteral("expected the host's clock first"));
            sample.now = now;
            sawNow = true;
        } else if (marker.startsWith("interface ")) {
            const QString name = QString::fromUtf8(marker.mid(10));
            if (name.isEmpty() || sample.interfaces.contains(name))
                return fail(number, QStringLiteral("a missing or repeated interface name"));
            current = &sample.interfaces[name];
            current->up = true;
        } else if (marker == "down" && current) {
            current->up = false;
            current->handshakes.clear();
            current->transfer.clear();
            current->endpoints.clear();
        } else if ((marker == "latest-handshakes" || marker == "transfer" || marker == "endpoints") && current && current->up) {
            section = marker;
            bodyStart = number + 1;
        } else if (marker.startsWith("exit ") && current && current->up) {
            current->exitKey = QString::fromLatin1(marker.mid(5));
        } else if (marker.startsWith("failover ") && current && current->up) {
            const QByteArray pair = marker.mid(9);
            const qsizetype equals = pair.indexOf('=');
            if (equals <= 0)
                return fail(number, QStringLiteral("a failover line without KEY=VALUE"));
            current->failover.insert(QString::fromUtf8(pair.left(equals)), QString::fromUtf8(pair.mid(equals + 1)));
        } else if (marker == "end") {
            ended = true;
        } else {
            return fail(number, QStringLiteral("unexpected marker '%1'").arg(QString::fromLatin1(marker.left(32))));
        }
    }
    if (!sawNow)
        return fail(1, QStringLiteral("no output (is wg installed?)"));
    if (!ended)
        return fail(int(lines.size()), QStringLiteral("cut short (no end marker)"));
    return sample;
}

QString ageText(std::optional<qint64> seconds)
{
    if (!seconds)
        return QStringLiteral("never");
    const qint64 s = *seconds;
    if (s < 120)
        return QStringLiteral("%1 s ago").arg(s);
    if (s < 2 * 3600)
        return QStringLiteral("%1 min ago").arg(s / 60);
    if (s < 2 * 86400)
        return QStringLiteral("%1 h ago").arg(s / 3600);
    return QStringLiteral("%1 d ago").arg(s / 86400);
}

QString rateText(double bytesPerSecond)
{
    if (bytesPerSecond < 1024)
        return QStringLiteral("%1 B/s").arg(qRound64(bytesPerSecond));
    if (bytesPerSecond < 1024 * 1024)
        return QStringLiteral("%1 KiB/s").arg(bytesPerSecond / 1024, 0, 'f', 1);
    return QStringLiteral("%1 MiB/s").arg(bytesPerSecond / (1024 * 1024), 0, 'f', 1);
}

} // namespace StatusPoll
