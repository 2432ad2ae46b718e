// Reading a project file: wireguardmeshgenerator's format plus Meshwright's own keys, every
// value checked with its line.
#include "projectreader.h"

#include "fieldcheck.h"
#include "keystore.h"
#include "projectcomments.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace ProjectReader {

namespace {

using ProjectComments::EndAnchor;
using ProjectComments::HostKeys;
using ProjectComments::TopKeys;

/// Thrown inside this file only; parse() turns it into a LoadError.
struct ReadFailure
{
    int line;
    QString message;
};

int lineOf(const YAML::Mark &mark)
{
    return mark.line >= 0 ? mark.line + 1 : 0;
}

/// Refuses documents that are too deep or too large before a node tree is built.
class GuardHandler final : public YAML::EventHandler
{
public:
    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { count(mark); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { count(mark); }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                  const std::string &) override
    {
        count(mark);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {
        open(mark);
    }
    void OnSequenceEnd() override { --m_depth; }
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {
        open(mark);
    }
    void OnMapEnd() override { --m_depth; }

private:
    void count(const YAML::Mark &mark)
    {
        if (++m_nodes > ProjectFile::MaxNodes)
            throw ReadFailure{lineOf(mark),
                              QStringLiteral("more than %1 YAML nodes; not a project file")
                                  .arg(ProjectFile::MaxNodes)};
    }
    void open(const YAML::Mark &mark)
    {
        count(mark);
        if (++m_depth > ProjectFile::MaxDepth)
            throw ReadFailure{lineOf(mark), QStringLiteral("nested deeper than %1 levels; not a project file")
                                                .arg(ProjectFile::MaxDepth)};
    }

    int m_nodes = 0;
    int m_depth = 0;
};

/// True when \a text certainly holds no more than MaxNodes nodes, nests no deeper than
/// MaxDepth and has no aliases, judged from its characters alone: far cheaper than
/// GuardHandler's pass, which it spares a file that passes. What it cannot judge simply
/// (an anchor, alias or tag, a block scalar, a tab in the indentation, an escape in double
/// quotes) it leaves to the guard.
///
/// Nodes: every node but the root comes with an indicator: ':' (a key, its value, and the
/// map the first key starts), '-' or '?' (likewise), ',', '[' or '{'. They are counted
/// wherever they stand, in comments and quotes too: an overestimate.
/// Depth: a line's collections are opened by its indentation (at most two per column: a
/// map and, at the same column, a sequence as one of its values), by the indicators on
/// the line, and by open flow brackets. Every '[' and '{' counts as opening; ']' and '}'
/// close only outside comments and quoted scalars (a quote opens one only where a scalar
/// can start), and flow context is the only place a plain scalar cannot hold them.
bool certainlyWithinLimits(const std::string &text, qint64 extraNodes = 0)
{
    qint64 indicators = 0;
    qint64 open = 0;
    qint64 deepest = 0;
    qint64 indent = 0;
    qint64 onLine = 0;
    bool lineStart = true;
    bool comment = false;
    char quote = 0;
    char significant = '\n'; // the last character on the line that is not a space
    char previous = '\n';
    for (const char c : text) {
        switch (c) {
        case '*': case '&': case '!':
            return false;
        case '\n':
            deepest = std::max(deepest, 2 * (indent + 1) + onLine + open);
            indent = onLine = 0;
            lineStart = true;
            comment = false;
            significant = previous = c;
            continue;
        case ':': case '-': case '?':
            indicators += 3;
            ++onLine;
            break;
        case ',':
            indicators += 1;
            break;
        case '[': case '{':
            indicators += 2;
            ++open;
            deepest = std::max(deepest, 2 * (indent + 1) + onLine + open);
            break;
        default:
            break;
        }
        if (lineStart && (c == ' ' || c == '\t')) {
            if (c == '\t')
                return false;
            ++indent;
            previous = c;
            continue;
        }
        lineStart = false;
        if (quote) {
            if (c == '\\' && quote == '"')
                return false;
            if (c == quote)
                quote = 0; // '' in single quotes closes and opens again
        } else if (!comment) {
            const bool scalarStart = std::strchr(":-?,[{\n", significant) != nullptr;
            if (c == ']' || c == '}')
                open = std::max<qint64>(open - 1, 0);
            else if (c == '#')
                comment = previous == ' ' || previous == '\t' || previous == '\n';
            else if ((c == '|' || c == '>') && scalarStart)
                return false;
            else if ((c == '\'' || c == '"') && scalarStart)
                quote = c;
        }
        if (c != ' ')
            significant = c;
        previous = c;
    }
    deepest = std::max(deepest, 2 * (indent + 1) + onLine + open);
    return indicators + extraNodes + 1 <= ProjectFile::MaxNodes && deepest <= ProjectFile::MaxDepth;
}

/// exclude_peers lists of plain host names, one per line, read beside yaml-cpp: its
/// scanner takes about a microsecond a character, and a mesh with many roaming clients
/// is mostly such lists (1000 hosts with 200 roaming clients: 5.9 MB of them).
struct AsideLists
{
    std::string text;                ///< the file with the items' lines emptied (lines kept)
    QHash<int, QStringList> byLine;  ///< the items, by the line of their "exclude_peers:" key
};

/// The item of a list line "INDENT- NAME": a plain name, or one in quotes without quotes
/// or escapes inside; empty when the line is anything else (then the list stays yaml-cpp's).
std::string_view listItem(std::string_view line, size_t indent)
{
    if (line.size() < indent + 3 || line.find_first_not_of(' ') != indent || line.compare(indent, 2, "- ") != 0)
        return {};
    std::string_view item = line.substr(indent + 2);
    while (!item.empty() && item.back() == ' ')
        item.remove_suffix(1);
    if (item.size() >= 2 && (item.front() == '\'' || item.front() == '"') && item.back() == item.front()) {
        const std::string_view inner = item.substr(1, item.size() - 2);
        return inner.empty() || inner.find_first_of("'\"\\") != std::string_view::npos ? std::string_view() : inner;
    }
    auto nameChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
    if (item.empty() || !std::isalnum(static_cast<unsigned char>(item.front())) || !std::all_of(item.begin(), item.end(), nameChar))
        return {};
    if (item == "null" || item == "Null" || item == "NULL")
        return {}; // yaml-cpp reads these as no value
    return item;
}

/// The exclude_peers lists of \a text that are nothing but plain names, taken out. A list
/// with anything else in it (a comment, a blank line, a flow list, a mapping) is left
/// where it is, for yaml-cpp; so is everything after "\r".
AsideLists setAsideExcludeLists(const std::string &text)
{
    AsideLists aside;
    if (text.find('\r') != std::string::npos || text.find("exclude_peers:") == std::string::npos)
        return aside;
    std::vector<size_t> starts; // of every line
    for (size_t at = 0; at <= text.size();) {
        starts.push_back(at);
        const size_t end = text.find('\n', at);
        at = end == std::string::npos ? text.size() + 1 : end + 1;
    }
    auto lineAt = [&](size_t i) {
        const size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text.size();
        return std::string_view(text).substr(starts[i], end - starts[i]);
    };
    size_t copied = 0; // text before this is in aside.text
    for (size_t i = 0; i + 1 < starts.size(); ++i) {
        const std::string_view line = lineAt(i);
        const size_t keyIndent = line.find_first_not_of(' ');
        if (keyIndent == std::string_view::npos || line.compare(keyIndent, 14, "exclude_peers:") != 0
            || line.find_first_not_of(' ', keyIndent + 14) != std::string_view::npos)
            continue;
        const std::string_view first = lineAt(i + 1);
        const size_t indent = first.find_first_not_of(' ');
        if (indent == std::string_view::npos || indent < keyIndent)
            continue;
        QStringList items;
        size_t next = i + 1;
        for (; next < starts.size(); ++next) {
            const std::string_view item = listItem(lineAt(next), indent);
            if (item.empty())
                break;
            items.append(QString::fromUtf8(item.data(), qsizetype(item.size())));
        }
        // What follows must plainly end the list: the end, or a line less indented than
        // the list (or as much, when the list is not indented under its key).
        if (items.isEmpty())
            continue;
        if (next < starts.size()) {
            const std::string_view after = lineAt(next);
            const size_t afterIndent = after.find_first_not_of(' ');
            const bool ends = (after.empty() && next + 1 == starts.size())
                || (afterIndent != std::string_view::npos && after[afterIndent] != '#' && after[afterIndent] != '-'
                    && afterIndent <= keyIndent);
            if (!ends)
                continue;
        }
        // Up to the key's line as it is, then the items' lines empty.
        aside.text.append(text, copied, starts[i + 1] - copied);
        aside.text.append(next - i - 1, '\n');
        copied = next < starts.size() ? starts[next] : text.size();
        aside.byLine.insert(int(i) + 1, items);
        i = next - 1;
    }
    if (aside.byLine.isEmpty())
        return aside;
    aside.text.append(text, copied, std::string::npos);
    return aside;
}

/// Reads the node tree into a Project, checking every value on the way.
class Reader
{
public:
    /// \a aside: exclude_peers lists read beside the node tree (setAsideExcludeLists()).
    explicit Reader(QList<Diagnostic> *warnings, const QHash<int, QStringList> *aside = nullptr)
        : m_warnings(warnings)
        , m_aside(aside)
    {
    }

