// Private and preshared keys, kept beside the project in NAME.keys (mode 0600).
#pragma once

#include "keybase64.h"
#include "keyseal.h"
#include "presharedkey.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

/// X25519 and preshared keys in WireGuard's base64 form, made with libsodium.
namespace WireGuardKeys {

/// A new private key: 32 random bytes, clamped as `wg genkey` does.
QString generatePrivateKey();
/// The public key of \a privateKey, equal to what `wg pubkey` prints; nullopt if invalid.
std::optional<QString> publicKey(const QString &privateKey);
/// \a count bytes from libsodium's random source.
QByteArray randomBytes(qsizetype count);
/// A new preshared key: 32 random bytes.
QString generatePresharedKey();

} // namespace WireGuardKeys

/// The secrets of one project. Keys of host interfaces are named by a key id: the host's
/// name for its mesh interface, "HOST/IFACE" for others. Preshared keys belong to an
/// unordered pair of key ids. Nothing here is ever logged.
class KeyStore
{
public:
    /// "DIR/NAME.keys" for the project file "DIR/NAME.yaml".
    static QString pathForProject(const QString &projectPath);

    /// Asked for the passphrase of the encrypted store at \a path; \a problem is empty the
    /// first time, else why the last one did not open it. Nullopt: there is no way to ask
    /// (no terminal, no passphrase file) or the user gave up.
    using PassphraseSource = std::function<std::optional<QByteArray>(const QString &path, const QString &problem)>;
    /// Why the last load() failed.
    enum class LoadFailure { None, Unreadable, Invalid, Locked, WrongPassphrase, Format };

    /// Reads \a path; a missing file is an empty store. Rejects files readable by others.
    /// An encrypted store asks \a passphrase (again after a wrong one, as long as it
    /// answers), unless this store holds the key that sealed it already; it then stays
    /// encrypted with that key, so that save() needs no passphrase.
    bool load(const QString &path, QString *error, const PassphraseSource &passphrase = {});
    LoadFailure loadFailure() const { return m_loadFailure; }
    /// Writes the store atomically with mode 0600, sealed when it is encrypted; clears the
    /// modified flag.
    bool save(const QString &path, QString *error);
    bool isModified() const { return m_modified; }

    /// Encrypted (at the next save) with a key made from \a passphrase and a new salt;
    /// false with \a error when libsodium cannot.
    bool encrypt(const QByteArray &passphrase, const KeySeal::Parameters &parameters, QString *error);
    /// Plain at the next save.
    void decrypt();
    bool isEncrypted() const { return m_seal != nullptr; }
    /// The Argon2id cost of the encrypted store (empty when plain).
    std::optional<KeySeal::Parameters> sealParameters() const;

    bool hasPrivateKey(const QString &keyId) const;
    /// The private key of \a keyId in base64 (empty if none). The store keeps every key in
    /// guarded memory (KeySeal::SecretArena); what this returns is a copy for a config the
    /// user asked for.
    QString privateKey(const QString &keyId) const;
    QString publicKey(const QString &keyId) const;
    /// The number of \a keyId in this store (-1: it has none), for looking up the keys of
    /// many ids without their names; numbers stay as they are until the store is loaded
    /// again.
    int keyNumber(const QString &keyId) const { return idOf(keyId); }
    /// The public key of the id numbered \a number (empty for -1 or no key).
    QString publicKeyOf(int number) const { return number >= 0 ? m_entries[number].publicKey : QString(); }
    /// Sets a private key; false (and nothing changes) when it is not a valid key.
    bool setPrivateKey(const QString &keyId, const QString &privateKey);

    /// The preshared key of the pair \a a, \a b in base64 (empty if none), a copy as
    /// privateKey() gives.
    QString presharedKey(const QString &a, const QString &b) const;
    /// The preshared keys of one key id, looked up by the other (for planning many peers:
    /// the owner is found once), as values a config holds without a string each.
    class PresharedKeys
    {
    public:
        PresharedKey value(const QString &other) const;
        /// The same, for the id that keyNumber() numbers \a number. Fastest when asked in
        /// the order of the numbers, as the planner asks for every peer of a host: the next
        /// key is looked for where the last one was, and the keys a few further on are
        /// fetched into the cache meanwhile (a large store holds a million of them, and
        /// half of one host's are far apart). It remembers where it looked: one thread's
        /// object, not shared between threads.
        PresharedKey valueOf(int number) const;

