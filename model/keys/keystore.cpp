// Private and preshared keys, kept beside the project in NAME.keys (mode 0600).
#include "keystore.h"

#include "atomicfile.h"
#include "keybase64.h"
#include "parallel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <sodium.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

void ensureSodium()
{
    static const bool initialised = [] { return sodium_init() >= 0; }();
    Q_ASSERT(initialised);
}

QString readKeyFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    QByteArray text = file.read(256);
    const QString key = QString::fromLatin1(text).trimmed();
    sodium_memzero(text.data(), size_t(text.size()));
    return key;
}

/// Eight (or four) bytes at \a at, in one load.
template <typename Word>
inline Word wordAt(const char *at)
{
    Word word;
    std::memcpy(&word, at, sizeof word);
    return word;
}

/// True when \a a and \a b hold the same bytes: inline and a word at a time (the last
/// word overlapping), for the half a million short fields of a large store.
inline bool same(QByteArrayView a, QByteArrayView b)
{
    const qsizetype size = a.size();
    if (size != b.size())
        return false;
    const char *p = a.data();
    const char *q = b.data();
    if (size >= 8) {
        for (qsizetype at = 0; at + 8 < size; at += 8) {
            if (wordAt<quint64>(p + at) != wordAt<quint64>(q + at))
                return false;
        }
        return wordAt<quint64>(p + size - 8) == wordAt<quint64>(q + size - 8);
    }
    if (size >= 4)
        return wordAt<quint32>(p) == wordAt<quint32>(q) && wordAt<quint32>(p + size - 4) == wordAt<quint32>(q + size - 4);
    for (qsizetype at = 0; at < size; ++at) {
        if (p[at] != q[at])
            return false;
    }
    return true;
}

/// A new random private key, clamped as wg genkey makes it.
void randomPrivateKey(unsigned char (&key)[32])
{
    randombytes_buf(key, sizeof key);
    key[0] &= 248;
    key[31] = (key[31] & 127) | 64;
}

/// The same, written to \a out at \a at (44 bytes); returns the new end.
qsizetype appendKey(unsigned char *out, qsizetype at, const unsigned char *key)
{
    KeyBase64::encode(key, [out, at](int i, char c) { out[at + i] = static_cast<unsigned char>(c); });
    return at + 44;
}

} // namespace

namespace WireGuardKeys {

QString generatePrivateKey()
{
    ensureSodium();
    unsigned char key[32];
    randomPrivateKey(key);
    const QString result = KeyBase64::toString(key);
    sodium_memzero(key, sizeof key);
    return result;
}

std::optional<QString> publicKey(const QString &privateKey)
{
    ensureSodium();
    unsigned char secret[32];
    unsigned char pub[crypto_scalarmult_BYTES];
    const bool ok = KeyBase64::decode(QStringView(privateKey), secret) && crypto_scalarmult_base(pub, secret) == 0;
    sodium_memzero(secret, sizeof secret);
    if (!ok)
        return std::nullopt;
    return KeyBase64::toString(pub);
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
    const QString result = KeyBase64::toString(key);
    sodium_memzero(key, sizeof key);
    return result;
}

} // namespace WireGuardKeys

QString KeyStore::pathForProject(const QString &projectPath)
{
    const QFileInfo info(projectPath);
    return info.dir().filePath(info.completeBaseName() + QLatin1String(".keys"));
}

int KeyStore::intern(const QString &name)
{
    const auto it = m_ids.constFind(name);
    if (it != m_ids.cend())
        return *it;
    const int id = int(m_entries.size());
    m_entries.append(Entry{name, -1, {}, -1, {}, {}});
    m_ids.insert(name, id);
    return id;
}

void KeyStore::storePrivateKey(int id, const unsigned char *secret)
{
    Entry &entry = m_entries[id];
    if (entry.key < 0) {
        entry.key = m_secrets.allocate(secret);
        ++m_keyCount;
    } else {
        std::memcpy(m_secrets.at(entry.key), secret, KeySeal::SecretArena::SlotSize);
    }
}

bool KeyStore::assignPrivateKey(int id, const unsigned char *secret)
{
    unsigned char pub[crypto_scalarmult_BYTES];
    if (crypto_scalarmult_base(pub, secret) != 0)
        return false;
    storePrivateKey(id, secret);
    m_entries[id].publicKey = KeyBase64::toString(pub);
    m_modified = true;
    return true;
}

