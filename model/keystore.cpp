// Private and preshared keys, kept beside the project in NAME.keys (mode 0600).
#include "keystore.h"

#include "atomicfile.h"

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

QString KeyStore::pathForProject(const QString &projectPath)
{
    const QFileInfo info(projectPath);
    return info.dir().filePath(info.completeBaseName() + QLatin1String(".keys"));
}

std::pair<QString, QString> KeyStore::ordered(const QString &a, const QString &b)
{
    return a < b ? std::pair(a, b) : std::pair(b, a);
}

bool KeyStore::load(const QString &path, QString *error)
{
    m_keys.clear();
    m_psks.clear();
    m_modified = false;
    QFile file(path);
    if (!file.exists())
        return true;
    struct stat info{};
    if (::stat(QFile::encodeName(path).constData(), &info) == 0 && (info.st_mode & 077)) {
        if (error)
            *error = QStringLiteral("%1: the key store is readable by others (mode %2); "
                                    "run chmod 600 on it")
                         .arg(path)
                         .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0'));
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList fields = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        bool ok = false;
        if (fields.size() == 3 && fields[0] == QLatin1String("private"))
            ok = setPrivateKey(fields[1], fields[2]);
        else if (fields.size() == 4 && fields[0] == QLatin1String("psk"))
            ok = setPresharedKey(fields[1], fields[2], fields[3]);
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1:%2: not a valid key store entry").arg(path).arg(lineNumber);
            return false;
        }
    }
    m_modified = false;
    return true;
}

bool KeyStore::save(const QString &path, QString *error)
{
    QByteArray out;
    out.reserve(m_keys.size() * 80 + m_psks.size() * 80 + 200);
    out += "# Meshwright key store: private and preshared keys. Keep it secret; never commit it.\n";
    QStringList ids = m_keys.keys();
    ids.sort();
    for (const QString &id : std::as_const(ids))
        out += "private " + id.toUtf8() + ' ' + m_keys.value(id).privateKey.toLatin1() + '\n';
    QList<std::pair<QString, QString>> pairs = m_psks.keys();
    std::sort(pairs.begin(), pairs.end());
    for (const auto &pair : std::as_const(pairs))
        out += "psk " + pair.first.toUtf8() + ' ' + pair.second.toUtf8() + ' '
            + m_psks.value(pair).toLatin1() + '\n';
    if (!AtomicFile::write(path, out, 0600, error, true))
        return false;
    m_modified = false;
    return true;
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
    return m_psks.value(ordered(a, b));
}

bool KeyStore::setPresharedKey(const QString &a, const QString &b, const QString &key)
{
    if (!WireGuardKeys::isValidKey(key) || a.isEmpty() || b.isEmpty() || a == b
        || a.contains(QLatin1Char(' ')) || b.contains(QLatin1Char(' ')))
        return false;
    m_psks.insert(ordered(a, b), key);
    m_modified = true;
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
    m_psks.reserve(m_psks.size() + pairs.size());
    for (const auto &[a, b] : pairs) {
        const auto key = ordered(a, b);
        if (!m_psks.contains(key)) {
            m_psks.insert(key, WireGuardKeys::generatePresharedKey());
            m_modified = true;
            ++created;
        }
    }
    return created;
}

void KeyStore::rotate(const QString &keyId)
{
    setPrivateKey(keyId, WireGuardKeys::generatePrivateKey());
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
    QHash<std::pair<QString, QString>, QString> psks;
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
                pair = ordered(a, b);
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
        psks.insert(*pair, key);
    }
    for (auto it = privateKeys.cbegin(); it != privateKeys.cend(); ++it) {
        setPrivateKey(it.key(), it.value());
        report->append(QStringLiteral("%1: key pair imported").arg(it.key()));
    }
    for (auto it = psks.cbegin(); it != psks.cend(); ++it)
        setPresharedKey(it.key().first, it.key().second, it.value());
    report->append(QStringLiteral("%1 preshared keys imported").arg(psks.size()));
    return true;
}
