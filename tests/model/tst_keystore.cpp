// Tests of key generation, the key store file and the import of existing keys.
#include "keystore.h"
#include "testsupport.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

void writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

int modeOf(const QString &path)
{
    struct stat info{};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 0777) : -1;
}

} // namespace

class tst_KeyStore : public QObject
{
    Q_OBJECT

private slots:
    void rfc7748Vector();
    void publicKeysMatchWgPubkey();
    void generatedKeysAreClamped();
    void storeIsStableAcrossRuns();
    void storeIsPrivate();
    void presharedKeysArePerPair();
    void takeAndPut();
    void rotationStaysPendingUntilSettled();
    void importAdoptsExistingKeys();
    void importRefusesMismatchedKeys();
};

void tst_KeyStore::rfc7748Vector()
{
    // RFC 7748, section 6.1: Alice's private and public key.
    const QByteArray priv = QByteArray::fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const QByteArray pub = QByteArray::fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    QCOMPARE(WireGuardKeys::publicKey(QString::fromLatin1(priv.toBase64())), QString::fromLatin1(pub.toBase64()));
    QVERIFY(!WireGuardKeys::publicKey(QStringLiteral("not a key")));
    QVERIFY(!WireGuardKeys::publicKey(QString::fromLatin1(QByteArray(31, 'x').toBase64())));
}

void tst_KeyStore::publicKeysMatchWgPubkey()
{
    if (QStandardPaths::findExecutable(QStringLiteral("wg")).isEmpty())
        QFAIL("wg not found: install wireguard-tools (the README's test command does)");
    QStringList privateKeys;
    for (int i = 0; i < 200; ++i)
        privateKeys.append(WireGuardKeys::generatePrivateKey());
    QProcess shell;
    shell.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("while read -r k; do printf '%s\\n' \"$k\" | wg pubkey; done")});
    QVERIFY(shell.waitForStarted());
    shell.write(privateKeys.join(QLatin1Char('\n')).toLatin1() + '\n');
    shell.closeWriteChannel();
    QVERIFY(shell.waitForFinished(60000));
    const QStringList expected = QString::fromLatin1(shell.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(expected.size(), privateKeys.size());
    for (int i = 0; i < privateKeys.size(); ++i)
        QCOMPARE(*WireGuardKeys::publicKey(privateKeys[i]), expected[i]);
}

void tst_KeyStore::generatedKeysAreClamped()
{
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const QString key = WireGuardKeys::generatePrivateKey();
        const QByteArray bytes = QByteArray::fromBase64(key.toLatin1());
        QCOMPARE(bytes.size(), 32);
        QCOMPARE(quint8(bytes[0]) & 7, 0);
        QCOMPARE(quint8(bytes[31]) & 0xc0, 0x40);
        QVERIFY(!seen.contains(key));
        seen.insert(key);
    }
}

void tst_KeyStore::storeIsStableAcrossRuns()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    QCOMPARE(KeyStore::pathForProject(dir.filePath(QStringLiteral("mesh.yaml"))), path);
    const QStringList ids{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    const QList<std::pair<QString, QString>> pairs{{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("c"), QStringLiteral("a")}};

    KeyStore first;
    QString error;
    QVERIFY2(first.load(path, &error), qPrintable(error));
    QCOMPARE(first.ensure(ids, pairs), 5);
    QVERIFY(first.isModified());
    QVERIFY2(first.save(path, &error), qPrintable(error));
    QVERIFY(!first.isModified());

    KeyStore second;
    QVERIFY2(second.load(path, &error), qPrintable(error));
    QCOMPARE(second.ensure(ids, pairs), 0);
    QVERIFY(!second.isModified());
    for (const QString &id : ids) {
        QCOMPARE(second.privateKey(id), first.privateKey(id));
        QCOMPARE(second.publicKey(id), *WireGuardKeys::publicKey(first.privateKey(id)));
    }
    QCOMPARE(second.presharedKey(QStringLiteral("b"), QStringLiteral("a")), first.presharedKey(QStringLiteral("a"), QStringLiteral("b")));
    QCOMPARE(second.presharedKey(QStringLiteral("a"), QStringLiteral("c")), first.presharedKey(QStringLiteral("c"), QStringLiteral("a")));

    const QString before = second.privateKey(QStringLiteral("b"));
    second.rotate(QStringLiteral("b"));
    QVERIFY(second.privateKey(QStringLiteral("b")) != before);
    QCOMPARE(second.privateKey(QStringLiteral("a")), first.privateKey(QStringLiteral("a")));
}

void tst_KeyStore::storeIsPrivate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    KeyStore store;
    store.ensure({QStringLiteral("a")}, {});
    QString error;
    ::umask(022);
    QVERIFY2(store.save(path, &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);

    // A key store that others can read is refused, not silently used.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    KeyStore reader;
    QVERIFY(!reader.load(path, &error));
    QVERIFY2(error.contains(QLatin1String("readable by others")), qPrintable(error));

    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0600) == 0);
    writeText(path, TestSupport::readFile(path) + "private b notakey\n");
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0600) == 0);
    QVERIFY(!reader.load(path, &error));
    QVERIFY2(error.endsWith(QLatin1String("mesh.keys:3: not a valid key store entry")), qPrintable(error));
}