std::vector<int> KeyStore::derivePublicKeys(const std::vector<int> &ids)
{
    // One item per id (ids must not repeat): no two workers touch the same entry.
    const qsizetype items = qsizetype(ids.size());
    std::vector<std::vector<int>> refused(size_t(Parallel::workers(items)));
    Entry *const entries = m_entries.data(); // detached here, on this thread
    Parallel::run(items, items >= 64 ? int(refused.size()) : 1, [&](int worker, qsizetype item) {
        const int id = ids[size_t(item)];
        Entry &entry = entries[id];
        unsigned char pub[crypto_scalarmult_BYTES];
        if (crypto_scalarmult_base(pub, m_secrets.at(entry.key)) != 0)
            refused[size_t(worker)].push_back(id);
        else
            entry.publicKey = KeyBase64::toString(pub);
        return true;
    });
    std::vector<int> all;
    for (const std::vector<int> &some : refused)
        all.insert(all.end(), some.begin(), some.end());
    return all;
}

void KeyStore::newPrivateKey(int id)
{
    ensureSodium();
    unsigned char key[32];
    randomPrivateKey(key);
    assignPrivateKey(id, key);
    sodium_memzero(key, sizeof key);
}

void KeyStore::assignPresharedKey(int a, int b, const unsigned char *secret)
{
    Entry *const entries = m_entries.data();
    // A store read in its own order adds every pair after the partners it has.
    const int slot = entries[a].psks.comesAfterAll(b) ? -1 : entries[a].psks.value(b);
    if (slot >= 0) {
        std::memcpy(m_secrets.at(slot), secret, KeySeal::SecretArena::SlotSize);
    } else {
        const int made = m_secrets.allocate(secret);
        entries[a].psks.insert(b, made);
        entries[b].psks.insert(a, made);
        ++m_pskCount;
    }
    m_modified = true;
}

void KeyStore::dropPresharedKey(int a, int b)
{
    const quint64 pair = pairOf(a, b);
    if (const int slot = presharedSlot(a, b); slot >= 0) {
        m_secrets.release(slot);
        m_entries[a].psks.remove(b);
        m_entries[b].psks.remove(a);
        --m_pskCount;
    }
    if (const auto running = m_runningPsks.constFind(pair); running != m_runningPsks.cend()) {
        m_secrets.release(*running);
        m_runningPsks.erase(running);
    }
    m_modified = true;
}

void KeyStore::clear()
{
    m_ids.clear();
    m_entries.clear();
    m_keyCount = 0;
    m_pskCount = 0;
    m_runningPsks.clear();
    m_secrets.clear();
}

bool KeyStore::failLoad(LoadFailure why, const QString &message, QString *error)
{
    m_loadFailure = why;
    if (error)
        *error = message;
    return false;
}

bool KeyStore::load(const QString &path, QString *error, const PassphraseSource &passphrase)
{
    clear();
    m_modified = false;
    m_loadFailure = LoadFailure::None;
    auto fail = [&](LoadFailure why, const QString &message) { return failLoad(why, message, error); };
    if (!QFileInfo::exists(path)) {
        m_seal.reset();
        return true;
    }
    struct stat info{};
    if (::stat(QFile::encodeName(path).constData(), &info) == 0 && (info.st_mode & 077))
        return fail(LoadFailure::Unreadable, QStringLiteral("%1: the key store is readable by others (mode %2); "
                                                            "run chmod 600 on it")
                                                 .arg(path)
                                                 .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0')));
    // A plain store is read as it streams in; a sealed one is opened whole.
    std::unique_ptr<KeySeal::Secret> file;
    if (const std::optional<bool> plain = readPlain(path, error, &file); plain) {
        m_seal.reset();
        return *plain;
    }
    QString why;
    const QByteArray data = QByteArray::fromRawData(reinterpret_cast<const char *>(file->data()), file->size());
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
        if (const std::unique_ptr<KeySeal::Secret> plain = KeySeal::open(data, *key, &why)) {
            if (!parse(plain->view(), path, error))
                return false;
            m_seal = key;
            return true;
        }
        problem = why;
        key.reset();
    }
}

