// Tests of the encrypted key store: round trips, wrong passphrases, every byte of the file
// changed in turn, cut-short files, the cost in the header, the format version, and plain
// stores that still load.
#include "keyseal.h"
#include "keystore.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sodium.h>

namespace {

/// A store of \a hosts hosts in a full mesh: a key pair each, a PSK per pair.
KeyStore meshStore(int hosts)
{
    QStringList ids;
    QList<std::pair<QString, QString>> pairs;
    for (int i = 0; i < hosts; ++i)
        ids.append(QStringLiteral("host-%1").arg(i));
    for (int a = 0; a < hosts; ++a) {
        for (int b = a + 1; b < hosts; ++b)
            pairs.append({ids[a], ids[b]});
    }
    KeyStore store;
    store.ensure(ids, pairs);
    return store;
}

KeyStore::PassphraseSource answers(QStringList given, int *asked = nullptr)
{
    return [given, asked](const QString &, const QString &) mutable -> std::optional<QByteArray> {
        if (asked)
            ++*asked;
        if (given.isEmpty())
            return std::nullopt;
        return given.takeFirst().toUtf8();
    };
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

/// The same keys, compared by what they belong to.
bool sameKeys(const KeyStore &a, const KeyStore &b, int hosts)
{
    for (int i = 0; i < hosts; ++i) {
        const QString id = QStringLiteral("host-%1").arg(i);
        if (a.privateKey(id) != b.privateKey(id))
            return false;
        const KeyStore::PresharedKeys mineA = a.presharedKeysOf(id);
        const KeyStore::PresharedKeys mineB = b.presharedKeysOf(id);
        for (int j = i + 1; j < hosts; ++j) {
            const QString other = QStringLiteral("host-%1").arg(j);
            if (mineA.value(other) != mineB.value(other))
                return false;
        }
    }
    return a.keyCount() == b.keyCount() && a.presharedKeyCount() == b.presharedKeyCount();
}

} // namespace

class tst_KeySeal : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void wrongPassphrase();
    void everyByteChangedIsDetected();
    void cutShortAndUnknownVersions();
    void costIsReadFromTheHeader();
    void plainStoresStillLoad();
    void decryptAndPasswd();

private:
    /// A store of \a hosts hosts sealed with \a passphrase at \a parameters, saved as
    /// \a name in the test's folder; its path (empty when it could not be made).
    QString saveSealed(int hosts, const QByteArray &passphrase, const KeySeal::Parameters &parameters, const QString &name);

    QTemporaryDir m_dir;
};

void tst_KeySeal::roundTrip_data()
{
    QTest::addColumn<int>("hosts");
    QTest::newRow("10 hosts") << 10;
    QTest::newRow("1000 hosts") << 1000;
}

void tst_KeySeal::roundTrip()
{
    // Sealed, saved, opened again with the passphrase: the same keys; the file holds none
    // of them in the clear, and saving again needs no passphrase.
    QFETCH(int, hosts);
    KeyStore store = meshStore(hosts);
    QString error;
    QVERIFY2(store.encrypt("correct horse battery staple", KeySeal::Parameters::weakest(), &error), qPrintable(error));
    const QString path = m_dir.filePath(QStringLiteral("mesh-%1.keys").arg(hosts));
    QVERIFY2(store.save(path, &error), qPrintable(error));
    const QByteArray sealed = readAll(path);
    QVERIFY(KeySeal::isSealed(sealed));
    QVERIFY(!sealed.contains(store.privateKey(QStringLiteral("host-0")).toLatin1()));
    QVERIFY(!sealed.contains("private "));
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    KeyStore again;
    int asked = 0;
    QVERIFY2(again.load(path, &error, answers({QStringLiteral("correct horse battery staple")}, &asked)), qPrintable(error));
    QCOMPARE(asked, 1);
    QVERIFY(again.isEncrypted());
    QVERIFY(sameKeys(store, again, hosts));
    // Saved again (a rotation, say): still sealed, with the same passphrase, a new nonce.
    again.rotate(QStringLiteral("host-1"));
    QVERIFY(again.save(path, &error));
    const QByteArray resealed = readAll(path);
    QVERIFY(KeySeal::isSealed(resealed));
    QCOMPARE(resealed.left(44), sealed.left(44)); // magic, version, algorithms, cost, salt
    QVERIFY(resealed.mid(44, 24) != sealed.mid(44, 24)); // a new nonce
    QVERIFY(again.load(path, &error)); // its own key opens it: not asked
    KeyStore third;
    QVERIFY(third.load(path, &error, answers({QStringLiteral("correct horse battery staple")})));
    QCOMPARE(third.privateKey(QStringLiteral("host-1")), again.privateKey(QStringLiteral("host-1")));
}