    private:
        friend class KeyStore;
        PresharedKeys(const KeyStore *store, int id)
            : m_store(store)
            , m_id(id)
        {
        }
        const KeyStore *m_store;
        int m_id;
        mutable size_t m_next = 0; ///< where in the owner's partners to look first
    };
    PresharedKeys presharedKeysOf(const QString &keyId) const { return PresharedKeys(this, idOf(keyId)); }
    bool setPresharedKey(const QString &a, const QString &b, const QString &key);

    /// Creates what is missing: a key pair for every id in \a keyIds, a preshared key for
    /// every pair in \a pairs. Existing keys are kept. Returns how many keys were made.
    qsizetype ensure(const QStringList &keyIds, const QList<std::pair<QString, QString>> &pairs);
    /// Gives \a to the key pair and preshared keys of \a from, replacing whatever \a to had
    /// (a renamed host keeps its keys; \a from keeps them too, so undoing needs nothing).
    void copyKeys(const QString &from, const QString &to);

    /// Everything the store holds for one key id, in guarded memory of its own: what an
    /// undo step keeps of a removed host. Copies share it.
    class Material
    {
    public:
        bool hasPrivateKey() const { return m_key >= 0; }
        QString privateKey() const;
        qsizetype presharedKeyCount() const { return m_psks.size(); }

    private:
        friend class KeyStore;
        std::shared_ptr<KeySeal::SecretArena> m_secrets;
        int m_key = -1;     ///< slot of the private key
        int m_running = -1; ///< slot of the old key of a pending rotation
        QList<std::pair<QString, int>> m_psks;        ///< other key id, slot
        QList<std::pair<QString, int>> m_runningPsks; ///< old keys of pending PSK rotations
    };
    /// Removes and returns the key pair and preshared keys of \a keyId.
    Material take(const QString &keyId);
    /// Puts back what take() returned (replacing what \a keyId has now).
    void put(const QString &keyId, const Material &material);
    /// Replaces the key pair of \a keyId (explicit rotation). The replaced pair stays on
    /// record as the one the hosts run until a deploy that installs the new one is
    /// confirmed (commitRotation()); rotating again keeps that running pair.
    void rotate(const QString &keyId);
    /// Replaces the preshared key of the pair \a a, \a b, keeping the running one on record
    /// as rotate() does. False when the pair has no preshared key.
    bool rotatePresharedKey(const QString &a, const QString &b);

    /// Rotations not yet confirmed by a deploy: the hosts run the old key, the store's
    /// main keys (what the planner uses) are the new ones.
    QStringList pendingKeyIds() const;
    QList<std::pair<QString, QString>> pendingPresharedPairs() const;
    bool hasPendingRotation() const;
    /// The public key the hosts run for \a keyId: the old one while a rotation is pending.
    QString runningPublicKey(const QString &keyId) const;
    /// A deploy installed the new key of \a keyId: forget the old one.
    void commitRotation(const QString &keyId);
    void commitPresharedRotation(const QString &a, const QString &b);

    /// Adopts wireguardmeshgenerator's keys: DIR/HOST/priv.key (checked against pub.key
    /// when present) and DIR/psk/A_B.key, for hosts in \a hostNames. \a report lists what
    /// was taken and what was skipped; false with \a error on an invalid or mismatched key.
    bool importDirectory(const QString &directory, const QStringList &hostNames,
                         QStringList *report, QString *error);

