// The domain as plain values: lookups and the derived mesh subnets.
#include "project.h"

#include "fieldcheck.h"

#include <QRegularExpression>

qsizetype Project::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        if (hosts[i].name == name)
            return i;
    }
    return -1;
}

const Host *Project::host(const QString &name) const
{
    const qsizetype index = indexOf(name);
    return index < 0 ? nullptr : &hosts[index];
}

const LinkSettings *Project::linkSettings(const QString &a, const QString &b) const
{
    for (const LinkSettings &link : links) {
        if (link.joins(a, b))
            return &link;
    }
    return nullptr;
}

const SiteSettings *Project::siteSettings(const QString &name) const
{
    for (const SiteSettings &site : sites) {
        if (site.name == name)
            return &site;
    }
    return nullptr;
}

QStringList Project::siteNames() const
{
    QStringList names;
    for (const Host &host : hosts) {
        if (!host.site.isEmpty() && !names.contains(host.site))
            names.append(host.site);
    }
    return names;
}

namespace {

IpPrefix derivedSubnet(const Project &project, bool v6, int defaultLength)
{
    QList<IpAddress> addresses;
    for (const Host &host : project.hosts) {
        for (const Interface &iface : host.interfaces) {
            if (const auto address = IpAddress::parse(v6 ? iface.ipv6 : iface.ip))
                addresses.append(*address);
        }
    }
    return IpPrefix::covering(addresses, defaultLength);
}

} // namespace

IpPrefix Project::meshSubnetV4() const
{
    return network.ipv4 ? *network.ipv4 : derivedSubnet(*this, false, 24);
}

IpPrefix Project::meshSubnetV6() const
{
    return network.ipv6 ? *network.ipv6 : derivedSubnet(*this, true, 64);
}

bool hasControlCharacters(const QString &value)
{
    for (const QChar c : value) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Separator_Line
            || c.category() == QChar::Separator_Paragraph)
            return true;
    }
    return false;
}

bool isSafeConfigValue(const QString &value)
{
    return !hasControlCharacters(value) && !value.contains(QLatin1Char('#'));
}

bool isValidHostName(const QString &name)
{
    return FieldCheck::hostName(name).isEmpty();
}

bool isValidInterfaceName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z0-9_=+.-]{1,15}$"));
    return pattern.match(name).hasMatch() && name != QLatin1String(".")
        && name != QLatin1String("..");
}