/// Reads a store's lines into it, in as many pieces of whole lines as come: a plain store
/// is read from its file a block at a time, a sealed one as it was opened.
class KeyStore::LineReader
{
public:
    /// \a bytes: the store's size, which bounds the number of keys (a line that holds a
    /// key is at least MinKeyLine long).
    LineReader(KeyStore &store, qsizetype bytes)
        : m_store(store)
        , m_keyLines(bytes / MinKeyLine + 1)
    {
        m_store.m_secrets.reserve(m_store.m_secrets.size() + m_keyLines);
    }
    ~LineReader() { sodium_memzero(m_key, sizeof m_key); }
    LineReader(const LineReader &) = delete;
    LineReader &operator=(const LineReader &) = delete;

    /// Whole lines, without the last one's line break: "" is one empty line. False at the
    /// first that is not a valid entry.
    bool read(QByteArrayView lines)
    {
        for (qsizetype start = 0;;) {
            const char *stop = static_cast<const char *>(std::memchr(lines.data() + start, '\n', size_t(lines.size() - start)));
            const qsizetype end = stop ? stop - lines.data() : lines.size();
            ++m_lineNumber;
            if (!line(lines.sliced(start, end - start).trimmed()))
                return false;
            if (!stop)
                return true;
            start = end + 1;
        }
    }
    int lineNumber() const { return m_lineNumber; }
    /// The next line is refused before it was read whole (longer than any entry).
    void refuseNext() { ++m_lineNumber; }
    /// After the last line: the public keys of the private keys read, on every CPU when
    /// there are many (each is a scalar multiplication, some 30 us). False when libsodium
    /// refuses one; lineNumber() is then its line.
    bool derivePublicKeys();

    /// "psk a b " and a key: the shortest line that holds one.
    static constexpr qsizetype MinKeyLine = 52;

private:
    bool line(QByteArrayView line);
    /// The id of \a name, which stays valid after the piece it came from is gone.
    int id(QByteArrayView name)
    {
        auto it = m_ids.constFind(name);
        if (it == m_ids.cend()) {
            m_names.append(name.toByteArray());
            const int made = m_store.intern(QString::fromUtf8(m_names.last()));
            // A QByteArray keeps its bytes where they are when the list grows.
            it = m_ids.insert(QByteArrayView(m_names.last()), made);
            m_spelled.resize(m_store.m_entries.size());
            m_spelled[made] = QByteArrayView(m_names.last());
        }
        return *it;
    }

    KeyStore &m_store;
    qsizetype m_keyLines;
    // Key ids repeat on many lines: each is looked up once.
    QList<QByteArray> m_names;
    QHash<QByteArrayView, int> m_ids; ///< views of m_names
    QList<QByteArrayView> m_spelled;  ///< id -> its name as in the file
    qsizetype m_perId = 0;            ///< set at the first "psk" line
    int m_lastOwner = -1;             ///< "psk A B" lines come sorted by A
    int m_lastOther = -1;
    unsigned char m_key[32];
    int m_lineNumber = 0;
    /// Per id, the line of its "private" entry (0: none yet), and the ids that have one.
    std::vector<int> m_privateLine;
    std::vector<int> m_withPrivate;
};

bool KeyStore::LineReader::derivePublicKeys()
{
    int first = 0;
    for (const int id : m_store.derivePublicKeys(m_withPrivate)) {
        const int line = m_privateLine[size_t(id)];
        first = first == 0 ? line : std::min(first, line);
    }
    if (first > 0)
        m_lineNumber = first;
    return first == 0;
}

