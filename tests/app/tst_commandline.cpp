// Tests of the meshwright program as a user runs it: exit codes, messages, files written.
#include "keyseal.h"
#include "keystore.h"
#include "importsupport.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QDirIterator>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs meshwright with \a arguments, in a session of its own (no terminal to ask on), with
/// \a extra set in its environment.
Run meshwright(const QStringList &arguments, const QHash<QString, QString> &extra = {})
{
    QProcess process;
    // No display: `meshwright` without a command prints its help instead of opening the editor.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "MESHWRIGHT_PASSPHRASE_FILE"})
        environment.remove(QLatin1String(name));
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        environment.insert(it.key(), it.value());
    process.setProcessEnvironment(environment);
    process.setChildProcessModifier([] { ::setsid(); });
    process.start(QStringLiteral(MESHWRIGHT_BINARY), arguments);
    Run run;
    if (!process.waitForFinished(120000)) {
        run.err = QStringLiteral("did not finish");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

/// Relative path -> content of every file below \a root.
QMap<QString, QByteArray> tree(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), TestSupport::readFile(path));
    }
    return files;
}

} // namespace

class tst_CommandLine : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void help();
    void generateExample();
    void generateIsStable();
    void generateSelectedHosts();
    void validateExitCodes();
    void badInputWritesNothing_data();
    void badInputWritesNothing();
    void keysImportListRotate();
    void qrForAPhone();
    void exportForRouterAndCluster();
    void statusRefusesWhatItCannotAsk();
    void importAdoptsAnEstate();
    void importRefusesBadInput_data();
    void encryptedKeyStore();
    void encryptedKeyStoreOnATerminal();
    void importRefusesBadInput();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
};

void tst_CommandLine::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_project = m_dir->filePath(QStringLiteral("homelab.yaml"));
    QVERIFY(QFile::copy(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), m_project));
}

void tst_CommandLine::help()
{
    const Run overview = meshwright({QStringLiteral("--help")});
    QCOMPARE(overview.exitCode, 0);
    for (const char *command : {"generate", "validate", "deploy", "status", "export", "keys import", "keys rotate", "keys list"})
        QVERIFY2(overview.out.contains(QLatin1String(command)), command);
    const Run none = meshwright({});
    QCOMPARE(none.exitCode, 0);
    QCOMPARE(none.out, overview.out);
    const Run projectWithoutDisplay = meshwright({m_project});
    QCOMPARE(projectWithoutDisplay.exitCode, 2);
    QVERIFY(projectWithoutDisplay.err.startsWith(QLatin1String("meshwright: no display to open ")));
    const Run generate = meshwright({QStringLiteral("generate"), QStringLiteral("--help")});
    QCOMPARE(generate.exitCode, 0);
    QVERIFY(generate.out.startsWith(QLatin1String("Usage: meshwright generate PROJECT.yaml --out DIR")));
    QVERIFY(generate.out.contains(QLatin1String("--hosts")));
    const Run version = meshwright({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith(QLatin1String("meshwright 0.")));
    const Run unknown = meshwright({QStringLiteral("frobnicate")});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.startsWith(QLatin1String("meshwright: unknown command 'frobnicate'")));
    const Run missingOut = meshwright({QStringLiteral("generate"), m_project});
    QCOMPARE(missingOut.exitCode, 2);
    QVERIFY(missingOut.err.contains(QLatin1String("generate needs --out DIR")));
}

