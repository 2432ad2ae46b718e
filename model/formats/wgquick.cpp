// The wg-quick configuration format (wg0.conf): writer and parser.
#include "wgquick.h"

#include "ipaddress.h"
#include "keybase64.h"

#include <QHash>
#include <QList>

#include <algorithm>
#include <charconv>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace {

/// Writes a config into one buffer through a cursor: a large gateway's file is thousands
/// of short lines, and a QByteArray append per piece costs more than the bytes.
class Writer
{
public:
    explicit Writer(qsizetype expected)
    {
        m_buffer.resize(std::max<qsizetype>(expected, 64));
        m_base = m_buffer.data();
    }
    /// The bytes written.
    QByteArray take()
    {
        m_buffer.truncate(m_used);
        return std::move(m_buffer);
    }
    template <size_t N>
    void literal(const char (&text)[N])
    {
        bytes(text, N - 1);
    }
    void bytes(const char *data, qsizetype size)
    {
        reserve(size);
        std::memcpy(m_base + m_used, data, size_t(size));
        m_used += size;
    }
    void byte(char c)
    {
        reserve(1);
        m_base[m_used++] = c;
    }
    /// \a text as UTF-8; keys, addresses and names are ASCII almost always, and those
    /// characters are copied without a temporary, eight at a time where the CPU can.
    void text(QStringView text)
    {
        const qsizetype size = text.size();
        reserve(size);
        const char16_t *in = text.utf16();
        char *out = m_base + m_used;
        qsizetype i = 0;
#ifdef __SSE2__
        for (; i + 8 <= size; i += 8) {
            const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
            // Any character of 0x80 or more has a bit of 0xff80 set.
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(chars, _mm_set1_epi16(short(0xff80))), _mm_setzero_si128())) != 0xffff)
                break;
            _mm_storel_epi64(reinterpret_cast<__m128i *>(out + i), _mm_packus_epi16(chars, chars));
        }
#endif
        for (; i < size; ++i) {
            const char16_t c = in[i];
            if (c >= 0x80) {
                m_used += i;
                const QByteArray rest = text.sliced(i).toUtf8();
                bytes(rest.constData(), rest.size());
                return;
            }
            out[i] = char(c);
        }
        m_used += size;
    }
    void number(qint64 value)
    {
        char digits[24];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
        Q_UNUSED(ec);
        bytes(digits, end - digits);
    }

    /// A preshared key's line, its base64 written straight into the buffer.
    void line(const char *key, const PresharedKey &value)
    {
        if (value.isEmpty())
            return;
        bytes(key, qsizetype(std::strlen(key)));
        literal(" = ");
        reserve(KeyBase64::Length);
        value.writeBase64(m_base + m_used);
        m_used += KeyBase64::Length;
        byte('\n');
    }

    void line(const char *key, QStringView value)
    {
        if (value.isEmpty())
            return;
        bytes(key, qsizetype(std::strlen(key)));
        literal(" = ");
        text(value);
        byte('\n');
    }
    void list(const char *key, const QStringList &values)
    {
        if (values.isEmpty())
            return;
        bytes(key, qsizetype(std::strlen(key)));
        literal(" = ");
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                literal(", ");
            text(values[i]);
        }
        byte('\n');
    }
    void each(const char *key, const QStringList &values)
    {
        for (const QString &value : values)
            line(key, value);
    }
    void number(const char *key, std::optional<qint64> value)
    {
        if (!value)
            return;
        bytes(key, qsizetype(std::strlen(key)));
        literal(" = ");
        number(*value);
        byte('\n');
    }

private:
    void reserve(qsizetype more)
    {
        if (m_used + more <= m_buffer.size())
            return;
        m_buffer.resize(std::max(2 * m_buffer.size(), m_used + more));
        m_base = m_buffer.data();
    }

    QByteArray m_buffer;
    char *m_base = nullptr;
    qsizetype m_used = 0;
};

QStringList splitList(const QString &value)
{
    QStringList result;
    for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (!item.isEmpty())
            result.append(item);
    }
    return result;
}

bool parseInt(const QString &value, qint64 max, qint64 *out)
{
    bool ok = false;
    qint64 number = 0;
    if (value.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        number = value.mid(2).toLongLong(&ok, 16);
    else
        number = value.toLongLong(&ok, 10);
    if (!ok || number < 0 || number > max)
        return false;
    *out = number;
    return true;
}

} // namespace