bool KeyStore::LineReader::line(QByteArrayView line)
{
    if (line.isEmpty() || line.startsWith('#'))
        return true;
    // Fields between spaces; lines are short, so a scan beats a search per field. The
    // last field is a key: when the line ends in a space and 44 characters, only what
    // comes before them is scanned (a space among the 44 fails the key's decoding).
    QByteArrayView fields[4];
    qsizetype count = 0;
    const bool keyLast = line.size() > 45 && line[line.size() - 45] == ' ';
    const qsizetype scanned = keyLast ? line.size() - 45 : line.size();
    for (const char *at = line.data(), *stop = at + scanned; at < stop;) {
        if (*at == ' ') {
            ++at;
            continue;
        }
        const char *field = at;
        while (at < stop && *at != ' ')
            ++at;
        if (count == 4)
            return false;
        fields[count++] = QByteArrayView(field, at - field);
    }
    if (keyLast) {
        if (count == 4)
            return false;
        fields[count++] = line.last(44);
    }
    if (count < 3 || !KeyBase64::decode(fields[count - 1], m_key))
        return false;
    if (count == 3 && same(fields[0], "private")) {
        // The key now, its public key once every line is read (derivePublicKeys).
        const int owner = id(fields[1]);
        m_store.storePrivateKey(owner, m_key);
        if (m_privateLine.size() <= size_t(owner))
            m_privateLine.resize(size_t(owner) + 1, 0);
        if (m_privateLine[size_t(owner)] == 0)
            m_withPrivate.push_back(owner);
        m_privateLine[size_t(owner)] = m_lineNumber;
        return true;
    }
    if (count == 4 && same(fields[0], "psk") && !same(fields[1], fields[2])) {
        if (m_lastOwner < 0 || !same(fields[1], m_spelled.at(m_lastOwner)))
            m_lastOwner = id(fields[1]);
        // Each id's table of preshared keys is made big enough once, for as many as an
        // id has on average (a full mesh: all the others).
        if (m_perId == 0) {
            const qsizetype ids = std::max<qsizetype>(m_store.m_entries.size(), 1);
            m_perId = std::max<qsizetype>(1, std::min<qsizetype>(2 * m_keyLines / ids, ids));
        }
        // This file wrote each owner's partners in the order of the "private" lines
        // above (by name): the next partner is most often the id after the last one.
        const int next = m_lastOther + 1;
        const int other = next < m_spelled.size() && same(m_spelled.at(next), fields[2]) ? next : id(fields[2]);
        m_lastOther = other;
        Entry *const entries = m_store.m_entries.data();
        for (const int end : {m_lastOwner, other}) {
            if (entries[end].psks.isEmpty())
                entries[end].psks.reserve(m_perId);
        }
        m_store.assignPresharedKey(m_lastOwner, other, m_key);
        return true;
    }
    if (count == 3 && same(fields[0], "running")) {
        unsigned char pub[crypto_scalarmult_BYTES];
        Entry &entry = m_store.m_entries[id(fields[1])];
        if (crypto_scalarmult_base(pub, m_key) != 0)
            return false;
        if (entry.running < 0)
            entry.running = m_store.m_secrets.allocate(m_key);
        else
            std::memcpy(m_store.m_secrets.at(entry.running), m_key, sizeof m_key);
        entry.runningPublicKey = KeyBase64::toString(pub);
        return true;
    }
    if (count == 4 && same(fields[0], "running-psk") && !same(fields[1], fields[2])) {
        const quint64 pair = pairOf(id(fields[1]), id(fields[2]));
        if (const auto it = m_store.m_runningPsks.constFind(pair); it != m_store.m_runningPsks.cend())
            std::memcpy(m_store.m_secrets.at(*it), m_key, sizeof m_key);
        else
            m_store.m_runningPsks.insert(pair, m_store.m_secrets.allocate(m_key));
        return true;
    }
    return false;
}

bool KeyStore::parse(QByteArrayView data, const QString &path, QString *error)
{
    LineReader reader(*this, data.size());
    return parsed(reader.read(data), reader, path, error);
}

bool KeyStore::parsed(bool ok, LineReader &reader, const QString &path, QString *error)
{
    if (!ok || !reader.derivePublicKeys()) {
        clear();
        return failLoad(LoadFailure::Invalid, QStringLiteral("%1:%2: not a valid key store entry").arg(path).arg(reader.lineNumber()), error);
    }
    m_modified = false;
    return true;
}

