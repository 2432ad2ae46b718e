// Tests of key generation, the key store file and the import of existing keys.
#include "keystore.h"
#include "testsupport.h"

#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <random>

#include <sodium.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

/// A secret to look for in this process's memory, kept masked (each byte XOR Mask) so
/// that the search holds no copy of what it looks for.
constexpr unsigned char Mask = 0xa5;
QByteArray masked(QByteArray plain)
{
    QByteArray out(plain.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < plain.size(); ++i)
        out[i] = char(uchar(plain[i]) ^ Mask);
    sodium_memzero(plain.data(), size_t(plain.size()));
    return out;
}

/// The three forms a key can take in memory: base64 as Latin-1 (a QByteArray, a file's
/// bytes), base64 as UTF-16 (a QString), and its 32 raw bytes. \a key is wiped.
QList<QByteArray> forms(QString key)
{
    const QByteArray latin1 = key.toLatin1();
    QList<QByteArray> result{masked(latin1), masked(QByteArray(reinterpret_cast<const char *>(key.utf16()), key.size() * 2)),
                             masked(QByteArray::fromBase64(latin1))};
    sodium_memzero(key.data(), size_t(key.size()) * sizeof(QChar));
    sodium_memzero(const_cast<char *>(latin1.constData()), size_t(latin1.size()));
    return result;
}

/// How often each masked needle occurs in the readable memory of this process (read
/// through /proc/self/mem, into a buffer of its own that is left out of the search).
QList<int> occurrences(const QList<QByteArray> &needles)
{
    QList<int> counts(needles.size(), 0);
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly))
        return {};
    QList<std::pair<quintptr, quintptr>> regions;
    for (const QByteArray &line : maps.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2 || !fields[1].startsWith('r') || line.contains("[vvar") || line.contains("[vsyscall]"))
            continue;
        const QList<QByteArray> range = fields[0].split('-');
        regions.append({range[0].toULongLong(nullptr, 16), range[1].toULongLong(nullptr, 16)});
    }
    const int mem = ::open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    if (mem < 0)
        return {};
    for (const auto &[begin, end] : std::as_const(regions)) {
        const size_t length = end - begin;
        if (length > (size_t(1) << 30)) // a sanitizer's shadow, reserved and never written
            continue;
        void *mapped = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED)
            continue;
        auto *buffer = static_cast<unsigned char *>(mapped);
        const quintptr at = quintptr(mapped);
        const bool overlaps = at < end && begin < at + length;
        const ssize_t got = overlaps ? -1 : ::pread(mem, buffer, length, off_t(begin));
        for (qsizetype n = 0; got > 0 && n < needles.size(); ++n) {
            const QByteArray &needle = needles[n];
            const unsigned char first = uchar(needle[0]) ^ Mask;
            for (ssize_t i = 0; i + needle.size() <= got; ++i) {
                if (buffer[i] != first)
                    continue;
                qsizetype k = 1;
                while (k < needle.size() && (buffer[i + k] ^ Mask) == uchar(needle[k]))
                    ++k;
                if (k == needle.size())
                    ++counts[n];
            }
        }
        sodium_memzero(buffer, length);
        ::munmap(mapped, length);
    }
    ::close(mem);
    return counts;
}

void writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

