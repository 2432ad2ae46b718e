// Private and preshared keys, kept beside the project in NAME.keys (mode 0600).
#include "keystore.h"

#include "atomicfile.h"
#include "diagnostic.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sodium.h>

#include <sys/stat.h>

namespace {

void ensureSodium()
{
    static const bool initialised = [] { return sodium_init() >= 0; }();
    Q_ASSERT(initialised);
}

QString toBase64(const unsigned char *bytes)
{
    return QString::fromLatin1(
        QByteArray::fromRawData(reinterpret_cast<const char *>(bytes), 32).toBase64());
}

std::optional<QByteArray> fromBase64(const QString &key)
{
    if (key.size() != 44 || !key.endsWith(QLatin1Char('=')))
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(key.toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32)
        return std::nullopt;
    return decoded.decoded;
}

QString readKeyFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.read(256)).trimmed();
}

} // namespace

namespace WireGuardKeys {

QString generatePrivateKey()
{
    ensureSodium();
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    key[0] &= 248;
    key[31] = (key[31] & 127) | 64;
    const QString result = toBase64(key);
    sodium_memzero(key, sizeof key);
    return result;
}

std::optional<QString> publicKey(const QString &privateKey)
{
    ensureSodium();
    auto secret = fromBase64(privateKey);
    if (!secret)
        return std::nullopt;
    unsigned char pub[crypto_scalarmult_BYTES];
    const int rc = crypto_scalarmult_base(pub, reinterpret_cast<const unsigned char *>(secret->constData()));
    sodium_memzero(secret->data(), size_t(secret->size()));
    if (rc != 0)
        return std::nullopt;
    return toBase64(pub);
}

QByteArray randomBytes(qsizetype count)
{
    ensureSodium();
    QByteArray bytes(count, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(count));
    return bytes;
}

QString generatePresharedKey()
{
    ensureSodium();
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    const QString result = toBase64(key);
    sodium_memzero(key, sizeof key);
    return result;
}

bool isValidKey(const QString &key)
{
    return fromBase64(key).has_value();
}

} // namespace WireGuardKeys

std::optional<Diagnostic> plainKeyStoreFinding(const QString &path, bool encrypted, const QString &howTo)
{
    if (encrypted || !QFileInfo::exists(path))
        return std::nullopt;
    Diagnostic finding;
    finding.severity = Diagnostic::Severity::Warning;
    finding.message = QStringLiteral("the key store %1 holds every private key in plain text: whoever copies it can impersonate "
                                     "every host; %2 encrypts it with a passphrase")
                          .arg(QDir::toNativeSeparators(path), howTo);
    return finding;
}

QString KeyStore::pathForProject(const QString &projectPath)
{
    const QFileInfo info(projectPath);
    return info.dir().filePath(info.completeBaseName() + QLatin1String(".keys"));
}

void KeyStore::insertPresharedKey(const QString &a, const QString &b, const QString &key)
{
    QString &slot = m_psks[a][b];
    if (slot.isNull())
        ++m_pskCount;
    slot = key;
    m_psks[b][a] = key;
    m_modified = true;
}

void KeyStore::clear()
{
    m_keys.clear();
    m_psks.clear();
    m_pskCount = 0;
    m_running.clear();
    m_runningPsks.clear();
}