std::optional<bool> KeyStore::readPlain(const QString &path, QString *error, std::unique_ptr<KeySeal::Secret> *sealed)
{
    auto fail = [&](const QString &why) {
        clear(); // nothing half read stays
        return failLoad(LoadFailure::Unreadable, QStringLiteral("%1: %2").arg(path, why), error);
    };
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    const auto closing = qScopeGuard([fd] { ::close(fd); });
    struct stat info{};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
        return fail(QStringLiteral("not a regular file"));
    const qsizetype size = qsizetype(info.st_size);
    // A block at a time through one small guarded buffer: the whole file is never in
    // this process at once, and no large block is locked, filled and wiped for it.
    constexpr qsizetype Block = 64 * 1024;
    KeySeal::Secret buffer(Block);
    if (buffer.size() == 0)
        return fail(QStringLiteral("out of memory"));
    char *const data = reinterpret_cast<char *>(buffer.data());
    qsizetype held = 0; // bytes in the buffer not read as lines yet: the start of one
    qsizetype total = 0;
    std::optional<LineReader> reader;
    for (;;) {
        const ssize_t got = ::read(fd, data + held, size_t(Block - held));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return fail(QString::fromLocal8Bit(std::strerror(errno)));
        total += got;
        held += got;
        // Sealed or plain, told by the first bytes (a short read gets more first).
        if (!reader) {
            if (got > 0 && held < KeySeal::MagicSize)
                continue;
            if (KeySeal::isSealed(QByteArray::fromRawData(data, held))) {
                // Opened whole: the rest joins what was read, in a guarded block of its own.
                auto whole = std::make_unique<KeySeal::Secret>(std::max(size, held));
                if (whole->size() == 0)
                    return fail(QStringLiteral("out of memory"));
                std::memcpy(whole->data(), data, size_t(held));
                qsizetype at = held;
                while (at < whole->size()) {
                    const ssize_t more = ::read(fd, whole->data() + at, size_t(whole->size() - at));
                    if (more < 0 && errno == EINTR)
                        continue;
                    if (more < 0)
                        return fail(QString::fromLocal8Bit(std::strerror(errno)));
                    if (more == 0)
                        break;
                    at += more;
                }
                if (at != size)
                    return fail(QStringLiteral("the file changed while it was read"));
                *sealed = std::move(whole);
                return std::nullopt;
            }
            reader.emplace(*this, size);
        }
        if (got == 0) { // the end: what is left is the last line
            if (total != size)
                return fail(QStringLiteral("the file changed while it was read"));
            return parsed(reader->read(QByteArrayView(data, held)), *reader, path, error);
        }
        const char *last = static_cast<const char *>(memrchr(data, '\n', size_t(held)));
        if (!last) {
            if (held == Block) { // no entry is that long
                reader->refuseNext();
                return parsed(false, *reader, path, error);
            }
            continue;
        }
        const qsizetype whole = last - data + 1;
        if (!reader->read(QByteArrayView(data, whole - 1)))
            return parsed(false, *reader, path, error);
        std::memmove(data, data + whole, size_t(held - whole));
        held -= whole;
    }
}

std::unique_ptr<KeySeal::Secret> KeyStore::serialize() const
{
    static const QByteArray heading = "# Meshwright key store: private and preshared keys. Keep it secret; never commit it.\n";
    QList<int> order; // ids by name
    order.reserve(m_entries.size());
    for (int id = 0; id < m_entries.size(); ++id)
        order.append(id);
    std::sort(order.begin(), order.end(), [this](int a, int b) { return m_entries[a].name < m_entries[b].name; });
    QList<QByteArray> names(m_entries.size());
    for (int id = 0; id < m_entries.size(); ++id)
        names[id] = m_entries[id].name.toUtf8();
    QList<int> rank(m_entries.size());
    for (int i = 0; i < order.size(); ++i)
        rank[order[i]] = i;

    struct Line
    {
        const char *label;
        int a;
        int b; ///< -1: a line of one id
        int slot;
    };
    QList<Line> lines;
    lines.reserve(m_keyCount + m_pskCount + m_runningPsks.size() + 8);
    for (int id : std::as_const(order)) {
        if (m_entries[id].key >= 0)
            lines.append({"private", id, -1, m_entries[id].key});
    }
    for (int a : std::as_const(order)) {
        QList<int> others;
        for (const auto &[other, slot] : m_entries[a].psks.all()) {
            if (rank[a] < rank[other])
                others.append(other);
        }
        std::sort(others.begin(), others.end(), [&rank](int x, int y) { return rank[x] < rank[y]; });
        for (int b : std::as_const(others))
            lines.append({"psk", a, b, presharedSlot(a, b)});
    }
    // Pending rotations: what the hosts run until a deploy of the new keys is confirmed.
    for (int id : std::as_const(order)) {
        if (m_entries[id].running >= 0)
            lines.append({"running", id, -1, m_entries[id].running});
    }
    QList<std::pair<int, int>> runningPairs;
    for (auto it = m_runningPsks.cbegin(); it != m_runningPsks.cend(); ++it) {
        int a = int(it.key() >> 32);
        int b = int(it.key() & 0xffffffffu);
        if (rank[b] < rank[a])
            std::swap(a, b);
        runningPairs.append({a, b});
    }
    std::sort(runningPairs.begin(), runningPairs.end(), [&](const auto &x, const auto &y) {
        return std::pair(rank[x.first], rank[x.second]) < std::pair(rank[y.first], rank[y.second]);
    });
    for (const auto &[a, b] : std::as_const(runningPairs))
        lines.append({"running-psk", a, b, m_runningPsks.value(pairOf(a, b))});

    // One block of guarded memory of the exact size: no growing buffer leaves copies behind.
    qsizetype size = heading.size();
    for (const Line &line : std::as_const(lines))
        size += qsizetype(std::strlen(line.label)) + 1 + names[line.a].size() + 1 + (line.b >= 0 ? names[line.b].size() + 1 : 0) + 44 + 1;
    auto out = std::make_unique<KeySeal::Secret>(size);
    if (out->size() != size)
        throw std::bad_alloc();
    unsigned char *bytes = out->data();
    qsizetype at = 0;
    auto put = [&](QByteArrayView text) {
        std::memcpy(bytes + at, text.data(), size_t(text.size()));
        at += text.size();
    };
    put(heading);
    for (const Line &line : std::as_const(lines)) {
        put(line.label);
        put(" ");
        put(names[line.a]);
        put(" ");
        if (line.b >= 0) {
            put(names[line.b]);
            put(" ");
        }
        at = appendKey(bytes, at, m_secrets.at(line.slot));
        put("\n");
    }
    Q_ASSERT(at == size);
    return out;
}