void tst_CommandLine::generateExample()
{
    const QString out = m_dir->filePath(QStringLiteral("out"));
    const Run run = meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), out});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QLatin1String("wrote 17 files for 7 hosts")));
    QCOMPARE(run.err.count(QLatin1String("warning: ")), 0); // each client's exits are ordered: nothing to say
    const QString keys = m_dir->filePath(QStringLiteral("homelab.keys"));
    QCOMPARE(TestSupport::fileMode(keys), 0600);

    const QMap<QString, QByteArray> files = tree(out);
    QCOMPARE(files.keys(), QStringList({"cloudgw/wg0.conf", "k3s-a/wg0.conf", "k3s-b/wg0.conf", "laptop/meshwright/cron.d-meshwright",
                                        "laptop/meshwright/failover", "laptop/meshwright/meshwright-failover@.service",
                                        "laptop/meshwright/wg0.exits", "laptop/wg0-cloudgw.conf",
                                        "laptop/wg0-puffer.conf", "laptop/wg0.conf", "nas/wg0.conf", "phone/wg0-cloudgw.conf",
                                        "phone/wg0-puffer.conf", "phone/wg0.conf", "puffer/hostname.wg0", "puffer/pf-meshwright.conf", "puffer/wg0.conf"}));
    KeyStore store;
    QString error;
    QVERIFY2(store.load(keys, &error), qPrintable(error));
    const QString why = TestSupport::wgQuickUnavailable();
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = QDir(out).filePath(it.key());
        QCOMPARE(TestSupport::fileMode(path), 0600);
        if (it.key().endsWith(QLatin1String("/pf-meshwright.conf"))) { // the exit gateway's pf rules: no key
            QVERIFY(it.value().contains("nat-to (egress)"));
            continue;
        }
        if (it.key().contains(QLatin1String("/meshwright/"))) { // the laptop's failover watchdog: public keys only
            QVERIFY(!it.value().contains(store.privateKey(it.key().section(QLatin1Char('/'), 0, 0)).toLatin1()));
            continue;
        }
        const QString host = it.key().section(QLatin1Char('/'), 0, 0);
        QVERIFY(it.value().contains(store.privateKey(host).toLatin1())); // every other file holds a private key
        if (!it.key().endsWith(QLatin1String(".conf")))
            continue;
        const auto parsed = WgQuick::parse(it.value(), &error);
        QVERIFY2(parsed, qPrintable(it.key() + ": " + error));
        for (const PeerConfig &peer : parsed->peers)
            QCOMPARE(peer.publicKey, store.publicKey(peer.name));
        if (why.isEmpty()) {
            const QString stripError = TestSupport::wgQuickStrip(path);
            QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
        }
    }
    const QByteArray puffer = files.value(QStringLiteral("puffer/hostname.wg0"));
    QVERIFY(puffer.contains("\ninet 10.77.0.1 255.255.255.0 NONE\ninet6 fd77:77::1 64\n"));
    QCOMPARE(puffer.count("wgpeer "), 6);
    QVERIFY(QDir(out).entryList(QDir::Files | QDir::Hidden).isEmpty()); // no temporary files left
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
}

void tst_CommandLine::generateIsStable()
{
    const QString first = m_dir->filePath(QStringLiteral("first"));
    const QString second = m_dir->filePath(QStringLiteral("second"));
    QCOMPARE(meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), first}).exitCode, 0);
    const QByteArray keys = TestSupport::readFile(m_dir->filePath(QStringLiteral("homelab.keys")));
    const Run again = meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), second});
    QCOMPARE(again.exitCode, 0);
    QVERIFY(!again.out.contains(QLatin1String("created"))); // no new keys the second time
    QCOMPARE(TestSupport::readFile(m_dir->filePath(QStringLiteral("homelab.keys"))), keys);
    QCOMPARE(tree(second), tree(first));
}

void tst_CommandLine::generateSelectedHosts()
{
    const QString out = m_dir->filePath(QStringLiteral("some"));
    const QString keys = m_dir->filePath(QStringLiteral("elsewhere.keys"));
    const Run run = meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), out, QStringLiteral("--hosts"),
                                QStringLiteral("phone,nas"), QStringLiteral("--keys"), keys});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(tree(out).keys(), QStringList({"nas/wg0.conf", "phone/wg0-cloudgw.conf", "phone/wg0-puffer.conf", "phone/wg0.conf"}));
    QVERIFY(QFile::exists(keys));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("homelab.keys"))));

    const QString none = m_dir->filePath(QStringLiteral("none"));
    const Run unknown = meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), none, QStringLiteral("--hosts"),
                                    QStringLiteral("phone,toaster")});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains(QLatin1String("has no host 'toaster'; no files written")), qPrintable(unknown.err));
    QVERIFY(!QFile::exists(none));
}

void tst_CommandLine::validateExitCodes()
{
    const Run clean = meshwright({QStringLiteral("validate"), m_project});
    QCOMPARE(clean.exitCode, 0);
    QCOMPARE(clean.out, m_project + QLatin1String(": 7 hosts, 0 errors, 0 warnings\n"));

    // A second default route given by hand to both clients: they share the warning, and one
    // line names both.
    const QString shared = m_dir->filePath(QStringLiteral("shared.yaml"));
    {
        QFile file(shared);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(TestSupport::readFile(m_project) + "links:\n"
                   "  - hosts: [laptop, cloudgw]\n    allowed_ips: {cloudgw: ['0.0.0.0/0', '::/0']}\n"
                   "  - hosts: [phone, cloudgw]\n    allowed_ips: {cloudgw: ['0.0.0.0/0', '::/0']}\n");
    }
    const Run warned = meshwright({QStringLiteral("validate"), shared});
    QCOMPARE(warned.exitCode, 0);
    QVERIFY2(warned.out.startsWith(QLatin1String("warning: laptop and phone: puffer and cloudgw get the same default route")), qPrintable(warned.out));
    QCOMPARE(warned.out.count(QLatin1String("get the same default route")), 1);
    QVERIFY(warned.out.endsWith(shared + QLatin1String(": 7 hosts, 0 errors, 2 warnings\n")));

    QByteArray yaml = TestSupport::readFile(m_project);
    yaml.replace("ip: '10.77.0.32'", "ip: '10.77.0.31'");
    const QString broken = m_dir->filePath(QStringLiteral("broken.yaml"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(yaml);
    file.close();
    const Run withError = meshwright({QStringLiteral("validate"), broken});
    QCOMPARE(withError.exitCode, 1);
    QVERIFY(withError.out.contains(QLatin1String("error: k3s-b: mesh address 10.77.0.31 is already used by k3s-a\n")));

    const QString out = m_dir->filePath(QStringLiteral("out"));
    const Run generate = meshwright({QStringLiteral("generate"), broken, QStringLiteral("--out"), out});
    QCOMPARE(generate.exitCode, 1);
    QVERIFY(generate.err.contains(QLatin1String("the project has errors; no files written")));
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("broken.keys"))));
}