namespace WgQuick {

QByteArray write(const InterfaceConfig &config, const QString &header)
{
    Writer out(256 + config.peers.size() * 300);
    if (!header.isEmpty()) {
        for (const QString &line : header.split(QLatin1Char('\n'))) {
            out.literal("# ");
            out.text(line);
            out.byte('\n');
        }
    }
    out.literal("[Interface]\n");
    out.list("Address", config.addresses);
    out.number("ListenPort", config.listenPort);
    out.line("PrivateKey", config.privateKey);
    out.list("DNS", config.dns);
    out.number("MTU", config.mtu);
    out.line("Table", config.table);
    out.number("FwMark", config.fwMark);
    out.each("PreUp", config.preUp);
    out.each("PostUp", config.postUp);
    out.each("PreDown", config.preDown);
    out.each("PostDown", config.postDown);
    if (config.saveConfig)
        out.literal("SaveConfig = true\n");
    for (const PeerConfig &peer : config.peers) {
        out.literal("\n[Peer]\n");
        if (!peer.name.isEmpty()) {
            out.literal("# ");
            out.text(peer.name);
            out.byte('\n');
        }
        out.line("PublicKey", peer.publicKey);
        out.line("PresharedKey", peer.presharedKey);
        out.list("AllowedIPs", peer.allowedIps);
        out.line("Endpoint", peer.endpoint);
        if (peer.persistentKeepalive > 0)
            out.number("PersistentKeepalive", peer.persistentKeepalive);
    }
    return out.take();
}

QStringList canonicalPrefixes(QStringList texts)
{
    for (QString &text : texts) {
        text = text.trimmed();
        if (const auto prefix = IpPrefix::parse(text, true))
            text = prefix->toString();
    }
    texts.sort();
    texts.removeDuplicates();
    return texts;
}

InterfaceConfig canonical(InterfaceConfig config)
{
    config.addresses = canonicalPrefixes(config.addresses);
    config.dns.sort();
    for (PeerConfig &peer : config.peers) {
        peer.name.clear();
        peer.allowedIps = canonicalPrefixes(peer.allowedIps);
    }
    std::sort(config.peers.begin(), config.peers.end(), [](const PeerConfig &a, const PeerConfig &b) { return a.publicKey < b.publicKey; });
    return config;
}

InterfaceConfig effective(InterfaceConfig config)
{
    // WireGuard keeps a prefix on one peer of an interface: the last one that sets it.
    QHash<QString, qsizetype> holder; // network -> the last peer that lists it
    auto network = [](const QString &text) {
        const auto prefix = IpPrefix::parse(text.trimmed(), true);
        return prefix ? prefix->network().toString() : text.trimmed();
    };
    for (qsizetype k = 0; k < config.peers.size(); ++k) {
        for (const QString &text : std::as_const(config.peers[k].allowedIps))
            holder.insert(network(text), k);
    }
    for (qsizetype k = 0; k < config.peers.size(); ++k)
        config.peers[k].allowedIps.removeIf([&](const QString &text) { return holder.value(network(text)) != k; });
    return config;
}

bool sameMeaning(const QByteArray &a, const QByteArray &b)
{
    const auto first = parse(a);
    const auto second = first ? parse(b) : std::nullopt;
    return second && canonical(*first) == canonical(*second);
}

std::optional<InterfaceConfig> parse(const QByteArray &text, QString *error)
{
    enum class Section { None, Interface, Peer };
    InterfaceConfig config;
    Section section = Section::None;
    bool seenInterface = false;
    bool expectPeerName = false;
    int lineNumber = 0;

    auto fail = [&](const QString &message) -> std::optional<InterfaceConfig> {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(lineNumber).arg(message);
        return std::nullopt;
    };

    const QList<QByteArray> lines = text.split('\n');
    for (const QByteArray &rawLine : lines) {
        ++lineNumber;
        const QString line = QString::fromUtf8(rawLine);
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(QLatin1Char('#'))) {
            if (expectPeerName)
                config.peers.back().name = trimmed.mid(1).trimmed();
            expectPeerName = false;
            continue;
        }
        expectPeerName = false;
        const QString content = line.section(QLatin1Char('#'), 0, 0).trimmed();
        if (content.isEmpty())
            continue;
        if (content.startsWith(QLatin1Char('['))) {
            if (content.compare(QLatin1String("[Interface]"), Qt::CaseInsensitive) == 0) {
                if (seenInterface)
                    return fail(QStringLiteral("a second [Interface] section"));
                seenInterface = true;
                section = Section::Interface;
            } else if (content.compare(QLatin1String("[Peer]"), Qt::CaseInsensitive) == 0) {
                section = Section::Peer;
                config.peers.append(PeerConfig{});
                expectPeerName = true;
            } else {
                return fail(QStringLiteral("unknown section %1").arg(content));
            }
            continue;
        }
        const qsizetype equals = content.indexOf(QLatin1Char('='));
        if (equals < 0)
            return fail(QStringLiteral("expected 'Key = Value', found '%1'").arg(content));
        const QString key = content.left(equals).trimmed().toLower();
        const QString value = content.mid(equals + 1).trimmed();
        if (section == Section::None)
            return fail(QStringLiteral("'%1' outside a section").arg(key));
        if (value.isEmpty() && key != QLatin1String("allowedips"))
            return fail(QStringLiteral("empty value for '%1'").arg(content.left(equals).trimmed()));
        qint64 number = 0;
        if (section == Section::Interface) {
            if (key == QLatin1String("privatekey")) {
                config.privateKey = value;
            } else if (key == QLatin1String("address")) {
                config.addresses += splitList(value);
            } else if (key == QLatin1String("listenport")) {
                if (!parseInt(value, 65535, &number))
                    return fail(QStringLiteral("invalid ListenPort '%1'").arg(value));
                config.listenPort = int(number);
            } else if (key == QLatin1String("dns")) {
                config.dns += splitList(value);
            } else if (key == QLatin1String("mtu")) {
                if (!parseInt(value, 65535, &number))
                    return fail(QStringLiteral("invalid MTU '%1'").arg(value));
                config.mtu = int(number);
            } else if (key == QLatin1String("table")) {
                config.table = value;
            } else if (key == QLatin1String("fwmark")) {
                if (value.compare(QLatin1String("off"), Qt::CaseInsensitive) == 0) {
                    config.fwMark.reset();
                } else {
                    if (!parseInt(value, 0xffffffffLL, &number))
                        return fail(QStringLiteral("invalid FwMark '%1'").arg(value));
                    config.fwMark = quint32(number);
                }
            } else if (key == QLatin1String("preup")) {
                config.preUp.append(value);
            } else if (key == QLatin1String("postup")) {
                config.postUp.append(value);
            } else if (key == QLatin1String("predown")) {
                config.preDown.append(value);
            } else if (key == QLatin1String("postdown")) {
                config.postDown.append(value);
            } else if (key == QLatin1String("saveconfig")) {
                config.saveConfig = value.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
            } else {
                return fail(QStringLiteral("unknown key '%1' in [Interface]")
                                .arg(content.left(equals).trimmed()));
            }
        } else {
            PeerConfig &peer = config.peers.back();
            if (key == QLatin1String("publickey")) {
                peer.publicKey = value;
            } else if (key == QLatin1String("presharedkey")) {
                const std::optional<PresharedKey> key = PresharedKey::fromBase64(value);
                if (!key)
                    return fail(QStringLiteral("invalid PresharedKey: not 32 bytes in base64"));
                peer.presharedKey = *key;
            } else if (key == QLatin1String("allowedips")) {
                peer.allowedIps += splitList(value);
            } else if (key == QLatin1String("endpoint")) {
                peer.endpoint = value;
            } else if (key == QLatin1String("persistentkeepalive")) {
                if (value.compare(QLatin1String("off"), Qt::CaseInsensitive) == 0) {
                    peer.persistentKeepalive = 0;
                } else {
                    if (!parseInt(value, 65535, &number))
                        return fail(QStringLiteral("invalid PersistentKeepalive '%1'").arg(value));
                    peer.persistentKeepalive = int(number);
                }
            } else {
                return fail(QStringLiteral("unknown key '%1' in [Peer]")
                                .arg(content.left(equals).trimmed()));
            }
        }
    }
    if (!seenInterface) {
        lineNumber = 1;
        return fail(QStringLiteral("no [Interface] section"));
    }
    return config;
}

} // namespace WgQuick