    Project read(const YAML::Node &root);
    /// Where keys stand, for anchoring comments.
    QList<ProjectComments::KeyPosition> keyPositions;
    /// How many of the lists set aside a host took back. Fewer than were set aside, and
    /// one was not a host's (a key elsewhere, or lines inside a quoted scalar).
    qsizetype asideTaken() const { return m_asideTaken; }

private:
    [[noreturn]] void fail(const YAML::Node &node, const QString &message) const
    {
        throw ReadFailure{lineOf(node.Mark()), message};
    }
    void visit(const YAML::Node &node)
    {
        // Aliases share nodes, so a small file can reference one list many times; count
        // every visit so that such a file is refused rather than walked for minutes.
        if (++m_visited > ProjectFile::MaxNodes)
            fail(node, QStringLiteral("the document expands to more than %1 nodes (aliases?)")
                           .arg(ProjectFile::MaxNodes));
    }
    void expectMap(const YAML::Node &node, const QString &what) const
    {
        if (!node.IsMap())
            fail(node, QStringLiteral("%1 must be a mapping of keys to values").arg(what));
    }
    QString scalar(const YAML::Node &node, const QString &what)
    {
        if (!node.IsDefined() || node.IsNull())
            return {};
        visit(node);
        if (!node.IsScalar())
            fail(node, QStringLiteral("%1 must be a single value").arg(what));
        const QString value = QString::fromStdString(node.Scalar());
        if (hasControlCharacters(value))
            fail(node, QStringLiteral("%1 holds a line break or control character").arg(what));
        return value;
    }
    QString requiredScalar(const YAML::Node &map, const char *key, const QString &what)
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            fail(map, QStringLiteral("%1: missing '%2'").arg(what, QLatin1String(key)));
        const QString value = scalar(node, what + QLatin1Char('.') + QLatin1String(key));
        if (value.trimmed().isEmpty())
            fail(node, QStringLiteral("%1: '%2' is empty").arg(what, QLatin1String(key)));
        return value;
    }
    int integer(const YAML::Node &node, const QString &what, int min, int max)
    {
        const QString text = scalar(node, what);
        bool ok = false;
        const int value = text.toInt(&ok);
        if (!ok || value < min || value > max)
            fail(node, QStringLiteral("%1 must be a whole number from %2 to %3, not '%4'")
                           .arg(what)
                           .arg(min)
                           .arg(max)
                           .arg(text));
        return value;
    }
    double number(const YAML::Node &node, const QString &what)
    {
        const QString text = scalar(node, what);
        bool ok = false;
        const double value = text.toDouble(&ok);
        if (!ok || !qIsFinite(value) || qAbs(value) > 1e7)
            fail(node, QStringLiteral("%1 must be a number, not '%2'").arg(what, text));
        return value;
    }
    bool boolean(const YAML::Node &node, const QString &what)
    {
        const QString text = scalar(node, what).toLower();
        if (text == QLatin1String("true") || text == QLatin1String("yes") || text == QLatin1String("on"))
            return true;
        if (text == QLatin1String("false") || text == QLatin1String("no") || text == QLatin1String("off"))
            return false;
        fail(node, QStringLiteral("%1 must be true or false, not '%2'").arg(what, text));
    }
    QString address(const YAML::Node &map, const char *key, const QString &what, bool required,
                    IpAddress::Family family)
    {
        const YAML::Node node = map[key];
        if (!required && (!node.IsDefined() || node.IsNull()))
            return {};
        const QString text = required ? requiredScalar(map, key, what)
                                      : scalar(node, what + QLatin1Char('.') + QLatin1String(key));
        const auto parsed = IpAddress::parse(text);
        if (!parsed || (family != IpAddress::Family::None && parsed->family() != family))
            fail(node, QStringLiteral("%1: '%2' is not a valid %3 address")
                           .arg(what, text,
                                family == IpAddress::Family::V4   ? QStringLiteral("IPv4")
                                : family == IpAddress::Family::V6 ? QStringLiteral("IPv6")
                                                                  : QStringLiteral("IP")));
        return text.trimmed();
    }
    QStringList stringList(const YAML::Node &node, const QString &what)
    {
        QStringList result;
        if (node.IsNull())
            return result;
        if (node.IsScalar()) {
            for (const QString &part : scalar(node, what).split(QLatin1Char(','), Qt::SkipEmptyParts))
                result.append(part.trimmed());
            return result;
        }
        if (!node.IsSequence())
            fail(node, QStringLiteral("%1 must be a list").arg(what));
        for (const YAML::Node &item : node)
            result.append(scalar(item, what));
        return result;
    }
    void checkKeys(const YAML::Node &map, std::initializer_list<const char *> known,
                   const QString &host, const QString &where)
    {
        for (auto it = map.begin(); it != map.end(); ++it) {
            visit(it->first);
            const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
            const bool isKnown = std::any_of(known.begin(), known.end(),
                                             [&](const char *k) { return key == k; });
            if (isKnown || !m_warnings)
                continue;
            Diagnostic warning;
            warning.severity = Diagnostic::Severity::Warning;
            warning.host = host;
            warning.line = lineOf(it->first.Mark());
            warning.message = QStringLiteral("unknown key '%1'%2 at line %3; it is ignored and "
                                             "not kept when saving")
                                  .arg(QString::fromStdString(key), where, QString::number(warning.line));
            m_warnings->append(warning);
        }
    }