void tst_CommandLine::badInputWritesNothing_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");
    QTest::newRow("malformed") << QByteArray("hosts:\n  a: {wg0: [\n") << "bad.yaml:3: ";
    QTest::newRow("invalid address") << QByteArray("hosts:\n  a:\n    wg0:\n      ip: 10.0.0.1.1\n") << "bad.yaml:4: a.wg0: '10.0.0.1.1' is not a valid IPv4 address";
    QTest::newRow("unknown peer") << QByteArray("hosts:\n  a:\n    wg0: {ip: '10.0.0.1'}\n    exclude_peers: [b]\n") << "bad.yaml:4: a.exclude_peers: unknown host 'b'";
}

void tst_CommandLine::badInputWritesNothing()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    const QString path = m_dir->filePath(QStringLiteral("bad.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(yaml);
    file.close();
    const QString out = m_dir->filePath(QStringLiteral("out"));
    for (const QStringList &arguments : {QStringList{QStringLiteral("generate"), path, QStringLiteral("--out"), out},
                                         QStringList{QStringLiteral("validate"), path}}) {
        const Run run = meshwright(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.startsWith(QLatin1String("error: ") + m_dir->path() + QLatin1Char('/') + message), qPrintable(run.err));
        QCOMPARE(run.err.count(QLatin1Char('\n')), 1); // one clear message
    }
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("bad.keys"))));
}

void tst_CommandLine::keysImportListRotate()
{
    // wireguardmeshgenerator's layout: keys/HOST/{priv,pub}.key and keys/psk/A_B.key.
    const QString keys = m_dir->filePath(QStringLiteral("keys"));
    const QString nasKey = WireGuardKeys::generatePrivateKey();
    const QString psk = WireGuardKeys::generatePresharedKey();
    QDir().mkpath(keys + QLatin1String("/nas"));
    QDir().mkpath(keys + QLatin1String("/psk"));
    auto write = [](const QString &path, const QString &text) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text.toLatin1() + '\n');
    };
    write(keys + QLatin1String("/nas/priv.key"), nasKey);
    write(keys + QLatin1String("/nas/pub.key"), *WireGuardKeys::publicKey(nasKey));
    write(keys + QLatin1String("/psk/k3s-a_nas.key"), psk);
    const Run imported = meshwright({QStringLiteral("keys"), QStringLiteral("import"), m_project, keys});
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY(imported.out.contains(QLatin1String("nas: key pair imported")));

    const QString out = m_dir->filePath(QStringLiteral("out"));
    QCOMPARE(meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), out}).exitCode, 0);
    const auto nas = WgQuick::parse(TestSupport::readFile(out + QLatin1String("/nas/wg0.conf")));
    QVERIFY(nas);
    QCOMPARE(nas->privateKey, nasKey);
    QCOMPARE(nas->peers[0].name, QStringLiteral("k3s-a"));
    QCOMPARE(nas->peers[0].presharedKey.toBase64(), psk);

    const Run list = meshwright({QStringLiteral("keys"), QStringLiteral("list"), m_project});
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.startsWith(QLatin1String("nas ") + *WireGuardKeys::publicKey(nasKey) + QLatin1Char('\n')));
    QVERIFY(!list.out.contains(nasKey)); // never a private key

    const Run rotated = meshwright({QStringLiteral("keys"), QStringLiteral("rotate"), m_project, QStringLiteral("nas")});
    QCOMPARE(rotated.exitCode, 0);
    QVERIFY(!rotated.out.contains(*WireGuardKeys::publicKey(nasKey)));
    QCOMPARE(meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), out}).exitCode, 0);
    const auto after = WgQuick::parse(TestSupport::readFile(out + QLatin1String("/nas/wg0.conf")));
    QVERIFY(after->privateKey != nasKey);
    QCOMPARE(after->peers[0].presharedKey.toBase64(), psk);

    write(keys + QLatin1String("/nas/pub.key"), WireGuardKeys::generatePresharedKey());
    const Run mismatch = meshwright({QStringLiteral("keys"), QStringLiteral("import"), m_project, keys});
    QCOMPARE(mismatch.exitCode, 2);
    QVERIFY(mismatch.err.contains(QLatin1String("does not belong to the private key")));
}