void tst_KeyStore::presharedKeysArePerPair()
{
    KeyStore store;
    store.ensure({}, {{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("a"), QStringLiteral("c")}});
    const QString ab = store.presharedKey(QStringLiteral("a"), QStringLiteral("b"));
    QVERIFY(WireGuardKeys::isValidKey(ab));
    QCOMPARE(store.presharedKey(QStringLiteral("b"), QStringLiteral("a")), ab);
    QVERIFY(store.presharedKey(QStringLiteral("a"), QStringLiteral("c")) != ab);
    QVERIFY(store.presharedKey(QStringLiteral("b"), QStringLiteral("c")).isEmpty());
    QCOMPARE(store.presharedKeyCount(), 2);
}

void tst_KeyStore::takeAndPut()
{
    KeyStore store;
    store.ensure({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")},
                 {{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("a"), QStringLiteral("c")}, {QStringLiteral("b"), QStringLiteral("c")}});
    const QString key = store.privateKey(QStringLiteral("a"));
    const QString ab = store.presharedKey(QStringLiteral("a"), QStringLiteral("b"));
    const KeyStore::Material taken = store.take(QStringLiteral("a"));
    QVERIFY(!store.hasPrivateKey(QStringLiteral("a")));
    QVERIFY(store.presharedKey(QStringLiteral("b"), QStringLiteral("a")).isEmpty());
    QCOMPARE(store.presharedKeyCount(), 1);
    QCOMPARE(taken.privateKey, key);
    QCOMPARE(taken.presharedKeys.size(), 2);
    store.put(QStringLiteral("a"), taken);
    QCOMPARE(store.privateKey(QStringLiteral("a")), key);
    QCOMPARE(store.presharedKey(QStringLiteral("b"), QStringLiteral("a")), ab);
    QCOMPARE(store.presharedKeyCount(), 3);
    // A rename onto a name with old keys replaces them all: nothing stale is inherited.
    store.ensure({QStringLiteral("d")}, {{QStringLiteral("d"), QStringLiteral("c")}});
    store.copyKeys(QStringLiteral("b"), QStringLiteral("d"));
    QCOMPARE(store.privateKey(QStringLiteral("d")), store.privateKey(QStringLiteral("b")));
    QCOMPARE(store.presharedKey(QStringLiteral("d"), QStringLiteral("c")), store.presharedKey(QStringLiteral("b"), QStringLiteral("c")));
    QCOMPARE(store.presharedKey(QStringLiteral("d"), QStringLiteral("a")), ab);
}

void tst_KeyStore::rotationStaysPendingUntilSettled()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    KeyStore store;
    store.ensure({QStringLiteral("a"), QStringLiteral("b")}, {{QStringLiteral("a"), QStringLiteral("b")}});
    const QString oldPublic = store.publicKey(QStringLiteral("a"));
    const QString oldPsk = store.presharedKey(QStringLiteral("a"), QStringLiteral("b"));
    store.rotate(QStringLiteral("a"));
    store.rotate(QStringLiteral("a")); // twice: the hosts still run the first key
    QVERIFY(store.rotatePresharedKey(QStringLiteral("b"), QStringLiteral("a")));
    QVERIFY(!store.rotatePresharedKey(QStringLiteral("a"), QStringLiteral("nobody")));
    QVERIFY(store.publicKey(QStringLiteral("a")) != oldPublic); // what the next deploy installs
    QCOMPARE(store.runningPublicKey(QStringLiteral("a")), oldPublic);
    QCOMPARE(store.runningPublicKey(QStringLiteral("b")), store.publicKey(QStringLiteral("b")));
    QVERIFY(store.presharedKey(QStringLiteral("a"), QStringLiteral("b")) != oldPsk);
    QCOMPARE(store.pendingKeyIds(), QStringList{QStringLiteral("a")});
    QCOMPARE(store.pendingPresharedPairs(), (QList<std::pair<QString, QString>>{{QStringLiteral("a"), QStringLiteral("b")}}));

    // A rolled-back deploy: the store, saved and read again, still says what the hosts run.
    QString error;
    QVERIFY2(store.save(path, &error), qPrintable(error));
    KeyStore reloaded;
    QVERIFY2(reloaded.load(path, &error), qPrintable(error));
    QCOMPARE(reloaded.runningPublicKey(QStringLiteral("a")), oldPublic);
    QCOMPARE(reloaded.publicKey(QStringLiteral("a")), store.publicKey(QStringLiteral("a")));
    QVERIFY(reloaded.hasPendingRotation());
    QVERIFY(TestSupport::readFile(path).contains(oldPsk.toLatin1())); // the running PSK is kept too

    // A rename carries the pending rotation along; take/put (undo of a removal) keeps it.
    reloaded.copyKeys(QStringLiteral("a"), QStringLiteral("c"));
    QCOMPARE(reloaded.runningPublicKey(QStringLiteral("c")), oldPublic);
    const KeyStore::Material material = reloaded.take(QStringLiteral("c"));
    QVERIFY(!reloaded.pendingKeyIds().contains(QStringLiteral("c")));
    reloaded.put(QStringLiteral("c"), material);
    QCOMPARE(reloaded.runningPublicKey(QStringLiteral("c")), oldPublic);

    // A confirmed deploy: the old keys are forgotten.
    store.commitRotation(QStringLiteral("a"));
    store.commitPresharedRotation(QStringLiteral("b"), QStringLiteral("a"));
    QVERIFY(!store.hasPendingRotation());
    QCOMPARE(store.runningPublicKey(QStringLiteral("a")), store.publicKey(QStringLiteral("a")));
    QVERIFY2(store.save(path, &error), qPrintable(error));
    QVERIFY(!TestSupport::readFile(path).contains("running"));
    QVERIFY(!TestSupport::readFile(path).contains(oldPsk.toLatin1()));
}

