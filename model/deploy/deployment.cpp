// What a deploy does: the hosts it switches, the files they get, the links it verifies.
#include "deployment.h"

#include "hostsfile.h"

#include "configfiles.h"
#include "hostjobs.h"
#include "ipaddress.h"
#include "openbsdhostname.h"
#include "planner.h"
#include "wgquick.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <vector>

QString deployStepName(DeployStep step)
{
    switch (step) {
    case DeployStep::Connect:
        return QStringLiteral("connect");
    case DeployStep::HostKey:
        return QStringLiteral("host key");
    case DeployStep::Auth:
        return QStringLiteral("authenticate");
    case DeployStep::Read:
        return QStringLiteral("read current config");
    case DeployStep::Upload:
        return QStringLiteral("upload");
    case DeployStep::Validate:
        return QStringLiteral("validate on host");
    case DeployStep::Arm:
        return QStringLiteral("arm rollback");
    case DeployStep::Install:
        return QStringLiteral("install");
    case DeployStep::Reload:
        return QStringLiteral("reload");
    case DeployStep::Routes:
        return QStringLiteral("routes");
    case DeployStep::Verify:
        return QStringLiteral("verify");
    case DeployStep::Confirm:
        return QStringLiteral("confirm");
    case DeployStep::Rollback:
        return QStringLiteral("roll back");
    case DeployStep::Done:
        return QStringLiteral("done");
    }
    return {};
}

