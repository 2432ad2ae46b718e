// The single-value checks shared by the reader, the validator and the properties pane.
#include "fieldcheck.h"

#include "project.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("FieldCheck", text);
}

} // namespace

namespace FieldCheck {

QString hostName(const QString &name)
{
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9_.-]*$"));
    if (name.isEmpty())
        return tr("a host needs a name");
    if (!allowed.match(name).hasMatch())
        return tr("names may hold only letters, digits, '_', '.', '-'");
    if (!name.front().isLetterOrNumber())
        return tr("names must start with a letter or a digit");
    if (name.size() > 63)
        return tr("names may be at most 63 characters long");
    if (name.contains(QLatin1String("..")))
        return tr("names may not hold '..'");
    return {};
}

QString domainName(const QString &domain)
{
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9_.-]*$"));
    if (!allowed.match(domain).hasMatch())
        return tr("domain names may hold only letters, digits, '_', '.', '-'");
    return {};
}

QString address(const QString &text, IpAddress::Family family)
{
    const auto parsed = IpAddress::parse(text);
    if (parsed && (family == IpAddress::Family::None || parsed->family() == family))
        return {};
    switch (family) {
    case IpAddress::Family::V4:
        return tr("'%1' is not a valid IPv4 address").arg(text);
    case IpAddress::Family::V6:
        return tr("'%1' is not a valid IPv6 address").arg(text);
    case IpAddress::Family::None:
        break;
    }
    return tr("'%1' is not a valid IP address").arg(text);
}

QString meshAddress(const QString &text, bool v6)
{
    if (text.isEmpty())
        return v6 ? QString() : tr("every host needs an IPv4 address in the mesh");
    return address(text, v6 ? IpAddress::Family::V6 : IpAddress::Family::V4);
}

QString addressTaken(const QString &text, const QString &owner)
{
    return tr("%1 is already used by %2").arg(text, owner);
}

QString endpoint(const QString &text)
{
    static const QRegularExpression space(QStringLiteral("\\s"));
    if (text.isEmpty())
        return {};
    if (!isSafeConfigValue(text) || text.contains(space))
        return tr("'%1' may not hold spaces, '#' or control characters").arg(text);
    if (!splitEndpoint(text, nullptr, nullptr))
        return tr("'%1' is not HOST:PORT (a name or address, ':' and a port from 1 to 65535; "
                  "IPv6 addresses in brackets, as [fd00::1]:51820)")
            .arg(text);
    return {};
}

QString remoteCommandText(const QString &text)
{
    if (hasControlCharacters(text))
        return tr("a line break or control character here could add remote commands");
    return {};
}

QString sshUser(const QString &user)
{
    static const QRegularExpression space(QStringLiteral("\\s"));
    if (const QString error = remoteCommandText(user); !error.isEmpty())
        return error;
    if (user.startsWith(QLatin1Char('-')))
        return tr("a user name may not start with '-'");
    if (user.contains(space) || user.contains(QLatin1Char('@')))
        return tr("'%1' is not a valid user name").arg(user);
    return {};
}

QString configFolder(const QString &path)
{
    if (const QString error = remoteCommandText(path); !error.isEmpty())
        return error;
    if (!path.startsWith(QLatin1Char('/')))
        return tr("the config folder must be an absolute path, such as /etc/wireguard");
    return {};
}

QString tunnelRange(const QString &text, bool perPeer)
{
    if (text.isEmpty())
        return perPeer ? tr("one interface per peer needs a tunnel range for the interfaces' addresses") : QString();
    const auto range = IpPrefix::parse(text);
    if (!range || !range->address().isV4())
        return tr("'%1' is not an IPv4 prefix, such as 10.99.0.0/28").arg(text);
    return {};
}

} // namespace FieldCheck