    qsizetype keyCount() const { return m_keyCount; }
    qsizetype presharedKeyCount() const { return m_pskCount; }

private:
    /// The preshared keys of one id: other id -> slot, sorted by the other id (a file
    /// read in its own order, and keys made for a new mesh, come sorted: appended).
    class Partners
    {
    public:
        int value(int other) const
        {
            const auto it = find(other);
            return it != m_list.cend() && it->first == other ? it->second : -1;
        }
        /// True when \a other sorts after every partner (so it is not one yet).
        bool comesAfterAll(int other) const { return m_list.empty() || m_list.back().first < other; }
        void insert(int other, int slot)
        {
            if (comesAfterAll(other)) {
                m_list.emplace_back(other, slot);
                return;
            }
            const auto it = find(other);
            if (it != m_list.cend() && it->first == other)
                m_list[size_t(it - m_list.cbegin())].second = slot;
            else
                m_list.insert(it, {other, slot});
        }
        void remove(int other)
        {
            const auto it = find(other);
            if (it != m_list.cend() && it->first == other)
                m_list.erase(it);
        }
        bool isEmpty() const { return m_list.empty(); }
        void reserve(qsizetype size) { m_list.reserve(size_t(size)); }
        const std::vector<std::pair<int, int>> &all() const { return m_list; }
        /// Where \a other is in all(), or would be.
        size_t position(int other) const { return size_t(find(other) - m_list.cbegin()); }

    private:
        std::vector<std::pair<int, int>>::const_iterator find(int other) const
        {
            return std::lower_bound(m_list.cbegin(), m_list.cend(), other, [](const std::pair<int, int> &entry, int id) { return entry.first < id; });
        }
        std::vector<std::pair<int, int>> m_list;
    };

    /// One key id. Ids are numbered as they first appear and keep their number; the keys
    /// themselves are slots of m_secrets.
    struct Entry
    {
        QString name;
        int key = -1; ///< the private key
        QString publicKey;
        int running = -1; ///< the pair the hosts still run (pending rotation)
        QString runningPublicKey;
        /// The preshared keys this id shares (both ends list them: one owner's list is
        /// small and read in order, where one table of every pair would not be).
        Partners psks;
    };
    static quint64 pairOf(int a, int b) { return a < b ? (quint64(quint32(a)) << 32) | quint32(b) : (quint64(quint32(b)) << 32) | quint32(a); }
    int idOf(const QString &name) const { return m_ids.value(name, -1); }
    int intern(const QString &name);
    int presharedSlot(int a, int b) const { return a < 0 || b < 0 ? -1 : m_entries[a].psks.value(b); }
    /// \a id's key pair from the 32 bytes at \a secret (clamped or not, as given); false
    /// when libsodium refuses them.
    bool assignPrivateKey(int id, const unsigned char *secret);
    /// The same without its public key (a store being read derives them all at the end).
    void storePrivateKey(int id, const unsigned char *secret);
    /// The public keys of \a ids from their private keys, on every CPU when there are
    /// many (an X25519 multiplication each). Returns the ids libsodium refused.
    std::vector<int> derivePublicKeys(const std::vector<int> &ids);
    /// A new random key pair for \a id.
    void newPrivateKey(int id);
    void assignPresharedKey(int a, int b, const unsigned char *secret);
    void dropPresharedKey(int a, int b);
    class LineReader;
    /// Reads \a data, a whole store's lines, into this store.
    bool parse(QByteArrayView data, const QString &path, QString *error);
    /// What load() does with the result of a LineReader.
    bool parsed(bool ok, LineReader &reader, const QString &path, QString *error);
    /// Loads the plain store at \a path as it is read; nullopt when it is sealed, with
    /// the whole file in \a sealed.
    std::optional<bool> readPlain(const QString &path, QString *error, std::unique_ptr<KeySeal::Secret> *sealed);
    bool failLoad(LoadFailure why, const QString &message, QString *error);
    std::unique_ptr<KeySeal::Secret> serialize() const;
    void clear();

    QHash<QString, int> m_ids;
    QList<Entry> m_entries;
    qsizetype m_keyCount = 0;
    /// Every key of the store, the running ones of pending rotations too.
    KeySeal::SecretArena m_secrets;
    qsizetype m_pskCount = 0;
    /// Pending PSK rotations: pairOf(a, b) -> slot of the key the hosts still run.
    QHash<quint64, int> m_runningPsks;
    bool m_modified = false;
    std::shared_ptr<const KeySeal::SealingKey> m_seal; ///< set: encrypted
    LoadFailure m_loadFailure = LoadFailure::None;
};
