// Tests of MeshDocument: its commands on the real undo stack, signals, links, save and load.
#include "hostpresets.h"
#include "meshdocument.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "validator.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <sys/stat.h>

namespace {

QByteArray fingerprint(const MeshDocument &document)
{
    return QCryptographicHash::hash(ProjectFile::serialize(document.project()), QCryptographicHash::Sha256).toHex();
}

/// The links of \a document as "a b kind one-sided", by name (ids differ between documents).
QStringList namedLinks(const MeshDocument &document)
{
    QStringList named;
    for (const MeshLink &link : document.links())
        named.append(QStringLiteral("%1 %2 %3 %4").arg(document.host(link.a)->name, document.host(link.b)->name)
                         .arg(int(link.kind)).arg(link.oneSided));
    return named;
}

/// What \a document derives and keeps between edits (its planner, links and findings)
/// is what a fresh look at its project gives.
void verifyDerived(const MeshDocument &document, const QString &step)
{
    const Project &project = document.project();
    QVERIFY2(document.diagnostics() == Validator::validate(project), qPrintable(step));
    MeshDocument fresh;
    fresh.reset(project);
    QVERIFY2(namedLinks(document) == namedLinks(fresh), qPrintable(step));
    const Planner planner(project);
    const Planner &kept = document.planner();
    for (qsizetype a = 0; a < project.hosts.size(); ++a) {
        for (qsizetype b = 0; b < project.hosts.size(); ++b) {
            QVERIFY2(kept.hasPeer(a, b) == planner.hasPeer(a, b), qPrintable(step));
            if (planner.hasPeer(a, b)) {
                QVERIFY2(kept.allowedIps(a, b) == planner.allowedIps(a, b), qPrintable(step));
                QVERIFY2(kept.endpoint(a, b) == planner.endpoint(a, b), qPrintable(step));
                QVERIFY2(kept.keepalive(a, b) == planner.keepalive(a, b), qPrintable(step));
            }
        }
    }
}

bool peersOf(const Project &project, const QString &host, const QString &peer)
{
    const Planner planner(project);
    return planner.hasPeer(project.indexOf(host), project.indexOf(peer));
}

} // namespace

class tst_MeshDocument : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void addHostUndoRedo();
    void newHostsJoinWhatTheyCanReach();
    void removeHostsTakesTheirReferences();
    void renameFollowsReferencesAndKeys();
    void renameKeepsLinkSettingsOfEachEnd();
    void connectAndDisconnect();
    void moveIsOneStep();
    void repeatedEditsOfOneFieldMerge();
    void linkSettings();
    void linksHaveKinds();
    void nextFreeAddress();
    void randomEditsUndoToTheStart();
    void saveAndLoad();
    void newHostNeverInheritsOldKeys();
    void renameKeepsComments();
    void shownKeysAreKept();

private:
    MeshDocument m_document;
};

void tst_MeshDocument::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_MeshDocument::init()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_document.reset(*project);
    QVERIFY(!m_document.isModified());
}

void tst_MeshDocument::addHostUndoRedo()
{
    QSignalSpy added(&m_document, &MeshDocument::hostAdded);
    QSignalSpy removed(&m_document, &MeshDocument::hostRemoved);
    QSignalSpy modified(&m_document, &MeshDocument::modificationChanged);
    const QByteArray before = fingerprint(m_document);
    Host host = HostPresets::create(QStringLiteral("linux-server"), m_document);
    QCOMPARE(host.name, QStringLiteral("server"));
    QCOMPARE(host.meshInterface().ip, QStringLiteral("10.77.0.3")); // .1, .2 are the gateways'
    QCOMPARE(host.meshInterface().ipv6, QStringLiteral("fd77:77::3"));
    QCOMPARE(host.lan->ip, QStringLiteral("192.168.10.10"));
    host.position = QPointF(10, 20);
    const HostId id = m_document.addHost(host);
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.front().front().value<HostId>(), id);
    QCOMPARE(m_document.project().hosts.size(), 8);
    QVERIFY(m_document.isModified());
    QCOMPARE(modified.size(), 1);
    QVERIFY(m_document.keys().hasPrivateKey(QStringLiteral("server")));
    QCOMPARE(m_document.undoStack()->count(), 1);

    m_document.undoStack()->undo();
    QCOMPARE(removed.size(), 1);
    QCOMPARE(fingerprint(m_document), before);
    QVERIFY(!m_document.isModified());
    m_document.undoStack()->redo();
    QCOMPARE(m_document.host(id)->position, QPointF(10, 20));
    QCOMPARE(m_document.indexOf(id), 7);

    // The same preset again gets a unique name and the next address.
    const Host second = HostPresets::create(QStringLiteral("linux-server"), m_document);
    QCOMPARE(second.name, QStringLiteral("server-2"));
    QCOMPARE(second.meshInterface().ip, QStringLiteral("10.77.0.4"));
    QCOMPARE(second.lan->ip, QStringLiteral("192.168.10.11"));
}