    std::optional<SshSettings> readSsh(const YAML::Node &node, const QString &host);
    std::optional<SiteAddress> readSite(const YAML::Node &node, const QString &what, const QString &host);
    Interface readInterface(const YAML::Node &node, const QString &name, const QString &host);
    Host readHost(const YAML::Node &key, const YAML::Node &value);
    LinkSettings readLink(const YAML::Node &node, const Project &project);
    std::optional<RouterSettings> readRouter(const YAML::Node &node, const QString &host);

    QList<Diagnostic> *m_warnings;
    const QHash<int, QStringList> *m_aside;
    qsizetype m_asideTaken = 0;
    qint64 m_visited = 0;
};

std::optional<SshSettings> Reader::readSsh(const YAML::Node &node, const QString &host)
{
    if (!node.IsDefined() || node.IsNull())
        return std::nullopt;
    const QString what = host + QLatin1String(".ssh");
    expectMap(node, what);
    checkKeys(node, {"host", "identity", "user", "port", "conf_dir", "sudo_cmd", "reload_cmd"}, host, QStringLiteral(" in ssh"));
    SshSettings ssh;
    ssh.host = scalar(node["host"], what + QLatin1String(".host")).trimmed();
    ssh.identity = scalar(node["identity"], what + QLatin1String(".identity")).trimmed();
    static const QRegularExpression hostPattern(QStringLiteral("^[A-Za-z0-9.:_-]*$"));
    if (!hostPattern.match(ssh.host).hasMatch())
        fail(node["host"], QStringLiteral("%1.host: '%2' is not a host name or address").arg(what, ssh.host));
    ssh.user = scalar(node["user"], what + QLatin1String(".user")).trimmed();
    if (node["port"].IsDefined() && !node["port"].IsNull())
        ssh.port = integer(node["port"], what + QLatin1String(".port"), 1, 65535);
    if (node["conf_dir"].IsDefined() && !node["conf_dir"].IsNull())
        ssh.confDir = scalar(node["conf_dir"], what + QLatin1String(".conf_dir")).trimmed();
    ssh.sudoCmd = scalar(node["sudo_cmd"], what + QLatin1String(".sudo_cmd")).trimmed();
    ssh.reloadCmd = scalar(node["reload_cmd"], what + QLatin1String(".reload_cmd")).trimmed();
    if (const QString problem = FieldCheck::configFolder(ssh.confDir); !problem.isEmpty())
        fail(node["conf_dir"].IsDefined() ? node["conf_dir"] : node, QStringLiteral("%1.conf_dir: %2").arg(what, problem));

    return ssh;
}

std::optional<SiteAddress> Reader::readSite(const YAML::Node &node, const QString &what,
                                            const QString &host)
{
    if (!node.IsDefined() || node.IsNull())
        return std::nullopt;
    expectMap(node, what);
    checkKeys(node, {"domain", "ip"}, host, QStringLiteral(" in ") + what.section(QLatin1Char('.'), -1));
    SiteAddress site;
    site.domain = scalar(node["domain"], what + QLatin1String(".domain")).trimmed();
    site.ip = address(node, "ip", what, true, IpAddress::Family::None);
    return site;
}

Interface Reader::readInterface(const YAML::Node &node, const QString &name, const QString &host)
{
    const QString what = host + QLatin1Char('.') + name;
    expectMap(node, what);
    checkKeys(node, {"domain", "ip", "ipv6", "listen_port", "mtu", "pre_up", "post_up", "pre_down", "post_down", "table", "fwmark", "save_config",
                     "subnet_route"},
              host, QStringLiteral(" in ") + name);
    Interface iface;
    iface.name = name;
    iface.domain = scalar(node["domain"], what + QLatin1String(".domain")).trimmed();
    iface.ip = address(node, "ip", what, true, IpAddress::Family::V4);
    iface.ipv6 = address(node, "ipv6", what, false, IpAddress::Family::V6);
    if (node["listen_port"].IsDefined() && !node["listen_port"].IsNull())
        iface.listenPort = integer(node["listen_port"], what + QLatin1String(".listen_port"), 1, 65535);
    if (node["mtu"].IsDefined() && !node["mtu"].IsNull()) {
        // auto: no MTU line at all, wg-quick (or the app) picks it, whatever the rule says
        iface.mtu = node["mtu"].IsScalar() && node["mtu"].Scalar() == "auto" ? 0 : integer(node["mtu"], what + QLatin1String(".mtu"), 1280, 9000);
    }
    for (const auto &[key, lines] : {std::pair("pre_up", &iface.preUp), std::pair("post_up", &iface.postUp),
                                     std::pair("pre_down", &iface.preDown), std::pair("post_down", &iface.postDown)}) {
        const YAML::Node list = node[key];
        if (!list.IsDefined() || list.IsNull())
            continue;
        *lines = stringList(list, what + QLatin1Char('.') + QLatin1String(key));
        for (const QString &command : std::as_const(*lines)) {
            if (!isSafeConfigValue(command))
                fail(list, QStringLiteral("%1.%2: a command may not hold '#' or control characters").arg(what, QLatin1String(key)));
        }
    }
    if (node["table"].IsDefined() && !node["table"].IsNull()) {
        iface.table = scalar(node["table"], what + QLatin1String(".table")).trimmed();
        static const QRegularExpression table(QStringLiteral("^[A-Za-z0-9_-]+$"));
        if (!table.match(iface.table).hasMatch())
            fail(node["table"], QStringLiteral("%1.table: '%2' is not off, auto or a routing table").arg(what, iface.table));
    }
    if (node["fwmark"].IsDefined() && !node["fwmark"].IsNull()) {
        bool ok = false;
        const uint mark = scalar(node["fwmark"], what + QLatin1String(".fwmark")).trimmed().toUInt(&ok, 0);
        if (!ok)
            fail(node["fwmark"], QStringLiteral("%1.fwmark must be a number (decimal or 0x…)").arg(what));
        iface.fwMark = mark;
    }
    if (node["save_config"].IsDefined())
        iface.saveConfig = boolean(node["save_config"], what + QLatin1String(".save_config"));
    if (node["subnet_route"].IsDefined())
        iface.subnetRoute = boolean(node["subnet_route"], what + QLatin1String(".subnet_route"));
    return iface;
}

Host Reader::readHost(const YAML::Node &key, const YAML::Node &value)
{
    Host host;
    host.name = scalar(key, QStringLiteral("host name"));
    if (const QString problem = FieldCheck::hostName(host.name); !problem.isEmpty())
        fail(key, QStringLiteral("'%1' is not a valid host name: %2").arg(host.name, problem));
    keyPositions.append({lineOf(key.Mark()), key.Mark().column, host.name, QString()});
    expectMap(value, QStringLiteral("host '%1'").arg(host.name));
    checkKeys(value, {"os", "ssh", "lan", "internet", "wg0", "exclude_peers", "gateway", "nat", "egress", "own_forwarding", "public_key", "position",
                      "router", "kubernetes"},
              host.name, QString());
    for (auto it = value.begin(); it != value.end(); ++it) {
        // Comments anchor to keys a save writes back; unknown keys are not kept.
        if (it->first.IsScalar() && HostKeys.contains(QString::fromStdString(it->first.Scalar())))
            keyPositions.append({lineOf(it->first.Mark()), it->first.Mark().column, host.name,
                                 QString::fromStdString(it->first.Scalar())});
    }
    if (value["os"].IsDefined() && !value["os"].IsNull()) {
        host.os = scalar(value["os"], host.name + QLatin1String(".os")).trimmed();
        if (!isSafeConfigValue(host.os))
            fail(value["os"], QStringLiteral("%1.os holds a '#'").arg(host.name));
    }
    if (value["public_key"].IsDefined() && !value["public_key"].IsNull()) {
        host.publicKey = scalar(value["public_key"], host.name + QLatin1String(".public_key")).trimmed();
        if (!WireGuardKeys::isValidKey(host.publicKey))
            fail(value["public_key"], QStringLiteral("%1.public_key is not a WireGuard key (44 characters of base64)").arg(host.name));
    }
    host.ssh = readSsh(value["ssh"], host.name);
    host.lan = readSite(value["lan"], host.name + QLatin1String(".lan"), host.name);
    host.internet = readSite(value["internet"], host.name + QLatin1String(".internet"), host.name);
    if (!value["wg0"].IsDefined() || value["wg0"].IsNull())
        fail(key, QStringLiteral("host '%1' has no 'wg0' section (its WireGuard interface)").arg(host.name));
    host.interfaces = {readInterface(value["wg0"], QStringLiteral("wg0"), host.name)};
    if (const YAML::Node excluded = value["exclude_peers"]; excluded.IsDefined()) {
        host.excludePeers = stringList(excluded, host.name + QLatin1String(".exclude_peers"));
        if (m_aside && excluded.IsNull()) {
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (it->first.IsScalar() && it->first.Scalar() == "exclude_peers") {
                    if (const auto list = m_aside->constFind(lineOf(it->first.Mark())); list != m_aside->cend()) {
                        host.excludePeers = *list;
                        ++m_asideTaken;
                    }
                    break;
                }
            }
        }
    }
    if (value["gateway"].IsDefined() && !value["gateway"].IsNull())
        host.gateway = boolean(value["gateway"], host.name + QLatin1String(".gateway"));
    if (value["nat"].IsDefined() && !value["nat"].IsNull())
        host.nat = boolean(value["nat"], host.name + QLatin1String(".nat"));
    if (value["own_forwarding"].IsDefined())
        host.ownForwarding = boolean(value["own_forwarding"], host.name + QLatin1String(".own_forwarding"));
    if (value["egress"].IsDefined() && !value["egress"].IsNull()) {
        host.egress = scalar(value["egress"], host.name + QLatin1String(".egress")).trimmed();
        if (!isValidInterfaceName(host.egress))
            fail(value["egress"], QStringLiteral("%1.egress: '%2' is not an interface name (up to 15 letters, digits, '_', '.', '-')")
                                      .arg(host.name, host.egress));
    }
    const YAML::Node position = value["position"];
    if (position.IsDefined() && !position.IsNull()) {
        expectMap(position, host.name + QLatin1String(".position"));
        if (!position["x"].IsDefined() || !position["y"].IsDefined())
            fail(position, QStringLiteral("%1.position needs x and y").arg(host.name));
        host.position = QPointF(number(position["x"], host.name + QLatin1String(".position.x")),
                                number(position["y"], host.name + QLatin1String(".position.y")));
    }
    host.router = readRouter(value["router"], host.name);
    const YAML::Node kubernetes = value["kubernetes"];
    if (kubernetes.IsDefined() && !kubernetes.IsNull()) {
        expectMap(kubernetes, host.name + QLatin1String(".kubernetes"));
        checkKeys(kubernetes, {"node"}, host.name, QStringLiteral(" in kubernetes"));
        host.kubernetesNode = scalar(kubernetes["node"], host.name + QLatin1String(".kubernetes.node")).trimmed();
        if (host.kubernetesNode.isEmpty())
            host.kubernetesNode = host.name;
        if (!isValidHostName(host.kubernetesNode))
            fail(kubernetes, QStringLiteral("%1.kubernetes.node: '%2' is not a valid node name").arg(host.name, host.kubernetesNode));
    }
    return host;
}