bool KeyStore::load(const QString &path, QString *error, const PassphraseSource &passphrase)
{
    clear();
    m_modified = false;
    m_loadFailure = LoadFailure::None;
    auto fail = [&](LoadFailure why, const QString &message) {
        m_loadFailure = why;
        if (error)
            *error = message;
        return false;
    };
    QFile file(path);
    if (!file.exists()) {
        m_seal.reset();
        return true;
    }
    struct stat info{};
    if (::stat(QFile::encodeName(path).constData(), &info) == 0 && (info.st_mode & 077))
        return fail(LoadFailure::Unreadable, QStringLiteral("%1: the key store is readable by others (mode %2); "
                                                            "run chmod 600 on it")
                                                 .arg(path)
                                                 .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0')));
    if (!file.open(QIODevice::ReadOnly))
        return fail(LoadFailure::Unreadable, QStringLiteral("%1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    if (!KeySeal::isSealed(data)) {
        m_seal.reset();
        return parse(data, path, error) || fail(LoadFailure::Invalid, error ? *error : QString());
    }
    QString why;
    const auto header = KeySeal::readHeader(data, &why);
    if (!header)
        return fail(LoadFailure::Format, QStringLiteral("%1: %2").arg(path, why));
    // The key this store holds opens it again without asking (the same session).
    std::shared_ptr<const KeySeal::SealingKey> key = m_seal;
    if (key && (key->salt() != header->salt || key->parameters() != header->parameters))
        key.reset();
    QString problem;
    for (;;) {
        if (!key) {
            const std::optional<QByteArray> secret = passphrase ? passphrase(path, problem) : std::nullopt;
            if (!secret)
                return fail(problem.isEmpty() ? LoadFailure::Locked : LoadFailure::WrongPassphrase,
                            problem.isEmpty() ? QStringLiteral("%1: the key store is encrypted, and no passphrase was given").arg(path)
                                              : QStringLiteral("%1: %2").arg(path, problem));
            key = KeySeal::SealingKey::derive(*secret, header->salt, header->parameters, &why);
            if (!key)
                return fail(LoadFailure::Format, QStringLiteral("%1: %2").arg(path, why));
        }
        std::optional<QByteArray> plain = KeySeal::open(data, *key, &why);
        if (plain) {
            const bool ok = parse(*plain, path, error);
            sodium_memzero(plain->data(), size_t(plain->size()));
            if (!ok)
                return fail(LoadFailure::Invalid, error ? *error : QString());
            m_seal = key;
            return true;
        }
        problem = why;
        key.reset();
    }
}

bool KeyStore::parse(const QByteArray &data, const QString &path, QString *error)
{
    // Key ids repeat on many lines: share one string per id.
    QHash<QByteArrayView, QString> ids;
    auto id = [&](QByteArrayView bytes) {
        auto it = ids.constFind(bytes);
        if (it == ids.cend())
            it = ids.insert(bytes, QString::fromUtf8(bytes));
        return *it;
    };
    int lineNumber = 0;
    for (qsizetype start = 0; start < data.size();) {
        qsizetype end = data.indexOf('\n', start);
        if (end < 0)
            end = data.size();
        const QByteArrayView line = QByteArrayView(data).sliced(start, end - start).trimmed();
        start = end + 1;
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        QByteArrayView fields[4];
        qsizetype count = 0;
        bool tooMany = false;
        for (qsizetype from = 0; from < line.size();) {
            qsizetype space = line.indexOf(' ', from);
            if (space < 0)
                space = line.size();
            if (space > from) {
                if (count == 4) {
                    tooMany = true;
                    break;
                }
                fields[count++] = line.sliced(from, space - from);
            }
            from = space + 1;
        }
        bool ok = false;
        if (!tooMany && count == 3 && fields[0] == "private")
            ok = setPrivateKey(id(fields[1]), QString::fromLatin1(fields[2]));
        else if (!tooMany && count == 4 && fields[0] == "psk")
            ok = setPresharedKey(id(fields[1]), id(fields[2]), QString::fromLatin1(fields[3]));
        else if (!tooMany && count == 3 && fields[0] == "running") {
            const QString key = QString::fromLatin1(fields[2]);
            if (const auto pub = WireGuardKeys::publicKey(key)) {
                m_running.insert(id(fields[1]), KeyPair{key, *pub});
                ok = true;
            }
        } else if (!tooMany && count == 4 && fields[0] == "running-psk") {
            const QString key = QString::fromLatin1(fields[3]);
            ok = WireGuardKeys::isValidKey(key) && fields[1] != fields[2];
            if (ok)
                m_runningPsks.insert(pairKey(id(fields[1]), id(fields[2])), key);
        }
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1:%2: not a valid key store entry").arg(path).arg(lineNumber);
            clear();
            return false;
        }
    }
    m_modified = false;
    return true;
}

QByteArray KeyStore::serialize() const
{
    QByteArray out;
    out.reserve(m_keys.size() * 80 + m_pskCount * 100 + 200);
    out += "# Meshwright key store: private and preshared keys. Keep it secret; never commit it.\n";
    QStringList ids = m_keys.keys();
    ids.sort();
    for (const QString &id : std::as_const(ids))
        out += "private " + id.toUtf8() + ' ' + m_keys.value(id).privateKey.toLatin1() + '\n';
    QStringList owners = m_psks.keys();
    owners.sort();
    for (const QString &a : std::as_const(owners)) {
        const QHash<QString, QString> &mine = *m_psks.constFind(a);
        QStringList others;
        others.reserve(mine.size());
        for (auto it = mine.cbegin(); it != mine.cend(); ++it) {
            if (a < it.key())
                others.append(it.key());
        }
        others.sort();
        const QByteArray prefix = "psk " + a.toUtf8() + ' ';
        for (const QString &b : std::as_const(others)) {
            out += prefix;
            out += b.toUtf8();
            out += ' ';
            out += mine.value(b).toLatin1();
            out += '\n';
        }
    }
    // Pending rotations: what the hosts run until a deploy of the new keys is confirmed.
    QStringList running = m_running.keys();
    running.sort();
    for (const QString &id : std::as_const(running))
        out += "running " + id.toUtf8() + ' ' + m_running.value(id).privateKey.toLatin1() + '\n';
    QStringList runningPairs = m_runningPsks.keys();
    runningPairs.sort();
    for (const QString &pair : std::as_const(runningPairs))
        out += "running-psk " + pair.toUtf8() + ' ' + m_runningPsks.value(pair).toLatin1() + '\n';
    return out;
}

bool KeyStore::save(const QString &path, QString *error)
{
    QByteArray plain = serialize();
    bool ok = false;
    if (m_seal) {
        ok = AtomicFile::write(path, KeySeal::seal(plain, *m_seal), 0600, error, true);
    } else {
        ok = AtomicFile::write(path, plain, 0600, error, true);
    }
    sodium_memzero(plain.data(), size_t(plain.size()));
    if (!ok)
        return false;
    m_modified = false;
    return true;
}

bool KeyStore::encrypt(const QByteArray &passphrase, const KeySeal::Parameters &parameters, QString *error)
{
    auto key = KeySeal::SealingKey::create(passphrase, parameters, error);
    if (!key)
        return false;
    m_seal = key;
    m_modified = true;
    return true;
}

void KeyStore::decrypt()
{
    if (!m_seal)
        return;
    m_seal.reset();
    m_modified = true;
}

std::optional<KeySeal::Parameters> KeyStore::sealParameters() const
{
    if (!m_seal)
        return std::nullopt;
    return m_seal->parameters();
}

bool KeyStore::setPrivateKey(const QString &keyId, const QString &privateKey)
{
    const auto pub = WireGuardKeys::publicKey(privateKey);
    if (!pub || keyId.isEmpty() || keyId.contains(QLatin1Char(' ')))
        return false;
    m_keys.insert(keyId, KeyPair{privateKey, *pub});
    m_modified = true;
    return true;
}

QString KeyStore::presharedKey(const QString &a, const QString &b) const
{
    return presharedKeysOf(a).value(b);
}

const QHash<QString, QString> &KeyStore::presharedKeysOf(const QString &keyId) const
{
    static const QHash<QString, QString> none;
    const auto it = m_psks.constFind(keyId);
    return it == m_psks.cend() ? none : *it;
}

bool KeyStore::setPresharedKey(const QString &a, const QString &b, const QString &key)
{
    if (!WireGuardKeys::isValidKey(key) || a.isEmpty() || b.isEmpty() || a == b
        || a.contains(QLatin1Char(' ')) || b.contains(QLatin1Char(' ')))
        return false;
    insertPresharedKey(a, b, key);
    return true;
}

qsizetype KeyStore::ensure(const QStringList &keyIds,
                           const QList<std::pair<QString, QString>> &pairs)
{
    qsizetype created = 0;
    for (const QString &id : keyIds) {
        if (!m_keys.contains(id)) {
            setPrivateKey(id, WireGuardKeys::generatePrivateKey());
            ++created;
        }
    }
    // One call to the random source for all missing keys, not one per key.
    QList<std::pair<QString, QString>> missing;
    for (const auto &pair : pairs) {
        if (!m_psks.value(pair.first).contains(pair.second))
            missing.append(pair);
    }
    if (!missing.isEmpty()) {
        QByteArray random = WireGuardKeys::randomBytes(32 * missing.size());
        for (qsizetype i = 0; i < missing.size(); ++i) {
            const QString key = QString::fromLatin1(
                QByteArray::fromRawData(random.constData() + 32 * i, 32).toBase64());
            insertPresharedKey(missing[i].first, missing[i].second, key);
        }
        sodium_memzero(random.data(), size_t(random.size()));
        created += missing.size();
    }
    return created;
}

KeyStore::Material KeyStore::take(const QString &keyId)
{
    Material material;
    if (m_keys.contains(keyId)) {
        material.privateKey = m_keys.take(keyId).privateKey;
        m_modified = true;
    }
    if (m_running.contains(keyId)) {
        material.runningPrivateKey = m_running.take(keyId).privateKey;
        m_modified = true;
    }
    material.presharedKeys = m_psks.take(keyId);
    for (auto it = material.presharedKeys.cbegin(); it != material.presharedKeys.cend(); ++it) {
        if (const QString pair = pairKey(keyId, it.key()); m_runningPsks.contains(pair))
            material.runningPresharedKeys.insert(it.key(), m_runningPsks.take(pair));
        auto other = m_psks.find(it.key());
        if (other != m_psks.end()) {
            other->remove(keyId);
            if (other->isEmpty())
                m_psks.erase(other);
        }
        --m_pskCount;
        m_modified = true;
    }
    return material;
}

void KeyStore::put(const QString &keyId, const Material &material)
{
    take(keyId);
    if (!material.privateKey.isEmpty())
        setPrivateKey(keyId, material.privateKey);
    for (auto it = material.presharedKeys.cbegin(); it != material.presharedKeys.cend(); ++it)
        insertPresharedKey(keyId, it.key(), it.value());
    if (const auto pub = WireGuardKeys::publicKey(material.runningPrivateKey))
        m_running.insert(keyId, KeyPair{material.runningPrivateKey, *pub});
    for (auto it = material.runningPresharedKeys.cbegin(); it != material.runningPresharedKeys.cend(); ++it)
        m_runningPsks.insert(pairKey(keyId, it.key()), it.value());
    m_modified = true;
}

void KeyStore::copyKeys(const QString &from, const QString &to)
{
    if (from == to)
        return;
    take(to);
    if (m_keys.contains(from)) {
        m_keys.insert(to, m_keys.value(from));
        m_modified = true;
    }
    if (m_running.contains(from))
        m_running.insert(to, m_running.value(from));
    const QHash<QString, QString> keys = presharedKeysOf(from);
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        if (it.key() == to)
            continue;
        insertPresharedKey(to, it.key(), it.value());
        if (const auto running = m_runningPsks.constFind(pairKey(from, it.key())); running != m_runningPsks.cend())
            m_runningPsks.insert(pairKey(to, it.key()), *running);
    }
}