void tst_MeshDocument::newHostsJoinWhatTheyCanReach()
{
    const HostId phone = m_document.addHost(HostPresets::create(QStringLiteral("phone"), m_document));
    const Project &project = m_document.project();
    const QString name = m_document.host(phone)->name;
    QCOMPARE(name, QStringLiteral("phone-2"));
    // A roaming phone reaches the gateways only; the LAN hosts and the other roaming
    // clients exclude it, and it them, on both sides.
    QVERIFY(peersOf(project, name, QStringLiteral("puffer")));
    QVERIFY(peersOf(project, QStringLiteral("cloudgw"), name));
    for (const char *other : {"nas", "k3s-a", "laptop", "phone"}) {
        QVERIFY2(!peersOf(project, name, QLatin1String(other)), other);
        QVERIFY2(!peersOf(project, QLatin1String(other), name), other);
    }
    QVERIFY(!hasErrors(m_document.diagnostics()));
    QCOMPARE(m_document.undoStack()->count(), 1);
    m_document.undoStack()->undo();
    QVERIFY(!m_document.project().host(QStringLiteral("nas"))->excludePeers.contains(name));
}

void tst_MeshDocument::removeHostsTakesTheirReferences()
{
    Host phone = *m_document.project().host(QStringLiteral("phone"));
    phone.exits = {QStringLiteral("cloudgw"), QStringLiteral("puffer")};
    QVERIFY(m_document.changeHost(m_document.idOf(QStringLiteral("phone")), phone, QStringLiteral("Exits")));
    QVERIFY(m_document.project().host(QStringLiteral("phone"))->exits.contains(QStringLiteral("cloudgw")));
    m_document.removeHosts({m_document.idOf(QStringLiteral("cloudgw"))});
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->exits, QStringList{QStringLiteral("puffer")});
    m_document.undoStack()->undo();
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->exits, phone.exits);
    m_document.undoStack()->undo();

    LinkSettings settings;
    settings.keepalive = 10;
    m_document.setLinkSettings(m_document.idOf(QStringLiteral("laptop")), m_document.idOf(QStringLiteral("puffer")), settings);
    const QByteArray before = fingerprint(m_document);
    QSignalSpy aboutToRemove(&m_document, &MeshDocument::hostAboutToBeRemoved);
    m_document.removeHosts({m_document.idOf(QStringLiteral("laptop")), m_document.idOf(QStringLiteral("nas"))});
    QCOMPARE(aboutToRemove.size(), 2);
    const Project &project = m_document.project();
    QCOMPARE(project.hosts.size(), 5);
    for (const Host &host : project.hosts) {
        QVERIFY(!host.excludePeers.contains(QStringLiteral("laptop")));
        QVERIFY(!host.excludePeers.contains(QStringLiteral("nas")));
    }
    QVERIFY(project.links.isEmpty());
    QVERIFY(!hasErrors(m_document.diagnostics()));
    m_document.undoStack()->undo();
    QCOMPARE(fingerprint(m_document), before);
    QCOMPARE(m_document.project().hosts[0].name, QStringLiteral("nas")); // back in its place
}