std::optional<RouterSettings> Reader::readRouter(const YAML::Node &node, const QString &host)
{
    if (!node.IsDefined() || node.IsNull())
        return std::nullopt;
    const QString what = host + QLatin1String(".router");
    expectMap(node, what);
    checkKeys(node, {"interface_per_peer", "base_port", "tunnel_range", "routes", "uplink_mtu", "outer", "mss_clamp",
                     "forwarding", "nat"},
              host, QStringLiteral(" in router"));
    RouterSettings router;
    auto flag = [&](const char *key, bool *out) {
        if (node[key].IsDefined() && !node[key].IsNull())
            *out = boolean(node[key], what + QLatin1Char('.') + QLatin1String(key));
    };
    flag("interface_per_peer", &router.interfacePerPeer);
    flag("mss_clamp", &router.mssClamp);
    flag("forwarding", &router.forwarding);
    flag("nat", &router.nat);
    if (node["base_port"].IsDefined())
        router.basePort = integer(node["base_port"], what + QLatin1String(".base_port"), 1, 65000);
    if (node["uplink_mtu"].IsDefined())
        router.uplinkMtu = integer(node["uplink_mtu"], what + QLatin1String(".uplink_mtu"), 1280, 9000);
    if (node["tunnel_range"].IsDefined() && !node["tunnel_range"].IsNull()) {
        const QString text = scalar(node["tunnel_range"], what + QLatin1String(".tunnel_range"));
        const auto range = IpPrefix::parse(text);
        if (!range || !range->address().isV4())
            fail(node["tunnel_range"], QStringLiteral("%1.tunnel_range: '%2' is not an IPv4 prefix").arg(what, text));
        router.tunnelRange = range->network();
    }
    if (node["routes"].IsDefined()) {
        const QString routes = scalar(node["routes"], what + QLatin1String(".routes")).trimmed();
        if (routes == QLatin1String("explicit"))
            router.routes = RouterSettings::Routes::Explicit;
        else if (routes != QLatin1String("allowed_ips"))
            fail(node["routes"], QStringLiteral("%1.routes must be allowed_ips or explicit, not '%2'").arg(what, routes));
    }
    if (node["outer"].IsDefined()) {
        const QString outer = scalar(node["outer"], what + QLatin1String(".outer")).trimmed();
        if (outer != QLatin1String("ipv4") && outer != QLatin1String("ipv6"))
            fail(node["outer"], QStringLiteral("%1.outer must be ipv4 or ipv6, not '%2'").arg(what, outer));
        router.outerIpv6 = outer == QLatin1String("ipv6");
    }
    if (router.interfacePerPeer && !router.tunnelRange)
        fail(node, QStringLiteral("%1: interface_per_peer needs a tunnel_range for the interfaces' addresses").arg(what));
    return router;
}