void tst_CommandLine::qrForAPhone()
{
    const QString png = m_dir->filePath(QStringLiteral("phone.png"));
    const Run run = meshwright({QStringLiteral("qr"), m_project, QStringLiteral("phone"), QStringLiteral("--out"), png});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.err.contains(QRegularExpression(QStringLiteral("phone: \\d+ bytes, QR version \\d+, error correction M"))));
    QCOMPARE(TestSupport::fileMode(png), 0600);
    QString error;
    const QByteArray decoded = TestSupport::decodeQr(png, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto config = WgQuick::parse(decoded, &error);
    QVERIFY2(config, qPrintable(error));
    KeyStore keys;
    QVERIFY(keys.load(m_dir->filePath(QStringLiteral("homelab.keys")), &error));
    QCOMPARE(config->privateKey, keys.privateKey(QStringLiteral("phone")));
    QCOMPARE(config->peers.size(), 2);
    QCOMPARE(config->peers[0].publicKey, keys.publicKey(QStringLiteral("puffer")));
    QVERIFY(!decoded.contains('#'));

    // The same keys end up in the generated configs of the gateways.
    const QString out = m_dir->filePath(QStringLiteral("out"));
    QCOMPARE(meshwright({QStringLiteral("generate"), m_project, QStringLiteral("--out"), out}).exitCode, 0);
    const auto puffer = WgQuick::parse(TestSupport::readFile(out + QLatin1String("/puffer/wg0.conf")));
    QVERIFY(std::any_of(puffer->peers.cbegin(), puffer->peers.cend(), [&](const PeerConfig &peer) {
        return peer.publicKey == keys.publicKey(QStringLiteral("phone")) && peer.presharedKey == config->peers[0].presharedKey;
    }));

    const QString svg = m_dir->filePath(QStringLiteral("phone.svg"));
    QCOMPARE(meshwright({QStringLiteral("qr"), m_project, QStringLiteral("phone"), QStringLiteral("--profile"), QStringLiteral("wg0-puffer"),
                         QStringLiteral("--out"), svg}).exitCode, 0);
    QVERIFY(TestSupport::readFile(svg).startsWith("<?xml"));
    const Run terminal = meshwright({QStringLiteral("qr"), m_project, QStringLiteral("laptop"), QStringLiteral("--terminal")});
    QCOMPARE(terminal.exitCode, 0);
    QVERIFY(terminal.out.contains(QChar(0x2588)));
    const Run badProfile = meshwright({QStringLiteral("qr"), m_project, QStringLiteral("phone"), QStringLiteral("--profile"),
                                       QStringLiteral("wg9"), QStringLiteral("--terminal")});
    QCOMPARE(badProfile.exitCode, 2);
    QVERIFY(badProfile.err.contains(QLatin1String("phone has no profile 'wg9'; it has wg0, wg0-puffer, wg0-cloudgw")));
    const Run noOutput = meshwright({QStringLiteral("qr"), m_project, QStringLiteral("phone")});
    QCOMPARE(noOutput.exitCode, 2);
    QVERIFY(noOutput.err.contains(QLatin1String("qr needs either --out FILE.png|FILE.svg or --terminal")));
}

void tst_CommandLine::exportForRouterAndCluster()
{
    const QString project = m_dir->filePath(QStringLiteral("router.yaml"));
    QVERIFY(QFile::copy(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), project));
    const QString out = m_dir->filePath(QStringLiteral("export"));
    const Run edgeos = meshwright({QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("edgeos"), QStringLiteral("--out"), out});
    QVERIFY2(edgeos.exitCode == 0, qPrintable(edgeos.err));
    QCOMPARE(TestSupport::fileMode(out + QLatin1String("/router.sh")), 0600);
    const Run k8s = meshwright({QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("k8s"), QStringLiteral("--out"), out});
    QVERIFY2(k8s.exitCode == 0, qPrintable(k8s.err));
    QVERIFY(TestSupport::readFile(out + QLatin1String("/meshwright-wireguard.yaml")).contains("kind: DaemonSet"));
    // Keys stay the same across exports and generate: the router's script and the nodes' configs match.
    const QString configs = m_dir->filePath(QStringLiteral("configs"));
    QCOMPARE(meshwright({QStringLiteral("generate"), project, QStringLiteral("--out"), configs}).exitCode, 0);
    const auto node1 = WgQuick::parse(TestSupport::readFile(configs + QLatin1String("/node1/wg0.conf")));
    QVERIFY(node1);
    KeyStore keys;
    QString error;
    QVERIFY(keys.load(m_dir->filePath(QStringLiteral("router.keys")), &error));
    QCOMPARE(node1->peers[0].publicKey, keys.publicKey(QStringLiteral("router/wg0")));
    QVERIFY(TestSupport::readFile(out + QLatin1String("/router.sh")).contains(("set interfaces wireguard wg0 private-key " + keys.privateKey(QStringLiteral("router/wg0"))).toLatin1()));
    const Run none = meshwright({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("vyos"), QStringLiteral("--out"), out});
    QCOMPARE(none.exitCode, 1);
    const Run bad = meshwright({QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("junos"), QStringLiteral("--out"), out});
    QCOMPARE(bad.exitCode, 2);
}