void tst_MeshDocument::renameFollowsReferencesAndKeys()
{
    const HostId laptop = m_document.idOf(QStringLiteral("laptop"));
    const QString key = m_document.keys().privateKey(QStringLiteral("laptop"));
    Host renamed = *m_document.host(laptop);
    renamed.name = QStringLiteral("notebook");
    m_document.changeHost(laptop, renamed, QStringLiteral("Rename"));
    QVERIFY(m_document.project().host(QStringLiteral("phone"))->excludePeers.contains(QStringLiteral("notebook")));
    QVERIFY(!m_document.project().host(QStringLiteral("phone"))->excludePeers.contains(QStringLiteral("laptop")));
    QCOMPARE(m_document.keys().privateKey(QStringLiteral("notebook")), key);
    QVERIFY(!hasErrors(m_document.diagnostics()));
    QCOMPARE(m_document.undoStack()->count(), 1);
    m_document.undoStack()->undo();
    QVERIFY(m_document.project().host(QStringLiteral("phone"))->excludePeers.contains(QStringLiteral("laptop")));
    QCOMPARE(m_document.host(laptop)->name, QStringLiteral("laptop"));

    // A client's exits follow a gateway's new name.
    const HostId puffer = m_document.idOf(QStringLiteral("puffer"));
    Host phone = *m_document.project().host(QStringLiteral("phone"));
    phone.exits = {QStringLiteral("cloudgw"), QStringLiteral("puffer")};
    QVERIFY(m_document.changeHost(m_document.idOf(QStringLiteral("phone")), phone, QStringLiteral("Exits")));
    Host gateway = *m_document.host(puffer);
    gateway.name = QStringLiteral("blowfish");
    QVERIFY(m_document.changeHost(puffer, gateway, QStringLiteral("Rename")));
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->exits, QStringList({QStringLiteral("cloudgw"), QStringLiteral("blowfish")}));
    m_document.undoStack()->undo();
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->exits, phone.exits);
}

void tst_MeshDocument::renameKeepsLinkSettingsOfEachEnd()
{
    // Every per-end setting of a link survives a rename of that end: in the document,
    // through a save and a load, and in what the planner makes of it.
    const QString bgp = QStringLiteral("10.96.0.0/24");
    const QString extra = QStringLiteral("192.168.60.0/24");
    LinkSettings settings;
    settings.a = QStringLiteral("nas");
    settings.b = QStringLiteral("k3s-a");
    settings.end(QStringLiteral("k3s-a")).bgpPrefixes = {bgp};
    settings.end(QStringLiteral("k3s-a")).endpoint = QStringLiteral("192.168.10.30:56709");
    settings.end(QStringLiteral("nas")).allowedIps = {extra};
    const HostId k3s = m_document.idOf(QStringLiteral("k3s-a"));
    m_document.setLinkSettings(m_document.idOf(QStringLiteral("nas")), k3s, settings);

    Host renamed = *m_document.host(k3s);
    renamed.name = QStringLiteral("k3s-1");
    QVERIFY(m_document.changeHost(k3s, renamed, QStringLiteral("Rename")));
    const LinkSettings *link = m_document.project().linkSettings(QStringLiteral("nas"), QStringLiteral("k3s-1"));
    QVERIFY(link);
    QCOMPARE(link->end(QStringLiteral("k3s-1")).bgpPrefixes, QStringList{bgp});
    QCOMPARE(link->end(QStringLiteral("k3s-1")).endpoint, QStringLiteral("192.168.10.30:56709"));
    QCOMPARE(link->end(QStringLiteral("nas")).allowedIps, QStringList{extra});

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.yaml"));
    QString error;
    QVERIFY2(m_document.save(path, &error), qPrintable(error));
    ProjectFile::LoadError loadError;
    const auto reloaded = ProjectFile::load(path, &loadError);
    QVERIFY2(reloaded, qPrintable(loadError.toString()));
    QCOMPARE(reloaded->links, m_document.project().links);
    const Planner planner(*reloaded);
    const qsizetype nas = reloaded->indexOf(QStringLiteral("nas"));
    const qsizetype k3s1 = reloaded->indexOf(QStringLiteral("k3s-1"));
    QVERIFY(planner.allowedIps(nas, k3s1).contains(bgp));
    QVERIFY(planner.allowedIps(k3s1, nas).contains(extra));
    QCOMPARE(planner.endpoint(nas, k3s1), QStringLiteral("192.168.10.30:56709"));

    m_document.undoStack()->undo();
    link = m_document.project().linkSettings(QStringLiteral("nas"), QStringLiteral("k3s-a"));
    QVERIFY(link);
    QCOMPARE(link->end(QStringLiteral("k3s-a")).bgpPrefixes, QStringList{bgp});
}