/// The pairs of \a ids (by index a < b) that \a linked keeps.
QList<std::pair<QString, QString>> pairsOf(const QStringList &ids, const std::function<bool(qsizetype, qsizetype)> &linked)
{
    QList<std::pair<QString, QString>> pairs;
    for (qsizetype a = 0; a < ids.size(); ++a) {
        for (qsizetype b = a + 1; b < ids.size(); ++b) {
            if (linked(a, b))
                pairs.append({ids[a], ids[b]});
        }
    }
    return pairs;
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
    void readsAcrossBlocks();
    void storeIsPrivate();
    void ensureMakesManyKeyPairs();
    void presharedKeyAsValue();
    void ensureMakesDistinctPresharedKeys();
    void presharedKeysAskedInAnyOrder();
    void readsLinesInAnyOrder();
    void presharedKeysArePerPair();
    void takeAndPut();
    void keysStayInGuardedMemory();
    void encodesEveryByte();
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

void tst_KeyStore::presharedKeyAsValue()
{
    // "secret key secret key secret key": 32 bytes, in base64 and back.
    const QString text = QStringLiteral("c2VjcmV0IGtleSBzZWNyZXQga2V5IHNlY3JldCBrZXk=");
    const std::optional<PresharedKey> key = PresharedKey::fromBase64(text);
    QVERIFY(key && !key->isEmpty());
    QCOMPARE(key->toBase64(), text);
    char written[44];
    key->writeBase64(written);
    QCOMPARE(QByteArray(written, 44), text.toLatin1());
    QVERIFY(*key == *PresharedKey::fromBase64(text));
    QVERIFY(!(*key == *PresharedKey::fromBase64(QStringLiteral("c2VjcmV0IGtleSBzZWNyZXQga2V5IHNlY3JldCBrZXo="))));

    // None: empty text, written as nothing.
    const std::optional<PresharedKey> none = PresharedKey::fromBase64(QString());
    QVERIFY(none && none->isEmpty());
    QVERIFY(none->toBase64().isEmpty());
    QVERIFY(!(*none == *key));
    // Not a key: too short, too long, a character outside base64, no '=' at the end.
    for (const QString &bad : {QStringLiteral("c2VjcmV0"), text + QLatin1Char('A'), QStringLiteral("c2VjcmV0IGtleSBzZWNyZXQga2V5IHNlY3JldCBrZX*="),
                               QStringLiteral("c2VjcmV0IGtleSBzZWNyZXQga2V5IHNlY3JldCBrZXkA")})
        QVERIFY2(!PresharedKey::fromBase64(bad), qPrintable(bad));

    // The store hands out the same key both ends of a pair see, and the text it gives.
    KeyStore store;
    QVERIFY(store.setPresharedKey(QStringLiteral("a"), QStringLiteral("b"), text));
    QCOMPARE(store.presharedKeysOf(QStringLiteral("a")).value(QStringLiteral("b")), *key);
    QCOMPARE(store.presharedKeysOf(QStringLiteral("b")).value(QStringLiteral("a")), *key);
    QVERIFY(store.presharedKeysOf(QStringLiteral("a")).value(QStringLiteral("c")).isEmpty());
    QCOMPARE(store.presharedKey(QStringLiteral("b"), QStringLiteral("a")), text);
}

void tst_KeyStore::ensureMakesDistinctPresharedKeys()
{
    // Every pair of 30 ids: each key its own, and another store's keys others again.
    QList<std::pair<QString, QString>> pairs;
    for (int a = 0; a < 30; ++a) {
        for (int b = a + 1; b < 30; ++b)
            pairs.append({QStringLiteral("h%1").arg(a), QStringLiteral("h%1").arg(b)});
    }
    KeyStore first;
    KeyStore second;
    QCOMPARE(first.ensure({}, pairs), 435);
    QCOMPARE(second.ensure({}, pairs), 435);
    QSet<QString> seen;
    for (const auto &[a, b] : std::as_const(pairs)) {
        const QString key = first.presharedKey(a, b);
        QVERIFY(KeyBase64::isValid(key));
        QVERIFY(key != QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        seen.insert(key);
        seen.insert(second.presharedKey(a, b));
    }
    QCOMPARE(seen.size(), 2 * 435);
    // A pair added later gets a key of its own too.
    QCOMPARE(first.ensure({}, {{QStringLiteral("h0"), QStringLiteral("new")}}), 1);
    QVERIFY(!seen.contains(first.presharedKey(QStringLiteral("h0"), QStringLiteral("new"))));
}

void tst_KeyStore::presharedKeysAskedInAnyOrder()
{
    // "o" shares keys with the even ids among 40; asked by number forwards, backwards,
    // and shuffled, with ids it shares nothing with in between, and ids it does not know.
    KeyStore store;
    QStringList ids;
    QList<std::pair<QString, QString>> pairs;
    for (int i = 0; i < 40; ++i) {
        ids.append(QStringLiteral("p%1").arg(i));
        if (i % 2 == 0)
            pairs.append({QStringLiteral("o"), ids.back()});
    }
    store.ensure(ids, pairs);
    QList<int> numbers;
    for (const QString &id : std::as_const(ids))
        numbers.append(store.keyNumber(id));
    numbers.append(-1);
    QList<int> backwards(numbers.crbegin(), numbers.crend());
    QList<int> shuffled = numbers;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
    for (const QList<int> &order : {numbers, backwards, shuffled, numbers + numbers}) {
        const KeyStore::PresharedKeys keys = store.presharedKeysOf(QStringLiteral("o"));
        for (const int number : order) {
            const qsizetype i = numbers.indexOf(number);
            const PresharedKey key = keys.valueOf(number);
            if (number < 0 || i % 2 == 1) {
                QVERIFY(key.isEmpty());
                continue;
            }
            QCOMPARE(key.toBase64(), store.presharedKey(QStringLiteral("o"), ids[i]));
            QVERIFY(!key.isEmpty());
        }
    }
    QVERIFY(store.presharedKeysOf(QStringLiteral("nobody")).valueOf(numbers[0]).isEmpty());
}

void tst_KeyStore::ensureMakesManyKeyPairs()
{
    // Enough new ids that their public keys are derived on every CPU; one listed twice.
    QStringList ids;
    for (int i = 0; i < 150; ++i)
        ids.append(QStringLiteral("host-%1").arg(i));
    ids.append(QStringLiteral("host-7"));
    KeyStore store;
    QCOMPARE(store.ensure(ids, {}), 150);
    QVERIFY(store.isModified());
    QSet<QString> seen;
    for (int i = 0; i < 150; ++i) {
        const QString id = QStringLiteral("host-%1").arg(i);
        const QString privateKey = store.privateKey(id);
        const QByteArray bytes = QByteArray::fromBase64(privateKey.toLatin1());
        QCOMPARE(bytes.size(), 32);
        QCOMPARE(quint8(bytes[0]) & 7, 0);
        QCOMPARE(quint8(bytes[31]) & 0xc0, 0x40);
        QCOMPARE(store.publicKey(id), *WireGuardKeys::publicKey(privateKey)); // each its own pair
        QVERIFY(!seen.contains(privateKey));
        seen.insert(privateKey);
    }
    QCOMPARE(store.ensure(ids, {}), 0);
}

void tst_KeyStore::readsLinesInAnyOrder()
{
    // A store as written (sorted) and the same lines shuffled, pairs swapped, names
    // appearing first in "psk" lines (hand-edited, or merged): both read the same keys.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    QStringList ids;
    for (int i = 0; i < 40; ++i)
        ids.append(QStringLiteral("host-%1").arg(i * 7 % 40, 2, 10, QLatin1Char('0')));
    const QList<std::pair<QString, QString>> pairs = pairsOf(ids, [](qsizetype a, qsizetype b) { return (a + b) % 3 != 0; });
    KeyStore written;
    written.ensure(ids, pairs);
    QString error;
    QVERIFY2(written.save(path, &error), qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = file.readAll().split('\n');
    file.close();
    QRandomGenerator random(17);
    for (qsizetype i = lines.size() - 1; i > 0; --i)
        lines.swapItemsAt(i, random.bounded(int(i + 1)));
    for (QByteArray &line : lines) {
        QList<QByteArray> fields = line.split(' ');
        if (fields.size() == 4 && fields[0] == "psk" && random.bounded(2)) {
            std::swap(fields[1], fields[2]);
            line = fields.join("  "); // and two spaces between the fields
        }
    }
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(lines.join('\n'));
    file.close();

    KeyStore read;
    QVERIFY2(read.load(path, &error), qPrintable(error));
    QCOMPARE(read.keyCount(), written.keyCount());
    QCOMPARE(read.presharedKeyCount(), written.presharedKeyCount());
    for (const QString &id : std::as_const(ids))
        QCOMPARE(read.privateKey(id), written.privateKey(id));
    for (const auto &[a, b] : std::as_const(pairs)) {
        QCOMPARE(read.presharedKey(a, b), written.presharedKey(a, b));
        QCOMPARE(read.presharedKey(b, a), written.presharedKey(a, b));
    }
}

void tst_KeyStore::readsAcrossBlocks()
{
    // A store many times the size of the block it is read through: lines cut at every
    // block's end, and the line numbers of what is refused deep inside it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    QStringList ids;
    for (int i = 0; i < 120; ++i)
        ids.append(QStringLiteral("host-with-a-longer-name-%1").arg(i, 3, 10, QLatin1Char('0')));
    const QList<std::pair<QString, QString>> pairs = pairsOf(ids, [](qsizetype, qsizetype) { return true; });
    KeyStore written;
    written.ensure(ids, pairs);
    QString error;
    QVERIFY2(written.save(path, &error), qPrintable(error));
    const QByteArray text = TestSupport::readFile(path);
    QVERIFY(text.size() > 10 * 64 * 1024);
    const QList<QByteArray> lines = text.split('\n');

    auto rewrite = [&](const QByteArray &content) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(content), content.size());
    };
    auto readsEveryKey = [&](const char *what) {
        KeyStore read;
        QString why;
        QVERIFY2(read.load(path, &why), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(what), why)));
        QCOMPARE(read.keyCount(), written.keyCount());
        QCOMPARE(read.presharedKeyCount(), written.presharedKeyCount());
        for (const QString &id : std::as_const(ids)) {
            QCOMPARE(read.privateKey(id), written.privateKey(id));
            QCOMPARE(read.publicKey(id), written.publicKey(id)); // derived on every CPU
        }
        for (const auto &[a, b] : std::as_const(pairs))
            QCOMPARE(read.presharedKey(a, b), written.presharedKey(a, b));
    };
    readsEveryKey("as written");
    rewrite(text.chopped(1)); // no line break at the end
    readsEveryKey("no final line break");
    QByteArray crlf = text;
    rewrite(crlf.replace("\n", "\r\n"));
    readsEveryKey("CRLF");

    // An id written twice keeps the key of its last line, and the public key of that one.
    {
        const QByteArray again = "private " + ids[5].toUtf8() + ' ' + written.privateKey(ids[6]).toUtf8();
        rewrite(text + again + '\n');
        KeyStore read;
        QVERIFY2(read.load(path, &error), qPrintable(error));
        QCOMPARE(read.keyCount(), written.keyCount());
        QCOMPARE(read.privateKey(ids[5]), written.privateKey(ids[6]));
        QCOMPARE(read.publicKey(ids[5]), written.publicKey(ids[6]));
        QCOMPARE(read.publicKey(ids[7]), written.publicKey(ids[7]));
    }

    // A refused line is named by its number, wherever the blocks were cut.
    for (const qsizetype bad : {qsizetype(2), lines.size() / 3, lines.size() / 2 + 1, lines.size() - 2}) {
        QList<QByteArray> broken = lines;
        broken[bad - 1] = "psk " + ids[0].toUtf8() + ' ' + ids[1].toUtf8() + " not-a-key";
        rewrite(broken.join('\n'));
        KeyStore read;
        QVERIFY(!read.load(path, &error));
        QVERIFY2(error.endsWith(QStringLiteral("mesh.keys:%1: not a valid key store entry").arg(bad)), qPrintable(error));
        QCOMPARE(read.loadFailure(), KeyStore::LoadFailure::Invalid);
        QCOMPARE(read.keyCount(), 0);
    }
    // A line longer than any entry (64 KiB and more) is refused, by its number.
    QList<QByteArray> longLine = lines;
    longLine[2] = "# " + QByteArray(100 * 1024, 'x');
    rewrite(longLine.join('\n'));
    KeyStore read;
    QVERIFY(!read.load(path, &error));
    QVERIFY2(error.endsWith(QLatin1String("mesh.keys:3: not a valid key store entry")), qPrintable(error));
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
    QCOMPARE(TestSupport::fileMode(path), 0600);

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
    QVERIFY(KeyBase64::isValid(ab));
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
    QCOMPARE(taken.privateKey(), key);
    QCOMPARE(taken.presharedKeyCount(), 2);
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

