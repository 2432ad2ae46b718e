// The encrypted key store: a passphrase, Argon2id, XChaCha20-Poly1305.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <algorithm>
#include <memory>
#include <optional>

namespace KeySeal {

/// Argon2id's cost, stored in every sealed file so that it can be raised later.
struct Parameters
{
    quint64 opsLimit = 0;
    quint64 memLimit = 0; ///< bytes
    /// What new stores get: libsodium's moderate limits (3 passes over 256 MiB: about half
    /// a second on a current 2-core machine, once a session).
    static Parameters standard() { return moderate(); }
    /// libsodium's limits by name: interactive (64 MiB, a tenth of a second), moderate,
    /// sensitive (1 GiB, several seconds; for a store opened rarely).
    static Parameters interactive();
    static Parameters moderate();
    static Parameters sensitive();
    /// The least libsodium allows: for tests only, never for a real store.
    static Parameters weakest();
    bool operator==(const Parameters &) const = default;
};

/// Bytes that hold a secret: in sodium_malloc'd memory (guarded, kept out of swap where
/// the OS allows), wiped when they go.
class Secret
{
public:
    explicit Secret(qsizetype size);
    ~Secret();
    Secret(const Secret &) = delete;
    Secret &operator=(const Secret &) = delete;
    unsigned char *data() { return m_data; }
    const unsigned char *data() const { return m_data; }
    qsizetype size() const { return m_size; }
    /// The first \a size bytes only (never more than it has).
    void truncate(qsizetype size) { m_size = std::min(m_size, size); }
    QByteArrayView view() const { return QByteArrayView(m_data, m_size); }

private:
    unsigned char *m_data;
    qsizetype m_size;
};

/// Many keys of 32 bytes in one block of sodium_malloc'd memory (one guarded block, not
/// three pages per key), each in a numbered slot. A slot given back is wiped and used
/// again; the block grows by moving into a larger one, the old one wiped as it goes.
class SecretArena
{
public:
    static constexpr qsizetype SlotSize = 32;
    SecretArena() = default;
    ~SecretArena();
    /// A copy into a block of its own.
    SecretArena(const SecretArena &other);
    SecretArena &operator=(const SecretArena &other);
    SecretArena(SecretArena &&other) noexcept;
    SecretArena &operator=(SecretArena &&other) noexcept;

    /// A new slot, zeroed. Throws std::bad_alloc when libsodium cannot allocate.
    int allocate();
    /// A new slot holding a copy of \a bytes (SlotSize of them), which may be another slot.
    int allocate(const unsigned char *bytes);
    /// Wipes \a slot and lets allocate() hand it out again.
    void release(int slot);
    unsigned char *at(int slot) { return m_bytes + qsizetype(slot) * SlotSize; }
    const unsigned char *at(int slot) const { return m_bytes + qsizetype(slot) * SlotSize; }
    /// Slots in use.
    qsizetype size() const { return m_used - m_free.size(); }
    /// Room for \a count slots in all, so that many allocations move the block once.
    void reserve(qsizetype count);
    /// Every slot gone, the block freed (and wiped).
    void clear();

private:
    unsigned char *m_bytes = nullptr;
    qsizetype m_capacity = 0; ///< slots
    qsizetype m_used = 0;     ///< slots handed out at least once
    QList<int> m_free;
};

/// The key a passphrase gives with one salt and one cost: what seals and opens a store.
/// Kept by an unlocked store so that saving it again needs no passphrase.
class SealingKey
{
public:
    /// Argon2id over \a passphrase; nullopt with \a error when libsodium cannot (out of memory).
    static std::shared_ptr<const SealingKey> derive(const QByteArray &passphrase, const QByteArray &salt, const Parameters &parameters,
                                                    QString *error);
    /// The same, with a new random salt (a new or re-keyed store).
    static std::shared_ptr<const SealingKey> create(const QByteArray &passphrase, const Parameters &parameters, QString *error);

    const QByteArray &salt() const { return m_salt; }
    const Parameters &parameters() const { return m_parameters; }
    const Secret &key() const { return m_key; }

private:
    SealingKey();
    Secret m_key;
    QByteArray m_salt;
    Parameters m_parameters;
};

/// How many bytes the mark at the start of a sealed file takes: isSealed() needs them.
inline constexpr qsizetype MagicSize = 8;
/// True when \a file begins as a sealed store does (else it is a plain one).
bool isSealed(const QByteArray &file);

/// What a sealed file's header says.
struct Header
{
    int version = 0;
    Parameters parameters;
    QByteArray salt;
};
/// Reads the header of a sealed file; nullopt with \a error for an unknown format
/// version, an unknown algorithm, a cost out of range or a file cut short.
std::optional<Header> readHeader(const QByteArray &file, QString *error);

/// \a plain sealed with \a key under a new random nonce: header (magic, version, the
/// algorithms, the cost, the salt, the nonce; all of it authenticated) and ciphertext.
QByteArray seal(QByteArrayView plain, const SealingKey &key);
/// The plain contents of sealed \a file, in guarded memory; null with \a error when \a key
/// does not open it (a wrong passphrase, or a file changed anywhere) or the header is bad.
std::unique_ptr<Secret> open(const QByteArray &file, const SealingKey &key, QString *error);

} // namespace KeySeal