void tst_MeshDocument::connectAndDisconnect()
{
    const HostId nas = m_document.idOf(QStringLiteral("nas"));
    const HostId k3s = m_document.idOf(QStringLiteral("k3s-a"));
    QSignalSpy linksChanged(&m_document, &MeshDocument::linksChanged);
    m_document.setLinked(nas, k3s, false);
    QVERIFY(!peersOf(m_document.project(), QStringLiteral("nas"), QStringLiteral("k3s-a")));
    QVERIFY(!peersOf(m_document.project(), QStringLiteral("k3s-a"), QStringLiteral("nas")));
    QVERIFY(linksChanged.size() >= 1);
    m_document.setLinked(nas, k3s, true);
    QVERIFY(peersOf(m_document.project(), QStringLiteral("nas"), QStringLiteral("k3s-a")));
    QCOMPARE(m_document.undoStack()->count(), 2);
    m_document.removeLinks({{nas, k3s}, {nas, m_document.idOf(QStringLiteral("puffer"))}});
    QCOMPARE(m_document.undoStack()->count(), 3);
    QVERIFY(!peersOf(m_document.project(), QStringLiteral("puffer"), QStringLiteral("nas")));
    m_document.undoStack()->undo();
    QVERIFY(peersOf(m_document.project(), QStringLiteral("puffer"), QStringLiteral("nas")));
}

void tst_MeshDocument::moveIsOneStep()
{
    // The example has no positions: the document laid it out when it was opened.
    const std::optional<QPointF> laidOut = m_document.project().host(QStringLiteral("phone"))->position;
    QVERIFY(laidOut);
    QHash<HostId, QPointF> positions;
    positions.insert(m_document.idOf(QStringLiteral("nas")), QPointF(1, 2));
    positions.insert(m_document.idOf(QStringLiteral("phone")), QPointF(3, 4));
    QSignalSpy changed(&m_document, &MeshDocument::hostChanged);
    m_document.moveHosts(positions, QStringLiteral("Move"));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(m_document.undoStack()->count(), 1);
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->position, QPointF(3, 4));
    m_document.undoStack()->undo();
    QCOMPARE(m_document.project().host(QStringLiteral("phone"))->position, laidOut);
    m_document.moveHosts({}, QStringLiteral("Nothing"));
    QCOMPARE(m_document.undoStack()->count(), 1);
}

void tst_MeshDocument::repeatedEditsOfOneFieldMerge()
{
    const HostId nas = m_document.idOf(QStringLiteral("nas"));
    const Host original = *m_document.host(nas);
    auto setPort = [&](int port, const QString &field) {
        Host changed = *m_document.host(nas);
        changed.meshInterface().listenPort = port;
        return m_document.changeHost(nas, changed, QStringLiteral("Port"), field);
    };
    const QString port = QStringLiteral("listenPort");
    for (int p = 51821; p <= 51825; ++p)
        QVERIFY(setPort(p, port));
    QCOMPARE(m_document.undoStack()->count(), 1);
    m_document.undoStack()->undo();
    QCOMPARE(*m_document.host(nas), original);
    m_document.undoStack()->redo();
    QCOMPARE(m_document.host(nas)->meshInterface().listenPort, 51825);
    // Without a field, or with another host or field, edits stay apart.
    QVERIFY(setPort(51826, QString()));
    QVERIFY(setPort(51827, port));
    QCOMPARE(m_document.undoStack()->count(), 3);
    Host k3s = *m_document.project().host(QStringLiteral("k3s-a"));
    k3s.meshInterface().listenPort = 51900;
    QVERIFY(m_document.changeHost(m_document.idOf(QStringLiteral("k3s-a")), k3s, QStringLiteral("Port"), port));
    QVERIFY(setPort(51828, port));
    QCOMPARE(m_document.undoStack()->count(), 5);
    // A save draws a line: the edits after it are a step of their own.
    m_document.undoStack()->setClean();
    QVERIFY(setPort(51829, port));
    QCOMPARE(m_document.undoStack()->count(), 6);
    // Stepping back to where the step started leaves no step at all.
    QVERIFY(setPort(51830, port));
    QVERIFY(setPort(51828, port));
    QCOMPARE(m_document.undoStack()->count(), 5);
    QVERIFY(m_document.undoStack()->isClean());
    // Link settings merge per link and field the same way.
    const HostId k3sId = m_document.idOf(QStringLiteral("k3s-a"));
    for (const int keepalive : {10, 11, 12}) {
        LinkSettings settings;
        settings.keepalive = keepalive;
        m_document.setLinkSettings(nas, k3sId, settings, QStringLiteral("keepalive"));
    }
    QCOMPARE(m_document.undoStack()->count(), 6);
    QCOMPARE(m_document.project().linkSettings(QStringLiteral("nas"), QStringLiteral("k3s-a"))->keepalive, 12);
    m_document.undoStack()->undo();
    QVERIFY(!m_document.project().linkSettings(QStringLiteral("nas"), QStringLiteral("k3s-a")));
}