QString tst_KeySeal::saveSealed(int hosts, const QByteArray &passphrase, const KeySeal::Parameters &parameters, const QString &name)
{
    KeyStore store = meshStore(hosts);
    QString error;
    const QString path = m_dir.filePath(name);
    if (!store.encrypt(passphrase, parameters, &error) || !store.save(path, &error)) {
        qWarning("%s: %s", qPrintable(name), qPrintable(error));
        return {};
    }
    return path;
}

void tst_KeySeal::wrongPassphrase()
{
    const QString path = saveSealed(3, "right", KeySeal::Parameters::weakest(), QStringLiteral("wrong.keys"));
    QVERIFY(!path.isEmpty());
    QString error;
    const QByteArray before = readAll(path);
    KeyStore other;
    int asked = 0;
    QVERIFY(!other.load(path, &error, answers({QStringLiteral("wrong")}, &asked)));
    QCOMPARE(asked, 2); // asked again after the wrong one; the source gave up
    QCOMPARE(other.loadFailure(), KeyStore::LoadFailure::WrongPassphrase);
    QCOMPARE(error, path + QStringLiteral(": cannot open the key store: wrong passphrase, or the file was changed or damaged"));
    QCOMPARE(other.keyCount(), 0);
    QVERIFY(!other.load(path, &error)); // no way to ask at all
    QCOMPARE(other.loadFailure(), KeyStore::LoadFailure::Locked);
    QVERIFY(other.load(path, &error, answers({QStringLiteral("wrong"), QStringLiteral("right")})));
    QCOMPARE(readAll(path), before);
}

void tst_KeySeal::everyByteChangedIsDetected()
{
    // Each byte of the file, flipped in turn: no flip opens, and each says one thing.
    const QString path = saveSealed(4, "pass", KeySeal::Parameters::weakest(), QStringLiteral("flip.keys"));
    QVERIFY(!path.isEmpty());
    QString error;
    const QByteArray sealed = readAll(path);
    for (qsizetype at = 0; at < sealed.size(); ++at) {
        for (const char bit : {char(0x01), char(0x80)}) {
            QByteArray changed = sealed;
            changed[at] = char(changed[at] ^ bit);
            QVERIFY(writeAll(path, changed));
            KeyStore other;
            const bool opened = other.load(path, &error, answers({QStringLiteral("pass")}));
            QVERIFY2(!opened, qPrintable(QStringLiteral("byte %1 bit %2 went unnoticed").arg(at).arg(int(uchar(bit)))));
            QVERIFY2(!error.isEmpty() && !error.contains(QLatin1Char('\n')), qPrintable(error));
            QCOMPARE(other.keyCount(), 0);
        }
    }
}

