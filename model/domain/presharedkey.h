// A WireGuard preshared key, held as its 32 bytes.
#pragma once

#include <QString>
#include <QStringView>

#include <array>
#include <optional>

/// A peer's preshared key, or none: 32 bytes by value, without a heap allocation (a mesh of
/// 1000 hosts plans a million peers, each with one). Configs hold it in base64, 44
/// characters.
class PresharedKey
{
public:
    /// No key.
    PresharedKey() = default;
    /// The key of the 32 bytes at \a bytes.
    explicit PresharedKey(const unsigned char *bytes);
    /// The key written in \a text (44 base64 characters); no key for empty text; nullopt
    /// when \a text is neither.
    static std::optional<PresharedKey> fromBase64(QStringView text);

    bool isEmpty() const { return !m_set; }
    /// The key in base64; empty for no key.
    QString toBase64() const;
    /// The key's 44 base64 characters, written to \a out (there must be a key).
    void writeBase64(char *out) const;

    bool operator==(const PresharedKey &) const = default;

private:
    std::array<unsigned char, 32> m_bytes{};
    bool m_set = false;
};