void tst_MeshDocument::linkSettings()
{
    const HostId laptop = m_document.idOf(QStringLiteral("laptop"));
    const HostId puffer = m_document.idOf(QStringLiteral("puffer"));
    LinkSettings settings;
    settings.presharedKey = false;
    m_document.setLinkSettings(puffer, laptop, settings);
    QCOMPARE(m_document.project().links.size(), 1);
    QVERIFY(m_document.project().linkSettings(QStringLiteral("laptop"), QStringLiteral("puffer")));
    QVERIFY(!m_document.project().links[0].presharedKey);
    m_document.setLinkSettings(puffer, laptop, std::nullopt);
    QVERIFY(m_document.project().links.isEmpty());
    QCOMPARE(m_document.undoStack()->count(), 2);
}

void tst_MeshDocument::linksHaveKinds()
{
    // 3 LAN + 2 gateways: 10 mesh links; laptop and phone to 2 gateways each.
    QCOMPARE(m_document.links().size(), 14);
    const auto find = [&](const char *a, const char *b) {
        for (const MeshLink &link : m_document.links()) {
            if ((link.a == m_document.idOf(QLatin1String(a)) && link.b == m_document.idOf(QLatin1String(b)))
                || (link.b == m_document.idOf(QLatin1String(a)) && link.a == m_document.idOf(QLatin1String(b))))
                return std::optional<MeshLink>(link);
        }
        return std::optional<MeshLink>();
    };
    QCOMPARE(find("nas", "puffer")->kind, MeshLink::Kind::Mesh);
    QCOMPARE(find("phone", "puffer")->kind, MeshLink::Kind::FullTunnel); // the first exit
    QCOMPARE(find("phone", "cloudgw")->kind, MeshLink::Kind::StandbyExit);
    {
        Host reordered = *m_document.project().host(QStringLiteral("phone"));
        reordered.exits = {QStringLiteral("cloudgw"), QStringLiteral("puffer")};
        m_document.changeHost(m_document.idOf(QStringLiteral("phone")), reordered, QStringLiteral("Exits"));
        QCOMPARE(find("phone", "cloudgw")->kind, MeshLink::Kind::FullTunnel);
        QCOMPARE(find("phone", "puffer")->kind, MeshLink::Kind::StandbyExit);
        m_document.undoStack()->undo();
    }
    QVERIFY(!find("phone", "nas"));
    // One side drops its exclusion: a half link, shown as such.
    Host phone = *m_document.project().host(QStringLiteral("phone"));
    phone.excludePeers.removeAll(QStringLiteral("nas"));
    phone.gateway = false;
    m_document.changeHost(m_document.idOf(QStringLiteral("phone")), phone, QStringLiteral("Edit"));
    QVERIFY(find("phone", "nas")->oneSided);
    QCOMPARE(find("phone", "cloudgw")->kind, MeshLink::Kind::Roaming);
}

void tst_MeshDocument::nextFreeAddress()
{
    QCOMPARE(m_document.nextFreeAddress(false), QStringLiteral("10.77.0.3"));
    QCOMPARE(m_document.nextFreeAddress(true), QStringLiteral("fd77:77::3"));
    Project empty;
    m_document.reset(empty);
    QVERIFY(m_document.nextFreeAddress(false).isEmpty());
    empty.network.ipv4 = IpPrefix::parse(QStringLiteral("10.10.0.0/30"));
    m_document.reset(empty);
    QCOMPARE(m_document.nextFreeAddress(false), QStringLiteral("10.10.0.1"));
    m_document.addHost(HostPresets::create(QStringLiteral("laptop"), m_document));
    m_document.addHost(HostPresets::create(QStringLiteral("laptop"), m_document));
    QVERIFY(m_document.nextFreeAddress(false).isEmpty()); // .3 is the broadcast address
    QVERIFY(m_document.nextFreeAddress(true).isEmpty());  // no IPv6 in this mesh
}