QString unknownHostKey(DeployResult::Problem problem, const QString &reason)
{
    if (problem != DeployResult::Problem::HostKey)
        return {};
    static const QRegularExpression unknown(QStringLiteral("^unknown host key (SHA256:[A-Za-z0-9+/]+=*)"));
    const auto match = unknown.match(reason);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString deployOutcomeName(DeployResult::Outcome outcome)
{
    switch (outcome) {
    case DeployResult::Outcome::Unchanged:
        return QStringLiteral("unchanged");
    case DeployResult::Outcome::Updated:
        return QStringLiteral("updated");
    case DeployResult::Outcome::RolledBack:
        return QStringLiteral("rolled back");
    case DeployResult::Outcome::Failed:
        return QStringLiteral("failed");
    case DeployResult::Outcome::NotSwitched:
        return QStringLiteral("not switched");
    case DeployResult::Outcome::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString deployPhaseName(DeployPhase phase)
{
    switch (phase) {
    case DeployPhase::Prepare:
        return QStringLiteral("prepare");
    case DeployPhase::Switch:
        return QStringLiteral("switch");
    case DeployPhase::Verify:
        return QStringLiteral("verify");
    case DeployPhase::Confirm:
        return QStringLiteral("confirm");
    case DeployPhase::Rollback:
        return QStringLiteral("roll back");
    case DeployPhase::VerifyPrevious:
        return QStringLiteral("verify previous links");
    case DeployPhase::Done:
        return QStringLiteral("done");
    }
    return {};
}

DeployOptions DeployOptions::fromUser(const QString &knownHosts, int confirmTimeout, int jobs)
{
    DeployOptions options;
    options.knownHostsFile = knownHosts.trimmed();
    if (options.knownHostsFile.startsWith(QLatin1String("~/")))
        options.knownHostsFile = QDir::home().filePath(options.knownHostsFile.mid(2));
    options.confirmTimeout = confirmTimeout;
    options.verifyTimeout = std::min(30, confirmTimeout / 2);
    options.jobs = jobs;
    return options;
}

QStringList DeployPlan::hostNames() const
{
    QStringList names;
    for (const DeployTarget &target : targets)
        names.append(target.host);
    return names;
}

namespace Deployment {

namespace {

/// Fills the login part of \a target from \a host's ssh settings (which it must have):
/// the address (ssh.host, else NAME.DOMAIN of its site as wireguardmeshgenerator does,
/// else the site's IP), port, user, identity with ~/ expanded, sudo. False with \a error
/// when there is no address to connect to.
bool login(const Host &host, PollTarget *target, QString *error)
{
    const SshSettings &ssh = *host.ssh;
    target->host = host.name;
    target->os = host.os;
    const std::optional<SiteAddress> &site = host.internet ? host.internet : host.lan;
    if (!ssh.host.isEmpty())
        target->address = ssh.host;
    else if (site && !site->domain.isEmpty())
        target->address = host.name + QLatin1Char('.') + site->domain;
    else if (site)
        target->address = site->ip;
    if (target->address.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: no address to connect to (set ssh.host)").arg(host.name);
        return false;
    }
    target->port = ssh.port;
    target->user = ssh.user;
    target->identity = ssh.identity.startsWith(QLatin1String("~/")) ? QDir::homePath() + ssh.identity.mid(1) : ssh.identity;
    target->sudoCmd = ssh.sudoCmd;
    return true;
}

} // namespace

std::optional<QList<DeployTarget>> targets(const Project &project, const KeyStore &keys, const QStringList &hostNames,
                                           QString *error)
{
    const Planner planner(project);
    const QByteArray hostsBlock = project.defaults.hostsFile ? HostsFile::block(project) : QByteArray();
    QList<qsizetype> selected;
    for (const QString &name : hostNames) {
        const qsizetype index = project.indexOf(name);
        if (index < 0) {
            if (error)
                *error = QStringLiteral("no host '%1'").arg(name);
            return std::nullopt;
        }
        if (!project.hosts[index].ssh) {
            if (error)
                *error = QStringLiteral("%1 has no ssh settings: it is installed by hand (its QR code or configs)").arg(name);
            return std::nullopt;
        }
        if (!selected.contains(index))
            selected.append(index);
    }
    if (hostNames.isEmpty()) {
        for (qsizetype i = 0; i < project.hosts.size(); ++i) {
            if (project.hosts[i].ssh)
                selected.append(i);
        }
    } else {
        // A relayed link is switched and verified with the relay that carries it.
        for (qsizetype at = 0, chosen = selected.size(); at < chosen; ++at) {
            for (const qsizetype relay : planner.relaysOf(selected[at])) {
                if (project.hosts[relay].ssh && !selected.contains(relay))
                    selected.append(relay);
            }
        }
    }
    std::sort(selected.begin(), selected.end());
    QList<DeployTarget> result;
    for (const qsizetype index : std::as_const(selected)) {
        const Host &host = project.hosts[index];
        const SshSettings &ssh = *host.ssh;
        DeployTarget target;
        if (!login(host, &target, error))
            return std::nullopt;
        target.interfaces.clear(); // the planned interfaces below, in their order
        target.reloadCmd = ssh.reloadCmd;
        const QList<PlannedInterface> interfaces = planner.planAll(index, keys);
        for (const PlannedInterface &planned : interfaces) {
            const QString header = QStringLiteral("%1 (%2), generated by Meshwright. Edits here are overwritten; change "
                                                  "the project instead.")
                                       .arg(host.name, planned.interfaceName);
            target.files.append({ssh.confDir + QLatin1Char('/') + planned.interfaceName + QLatin1String(".conf"),
                                 WgQuick::write(planned.config, header)});
            target.interfaces.append(planned.interfaceName);
            // OpenBSD's netstart sets the interface up from /etc/hostname.wgN.
            if (host.isOpenBsd())
                target.files.append({QStringLiteral("/etc/hostname.") + planned.interfaceName,
                                     OpenBsdHostname::write(planned, header)});
            // An OpenBSD host that forwards (an exit gateway, a router): its pf anchor's rules.
            if (host.isOpenBsd() && !planned.pfRules.isEmpty())
                target.files.append({QLatin1String(ConfigFiles::PfRulesPath), ConfigFiles::pfRulesFile(planned)});
        }
        // Its jobs (failover, re-resolution), and empty files where it has none: their removal.
        for (const HostJobs::File &file : HostJobs::deployFiles(project, index, interfaces))
            target.files.append({file.path, file.content, file.block});
        // Off, the block is still merged: an empty one, which removes what an earlier
        // deploy wrote (a file without it stays as it is).
        target.files.append({QStringLiteral("/etc/hosts"), hostsBlock, true});
        result.append(target);
    }
    return result;
}

std::optional<QList<PollTarget>> pollTargets(const Project &project, QString *error)
{
    const Planner planner(project);
    QList<PollTarget> result;
    for (qsizetype index = 0; index < project.hosts.size(); ++index) {
        PollTarget target;
        if (!project.hosts[index].ssh)
            continue;
        if (!login(project.hosts[index], &target, error))
            return std::nullopt;
        target.interfaces = planner.interfaceNames(index);
        result.append(target);
    }
    return result;
}

std::optional<DeployPlan> plan(const Project &project, const KeyStore &keys, const QStringList &hostNames, QString *error)
{
    auto targets = Deployment::targets(project, keys, hostNames, error);
    if (!targets)
        return std::nullopt;
    DeployPlan plan;
    plan.targets = *targets;
    QList<HostFiles> files;
    QStringList inScope;
    for (const DeployTarget &target : std::as_const(plan.targets)) {
        files.append({target.host, target.files});
        inScope.append(target.host);
    }
    plan.links = linksBetween(files);
    const Planner planner(project);
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const Host &host = project.hosts[i];
        QStringList peersInScope;
        for (const qsizetype peer : planner.peersOf(i)) {
            if (inScope.contains(project.hosts[peer].name))
                peersInScope.append(project.hosts[peer].name);
        }
        if (peersInScope.isEmpty())
            continue;
        if (host.isExternal()) {
            continue; // its owner keeps its config
        } else if (!host.ssh) {
            plan.handInstalled.append({host.name, keys.publicKey(planner.keyIdFacing(i, project.indexOf(peersInScope.front())))});
        } else if (!inScope.contains(host.name)) {
            for (const QString &peer : std::as_const(peersInScope)) {
                const bool hostFirst = i < project.indexOf(peer);
                plan.waiting.append(QStringLiteral("%1 <-> %2 (%3 is left out of this deploy)")
                                        .arg(hostFirst ? host.name : peer, hostFirst ? peer : host.name, host.name));
            }
        }
    }
    return plan;
}

namespace {

/// One interface as the link finder sees it.
struct Interface
{
    QString host;
    qsizetype hostOrder = 0;
    QString name;
    QString publicKey;
    QList<IpAddress> addresses;
    QList<PeerConfig> peers;
};

/// The addresses in OpenBSD's hostname.wgN ("inet ADDR MASK ...", "inet6 ADDR LEN").
QList<IpAddress> openBsdAddresses(const QByteArray &text)
{
    QList<IpAddress> addresses;
    for (const QByteArray &raw : text.split('\n')) {
        const QList<QByteArray> words = raw.simplified().split(' ');
        if (words.size() >= 2 && (words[0] == "inet" || words[0] == "inet6")) {
            if (const auto address = IpAddress::parse(QString::fromLatin1(words[1])))
                addresses.append(*address);
        }
    }
    return addresses;
}

} // namespace

QList<DeployLink> linksBetween(const QList<HostFiles> &hosts)
{
    QList<Interface> interfaces;
    QHash<QString, qsizetype> byKey;
    for (qsizetype order = 0; order < hosts.size(); ++order) {
        const HostFiles &host = hosts[order];
        for (const DeployTarget::File &file : host.files) {
            if (!isInterfaceConfig(file.path) || file.content.isEmpty())
                continue;
            const auto config = WgQuick::parse(file.content);
            if (!config)
                continue;
            const auto publicKey = WireGuardKeys::publicKey(config->privateKey);
            if (!publicKey)
                continue;
            Interface interface{host.host, order, QFileInfo(file.path).completeBaseName(), *publicKey, {}, config->peers};
            for (const QString &text : config->addresses) {
                if (const auto prefix = IpPrefix::parse(text.trimmed(), true))
                    interface.addresses.append(prefix->address());
            }
            // OpenBSD keeps the addresses in hostname.wgN, beside the wg-quick file.
            for (const DeployTarget::File &other : host.files) {
                if (other.path.endsWith(QLatin1String("/hostname.") + interface.name))
                    interface.addresses += openBsdAddresses(other.content);
            }
            byKey.insert(interface.publicKey, interfaces.size());
            interfaces.append(interface);
        }
    }
    auto firstOf = [](const QList<IpAddress> &addresses, IpAddress::Family family) -> std::optional<IpAddress> {
        for (const IpAddress &address : addresses) {
            if (address.family() == family)
                return address;
        }
        return std::nullopt;
    };
    QList<DeployLink> links;
    // A link from \a from's interface to \a to's addresses, whose handshake is with \a peerKey.
    auto addLink = [&](const Interface &from, const Interface &to, const QString &peerKey, const QString &via) {
        DeployLink link;
        link.a = from.hostOrder < to.hostOrder ? from.host : to.host;
        link.b = from.hostOrder < to.hostOrder ? to.host : from.host;
        link.from = from.host;
        link.to = to.host;
        link.interfaceName = from.name;
        link.peerKey = peerKey;
        link.via = via;
        for (const auto family : {IpAddress::Family::V4, IpAddress::Family::V6}) {
            const auto target = firstOf(to.addresses, family);
            if (target && firstOf(from.addresses, family))
                link.addresses.append(target->toString());
        }
        if (!link.addresses.isEmpty())
            links.append(link);
    };
    QSet<std::pair<qsizetype, qsizetype>> seen;
    for (qsizetype i = 0; i < interfaces.size(); ++i) {
        const Interface &mine = interfaces[i];
        for (const PeerConfig &peer : mine.peers) {
            const auto found = byKey.constFind(peer.publicKey);
            if (found == byKey.cend() || interfaces[*found].host == mine.host)
                continue;
            const qsizetype j = *found;
            if (seen.contains({std::min(i, j), std::max(i, j)}))
                continue;
            seen.insert({std::min(i, j), std::max(i, j)});
            const Interface &theirs = interfaces[j];
            // The end that knows the other's endpoint sends: it can start the handshake.
            const auto back = std::find_if(theirs.peers.cbegin(), theirs.peers.cend(),
                                           [&](const PeerConfig &p) { return p.publicKey == mine.publicKey; });
            const bool mineDials = !peer.endpoint.isEmpty();
            const bool theyDial = back != theirs.peers.cend() && !back->endpoint.isEmpty();
            const Interface &from = mineDials || !theyDial ? mine : theirs;
            const Interface &to = &from == &mine ? theirs : mine;
            addLink(from, to, to.publicKey, QString());
        }
    }
    // Relayed links: an end whose peer entry for a relay also allows another host's own
    // address, a host it has no peer entry for, reaches that host through the relay. The
    // echo goes from the end that comes first in the project; the handshake it needs is
    // the relay's.
    QHash<IpAddress, qsizetype> byAddress;
    for (qsizetype i = 0; i < interfaces.size(); ++i) {
        for (const IpAddress &address : interfaces[i].addresses)
            byAddress.insert(address, i);
    }
    auto peerEntry = [&](const Interface &of, const Interface &to) {
        return std::any_of(of.peers.cbegin(), of.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == to.publicKey; });
    };
    for (qsizetype i = 0; i < interfaces.size(); ++i) {
        const Interface &mine = interfaces[i];
        for (const PeerConfig &peer : mine.peers) {
            const auto relay = byKey.constFind(peer.publicKey);
            if (relay == byKey.cend())
                continue;
            QStringList own; // the relay's own addresses, as configs write them: nothing to parse
            for (const IpAddress &address : interfaces[*relay].addresses)
                own.append(address.toString() + (address.isV6() ? QLatin1String("/128") : QLatin1String("/32")));
            for (const QString &text : peer.allowedIps) {
                if (own.contains(text))
                    continue;
                const auto prefix = IpPrefix::parse(text.trimmed());
                if (!prefix || prefix->length() != prefix->address().bitCount())
                    continue;
                const auto far = byAddress.constFind(prefix->address());
                if (far == byAddress.cend() || *far == *relay || *far == i)
                    continue;
                const Interface &theirs = interfaces[*far];
                if (theirs.host == mine.host || seen.contains({std::min(i, *far), std::max(i, *far)}) || peerEntry(mine, theirs)
                    || peerEntry(theirs, mine))
                    continue;
                seen.insert({std::min(i, *far), std::max(i, *far)});
                const Interface &from = mine.hostOrder < theirs.hostOrder ? mine : theirs;
                const Interface &to = &from == &mine ? theirs : mine;
                // The sender's own entry for the relay (the far end's may name another).
                const auto via = std::find_if(from.peers.cbegin(), from.peers.cend(), [&](const PeerConfig &p) {
                    return std::any_of(p.allowedIps.cbegin(), p.allowedIps.cend(), [&](const QString &allowed) {
                        const auto covered = IpPrefix::parse(allowed.trimmed());
                        return covered && covered->length() == covered->address().bitCount() && to.addresses.contains(covered->address());
                    });
                });
                const QString relayKey = via != from.peers.cend() ? via->publicKey : peer.publicKey;
                addLink(from, to, relayKey, interfaces[byKey.value(relayKey, *relay)].host);
            }
        }
    }
    std::sort(links.begin(), links.end(), [&](const DeployLink &x, const DeployLink &y) {
        auto order = [&](const QString &host) {
            return std::find_if(hosts.cbegin(), hosts.cend(), [&](const HostFiles &h) { return h.host == host; }) - hosts.cbegin();
        };
        return std::pair(order(x.a), order(x.b)) < std::pair(order(y.a), order(y.b));
    });
    return links;
}

bool isInterfaceConfig(const QString &path)
{
    return path.endsWith(QLatin1String(".conf")) && path != QLatin1String(ConfigFiles::PfRulesPath);
}

bool needsRestart(const QByteArray &before, const QByteArray &after)
{
    const auto a = WgQuick::parse(before);
    const auto b = WgQuick::parse(after);
    if (!a || !b)
        return true;
    // wg-quick routes a /0 through policy rules it sets up at `up` only.
    auto defaultRoutes = [](const InterfaceConfig &config) {
        QStringList routes;
        for (const PeerConfig &peer : config.peers) {
            for (const QString &text : peer.allowedIps) {
                if (const auto prefix = IpPrefix::parse(text.trimmed()); prefix && prefix->isDefaultRoute())
                    routes.append(peer.publicKey + QLatin1Char(' ') + prefix->toString());
            }
        }
        routes.sort();
        return routes;
    };
    return a->addresses != b->addresses || a->mtu != b->mtu || a->dns != b->dns || a->table != b->table
        || a->preUp != b->preUp || a->postUp != b->postUp || a->preDown != b->preDown || a->postDown != b->postDown
        || a->fwMark != b->fwMark || a->saveConfig != b->saveConfig || defaultRoutes(*a) != defaultRoutes(*b);
}

bool changesFor(const QByteArray &before, const QByteArray &after, const QString &peerKey)
{
    const auto b = WgQuick::parse(after);
    if (!b)
        return false;
    auto sectionOf = [&](const InterfaceConfig &config) -> const PeerConfig * {
        for (const PeerConfig &peer : config.peers) {
            if (peer.publicKey == peerKey)
                return &peer;
        }
        return nullptr;
    };
    const PeerConfig *now = sectionOf(*b);
    if (!now)
        return false; // not its peer any more: nothing to import
    const auto a = WgQuick::parse(before);
    if (!a)
        return true; // a new host: it needs its config in the first place
    const PeerConfig *was = sectionOf(*a);
    if (!was)
        return true;
    auto sorted = [](QStringList list) {
        for (QString &item : list)
            item = item.trimmed();
        list.sort();
        return list;
    };
    return WireGuardKeys::publicKey(a->privateKey) != WireGuardKeys::publicKey(b->privateKey) || a->listenPort != b->listenPort
        || sorted(a->addresses) != sorted(b->addresses) || was->presharedKey != now->presharedKey
        || sorted(was->allowedIps) != sorted(now->allowedIps);
}

QString diff(const QString &path, const QByteArray &before, const QByteArray &after)
{
    if (before == after)
        return {};
    const QStringList a = ConfigFiles::maskSecrets(QString::fromUtf8(before)).split(QLatin1Char('\n'));
    const QStringList b = ConfigFiles::maskSecrets(QString::fromUtf8(after)).split(QLatin1Char('\n'));
    // Longest common subsequence of lines: configs are small.
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
    for (qsizetype i = n - 1; i >= 0; --i) {
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[size_t(i)][size_t(j)] = a[i] == b[j] ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                                                     : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
    }
    QStringList out{QStringLiteral("--- %1 (on the host)").arg(path), QStringLiteral("+++ %1 (generated)").arg(path)};
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out.append(QLatin1Char(' ') + a[i]);
            ++i;
            ++j;
        } else if (i < n && (j == m || lcs[size_t(i + 1)][size_t(j)] >= lcs[size_t(i)][size_t(j + 1)])) {
            out.append(QLatin1Char('-') + a[i++]); // removals first, as diff -u prints them
        } else {
            out.append(QLatin1Char('+') + b[j++]);
        }
    }
    return out.join(QLatin1Char('\n'));
}