QString KeyStore::pairKey(const QString &a, const QString &b)
{
    return a < b ? a + QLatin1Char(' ') + b : b + QLatin1Char(' ') + a;
}

void KeyStore::rotate(const QString &keyId)
{
    if (m_keys.contains(keyId) && !m_running.contains(keyId))
        m_running.insert(keyId, m_keys.value(keyId));
    setPrivateKey(keyId, WireGuardKeys::generatePrivateKey());
}

bool KeyStore::rotatePresharedKey(const QString &a, const QString &b)
{
    const QString current = presharedKey(a, b);
    if (current.isEmpty())
        return false;
    m_runningPsks.insert(pairKey(a, b), m_runningPsks.value(pairKey(a, b), current));
    insertPresharedKey(a, b, WireGuardKeys::generatePresharedKey());
    return true;
}

QStringList KeyStore::pendingKeyIds() const
{
    QStringList ids = m_running.keys();
    ids.sort();
    return ids;
}

QList<std::pair<QString, QString>> KeyStore::pendingPresharedPairs() const
{
    QStringList keys = m_runningPsks.keys();
    keys.sort();
    QList<std::pair<QString, QString>> pairs;
    for (const QString &key : std::as_const(keys)) {
        const qsizetype space = key.indexOf(QLatin1Char(' '));
        pairs.append({key.left(space), key.mid(space + 1)});
    }
    return pairs;
}