void tst_CommandLine::statusRefusesWhatItCannotAsk()
{
    // Without a network: usage errors and projects nobody can be asked about.
    const Run help = meshwright({QStringLiteral("status"), QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.startsWith(QLatin1String("Usage: meshwright status PROJECT.yaml [--json] [--watch] [--interval S]")));
    for (const char *option : {"--json", "--watch", "--interval", "--known-hosts", "--keys"})
        QVERIFY2(help.out.contains(QLatin1String(option)), option);
    for (const char *interval : {"0", "-5", "soon", "3601"}) {
        const Run bad = meshwright({QStringLiteral("status"), m_project, QStringLiteral("--interval"), QLatin1String(interval)});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QLatin1String("--interval takes seconds from 1 to 3600")), qPrintable(bad.err));
    }
    const QString phones = m_dir->filePath(QStringLiteral("phones.yaml"));
    QFile file(phones);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hosts:\n  gw:\n    internet: {ip: '198.51.100.1'}\n    wg0: {ip: '10.9.0.1'}\n"
               "  phone:\n    wg0: {ip: '10.9.0.2'}\n");
    file.close();
    const Run none = meshwright({QStringLiteral("status"), phones});
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains(QLatin1String("no host has ssh settings; nothing to ask")), qPrintable(none.err));
    const Run missing = meshwright({QStringLiteral("status"), m_dir->filePath(QStringLiteral("nothing.yaml"))});
    QCOMPARE(missing.exitCode, 2);
}

void tst_CommandLine::importRefusesBadInput_data()
{
    // Each source, written into a folder of its own, and what the one message must say.
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    const QByteArray key = "PrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\n";
    QTest::newRow("syntax") << "a.conf" << QByteArray("[Interface]\n" + key + "Address 10.1.0.1\n") << "a.conf: line 3";
    QTest::newRow("peer without key") << "a.conf" << QByteArray("[Interface]\n" + key + "Address = 10.1.0.1\n[Peer]\nAllowedIPs = 10.1.0.2/32\n")
                                     << "a.conf:4: a [Peer] without a valid PublicKey";
    QTest::newRow("same key") << "a.conf" << QByteArray("[Interface]\n" + key + "Address = 10.1.0.1\n") << "b.conf: the same private key as";
    QTest::newRow("100 MB") << "a.conf" << QByteArray() << "a.conf: larger than 1 MiB; not a WireGuard config";
    QTest::newRow("zip bomb") << "tunnels.zip" << ImportSupport::makeZip({{QStringLiteral("a.conf"), QByteArray(20 * 1024 * 1024, '\0'), true, 64}})
                              << "tunnels.zip: a.conf: unpacks to more than 1048576 bytes (a zip bomb?)";
    QTest::newRow("hostname.wg0") << "gw/hostname.wg0" << QByteArray("wgkey nope\nup\n") << "gw/hostname.wg0: line 1: wgkey takes a base64 private key";
}

void tst_CommandLine::importRefusesBadInput()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(file);
    QVERIFY(ImportSupport::writeFile(path, content));
    if (content.isEmpty()) {
        QFile big(path);
        QVERIFY(big.open(QIODevice::ReadWrite) && big.resize(100 * 1000 * 1000)); // sparse
    }
    const bool twice = QByteArray(QTest::currentDataTag()) == "same key";
    if (twice) // b.conf beside it, with a's key; the folder is imported
        QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("b.conf")), content));
    const QString out = dir.filePath(QStringLiteral("p.yaml"));
    const Run run = meshwright({QStringLiteral("import"), QStringLiteral("--out"), out, twice ? dir.path() : path});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("error: ") + dir.filePath(message)) && run.err.contains(QLatin1String("(nothing written)")),
             qPrintable(run.err));
    QCOMPARE(run.err.count(QLatin1String("error: ")), 1);
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("p.keys"))));
}