LinkSettings Reader::readLink(const YAML::Node &node, const Project &project)
{
    expectMap(node, QStringLiteral("a link"));
    checkKeys(node, {"hosts", "keepalive", "preshared_key", "endpoint", "allowed_ips", "bgp_prefixes", "encrypt_public_address"},
              QString(), QStringLiteral(" in links"));
    const YAML::Node hosts = node["hosts"];
    if (!hosts.IsDefined())
        fail(node, QStringLiteral("a link needs 'hosts: [A, B]'"));
    const QStringList names = stringList(hosts, QStringLiteral("links.hosts"));
    if (names.size() != 2 || names[0] == names[1])
        fail(hosts, QStringLiteral("a link joins exactly two different hosts"));
    for (const QString &name : names) {
        if (project.indexOf(name) < 0)
            fail(hosts, QStringLiteral("link to unknown host '%1'").arg(name));
    }
    LinkSettings link;
    link.a = names[0];
    link.b = names[1];
    const QString what = QStringLiteral("link %1-%2").arg(link.a, link.b);
    if (node["keepalive"].IsDefined())
        link.keepalive = integer(node["keepalive"], what + QLatin1String(" keepalive"), 0, 65535);
    if (node["preshared_key"].IsDefined())
        link.presharedKey = boolean(node["preshared_key"], what + QLatin1String(" preshared_key"));
    auto perHost = [&](const char *key, auto store) {
        const YAML::Node map = node[key];
        if (!map.IsDefined() || map.IsNull())
            return;
        expectMap(map, what + QLatin1Char(' ') + QLatin1String(key));
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString host = scalar(it->first, what + QLatin1Char(' ') + QLatin1String(key));
            if (host != link.a && host != link.b)
                fail(it->first, QStringLiteral("%1: '%2' is not one of its two hosts").arg(what, host));
            store(link.end(host), it->second);
        }
    };
    perHost("endpoint", [&](LinkEnd &end, const YAML::Node &value) {
        const QString endpoint = scalar(value, what + QLatin1String(" endpoint")).trimmed();
        if (const QString problem = FieldCheck::endpoint(endpoint); !problem.isEmpty() || endpoint.isEmpty())
            fail(value, QStringLiteral("%1: endpoint %2").arg(what, endpoint.isEmpty() ? QStringLiteral("is empty") : problem));
        end.endpoint = endpoint;
    });
    auto prefixList = [&](const YAML::Node &value, const char *key) {
        QStringList prefixes = stringList(value, what + QLatin1Char(' ') + QLatin1String(key));
        for (QString &prefix : prefixes) {
            const auto parsed = IpPrefix::parse(prefix, true);
            if (!parsed)
                fail(value, QStringLiteral("%1: '%2' is not an address prefix").arg(what, prefix));
            prefix = parsed->toString();
        }
        return prefixes;
    };
    perHost("allowed_ips", [&](LinkEnd &end, const YAML::Node &value) { end.allowedIps = prefixList(value, "allowed_ips"); });
    perHost("bgp_prefixes", [&](LinkEnd &end, const YAML::Node &value) { end.bgpPrefixes = prefixList(value, "bgp_prefixes"); });
    if (node["encrypt_public_address"].IsDefined())
        link.encryptPublicAddress = boolean(node["encrypt_public_address"], what + QLatin1String(" encrypt_public_address"));
    return link;
}

