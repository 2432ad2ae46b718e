// The sealed key store's format: a fixed header, authenticated, then the ciphertext.
//
//   0  8  magic "\x89MWKEYS\n"
//   8  1  format version (1)
//   9  1  key derivation: 1 = Argon2id (crypto_pwhash_ALG_ARGON2ID13)
//  10  1  cipher: 1 = XChaCha20-Poly1305 IETF (crypto_aead_xchacha20poly1305_ietf)
//  11  1  reserved, 0
//  12  8  opslimit, little-endian
//  20  8  memlimit in bytes, little-endian
//  28 16  salt
//  44 24  nonce
//  68  …  ciphertext of the plain store, with its 16-byte tag; bytes 0..67 are its
//         additional data, so no header byte can change unnoticed either
#include "keyseal.h"

#include <sodium.h>

#include <cstring>
#include <new>

namespace KeySeal {

namespace {

constexpr char Magic[8] = {'\x89', 'M', 'W', 'K', 'E', 'Y', 'S', '\n'};
static_assert(sizeof Magic == MagicSize);
constexpr int Version = 1;
constexpr int Argon2id = 1;
constexpr int XChaCha20Poly1305 = 1;
constexpr qsizetype SaltAt = 28;
constexpr qsizetype NonceAt = SaltAt + crypto_pwhash_SALTBYTES;
constexpr qsizetype HeaderSize = NonceAt + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
static_assert(HeaderSize == 68);
/// The most a header may ask for: a bit flipped in the cost must not make opening hang.
constexpr quint64 MaxOpsLimit = 64;
constexpr quint64 MaxMemLimit = quint64(1) << 30;

void putU64(QByteArray &out, quint64 value)
{
    for (int k = 0; k < 8; ++k)
        out.append(char((value >> (8 * k)) & 0xff));
}

quint64 u64(const QByteArray &in, qsizetype at)
{
    quint64 value = 0;
    for (int k = 7; k >= 0; --k)
        value = (value << 8) | uchar(in[at + k]);
    return value;
}

bool ready()
{
    static const bool ok = sodium_init() >= 0;
    return ok;
}

} // namespace

Parameters Parameters::interactive()
{
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Parameters Parameters::moderate()
{
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

Parameters Parameters::sensitive()
{
    return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
}

Parameters Parameters::weakest()
{
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Secret::Secret(qsizetype size)
    : m_data(ready() ? static_cast<unsigned char *>(sodium_malloc(size_t(size))) : nullptr)
    , m_size(m_data ? size : 0)
{
}

Secret::~Secret()
{
    if (m_data)
        sodium_free(m_data); // wipes it first
}

SecretArena::~SecretArena()
{
    clear();
}

SecretArena::SecretArena(const SecretArena &other)
{
    *this = other;
}

SecretArena &SecretArena::operator=(const SecretArena &other)
{
    if (this == &other)
        return *this;
    clear();
    reserve(other.m_used);
    if (other.m_used > 0)
        std::memcpy(m_bytes, other.m_bytes, size_t(other.m_used * SlotSize));
    m_used = other.m_used;
    m_free = other.m_free;
    return *this;
}

SecretArena::SecretArena(SecretArena &&other) noexcept
{
    *this = std::move(other);
}

SecretArena &SecretArena::operator=(SecretArena &&other) noexcept
{
    if (this == &other)
        return *this;
    clear();
    std::swap(m_bytes, other.m_bytes);
    std::swap(m_capacity, other.m_capacity);
    std::swap(m_used, other.m_used);
    m_free.swap(other.m_free);
    return *this;
}

void SecretArena::reserve(qsizetype count)
{
    if (count <= m_capacity)
        return;
    auto *bigger = ready() ? static_cast<unsigned char *>(sodium_malloc(size_t(count * SlotSize))) : nullptr;
    if (!bigger)
        throw std::bad_alloc();
    if (m_bytes) {
        std::memcpy(bigger, m_bytes, size_t(m_used * SlotSize));
        sodium_free(m_bytes); // wipes it first
    }
    m_bytes = bigger;
    m_capacity = count;
}

int SecretArena::allocate()
{
    if (!m_free.isEmpty())
        return m_free.takeLast(); // wiped by release()
    if (m_used == m_capacity)
        reserve(std::max<qsizetype>(64, m_capacity * 2));
    sodium_memzero(at(int(m_used)), SlotSize);
    return int(m_used++);
}

int SecretArena::allocate(const unsigned char *bytes)
{
    // A copy of one of its own slots: allocating may move the block, so by offset.
    if (m_bytes && bytes >= m_bytes && bytes < m_bytes + m_used * SlotSize) {
        const qsizetype from = bytes - m_bytes;
        const int slot = allocate();
        std::memcpy(at(slot), m_bytes + from, SlotSize);
        return slot;
    }
    // Filled at once: a slot never used before needs no wiping first.
    if (!m_free.isEmpty() || m_used == m_capacity) {
        const int slot = allocate();
        std::memcpy(at(slot), bytes, SlotSize);
        return slot;
    }
    std::memcpy(at(int(m_used)), bytes, SlotSize);
    return int(m_used++);
}

void SecretArena::release(int slot)
{
    sodium_memzero(at(slot), SlotSize);
    m_free.append(slot);
}

void SecretArena::clear()
{
    if (m_bytes)
        sodium_free(m_bytes);
    m_bytes = nullptr;
    m_capacity = 0;
    m_used = 0;
    m_free.clear();
}

SealingKey::SealingKey()
    : m_key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
{
}

std::shared_ptr<const SealingKey> SealingKey::derive(const QByteArray &passphrase, const QByteArray &salt, const Parameters &parameters,
                                                     QString *error)
{
    std::shared_ptr<SealingKey> key(new SealingKey);
    if (key->m_key.size() == 0 || salt.size() != crypto_pwhash_SALTBYTES
        || crypto_pwhash(key->m_key.data(), size_t(key->m_key.size()), passphrase.constData(), quint64(passphrase.size()),
                         reinterpret_cast<const unsigned char *>(salt.constData()), parameters.opsLimit, size_t(parameters.memLimit),
                         crypto_pwhash_ALG_ARGON2ID13)
               != 0) {
        if (error)
            *error = QStringLiteral("cannot derive the key from the passphrase (out of memory?)");
        return nullptr;
    }
    key->m_salt = salt;
    key->m_parameters = parameters;
    return key;
}

std::shared_ptr<const SealingKey> SealingKey::create(const QByteArray &passphrase, const Parameters &parameters, QString *error)
{
    if (!ready()) {
        if (error)
            *error = QStringLiteral("libsodium cannot start");
        return nullptr;
    }
    QByteArray salt(crypto_pwhash_SALTBYTES, '\0');
    randombytes_buf(salt.data(), size_t(salt.size()));
    return derive(passphrase, salt, parameters, error);
}

bool isSealed(const QByteArray &file)
{
    return file.size() >= qsizetype(sizeof Magic) && std::memcmp(file.constData(), Magic, sizeof Magic) == 0;
}

std::optional<Header> readHeader(const QByteArray &file, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<Header> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (!isSealed(file))
        return fail(QStringLiteral("not an encrypted key store"));
    if (file.size() < HeaderSize + qsizetype(crypto_aead_xchacha20poly1305_ietf_ABYTES))
        return fail(QStringLiteral("the encrypted key store is cut short"));
    Header header;
    header.version = uchar(file[8]);
    if (header.version != Version)
        return fail(QStringLiteral("an encrypted key store of format version %1, which this Meshwright does not read (it reads "
                                   "version %2): open it with a newer one")
                        .arg(header.version)
                        .arg(Version));
    if (uchar(file[9]) != Argon2id || uchar(file[10]) != XChaCha20Poly1305 || file[11] != 0)
        return fail(QStringLiteral("an encrypted key store with an unknown key derivation or cipher"));
    header.parameters = {u64(file, 12), u64(file, 20)};
    if (header.parameters.opsLimit < crypto_pwhash_OPSLIMIT_MIN || header.parameters.opsLimit > MaxOpsLimit
        || header.parameters.memLimit < crypto_pwhash_MEMLIMIT_MIN || header.parameters.memLimit > MaxMemLimit)
        return fail(QStringLiteral("the encrypted key store asks for an Argon2id cost out of range (damaged?)"));
    header.salt = file.mid(SaltAt, crypto_pwhash_SALTBYTES);
    return header;
}

QByteArray seal(QByteArrayView plain, const SealingKey &key)
{
    QByteArray out(Magic, sizeof Magic);
    out.append(char(Version)).append(char(Argon2id)).append(char(XChaCha20Poly1305)).append('\0');
    putU64(out, key.parameters().opsLimit);
    putU64(out, key.parameters().memLimit);
    out.append(key.salt());
    QByteArray nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, '\0');
    randombytes_buf(nonce.data(), size_t(nonce.size()));
    out.append(nonce);
    const qsizetype header = out.size();
    out.resize(header + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char *>(out.data()) + header, &written,
                                               reinterpret_cast<const unsigned char *>(plain.constData()), quint64(plain.size()),
                                               reinterpret_cast<const unsigned char *>(out.constData()), quint64(header), nullptr,
                                               reinterpret_cast<const unsigned char *>(nonce.constData()), key.key().data());
    out.resize(header + qsizetype(written));
    return out;
}

std::unique_ptr<Secret> open(const QByteArray &file, const SealingKey &key, QString *error)
{
    const auto header = readHeader(file, error);
    if (!header)
        return nullptr;
    if (header->salt != key.salt() || header->parameters != key.parameters()) {
        if (error)
            *error = QStringLiteral("the key store was sealed with another salt or cost than this key");
        return nullptr;
    }
    const qsizetype size = file.size() - HeaderSize - crypto_aead_xchacha20poly1305_ietf_ABYTES;
    // sodium_malloc(0) is no block to write to: an empty store still gets one byte.
    auto plain = std::make_unique<Secret>(std::max<qsizetype>(size, 1));
    if (plain->size() == 0) {
        if (error)
            *error = QStringLiteral("out of memory");
        return nullptr;
    }
    unsigned long long length = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain->data(), &length, nullptr,
                                                   reinterpret_cast<const unsigned char *>(file.constData()) + HeaderSize,
                                                   quint64(file.size() - HeaderSize), reinterpret_cast<const unsigned char *>(file.constData()),
                                                   quint64(HeaderSize),
                                                   reinterpret_cast<const unsigned char *>(file.constData()) + NonceAt, key.key().data())
        != 0) {
        if (error)
            *error = QStringLiteral("cannot open the key store: wrong passphrase, or the file was changed or damaged");
        return nullptr;
    }
    plain->truncate(qsizetype(length));
    return plain;
}

} // namespace KeySeal