QString KeyStore::runningPublicKey(const QString &keyId) const
{
    const auto running = m_running.constFind(keyId);
    return running != m_running.cend() ? running->publicKey : publicKey(keyId);
}

void KeyStore::commitRotation(const QString &keyId)
{
    if (m_running.remove(keyId))
        m_modified = true;
}

void KeyStore::commitPresharedRotation(const QString &a, const QString &b)
{
    if (m_runningPsks.remove(pairKey(a, b)))
        m_modified = true;
}

bool KeyStore::importDirectory(const QString &directory, const QStringList &hostNames,
                               QStringList *report, QString *error)
{
    const QDir dir(directory);
    if (!dir.exists()) {
        if (error)
            *error = QStringLiteral("%1: no such directory").arg(directory);
        return false;
    }
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    // Validate everything first, so a bad file leaves the store as it was.
    QHash<QString, QString> privateKeys;
    QList<std::pair<std::pair<QString, QString>, QString>> psks;
    for (const QString &host : hostNames) {
        const QString privPath = dir.filePath(host + QLatin1String("/priv.key"));
        if (!QFile::exists(privPath)) {
            report->append(QStringLiteral("%1: no key in %2, a new one will be made")
                               .arg(host, QDir::toNativeSeparators(privPath)));
            continue;
        }
        const QString priv = readKeyFile(privPath);
        const auto derived = WireGuardKeys::publicKey(priv);
        if (!derived)
            return fail(QStringLiteral("%1: not a WireGuard private key").arg(privPath));
        const QString pubPath = dir.filePath(host + QLatin1String("/pub.key"));
        if (QFile::exists(pubPath) && readKeyFile(pubPath) != *derived)
            return fail(QStringLiteral("%1: does not belong to the private key in %2")
                            .arg(pubPath, privPath));
        privateKeys.insert(host, priv);
    }
    const QDir pskDir(dir.filePath(QStringLiteral("psk")));
    const QStringList pskFiles = pskDir.entryList({QStringLiteral("*.key")}, QDir::Files, QDir::Name);
    for (const QString &fileName : pskFiles) {
        const QString stem = fileName.chopped(4);
        // Host names may hold '_' themselves: find the split where both sides are hosts.
        std::optional<std::pair<QString, QString>> pair;
        for (qsizetype i = stem.indexOf(QLatin1Char('_')); i > 0;
             i = stem.indexOf(QLatin1Char('_'), i + 1)) {
            const QString a = stem.left(i);
            const QString b = stem.mid(i + 1);
            if (hostNames.contains(a) && hostNames.contains(b)) {
                pair = std::pair(a, b);
                break;
            }
        }
        if (!pair) {
            report->append(QStringLiteral("%1: skipped, not a pair of this project's hosts")
                               .arg(pskDir.filePath(fileName)));
            continue;
        }
        const QString key = readKeyFile(pskDir.filePath(fileName));
        if (!WireGuardKeys::isValidKey(key))
            return fail(QStringLiteral("%1: not a WireGuard preshared key").arg(pskDir.filePath(fileName)));
        psks.append({*pair, key});
    }
    for (auto it = privateKeys.cbegin(); it != privateKeys.cend(); ++it) {
        setPrivateKey(it.key(), it.value());
        report->append(QStringLiteral("%1: key pair imported").arg(it.key()));
    }
    for (const auto &[pair, key] : std::as_const(psks))
        setPresharedKey(pair.first, pair.second, key);
    report->append(QStringLiteral("%1 preshared keys imported").arg(psks.size()));
    return true;
}