void tst_CommandLine::encryptedKeyStore()
{
    // A project whose key store is encrypted: every command that needs keys works with the
    // passphrase from --passphrase-file or MESHWRIGHT_PASSPHRASE_FILE, and refuses (exit 2,
    // saying how) without one; keys passwd makes the old passphrase useless; decrypted, the
    // store is byte for byte what it was; and no key is in anything printed or written
    // outside the output folders.
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("mesh.yaml"));
    QVERIFY(QFile::copy(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), project));
    const QString keys = dir.filePath(QStringLiteral("mesh.keys"));
    const QString plainOut = dir.filePath(QStringLiteral("plain-out"));
    QCOMPARE(meshwright({QStringLiteral("generate"), project, QStringLiteral("--out"), plainOut}).exitCode, 0);
    const QByteArray plainStore = TestSupport::readFile(keys);
    QStringList secrets; // every key of the store, as base64
    for (const QByteArray &line : plainStore.split('\n')) {
        if (!line.isEmpty() && !line.startsWith('#'))
            secrets.append(QString::fromLatin1(line.split(' ').back()));
    }
    QVERIFY(secrets.size() >= 8); // 6 interfaces, the PSKs of 3 links
    const QString pass1 = dir.filePath(QStringLiteral("pass1"));
    const QString pass2 = dir.filePath(QStringLiteral("pass2"));
    QVERIFY(ImportSupport::writeFile(pass1, "first passphrase\n"));
    QVERIFY(ImportSupport::writeFile(pass2, "second passphrase\n"));

    QList<Run> runs;
    auto run = [&](const QStringList &arguments, const QHash<QString, QString> &extra = {}) {
        runs.append(meshwright(arguments, extra));
        return runs.back();
    };
    // A plain store is a finding that says how to encrypt it; an encrypted one is none.
    auto plainFinding = [&] {
        return run({QStringLiteral("validate"), project}).out.contains(QLatin1String("holds every private key in plain text"));
    };
    QVERIFY(plainFinding());
    const Run encrypted = run({QStringLiteral("keys"), QStringLiteral("encrypt"), project, QStringLiteral("--new-passphrase-file"), pass1,
                               QStringLiteral("--cost"), QStringLiteral("interactive")});
    QVERIFY2(encrypted.exitCode == 0, qPrintable(encrypted.err));
    QVERIFY(KeySeal::isSealed(TestSupport::readFile(keys)));
    QCOMPARE(TestSupport::fileMode(keys), 0600);
    QVERIFY(!plainFinding()); // and validate needs no passphrase

    // Every command that needs keys, with the passphrase from a file.
    const QString out = dir.filePath(QStringLiteral("out"));
    const QStringList withFile{QStringLiteral("--passphrase-file"), pass1};
    QVERIFY(run(QStringList{QStringLiteral("generate"), project, QStringLiteral("--out"), out} + withFile).exitCode == 0);
    QCOMPARE(tree(out), tree(plainOut));
    QCOMPARE(run(QStringList{QStringLiteral("keys"), QStringLiteral("list"), project} + withFile).exitCode, 0);
    QCOMPARE(run(QStringList{QStringLiteral("qr"), project, QStringLiteral("phone"), QStringLiteral("--out"), dir.filePath(QStringLiteral("phone.png"))}
                 + withFile).exitCode,
             0);
    QCOMPARE(run(QStringList{QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("k8s"), QStringLiteral("--out"),
                             dir.filePath(QStringLiteral("export"))}
                 + withFile).exitCode,
             0);
    // From the environment: the name of a file, never the passphrase itself.
    QCOMPARE(run({QStringLiteral("keys"), QStringLiteral("list"), project}, {{QStringLiteral("MESHWRIGHT_PASSPHRASE_FILE"), pass1}}).exitCode, 0);
    // No way to ask: exit 2, saying how, the store unchanged.
    const QByteArray sealed = TestSupport::readFile(keys);
    const Run locked = run({QStringLiteral("generate"), project, QStringLiteral("--out"), dir.filePath(QStringLiteral("nothing"))});
    QCOMPARE(locked.exitCode, 2);
    QVERIFY2(locked.err.contains(QLatin1String("the key store is encrypted, and no passphrase was given (give it with --passphrase-file FILE")),
             qPrintable(locked.err));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("nothing"))));
    const Run wrong = run(QStringList{QStringLiteral("keys"), QStringLiteral("list"), project, QStringLiteral("--passphrase-file"), pass2});
    QCOMPARE(wrong.exitCode, 2);
    QVERIFY(wrong.err.contains(QLatin1String("wrong passphrase, or the file was changed or damaged")));
    QCOMPARE(TestSupport::readFile(keys), sealed);
    // A rotation on the encrypted store keeps it encrypted.
    QCOMPARE(run(QStringList{QStringLiteral("keys"), QStringLiteral("rotate"), project, QStringLiteral("node1")} + withFile).exitCode, 0);
    QVERIFY(KeySeal::isSealed(TestSupport::readFile(keys)));

    // passwd: the old passphrase opens it no more, the new one does.
    QCOMPARE(run(QStringList{QStringLiteral("keys"), QStringLiteral("passwd"), project, QStringLiteral("--new-passphrase-file"), pass2} + withFile).exitCode,
             0);
    QCOMPARE(run(QStringList{QStringLiteral("keys"), QStringLiteral("list"), project} + withFile).exitCode, 2);
    QCOMPARE(run({QStringLiteral("keys"), QStringLiteral("list"), project, QStringLiteral("--passphrase-file"), pass2}).exitCode, 0);
    // decrypt: plain again.
    QCOMPARE(run({QStringLiteral("keys"), QStringLiteral("decrypt"), project, QStringLiteral("--passphrase-file"), pass2}).exitCode, 0);
    QVERIFY(TestSupport::readFile(keys).startsWith("# Meshwright key store"));

    // Nothing printed holds a key, nor any file outside the output folders and the store.
    for (const Run &r : std::as_const(runs)) {
        for (const QString &secret : std::as_const(secrets))
            QVERIFY2(!(r.out + r.err).contains(secret), qPrintable(r.out + r.err));
    }
    const QMap<QString, QByteArray> files = tree(dir.path());
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (it.key().startsWith(QLatin1String("out/")) || it.key().startsWith(QLatin1String("plain-out/")) || it.key() == QLatin1String("phone.png")
            || it.key().startsWith(QLatin1String("export/")) || it.key() == QLatin1String("mesh.keys"))
            continue; // asked for: configs, QR codes, manifests; and the store itself
        for (const QString &secret : std::as_const(secrets))
            QVERIFY2(!it.value().contains(secret.toLatin1()), qPrintable(it.key()));
    }
}