void tst_KeySeal::cutShortAndUnknownVersions()
{
    const QString path = saveSealed(2, "pass", KeySeal::Parameters::weakest(), QStringLiteral("cut.keys"));
    QVERIFY(!path.isEmpty());
    QString error;
    const QByteArray sealed = readAll(path);
    for (const qsizetype size : {qsizetype(8), qsizetype(40), qsizetype(70), sealed.size() - 1}) {
        QVERIFY(writeAll(path, sealed.left(size)));
        KeyStore other;
        QVERIFY(!other.load(path, &error, answers({QStringLiteral("pass")})));
        QVERIFY2(error.contains(QLatin1String("cut short")) || error.contains(QLatin1String("wrong passphrase, or the file was changed")),
                 qPrintable(error));
    }
    QByteArray future = sealed;
    future[8] = char(2);
    QVERIFY(writeAll(path, future));
    KeyStore other;
    QVERIFY(!other.load(path, &error, answers({QStringLiteral("pass")})));
    QCOMPARE(other.loadFailure(), KeyStore::LoadFailure::Format);
    QVERIFY2(error.endsWith(QLatin1String("an encrypted key store of format version 2, which this Meshwright does not read (it reads "
                                          "version 1): open it with a newer one")),
             qPrintable(error));
}

void tst_KeySeal::costIsReadFromTheHeader()
{
    // The cost is the file's, not the build's: a store sealed at another cost opens.
    const KeySeal::Parameters raised{crypto_pwhash_OPSLIMIT_MIN + 2, crypto_pwhash_MEMLIMIT_MIN * 4};
    const QString path = saveSealed(2, "pass", raised, QStringLiteral("cost.keys"));
    QVERIFY(!path.isEmpty());
    QString error;
    const auto header = KeySeal::readHeader(readAll(path), &error);
    QVERIFY2(header, qPrintable(error));
    QCOMPARE(header->version, 1);
    QCOMPARE(header->parameters, raised);
    KeyStore other;
    QVERIFY(other.load(path, &error, answers({QStringLiteral("pass")})));
    QCOMPARE(other.sealParameters(), raised);
    QCOMPARE(KeySeal::Parameters::interactive().opsLimit, quint64(crypto_pwhash_OPSLIMIT_INTERACTIVE));
}

void tst_KeySeal::plainStoresStillLoad()
{
    KeyStore store = meshStore(3);
    const QString path = m_dir.filePath(QStringLiteral("plain.keys"));
    QString error;
    QVERIFY(store.save(path, &error));
    QVERIFY(readAll(path).startsWith("# Meshwright key store"));
    KeyStore other;
    int asked = 0;
    QVERIFY(other.load(path, &error, answers({}, &asked)));
    QCOMPARE(asked, 0);
    QVERIFY(!other.isEncrypted());
    QVERIFY(sameKeys(store, other, 3));
}

void tst_KeySeal::decryptAndPasswd()
{
    // Decrypted: the plain file, byte for byte what a store never encrypted writes. A new
    // passphrase: the old one opens it no more.
    KeyStore store = meshStore(3);
    const QString plainPath = m_dir.filePath(QStringLiteral("before.keys"));
    const QString path = m_dir.filePath(QStringLiteral("passwd.keys"));
    QString error;
    QVERIFY(store.save(plainPath, &error));
    QVERIFY(store.encrypt("old", KeySeal::Parameters::weakest(), &error));
    QVERIFY(store.save(path, &error));
    KeyStore opened;
    QVERIFY(opened.load(path, &error, answers({QStringLiteral("old")})));
    QVERIFY(opened.encrypt("new", KeySeal::Parameters::weakest(), &error));
    QVERIFY(opened.save(path, &error));
    KeyStore withOld;
    QVERIFY(!withOld.load(path, &error, answers({QStringLiteral("old")})));
    KeyStore withNew;
    QVERIFY(withNew.load(path, &error, answers({QStringLiteral("new")})));
    withNew.decrypt();
    QVERIFY(withNew.save(path, &error));
    QCOMPARE(readAll(path), readAll(plainPath));
}

QTEST_GUILESS_MAIN(tst_KeySeal)
#include "tst_keyseal.moc"
