// Tests of ConfigImport: generated configs read back into a project with the same meaning,
// the layouts it finds, and the losses it refuses with their file and line.
#include "configimport.h"
#include "importsupport.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class tst_ConfigImport : public QObject
{
    Q_OBJECT

private slots:
    void generatedConfigsComeBackTheSame_data();
    void generatedConfigsComeBackTheSame();
    void layouts();
    void freeBsdFromItsFolder();
    void lossesNameFileAndLine();
    void unreadableConfigsFail();
};

void tst_ConfigImport::generatedConfigsComeBackTheSame_data()
{
    QTest::addColumn<QString>("layout");
    QTest::newRow("HOST/wg0.conf") << QStringLiteral("%1/wg0.conf");
    QTest::newRow("NAME.conf") << QStringLiteral("%1.conf");
    QTest::newRow("dist tree") << QStringLiteral("dist/%1/etc/wireguard/wg0.conf");
}

void tst_ConfigImport::generatedConfigsComeBackTheSame()
{
    // Every host's config generated from a project with overrides of every kind, read back:
    // no loss, the same keys, and the imported project plans every host the same.
    QFETCH(QString, layout);
    ProjectFile::LoadError loadError;
    const auto original = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml")), &loadError);
    QVERIFY2(original, qPrintable(loadError.toString()));
    KeyStore keys;
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeEstate(*original, keys, dir.path(), layout));
    const Planner planner(*original);

    QStringList notes;
    QString error;
    const auto sources = ConfigImport::collect({dir.path()}, {}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    QCOMPARE(sources->size(), original->hosts.size());
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QStringList losses;
    for (const ConfigImport::Loss &loss : imported->losses)
        losses.append(loss.toString());
    QCOMPARE(losses, QStringList());

    const Project &project = imported->project;
    const Planner again(project);
    for (qsizetype i = 0; i < original->hosts.size(); ++i) {
        const Host &was = original->hosts[i];
        const qsizetype at = project.indexOf(was.name);
        QVERIFY2(at >= 0, qPrintable(was.name));
        QCOMPARE(project.hosts[at].role(), was.role());
        QCOMPARE(imported->keys.privateKey(was.name), keys.privateKey(was.name));
        QCOMPARE(WgQuick::canonical(again.plan(at, imported->keys).config), WgQuick::canonical(planner.plan(i, keys).config));
    }
    // What the rules could not say came back as overrides, and nothing else did.
    const LinkSettings *nasKube = project.linkSettings(QStringLiteral("nas"), QStringLiteral("kube"));
    QVERIFY(nasKube);
    QCOMPARE(nasKube->keepalive, 7);
    QCOMPARE(nasKube->end(QStringLiteral("kube")).allowedIps, QStringList{QStringLiteral("10.42.0.0/16")});
    const LinkSettings *edgeNas = project.linkSettings(QStringLiteral("edge"), QStringLiteral("nas"));
    QVERIFY(edgeNas);
    QVERIFY(!edgeNas->presharedKey);
    QCOMPARE(edgeNas->end(QStringLiteral("edge")).endpoint, QStringLiteral("vpn.example.net:51820"));
    QCOMPARE(project.links.size(), 2);
    QCOMPARE(project.defaults.listenPort, 51820);
    QCOMPARE(project.host(QStringLiteral("backup"))->meshInterface().listenPort, 51999);
    QVERIFY(!project.host(QStringLiteral("laptop"))->gateway);
    QVERIFY(project.host(QStringLiteral("phone"))->gateway);
    QCOMPARE(project.defaults.dns, QStringList{QStringLiteral("9.9.9.9")});
    // The project is one the user can save and open again as it is.
    const auto reread = ProjectFile::parse(ProjectFile::serialize(project), QStringLiteral("imported.yaml"), &loadError);
    QVERIFY2(reread, qPrintable(loadError.toString()));
    QCOMPARE(*reread, project);
}