void tst_KeyStore::keysStayInGuardedMemory()
{
    // Whatever the store did with its keys (made them, saved them, read them back, plain
    // or sealed, rotated one, took a host away and put it back), a key is in this
    // process's memory once, as 32 bytes in the store's guarded block: never as base64
    // text, whether a QString of the store or a buffer left behind by reading or writing
    // the file.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.keys"));
    const QString sealedPath = dir.filePath(QStringLiteral("sealed.keys"));
    QList<QByteArray> needles;
    QString error;
    {
        KeyStore store;
        store.ensure({QStringLiteral("alpha"), QStringLiteral("beta")}, {{QStringLiteral("alpha"), QStringLiteral("beta")}});
        QVERIFY2(store.save(path, &error), qPrintable(error));
        needles = forms(store.privateKey(QStringLiteral("alpha")))
            + forms(store.presharedKey(QStringLiteral("alpha"), QStringLiteral("beta")));
        QVERIFY2(store.encrypt("passphrase", KeySeal::Parameters::weakest(), &error), qPrintable(error));
        QVERIFY2(store.save(sealedPath, &error), qPrintable(error));
    }
    auto expectOnceAndRaw = [&needles](const char *when) {
        const QList<int> counts = occurrences(needles);
        QVERIFY2(counts.size() == needles.size(), "cannot read /proc/self/mem");
        for (qsizetype n = 0; n < counts.size(); ++n) {
            static const char *const names[] = {"private key as base64", "private key as a QString", "private key's bytes",
                                                "preshared key as base64", "preshared key as a QString", "preshared key's bytes"};
            const int expected = n % 3 == 2 ? 1 : 0;
            QVERIFY2(counts[n] == expected,
                     qPrintable(QStringLiteral("%1: the %2 is in memory %3 times, not %4").arg(QLatin1String(when), QLatin1String(names[n])).arg(counts[n]).arg(expected)));
        }
    };
    {
        KeyStore plain;
        QVERIFY2(plain.load(path, &error), qPrintable(error));
        QVERIFY(plain.hasPrivateKey(QStringLiteral("alpha")));
        expectOnceAndRaw("a plain store loaded");
        QVERIFY2(plain.save(path, &error), qPrintable(error));
        expectOnceAndRaw("a plain store saved");
    }
    KeyStore sealed;
    QVERIFY2(sealed.load(sealedPath, &error, [](const QString &, const QString &) { return std::optional<QByteArray>("passphrase"); }),
             qPrintable(error));
    QVERIFY(sealed.isEncrypted());
    expectOnceAndRaw("a sealed store opened");
    const KeyStore::Material material = sealed.take(QStringLiteral("beta")); // the PSK moves into the material's block
    QVERIFY(!sealed.hasPrivateKey(QStringLiteral("beta")));
    sealed.put(QStringLiteral("beta"), material);
    sealed.rotate(QStringLiteral("alpha")); // the old key stays, as the running one
    QVERIFY2(sealed.save(sealedPath, &error), qPrintable(error));
    const QList<int> counts = occurrences(needles);
    QCOMPARE(counts.value(2), 1); // alpha's old key: once, as bytes
    QCOMPARE(counts.value(0) + counts.value(1) + counts.value(3) + counts.value(4), 0);
    QCOMPARE(counts.value(5), 2); // the PSK in the store and in the undo material
}