Project Reader::read(const YAML::Node &root)
{
    if (!root.IsDefined() || root.IsNull())
        throw ReadFailure{1, QStringLiteral("the file is empty")};
    expectMap(root, QStringLiteral("the project"));
    checkKeys(root, {"hosts", "defaults", "network", "links"}, QString(), QString());
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it->first.IsScalar() && TopKeys.contains(QString::fromStdString(it->first.Scalar())))
            keyPositions.append({lineOf(it->first.Mark()), it->first.Mark().column, QString(),
                                 QString::fromStdString(it->first.Scalar())});
    }
    Project project;
    const YAML::Node hosts = root["hosts"];
    if (!hosts.IsDefined())
        fail(root, QStringLiteral("missing 'hosts'"));
    expectMap(hosts, QStringLiteral("hosts"));
    QSet<QString> names;
    QHash<QString, YAML::Node> excludeNodes;
    for (auto it = hosts.begin(); it != hosts.end(); ++it) {
        Host host = readHost(it->first, it->second);
        if (names.contains(host.name))
            fail(it->first, QStringLiteral("host '%1' is defined twice").arg(host.name));
        names.insert(host.name);
        excludeNodes.insert(host.name, it->second["exclude_peers"]);
        project.hosts.append(std::move(host));
    }
    if (project.hosts.isEmpty())
        fail(hosts, QStringLiteral("'hosts' lists no host"));
    for (const Host &host : std::as_const(project.hosts)) {
        for (const QString &peer : host.excludePeers) {
            if (!names.contains(peer))
                fail(excludeNodes.value(host.name),
                     QStringLiteral("%1.exclude_peers: unknown host '%2'").arg(host.name, peer));
        }
    }

    const YAML::Node defaults = root["defaults"];
    if (defaults.IsDefined() && !defaults.IsNull()) {
        expectMap(defaults, QStringLiteral("defaults"));
        checkKeys(defaults, {"listen_port", "keepalive", "dns", "hosts_file"}, QString(), QStringLiteral(" in defaults"));
        if (defaults["hosts_file"].IsDefined() && !defaults["hosts_file"].IsNull())
            project.defaults.hostsFile = boolean(defaults["hosts_file"], QStringLiteral("defaults.hosts_file"));
        if (defaults["listen_port"].IsDefined())
            project.defaults.listenPort = integer(defaults["listen_port"], QStringLiteral("defaults.listen_port"), 1, 65535);
        if (defaults["keepalive"].IsDefined())
            project.defaults.keepalive = integer(defaults["keepalive"], QStringLiteral("defaults.keepalive"), 0, 65535);
        if (defaults["dns"].IsDefined()) {
            project.defaults.dns = stringList(defaults["dns"], QStringLiteral("defaults.dns"));
            for (const QString &server : std::as_const(project.defaults.dns)) {
                if (!IpAddress::parse(server))
                    fail(defaults["dns"], QStringLiteral("defaults.dns: '%1' is not an IP address").arg(server));
            }
        }
    }
    const YAML::Node network = root["network"];
    if (network.IsDefined() && !network.IsNull()) {
        expectMap(network, QStringLiteral("network"));
        checkKeys(network, {"ipv4", "ipv6"}, QString(), QStringLiteral(" in network"));
        auto subnet = [&](const char *key, IpAddress::Family family) -> std::optional<IpPrefix> {
            const YAML::Node node = network[key];
            if (!node.IsDefined() || node.IsNull())
                return std::nullopt;
            const QString text = scalar(node, QStringLiteral("network.") + QLatin1String(key));
            const auto prefix = IpPrefix::parse(text);
            if (!prefix || prefix->address().family() != family)
                fail(node, QStringLiteral("network.%1: '%2' is not an %3 prefix (ADDRESS/LENGTH)")
                               .arg(QLatin1String(key), text,
                                    family == IpAddress::Family::V4 ? QStringLiteral("IPv4")
                                                                    : QStringLiteral("IPv6")));
            return prefix->network();
        };
        project.network.ipv4 = subnet("ipv4", IpAddress::Family::V4);
        project.network.ipv6 = subnet("ipv6", IpAddress::Family::V6);
    }
    const YAML::Node links = root["links"];
    if (links.IsDefined() && !links.IsNull()) {
        if (!links.IsSequence())
            fail(links, QStringLiteral("links must be a list"));
        for (const YAML::Node &node : links) {
            LinkSettings link = readLink(node, project);
            if (project.linkSettings(link.a, link.b))
                fail(node, QStringLiteral("the link %1-%2 is listed twice").arg(link.a, link.b));
            project.links.append(std::move(link));
        }
    }
    return project;
}

} // namespace