void tst_ConfigImport::layouts()
{
    QTemporaryDir dir;
    const QByteArray config = "[Interface]\nPrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\nAddress = 10.1.0.1\n";
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("flat/alpha.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/beta/wg0.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/beta/wg0-alpha.conf")), config)); // a profile
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/notes/readme.conf.txt")), "not a config"));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/gamma/etc/wireguard/wg0.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("single/delta/wg0.conf")), config));
    QStringList notes;
    QString error;
    const auto sources = ConfigImport::collect({dir.filePath(QStringLiteral("flat")), dir.filePath(QStringLiteral("tree")),
                                                dir.filePath(QStringLiteral("dist")), dir.filePath(QStringLiteral("single/delta/wg0.conf"))},
                                               {{QStringLiteral("gamma"), QStringLiteral("gw")}}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    QStringList hosts;
    for (const ConfigImport::Source &source : *sources)
        hosts.append(source.host + QLatin1Char('/') + source.interfaceName);
    QCOMPARE(hosts, QStringList({QStringLiteral("alpha/wg0"), QStringLiteral("beta/wg0"), QStringLiteral("gw/wg0"), QStringLiteral("delta/wg0")}));
    QCOMPARE(notes.size(), 1);
    QVERIFY(notes.front().endsWith(QLatin1String("a profile of wg0.conf, left out")));
    // A folder named relative to the current one, as on a command line.
    const QString current = QDir::currentPath();
    QDir::setCurrent(dir.path());
    const auto relative = ConfigImport::collect({QStringLiteral("tree")}, {}, nullptr, &error);
    QDir::setCurrent(current);
    QVERIFY2(relative, qPrintable(error));
    QCOMPARE(relative->size(), 1);
    QCOMPARE(relative->front().host, QStringLiteral("beta"));
    // A file too large to be a config is refused by name.
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("big/huge.conf")), QByteArray(2 * 1024 * 1024, 'a')));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("big"))}, {}, &notes, &error));
    QCOMPARE(error, dir.filePath(QStringLiteral("big/huge.conf")) + QStringLiteral(": larger than 1 MiB; not a WireGuard config"));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("tree/notes"))}, {}, &notes, &error));
    QVERIFY(error.endsWith(QLatin1String("no WireGuard config (*.conf) in it")));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("missing"))}, {}, &notes, &error));
    QVERIFY(error.endsWith(QLatin1String("no such file or folder")));
}

void tst_ConfigImport::freeBsdFromItsFolder()
{
    // A FreeBSD host's config lives in /usr/local/etc/wireguard, and its Address carries
    // the subnet's length: read from there, it is a FreeBSD host again, with no loss.
    const QByteArray yaml = "hosts:\n"
                            "  vault:\n    os: FreeBSD\n    internet: {ip: '198.51.100.5'}\n    wg0: {ip: '10.6.0.5'}\n"
                            "  gw:\n    os: Linux\n    internet: {ip: '198.51.100.6'}\n    wg0: {ip: '10.6.0.1'}\n";
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("p.yaml"), &loadError);
    QVERIFY2(project, qPrintable(loadError.toString()));
    KeyStore keys;
    const Planner planner(*project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/vault/usr/local/etc/wireguard/wg0.conf")),
                                     WgQuick::write(planner.plan(0, keys).config)));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/gw/etc/wireguard/wg0.conf")), WgQuick::write(planner.plan(1, keys).config)));
    QString error;
    const auto sources = ConfigImport::collect({dir.filePath(QStringLiteral("dist"))}, {}, nullptr, &error);
    QVERIFY2(sources, qPrintable(error));
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QVERIFY(imported->losses.isEmpty());
    QCOMPARE(imported->project.host(QStringLiteral("vault"))->os, QStringLiteral("FreeBSD"));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->os, QStringLiteral("Linux"));
    // The same file taken for a Linux host's would change its Address: refused.
    ConfigImport::Source asLinux = sources->front().host == QLatin1String("vault") ? sources->front() : sources->back();
    asLinux.path = QStringLiteral("vault.conf");
    const auto lossy = ConfigImport::build({asLinux, sources->front().host == QLatin1String("gw") ? sources->front() : sources->back()}, &error);
    QVERIFY2(lossy, qPrintable(error));
    QVERIFY(!lossy->losses.isEmpty());
    QVERIFY(lossy->losses.front().toString().startsWith(QLatin1String("vault.conf:")));
    asLinux.os = QStringLiteral("FreeBSD"); // as an import over SSH learns it
    QVERIFY(ConfigImport::build({asLinux, sources->front().host == QLatin1String("gw") ? sources->front() : sources->back()}, &error)->losses.isEmpty());
}