void tst_CommandLine::encryptedKeyStoreOnATerminal()
{
    // Asked on the terminal, without echo: script(1) gives the command one.
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        QSKIP("script (util-linux) is not installed: no terminal to test the prompt on");
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("mesh.yaml"));
    QVERIFY(QFile::copy(TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml")), project));
    QCOMPARE(meshwright({QStringLiteral("generate"), project, QStringLiteral("--out"), dir.filePath(QStringLiteral("out"))}).exitCode, 0);
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("pass")), "on a terminal\n"));
    QCOMPARE(meshwright({QStringLiteral("keys"), QStringLiteral("encrypt"), project, QStringLiteral("--passphrase-file"), dir.filePath(QStringLiteral("pass"))})
                 .exitCode,
             0);
    QProcess process;
    process.setChildProcessModifier([] { ::setsid(); });
    const QString command = QStringLiteral("%1 keys list %2").arg(QStringLiteral(MESHWRIGHT_BINARY), project);
    process.start(QStringLiteral("script"), {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
    QVERIFY(process.waitForStarted());
    // Typed once the prompt shows: the prompt flushes what the terminal got before it.
    QByteArray shownBytes;
    for (int tries = 0; tries < 300 && !shownBytes.contains("Passphrase of "); ++tries) {
        process.waitForReadyRead(100);
        shownBytes += process.readAllStandardOutput();
    }
    QVERIFY2(shownBytes.contains("Passphrase of "), shownBytes.constData());
    process.write("on a terminal\n");
    QVERIFY(process.waitForFinished(30000));
    const QString shown = QString::fromUtf8(shownBytes + process.readAllStandardOutput());
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(shown.contains(QLatin1String("Passphrase of ")), qPrintable(shown));
    QVERIFY2(!shown.contains(QLatin1String("on a terminal")), qPrintable(shown)); // not echoed
    QVERIFY(shown.contains(QLatin1String("nas ")));
}

void tst_CommandLine::importAdoptsAnEstate()
{
    // The configs a project generates, imported as a new project (one host renamed), then
    // generated again: the same interfaces in meaning, on the same keys.
    const QString source = TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml"));
    const QString estate = m_dir->filePath(QStringLiteral("estate"));
    const Run first = meshwright({QStringLiteral("generate"), source, QStringLiteral("--out"), estate, QStringLiteral("--keys"),
                                  m_dir->filePath(QStringLiteral("estate.keys"))});
    QCOMPARE(first.exitCode, 0);
    const QString adopted = m_dir->filePath(QStringLiteral("adopted.yaml"));
    const Run imported = meshwright({QStringLiteral("import"), QStringLiteral("--out"), adopted, QStringLiteral("--name"),
                                     QStringLiteral("nas=storage"), estate});
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY(imported.out.startsWith(QLatin1String("imported 6 hosts and 2 link overrides into ")));
    QCOMPARE(TestSupport::fileMode(m_dir->filePath(QStringLiteral("adopted.keys"))), 0600);
    for (const Run &run : {first, imported}) // keys are never printed
        QVERIFY(!(run.out + run.err).contains(QLatin1String("PrivateKey")));
    const QString again = m_dir->filePath(QStringLiteral("again"));
    QCOMPARE(meshwright({QStringLiteral("generate"), adopted, QStringLiteral("--out"), again}).exitCode, 0);
    for (const char *host : {"edge", "backup", "nas", "kube", "laptop", "phone"}) {
        const QString name = QLatin1String(host) == QLatin1String("nas") ? QStringLiteral("storage") : QLatin1String(host);
        const auto was = WgQuick::parse(TestSupport::readFile(estate + QLatin1Char('/') + QLatin1String(host) + QStringLiteral("/wg0.conf")));
        const auto now = WgQuick::parse(TestSupport::readFile(again + QLatin1Char('/') + name + QStringLiteral("/wg0.conf")));
        QVERIFY2(was && now, host);
        QVERIFY2(WgQuick::canonical(*was) == WgQuick::canonical(*now), host);
    }

    // Never over an existing project; what the project cannot say is refused with its
    // file and line, nothing written, unless --lossy.
    const Run again2 = meshwright({QStringLiteral("import"), QStringLiteral("--out"), adopted, estate});
    QCOMPARE(again2.exitCode, 2);
    QVERIFY(again2.err.contains(QLatin1String("exists; import into a new project (nothing written)")));
    // A peer that is none of the imported hosts is an external host: kept by its key.
    QFile stray(estate + QStringLiteral("/kube/wg0.conf"));
    QVERIFY(stray.open(QIODevice::Append));
    const QString strangerKey = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    stray.write("\n[Peer]\nPublicKey = " + strangerKey.toLatin1() + "\nAllowedIPs = 10.70.0.99/32\n");
    stray.close();
    const QString withExternal = m_dir->filePath(QStringLiteral("external.yaml"));
    const Run external = meshwright({QStringLiteral("import"), QStringLiteral("--out"), withExternal, estate});
    QVERIFY2(external.exitCode == 0, qPrintable(external.err));
    QVERIFY(external.err.contains(QLatin1String("note: external-1: external (peer ")));
    QVERIFY(TestSupport::readFile(withExternal).contains("public_key: '" + strangerKey.toLatin1() + "'"));
    const Run externalGenerated = meshwright({QStringLiteral("generate"), withExternal, QStringLiteral("--out"), m_dir->filePath(QStringLiteral("ext"))});
    QCOMPARE(externalGenerated.exitCode, 0);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("ext/external-1/wg0.conf")))); // its owner's
    QVERIFY(TestSupport::readFile(m_dir->filePath(QStringLiteral("ext/kube/wg0.conf"))).contains(strangerKey.toLatin1()));
    const Run externalQr = meshwright({QStringLiteral("qr"), withExternal, QStringLiteral("external-1"), QStringLiteral("--terminal")});
    QCOMPARE(externalQr.exitCode, 2);
    QVERIFY(externalQr.err.contains(QLatin1String("external-1 is external: its owner configures it; no QR code made")));
    const Run externalRotate = meshwright({QStringLiteral("keys"), QStringLiteral("rotate"), withExternal, QStringLiteral("external-1")});
    QCOMPARE(externalRotate.exitCode, 2);
    QVERIFY(externalRotate.err.contains(QLatin1String("is external: its owner makes its keys; nothing rotated")));
    // A second address: refused with its file and line, nothing written.
    QFile twice(estate + QStringLiteral("/kube/wg0.conf"));
    QVERIFY(twice.open(QIODevice::ReadOnly));
    const QByteArray kube = twice.readAll().replace("[Interface]\n", "[Interface]\nAddress = 10.70.0.98/32\n");
    twice.close();
    QVERIFY(twice.open(QIODevice::WriteOnly | QIODevice::Truncate));
    twice.write(kube);
    twice.close();
    const QString refusedPath = m_dir->filePath(QStringLiteral("refused.yaml"));
    const Run refused = meshwright({QStringLiteral("import"), QStringLiteral("--out"), refusedPath, estate});
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QRegularExpression(QStringLiteral("error: .*/kube/wg0\\.conf:\\d+: a second IPv4 address"))),
             qPrintable(refused.err));
    QVERIFY(!QFile::exists(refusedPath));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("refused.keys"))));
    const Run lossy = meshwright({QStringLiteral("import"), QStringLiteral("--out"), refusedPath, QStringLiteral("--lossy"), estate});
    QCOMPARE(lossy.exitCode, 0);
    QVERIFY(lossy.err.contains(QLatin1String("lost: ")));
    QVERIFY(QFile::exists(refusedPath));

    const Run badSsh = meshwright({QStringLiteral("import"), QStringLiteral("--out"), m_dir->filePath(QStringLiteral("x.yaml")),
                                   QStringLiteral("--ssh"), QStringLiteral("root@@host")});
    QCOMPARE(badSsh.exitCode, 2);
    QVERIFY(badSsh.err.contains(QLatin1String("is not [NAME=][USER@]HOST[:PORT]")));
}

QTEST_APPLESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