void tst_MeshDocument::randomEditsUndoToTheStart()
{
    const QByteArray start = fingerprint(m_document);
    QRandomGenerator random(20261121);
    const QStringList presets{"linux-server", "freebsd-server", "openbsd-gateway", "cloud-gateway", "laptop", "phone"};
    for (int step = 0; step < 200; ++step) {
        const QList<HostId> ids = m_document.hostIds();
        const HostId some = ids.isEmpty() ? 0 : ids[random.bounded(int(ids.size()))];
        const HostId other = ids.isEmpty() ? 0 : ids[random.bounded(int(ids.size()))];
        switch (random.bounded(8)) {
        case 0: {
            Host host = HostPresets::create(presets[random.bounded(int(presets.size()))], m_document);
            host.position = QPointF(random.bounded(1000), random.bounded(1000));
            m_document.addHost(host);
            break;
        }
        case 1:
            if (ids.size() > 3)
                m_document.removeHosts({some});
            break;
        case 2:
            m_document.moveHosts({{some, QPointF(random.bounded(500), random.bounded(500))}}, QStringLiteral("Move"));
            break;
        case 3:
            m_document.setLinked(some, other, random.bounded(2) == 0);
            break;
        case 4: {
            if (!some)
                break;
            Host host = *m_document.host(some);
            host.name = m_document.uniqueHostName(host.name + QStringLiteral("x"));
            host.gateway = !host.gateway;
            m_document.changeHost(some, host, QStringLiteral("Edit"));
            break;
        }
        case 5: {
            LinkSettings settings;
            settings.keepalive = random.bounded(60);
            m_document.setLinkSettings(some, other, settings);
            break;
        }
        case 6: {
            Defaults defaults = m_document.project().defaults;
            defaults.listenPort = 50000 + random.bounded(1000);
            m_document.setDefaults(defaults, m_document.project().network);
            break;
        }
        case 7: {
            // An edit that keeps names and exclude lists: the document keeps their resolution.
            if (!some)
                break;
            Host host = *m_document.host(some);
            host.meshInterface().ip = m_document.nextFreeAddress(false);
            if (!host.lan && !host.internet)
                host.lan = SiteAddress{QString(), QStringLiteral("192.168.9.%1").arg(random.bounded(1, 250))};
            m_document.changeHost(some, host, QStringLiteral("Readdress"));
            break;
        }
        }
        // Every few steps, as asking builds what the next edit must replace.
        if (step % 5 == 0) {
            verifyDerived(m_document, QStringLiteral("after step %1").arg(step));
            if (QTest::currentTestFailed())
                return;
        }
    }
    QVERIFY(m_document.undoStack()->count() > 150);
    const QByteArray end = fingerprint(m_document);
    QVERIFY(end != start);
    while (m_document.undoStack()->canUndo()) {
        m_document.undoStack()->undo();
        if (m_document.undoStack()->index() % 7 == 0) {
            verifyDerived(m_document, QStringLiteral("undo to %1").arg(m_document.undoStack()->index()));
            if (QTest::currentTestFailed())
                return;
        }
    }
    QCOMPARE(fingerprint(m_document), start);
    QVERIFY(!m_document.isModified());
    while (m_document.undoStack()->canRedo())
        m_document.undoStack()->redo();
    QCOMPARE(fingerprint(m_document), end);
    verifyDerived(m_document, QStringLiteral("after the redos"));
}