std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, ProjectFile::LoadError *error,
                             QList<Diagnostic> *warnings, QList<int> *commentLines, QList<int> *lineEndComments)
{
    auto failWith = [&](int line, const QString &message) -> std::optional<Project> {
        if (error)
            *error = ProjectFile::LoadError{fileName, line, message};
        return std::nullopt;
    };
    if (yaml.size() > ProjectFile::MaxFileSize)
        return failWith(0, QStringLiteral("the file is larger than %1 MiB; not a project file")
                               .arg(ProjectFile::MaxFileSize / (1024 * 1024)));
    if (yaml.contains('\0'))
        return failWith(0, QStringLiteral("the file holds binary data; not a project file"));
    const std::string text = yaml.toStdString();
    try {
        // Long lists of names are read beside yaml-cpp (setAsideExcludeLists); their
        // items still count as the nodes they are.
        const AsideLists aside = setAsideExcludeLists(text);
        qint64 asideItems = 0;
        for (const QStringList &items : aside.byLine)
            asideItems += items.size();
        const bool plain = aside.byLine.isEmpty() ? certainlyWithinLimits(text) : certainlyWithinLimits(aside.text, asideItems);
        if (!plain) {
            std::stringstream stream(text);
            YAML::Parser parser(stream);
            GuardHandler guard;
            parser.HandleNextDocument(guard);
        }
        QList<Diagnostic> found;
        Reader reader(&found);
        Project project;
        // Only a file that reads without a problem is taken with lists set aside: a
        // problem is reported as yaml-cpp sees the whole file, with its lines and words.
        bool read = false;
        if (plain && !aside.byLine.isEmpty()) {
            try {
                Reader quick(&found, &aside.byLine);
                project = quick.read(YAML::Load(aside.text));
                read = quick.asideTaken() == aside.byLine.size();
                if (read)
                    reader.keyPositions = std::move(quick.keyPositions);
                else
                    found.clear();
            } catch (const ReadFailure &) {
                found.clear();
            } catch (const YAML::Exception &) {
                found.clear();
            }
        }
        if (!read)
            project = reader.read(YAML::Load(text));
        ProjectComments::collect(yaml, reader.keyPositions, &project, commentLines, lineEndComments);
        ProjectComments::sort(&project, commentLines);
        for (const int line : std::as_const(*lineEndComments)) {
            Diagnostic warning;
            warning.severity = Diagnostic::Severity::Warning;
            warning.line = line;
            warning.message = QStringLiteral("the comment at the end of line %1 is not kept when "
                                             "saving; put it on a line of its own")
                                  .arg(line);
            found.append(warning);
        }
        if (warnings)
            *warnings += found;
        return project;
    } catch (const ReadFailure &failure) {
        return failWith(failure.line, failure.message);
    } catch (const YAML::Exception &e) {
        return failWith(lineOf(e.mark), QString::fromStdString(e.msg));
    }
}

} // namespace ProjectReader