void tst_KeyStore::encodesEveryByte()
{
    // Keys go in and come out as WireGuard's base64, for every value of every byte.
    KeyStore store;
    for (int n = 0; n < 258; ++n) {
        QByteArray raw(32, char(n));
        if (n == 256)
            raw = QByteArray(32, '\0');
        else if (n == 257)
            raw = WireGuardKeys::randomBytes(32);
        else
            for (int i = 0; i < 32; ++i)
                raw[i] = char((n + 37 * i) & 0xff);
        const QString text = QString::fromLatin1(raw.toBase64());
        const QString id = QStringLiteral("h%1").arg(n);
        QVERIFY(store.setPresharedKey(id, QStringLiteral("other"), text));
        QCOMPARE(store.presharedKey(QStringLiteral("other"), id), text);
        raw[0] = char(raw[0] & 248); // a valid private key is clamped, as wg genkey makes it
        raw[31] = char((raw[31] & 127) | 64);
        const QString key = QString::fromLatin1(raw.toBase64());
        QVERIFY(store.setPrivateKey(id, key));
        QCOMPARE(store.privateKey(id), key);
        QCOMPARE(store.publicKey(id), *WireGuardKeys::publicKey(key));
    }
    QVERIFY(!store.setPresharedKey(QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("not base64 at all, but forty-four characters=")));
    // One character that is not a base64 digit, anywhere among the 43, is refused.
    const QString good = QString::fromLatin1(WireGuardKeys::randomBytes(32).toBase64());
    for (qsizetype at = 0; at < 43; ++at) {
        for (const char bad : {'=', '-', '_', ' ', '@', '[', '`', '{', ':', '.', '\x7f', '\x01'}) {
            QString key = good;
            key[at] = QLatin1Char(bad);
            if (store.setPresharedKey(QStringLiteral("a"), QStringLiteral("b"), key))
                QFAIL(qPrintable(QStringLiteral("accepted %1 at %2").arg(int(bad)).arg(at)));
        }
    }
    QString unterminated = good;
    unterminated[43] = QLatin1Char('A');
    QVERIFY(!store.setPresharedKey(QStringLiteral("a"), QStringLiteral("b"), unterminated));
    QVERIFY(!store.setPresharedKey(QStringLiteral("a"), QStringLiteral("b"), QString::fromLatin1(QByteArray(31, 'x').toBase64())));
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