QStringList settleRotations(const Project &project, const QStringList &hosts, KeyStore &keys)
{
    const Planner planner(project);
    auto tookPart = [&](const QString &keyId) {
        const QString name = keyId.section(QLatin1Char('/'), 0, 0);
        const qsizetype index = project.indexOf(name);
        if (index < 0)
            return false;
        if (project.hosts[index].ssh)
            return hosts.contains(name);
        // Installed by hand: it was told to re-import when a peer of it took part.
        const QList<qsizetype> peers = planner.peersOf(index);
        return std::any_of(peers.cbegin(), peers.cend(), [&](qsizetype peer) { return hosts.contains(project.hosts[peer].name); });
    };
    auto sshEnd = [&](const QString &keyId) {
        const qsizetype index = project.indexOf(keyId.section(QLatin1Char('/'), 0, 0));
        return index >= 0 && project.hosts[index].ssh.has_value();
    };
    QStringList settled;
    for (const QString &keyId : keys.pendingKeyIds()) {
        if (tookPart(keyId)) {
            keys.commitRotation(keyId);
            settled.append(QStringLiteral("%1's key pair").arg(keyId));
        }
    }
    for (const auto &[a, b] : keys.pendingPresharedPairs()) {
        const bool done = (!sshEnd(a) || tookPart(a)) && (!sshEnd(b) || tookPart(b)) && (tookPart(a) || tookPart(b));
        if (done) {
            keys.commitPresharedRotation(a, b);
            settled.append(QStringLiteral("the preshared key of %1 <-> %2").arg(a, b));
        }
    }
    return settled;
}

} // namespace Deployment