void tst_MeshDocument::saveAndLoad()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.yaml"));
    Host host = HostPresets::create(QStringLiteral("phone"), m_document);
    host.position = QPointF(-50.5, 75);
    m_document.addHost(host);
    QSignalSpy pathChanged(&m_document, &MeshDocument::filePathChanged);
    QString error;
    QVERIFY2(m_document.save(path, &error), qPrintable(error));
    QCOMPARE(pathChanged.size(), 1);
    QVERIFY(!m_document.isModified());
    struct stat info{};
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("mesh.keys"))).constData(), &info), 0);
    QCOMPARE(int(info.st_mode & 0777), 0600);

    MeshDocument reopened;
    QVERIFY2(reopened.load(path, &error), qPrintable(error));
    QCOMPARE(reopened.project(), m_document.project());
    QCOMPARE(reopened.keys().privateKey(QStringLiteral("phone-2")), m_document.keys().privateKey(QStringLiteral("phone-2")));
    QCOMPARE(reopened.keys().presharedKey(QStringLiteral("phone-2"), QStringLiteral("puffer")),
             m_document.keys().presharedKey(QStringLiteral("phone-2"), QStringLiteral("puffer")));

    // A file that cannot be read leaves the open document as it was.
    QFile bad(dir.filePath(QStringLiteral("bad.yaml")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("hosts: [\n");
    bad.close();
    QVERIFY(!reopened.load(bad.fileName(), &error));
    QVERIFY2(error.startsWith(bad.fileName() + QLatin1Char(':')), qPrintable(error));
    QCOMPARE(reopened.project(), m_document.project());
    QCOMPARE(reopened.filePath(), QFileInfo(path).absoluteFilePath());
}

void tst_MeshDocument::newHostNeverInheritsOldKeys()
{
    const HostId phone = m_document.idOf(QStringLiteral("phone"));
    const QString oldKey = m_document.keys().privateKey(QStringLiteral("phone"));
    m_document.plan(phone); // makes the phone's keys, its PSK with puffer among them
    const QString oldPsk = m_document.keys().presharedKey(QStringLiteral("phone"), QStringLiteral("puffer"));
    m_document.removeHosts({phone});
    // A lost phone is deleted; the new one gets the same name but never its keys.
    const HostId fresh = m_document.addHost(HostPresets::create(QStringLiteral("phone"), m_document));
    QCOMPARE(m_document.host(fresh)->name, QStringLiteral("phone"));
    QVERIFY(m_document.keys().privateKey(QStringLiteral("phone")) != oldKey);
    QVERIFY(m_document.keys().presharedKey(QStringLiteral("phone"), QStringLiteral("puffer")) != oldPsk);
    const QString freshKey = m_document.keys().privateKey(QStringLiteral("phone"));
    // Undoing both brings the old phone back with its keys; redo gives the new one its own.
    m_document.undoStack()->undo();
    m_document.undoStack()->undo();
    QCOMPARE(m_document.keys().privateKey(QStringLiteral("phone")), oldKey);
    QCOMPARE(m_document.keys().presharedKey(QStringLiteral("phone"), QStringLiteral("puffer")), oldPsk);
    m_document.undoStack()->redo();
    m_document.undoStack()->redo();
    QCOMPARE(m_document.keys().privateKey(QStringLiteral("phone")), freshKey);
}

void tst_MeshDocument::renameKeepsComments()
{
    const QByteArray before = ProjectFile::serialize(m_document.project());
    QVERIFY(before.contains("    # Android phone: import its config by QR code in the WireGuard app.\n"));
    Host phone = *m_document.project().host(QStringLiteral("phone"));
    phone.name = QStringLiteral("handy");
    QVERIFY(m_document.changeHost(m_document.idOf(QStringLiteral("phone")), phone, QStringLiteral("Rename")));
    const QByteArray after = ProjectFile::serialize(m_document.project());
    QVERIFY(after.contains("  handy:\n    # Android phone: import its config by QR code in the WireGuard app.\n"));
    m_document.undoStack()->undo();
    QCOMPARE(ProjectFile::serialize(m_document.project()), before);
    // Names stay unique.
    phone.name = QStringLiteral("laptop");
    QVERIFY(!m_document.changeHost(m_document.idOf(QStringLiteral("phone")), phone, QStringLiteral("Rename")));
}

void tst_MeshDocument::shownKeysAreKept()
{
    // A saved project without a key store: what a pane shows is committed at once, so a
    // QR code scanned now matches the gateways' configs generated later.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.yaml"));
    QString error;
    QVERIFY(ProjectFile::save(path, m_document.project(), &error));
    MeshDocument document;
    QVERIFY2(document.load(path, &error), qPrintable(error));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("mesh.keys"))));
    const QByteArray loaded = TestSupport::readFile(dir.filePath(QStringLiteral("mesh.keys")));
    const PlannedInterface phone = document.plan(document.idOf(QStringLiteral("phone"))).front();
    // Planning makes keys in memory only; the pane that shows them commits them.
    QCOMPARE(TestSupport::readFile(dir.filePath(QStringLiteral("mesh.keys"))), loaded);
    QVERIFY2(document.commitKeys(&error), qPrintable(error));
    QVERIFY(!document.isModified());
    KeyStore saved;
    QVERIFY(saved.load(dir.filePath(QStringLiteral("mesh.keys")), &error));
    QCOMPARE(saved.privateKey(QStringLiteral("phone")), phone.config.privateKey);
    QCOMPARE(saved.presharedKey(QStringLiteral("phone"), QStringLiteral("puffer")), phone.config.peers[0].presharedKey.toBase64());
}

QTEST_GUILESS_MAIN(tst_MeshDocument)
#include "tst_meshdocument.moc"