bool KeyStore::save(const QString &path, QString *error)
{
    const std::unique_ptr<KeySeal::Secret> plain = serialize();
    const bool ok = m_seal ? AtomicFile::write(path, KeySeal::seal(plain->view(), *m_seal), 0600, error, true)
                           : AtomicFile::write(path, plain->view(), 0600, error, true);
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

bool KeyStore::hasPrivateKey(const QString &keyId) const
{
    const int id = idOf(keyId);
    return id >= 0 && m_entries[id].key >= 0;
}

QString KeyStore::privateKey(const QString &keyId) const
{
    const int id = idOf(keyId);
    return id >= 0 && m_entries[id].key >= 0 ? KeyBase64::toString(m_secrets.at(m_entries[id].key)) : QString();
}

QString KeyStore::publicKey(const QString &keyId) const
{
    return publicKeyOf(idOf(keyId));
}

QString KeyStore::Material::privateKey() const
{
    return m_key >= 0 ? KeyBase64::toString(m_secrets->at(m_key)) : QString();
}

bool KeyStore::setPrivateKey(const QString &keyId, const QString &privateKey)
{
    if (keyId.isEmpty() || keyId.contains(QLatin1Char(' ')))
        return false;
    unsigned char key[32];
    bool ok = KeyBase64::decode(QStringView(privateKey), key);
    if (ok) {
        unsigned char pub[crypto_scalarmult_BYTES];
        ok = crypto_scalarmult_base(pub, key) == 0 && assignPrivateKey(intern(keyId), key);
    }
    sodium_memzero(key, sizeof key);
    return ok;
}

QString KeyStore::presharedKey(const QString &a, const QString &b) const
{
    return presharedKeysOf(a).value(b).toBase64();
}

PresharedKey KeyStore::PresharedKeys::value(const QString &other) const
{
    return m_id < 0 ? PresharedKey() : valueOf(m_store->idOf(other));
}

PresharedKey KeyStore::PresharedKeys::valueOf(int number) const
{
    if (m_id < 0 || number < 0)
        return {};
    const Partners &owner = m_store->m_entries[m_id].psks;
    const std::vector<std::pair<int, int>> &partners = owner.all();
    size_t at = m_next;
    if (at >= partners.size() || partners[at].first != number) {
        at = owner.position(number);
        if (at == partners.size() || partners[at].first != number) {
            m_next = at; // no key with this one: the next number may have the key here
            return {};
        }
    }
    m_next = at + 1;
    constexpr size_t Ahead = 8;
    if (at + Ahead < partners.size())
        __builtin_prefetch(m_store->m_secrets.at(partners[at + Ahead].second));
    return PresharedKey(m_store->m_secrets.at(partners[at].second));
}

bool KeyStore::setPresharedKey(const QString &a, const QString &b, const QString &key)
{
    if (a.isEmpty() || b.isEmpty() || a == b || a.contains(QLatin1Char(' ')) || b.contains(QLatin1Char(' ')))
        return false;
    unsigned char bytes[32];
    const bool ok = KeyBase64::decode(QStringView(key), bytes);
    if (ok)
        assignPresharedKey(intern(a), intern(b), bytes);
    sodium_memzero(bytes, sizeof bytes);
    return ok;
}

qsizetype KeyStore::ensure(const QStringList &keyIds,
                           const QList<std::pair<QString, QString>> &pairs)
{
    ensureSodium();
    // New key pairs: the private keys here, their public keys on every CPU.
    std::vector<int> fresh;
    for (const QString &name : keyIds) {
        const int id = intern(name);
        if (m_entries[id].key >= 0)
            continue; // it has one, or got one a line ago (an id listed twice)
        unsigned char key[32];
        randomPrivateKey(key);
        storePrivateKey(id, key);
        sodium_memzero(key, sizeof key);
        fresh.push_back(id);
    }
    for (const int id : derivePublicKeys(fresh))
        newPrivateKey(id); // libsodium refused it: another one
    if (!fresh.empty())
        m_modified = true;
    qsizetype created = qsizetype(fresh.size());
    QList<std::pair<int, int>> missing;
    // Pairs come grouped by their first id (the planner lists them host by host).
    const QString *lastFirst = nullptr;
    int x = -1;
    for (const auto &[a, b] : pairs) {
        if (!lastFirst || a != *lastFirst) {
            lastFirst = &a;
            x = intern(a);
        }
        const int y = intern(b);
        if (x != y && presharedSlot(x, y) < 0)
            missing.append({x, y});
    }
    if (missing.isEmpty())
        return created;
    // All missing keys at once, made where the keys stay: a seed from the system's random
    // source, expanded with ChaCha20. The kernel hands out 256 bytes a call; half a
    // million keys asked of it one by one, or all in one buffer, took 40 ms.
    m_secrets.reserve(m_secrets.size() + missing.size());
    KeySeal::Secret random(32 * missing.size());
    if (random.size() == 0)
        throw std::bad_alloc();
    unsigned char seed[randombytes_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    randombytes_buf_deterministic(random.data(), size_t(random.size()), seed);
    sodium_memzero(seed, sizeof seed);
    for (qsizetype i = 0; i < missing.size(); ++i) {
        // Pairs listed twice get one key.
        if (presharedSlot(missing[i].first, missing[i].second) < 0) {
            assignPresharedKey(missing[i].first, missing[i].second, random.data() + 32 * i);
            ++created;
        }
    }
    return created;
}

KeyStore::Material KeyStore::take(const QString &keyId)
{
    Material material;
    const int id = idOf(keyId);
    if (id < 0)
        return material;
    material.m_secrets = std::make_shared<KeySeal::SecretArena>();
    KeySeal::SecretArena &secrets = *material.m_secrets;
    Entry &entry = m_entries[id];
    if (entry.key >= 0) {
        material.m_key = secrets.allocate(m_secrets.at(entry.key));
        m_secrets.release(entry.key);
        entry.key = -1;
        entry.publicKey.clear();
        --m_keyCount;
        m_modified = true;
    }
    if (entry.running >= 0) {
        material.m_running = secrets.allocate(m_secrets.at(entry.running));
        m_secrets.release(entry.running);
        entry.running = -1;
        entry.runningPublicKey.clear();
        m_modified = true;
    }
    QList<int> partners;
    for (const auto &[other, slot] : entry.psks.all())
        partners.append(other);
    for (int other : partners) {
        const quint64 pair = pairOf(id, other);
        material.m_psks.append({m_entries[other].name, secrets.allocate(m_secrets.at(presharedSlot(id, other)))});
        if (const auto running = m_runningPsks.constFind(pair); running != m_runningPsks.cend())
            material.m_runningPsks.append({m_entries[other].name, secrets.allocate(m_secrets.at(*running))});
        dropPresharedKey(id, other);
    }
    return material;
}

void KeyStore::put(const QString &keyId, const Material &material)
{
    take(keyId);
    if (!material.m_secrets)
        return;
    const KeySeal::SecretArena &secrets = *material.m_secrets;
    const int id = intern(keyId);
    if (material.m_key >= 0)
        assignPrivateKey(id, secrets.at(material.m_key));
    for (const auto &[other, slot] : material.m_psks)
        assignPresharedKey(id, intern(other), secrets.at(slot));
    if (material.m_running >= 0) {
        unsigned char pub[crypto_scalarmult_BYTES];
        if (crypto_scalarmult_base(pub, secrets.at(material.m_running)) == 0) {
            m_entries[id].running = m_secrets.allocate(secrets.at(material.m_running));
            m_entries[id].runningPublicKey = KeyBase64::toString(pub);
        }
    }
    for (const auto &[other, slot] : material.m_runningPsks) {
        const quint64 pair = pairOf(id, intern(other));
        if (presharedSlot(id, intern(other)) >= 0 && !m_runningPsks.contains(pair))
            m_runningPsks.insert(pair, m_secrets.allocate(secrets.at(slot)));
    }
    m_modified = true;
}

void KeyStore::copyKeys(const QString &from, const QString &to)
{
    if (from == to)
        return;
    take(to);
    const int source = idOf(from);
    if (source < 0)
        return;
    const int target = intern(to);
    // By value: interning and appending may move the entries.
    const Entry entry = m_entries[source];
    if (entry.key >= 0)
        assignPrivateKey(target, m_secrets.at(entry.key));
    if (entry.running >= 0) {
        m_entries[target].running = m_secrets.allocate(m_secrets.at(entry.running));
        m_entries[target].runningPublicKey = entry.runningPublicKey;
    }
    for (const auto &[other, slot] : entry.psks.all()) {
        if (other == target)
            continue;
        const quint64 pair = pairOf(source, other);
        assignPresharedKey(target, other, m_secrets.at(slot));
        if (const auto running = m_runningPsks.constFind(pair); running != m_runningPsks.cend()) {
            const int slot = m_secrets.allocate(m_secrets.at(*running));
            m_runningPsks.insert(pairOf(target, other), slot);
        }
    }
    m_modified = true;
}

void KeyStore::rotate(const QString &keyId)
{
    ensureSodium();
    const int id = intern(keyId);
    Entry &entry = m_entries[id];
    if (entry.key >= 0 && entry.running < 0) {
        // The key the hosts run moves to the running slot; a new one takes its place.
        entry.running = entry.key;
        entry.runningPublicKey = entry.publicKey;
        entry.key = -1;
        --m_keyCount;
    }
    newPrivateKey(id);
}

bool KeyStore::rotatePresharedKey(const QString &a, const QString &b)
{
    ensureSodium();
    const int x = idOf(a);
    const int y = idOf(b);
    const int slot = presharedSlot(x, y);
    if (slot < 0)
        return false;
    const quint64 pair = pairOf(x, y);
    if (!m_runningPsks.contains(pair))
        m_runningPsks.insert(pair, m_secrets.allocate(m_secrets.at(slot)));
    randombytes_buf(m_secrets.at(slot), KeySeal::SecretArena::SlotSize);
    m_modified = true;
    return true;
}

QStringList KeyStore::pendingKeyIds() const
{
    QStringList ids;
    for (const Entry &entry : m_entries) {
        if (entry.running >= 0)
            ids.append(entry.name);
    }
    ids.sort();
    return ids;
}

QList<std::pair<QString, QString>> KeyStore::pendingPresharedPairs() const
{
    QList<std::pair<QString, QString>> pairs;
    for (auto it = m_runningPsks.cbegin(); it != m_runningPsks.cend(); ++it) {
        QString a = m_entries[int(it.key() >> 32)].name;
        QString b = m_entries[int(it.key() & 0xffffffffu)].name;
        if (b < a)
            std::swap(a, b);
        pairs.append({a, b});
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

bool KeyStore::hasPendingRotation() const
{
    return !m_runningPsks.isEmpty()
        || std::any_of(m_entries.cbegin(), m_entries.cend(), [](const Entry &entry) { return entry.running >= 0; });
}

QString KeyStore::runningPublicKey(const QString &keyId) const
{
    const int id = idOf(keyId);
    if (id < 0)
        return {};
    return m_entries[id].running >= 0 ? m_entries[id].runningPublicKey : m_entries[id].publicKey;
}

void KeyStore::commitRotation(const QString &keyId)
{
    const int id = idOf(keyId);
    if (id < 0 || m_entries[id].running < 0)
        return;
    m_secrets.release(m_entries[id].running);
    m_entries[id].running = -1;
    m_entries[id].runningPublicKey.clear();
    m_modified = true;
}

void KeyStore::commitPresharedRotation(const QString &a, const QString &b)
{
    const int x = idOf(a);
    const int y = idOf(b);
    if (x < 0 || y < 0)
        return;
    if (const auto running = m_runningPsks.constFind(pairOf(x, y)); running != m_runningPsks.cend()) {
        m_secrets.release(*running);
        m_runningPsks.erase(running);
        m_modified = true;
    }
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
        if (!KeyBase64::isValid(key))
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