void tst_ConfigImport::lossesNameFileAndLine()
{
    // Two hand-written configs: keepalives the two ends disagree on are named with their
    // file and line; a PostUp line is kept as written; a peer that is none of the two
    // becomes an external host.
    const QString a = WireGuardKeys::generatePrivateKey();
    const QString b = WireGuardKeys::generatePrivateKey();
    const QString stranger = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    const QByteArray alpha = "[Interface]\n"
                             "PrivateKey = " + a.toLatin1() + "\n"
                             "Address = 10.1.0.1/32\n"
                             "ListenPort = 51820\n"
                             "PostUp = iptables -A FORWARD -i %i -j ACCEPT\n"
                             "\n"
                             "[Peer]\n"
                             "PublicKey = " + WireGuardKeys::publicKey(b)->toLatin1() + "\n"
                             "AllowedIPs = 10.1.0.2/32\n"
                             "Endpoint = 192.168.1.2:51820\n"
                             "PersistentKeepalive = 15\n"
                             "\n"
                             "[Peer]\n"
                             "PublicKey = " + stranger.toLatin1() + "\n"
                             "AllowedIPs = 10.1.0.9/32\n";
    const QByteArray beta = "[Interface]\n"
                            "PrivateKey = " + b.toLatin1() + "\n"
                            "Address = 10.1.0.2/32\n"
                            "ListenPort = 51820\n"
                            "\n"
                            "[Peer]\n"
                            "PublicKey = " + WireGuardKeys::publicKey(a)->toLatin1() + "\n"
                            "AllowedIPs = 10.1.0.1/32\n"
                            "Endpoint = 192.168.1.1:51820\n"
                            "PersistentKeepalive = 30\n";
    const QList<ConfigImport::Source> sources{{QStringLiteral("alpha"), QStringLiteral("wg0"), QStringLiteral("alpha.conf"), alpha},
                                              {QStringLiteral("beta"), QStringLiteral("wg0"), QStringLiteral("beta.conf"), beta}};
    QString error;
    const auto imported = ConfigImport::build(sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QStringList losses;
    for (const ConfigImport::Loss &loss : imported->losses)
        losses.append(loss.toString());
    QCOMPARE(losses, QStringList({
                         QStringLiteral("alpha.conf:11: peer beta: PersistentKeepalive 15, the project gives 0"),
                         QStringLiteral("beta.conf:10: peer alpha: PersistentKeepalive 30, the project gives 0"),
                     }));
    // Everything the rules can say is said: both are LAN hosts, no PSK on their link.
    QCOMPARE(imported->project.host(QStringLiteral("alpha"))->role(), Host::Role::Lan);
    QVERIFY(!imported->project.linkSettings(QStringLiteral("alpha"), QStringLiteral("beta"))->presharedKey);
    QCOMPARE(imported->keys.privateKey(QStringLiteral("beta")), b);
    const Host *external = imported->project.host(QStringLiteral("external-1"));
    QVERIFY(external);
    QCOMPARE(external->publicKey, stranger);
    QCOMPARE(external->meshInterface().ip, QStringLiteral("10.1.0.9"));
    QVERIFY(external->excludePeers.contains(QStringLiteral("beta"))); // only alpha lists it
    QVERIFY(!imported->keys.hasPrivateKey(QStringLiteral("external-1")));
    QCOMPARE(imported->project.host(QStringLiteral("alpha"))->meshInterface().postUp,
             QStringList{QStringLiteral("iptables -A FORWARD -i %i -j ACCEPT")});
    const auto reread = ProjectFile::parse(ProjectFile::serialize(imported->project), QStringLiteral("p.yaml"), nullptr);
    QVERIFY(reread);
    QCOMPARE(*reread, imported->project);
}

void tst_ConfigImport::unreadableConfigsFail()
{
    QString error;
    const QByteArray noKey = "[Interface]\nAddress = 10.1.0.1\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), noKey}}, &error));
    QCOMPARE(error, QStringLiteral("a.conf: no valid PrivateKey: Meshwright manages a host only with its private key"));
    const QByteArray key = "[Interface]\nPrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\nAddress = 10.1.0.1\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), key},
                                  {QStringLiteral("b"), QStringLiteral("wg0"), QStringLiteral("b.conf"), key}},
                                 &error));
    QCOMPARE(error, QStringLiteral("b.conf: the same private key as a.conf"));
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), "[Interface]\nBogus\n"}}, &error));
    QVERIFY(error.startsWith(QLatin1String("a.conf: line 2")));
    const QByteArray noPeerKey = key + "\n[Peer]\nAllowedIPs = 10.1.0.2/32\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), noPeerKey}}, &error));
    QCOMPARE(error, QStringLiteral("a.conf:5: a [Peer] without a valid PublicKey"));
    QVERIFY(!ConfigImport::build({{QStringLiteral("../x"), QStringLiteral("wg0"), QStringLiteral("x.conf"), key}}, &error));
    QVERIFY(error.contains(QLatin1String("--name ../x=NAME")));
}

QTEST_GUILESS_MAIN(tst_ConfigImport)
#include "tst_configimport.moc"