void tst_KeyStore::importAdoptsExistingKeys()
{
    QTemporaryDir dir;
    const QString keys = dir.filePath(QStringLiteral("keys"));
    const QString privF0 = WireGuardKeys::generatePrivateKey();
    const QString privWeb = WireGuardKeys::generatePrivateKey();
    const QString psk = WireGuardKeys::generatePresharedKey();
    const QString psk2 = WireGuardKeys::generatePresharedKey();
    writeText(keys + QLatin1String("/f0/priv.key"), privF0.toLatin1() + '\n');
    writeText(keys + QLatin1String("/f0/pub.key"), WireGuardKeys::publicKey(privF0)->toLatin1() + '\n');
    writeText(keys + QLatin1String("/web_1/priv.key"), privWeb.toLatin1());
    // Host names with '_' make the file name ambiguous; the split must find both hosts.
    writeText(keys + QLatin1String("/psk/f0_web_1.key"), psk.toLatin1() + '\n');
    writeText(keys + QLatin1String("/psk/web_1_zed.key"), psk2.toLatin1() + '\n');
    writeText(keys + QLatin1String("/psk/old_gone.key"), psk.toLatin1() + '\n');

    KeyStore store;
    QStringList report;
    QString error;
    QVERIFY2(store.importDirectory(keys, {QStringLiteral("f0"), QStringLiteral("web_1"), QStringLiteral("zed")}, &report, &error),
             qPrintable(error));
    QCOMPARE(store.privateKey(QStringLiteral("f0")), privF0);
    QCOMPARE(store.privateKey(QStringLiteral("web_1")), privWeb);
    QCOMPARE(store.presharedKey(QStringLiteral("web_1"), QStringLiteral("f0")), psk);
    QCOMPARE(store.presharedKey(QStringLiteral("zed"), QStringLiteral("web_1")), psk2);
    QVERIFY(!store.hasPrivateKey(QStringLiteral("zed")));
    QVERIFY(report.join(QLatin1Char('\n')).contains(QLatin1String("zed: no key")));
    QVERIFY(report.join(QLatin1Char('\n')).contains(QLatin1String("old_gone.key: skipped")));

    // Imported keys survive ensure(): adopting Meshwright does not rotate a running mesh.
    store.ensure({QStringLiteral("f0"), QStringLiteral("web_1"), QStringLiteral("zed")},
                 {{QStringLiteral("f0"), QStringLiteral("web_1")}});
    QCOMPARE(store.privateKey(QStringLiteral("f0")), privF0);
    QCOMPARE(store.presharedKey(QStringLiteral("f0"), QStringLiteral("web_1")), psk);
}

void tst_KeyStore::importRefusesMismatchedKeys()
{
    QTemporaryDir dir;
    const QString keys = dir.filePath(QStringLiteral("keys"));
    writeText(keys + QLatin1String("/f0/priv.key"), WireGuardKeys::generatePrivateKey().toLatin1());
    writeText(keys + QLatin1String("/f0/pub.key"), WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey())->toLatin1());
    KeyStore store;
    store.ensure({QStringLiteral("f0")}, {});
    const QString before = store.privateKey(QStringLiteral("f0"));
    QStringList report;
    QString error;
    QVERIFY(!store.importDirectory(keys, {QStringLiteral("f0")}, &report, &error));
    QVERIFY2(error.contains(QLatin1String("does not belong to the private key")), qPrintable(error));
    QCOMPARE(store.privateKey(QStringLiteral("f0")), before);

    writeText(keys + QLatin1String("/f0/pub.key"), "");
    QFile::remove(keys + QLatin1String("/f0/pub.key"));
    writeText(keys + QLatin1String("/f0/priv.key"), "garbage");
    QVERIFY(!store.importDirectory(keys, {QStringLiteral("f0")}, &report, &error));
    QVERIFY2(error.contains(QLatin1String("not a WireGuard private key")), qPrintable(error));
    QCOMPARE(store.privateKey(QStringLiteral("f0")), before);
}

QTEST_APPLESS_MAIN(tst_KeyStore)
#include "tst_keystore.moc"
