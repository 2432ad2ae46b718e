// Reading configs over SSH for import.
#include "sshimport.h"

#include "sshsession.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace {

/// Lists the configs, each as "F SIZE PATH" and its bytes ("O SIZE PATH" for OpenBSD's
/// hostname.wgN); "N NAME" and "S SYSTEM" first. Sizes through $(( )) so that BSD wc's
/// padding goes.
const char *const ReadScript = R"SH(
printf 'N %s\n' "$(uname -n)"
printf 'S %s\n' "$(uname -s)"
for f in /etc/wireguard/*.conf /usr/local/etc/wireguard/*.conf; do
    [ -f "$f" ] || continue
    printf 'F %s %s\n' "$(($(wc -c < "$f")))" "$f"
    cat "$f"
done
for f in /etc/hostname.wg*; do
    [ -f "$f" ] || continue
    printf 'O %s %s\n' "$(($(wc -c < "$f")))" "$f"
    cat "$f"
done
exit 0
)SH";

} // namespace

std::optional<ConfigImport::RemoteHost> SshConfigReader::read(const PollTarget &target, const QString &identity, const DeployOptions &options,
                                                              QStringList *notes, QString *error, QString *unknownKey)
{
    auto fail = [&](const QString &message) -> std::optional<ConfigImport::RemoteHost> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(target.address, message);
        return std::nullopt;
    };
    SshSession session(target);
    if (const auto failure = session.connect(options, [](DeployStep, const QString &) {})) {
        if (unknownKey)
            *unknownKey = unknownHostKey(failure->problem, failure->reason);
        return fail(QStringLiteral("%1: %2").arg(deployStepName(failure->step), failure->reason));
    }
    QByteArray out;
    QByteArray err;
    const int status = session.run(privilege(target) + "sh -s", ReadScript, &out, &err);
    if (status != 0) {
        const QString message = QString::fromUtf8(err).trimmed();
        if (message.contains(QLatin1String("password")) || message.contains(QLatin1String("terminal is required")))
            return fail(QStringLiteral("%1 wants a password; allow it without one (sudo -n / doas -n) or log in as root").arg(target.sudoCmd));
        return fail(status < 0 ? QStringLiteral("the connection was lost") : QStringLiteral("cannot read the configs: %1").arg(message));
    }
    ConfigImport::RemoteHost result;
    QString confDir;
    QString os;
    qsizetype at = 0;
    while (at < out.size()) {
        const qsizetype end = out.indexOf('\n', at);
        if (end < 0)
            break;
        const QByteArray line = out.mid(at, end - at);
        at = end + 1;
        if (line.startsWith("N ")) {
            result.host = QString::fromUtf8(line.mid(2)).section(QLatin1Char('.'), 0, 0).trimmed();
        } else if (line.startsWith("S ")) {
            const QString system = QString::fromUtf8(line.mid(2)).trimmed();
            for (const char *known : {"Linux", "FreeBSD", "OpenBSD"}) {
                if (system == QLatin1String(known))
                    os = system;
            }
        } else if (line.startsWith("F ") || line.startsWith("O ")) {
            const qsizetype space = line.indexOf(' ', 2);
            bool ok = false;
            const qsizetype size = line.mid(2, space - 2).toLongLong(&ok);
            if (!ok || space < 0 || size < 0 || at + size > out.size())
                return fail(QStringLiteral("a cut-short answer"));
            const QString path = QString::fromUtf8(line.mid(space + 1));
            const QFileInfo info(path);
            ConfigImport::Source source{QString(), info.completeBaseName(), target.address + QLatin1Char(':') + path, out.mid(at, size)};
            if (line.startsWith("O ")) {
                source.format = ConfigImport::Format::OpenBsdHostname;
                source.interfaceName = info.fileName().mid(9); // hostname.wg0
            } else if (confDir.isEmpty()) {
                confDir = info.path();
            }
            result.sources.append(source);
            at += size;
        }
    }
    // OpenBSD configures wgN from /etc/hostname.wgN; a wgN.conf beside it is wg(8)'s.
    for (qsizetype k = result.sources.size() - 1; k >= 0; --k) {
        const ConfigImport::Source &source = result.sources[k];
        const bool shadowed = source.format == ConfigImport::Format::WgQuick
            && std::any_of(result.sources.cbegin(), result.sources.cend(), [&](const ConfigImport::Source &other) {
                   return other.format == ConfigImport::Format::OpenBsdHostname && other.interfaceName == source.interfaceName;
               });
        if (shadowed) {
            if (notes)
                notes->append(QStringLiteral("%1: left out; /etc/hostname.%2 configures the interface").arg(source.path, source.interfaceName));
            result.sources.removeAt(k);
        }
    }
    if (result.sources.isEmpty())
        return fail(QStringLiteral("no WireGuard config in /etc/wireguard, /usr/local/etc/wireguard or /etc/hostname.wg*"));
    if (!target.host.isEmpty())
        result.host = target.host;
    else if (!isValidHostName(result.host))
        result.host = target.address;
    for (ConfigImport::Source &source : result.sources) {
        source.host = result.host;
        source.os = source.format == ConfigImport::Format::OpenBsdHostname ? QStringLiteral("OpenBSD") : os;
        source.reachedAt = target.address;
    }
    result.ssh.host = target.address;
    result.ssh.user = target.user;
    result.ssh.port = target.port;
    result.ssh.identity = identity;
    result.ssh.sudoCmd = target.sudoCmd;
    result.ssh.confDir = confDir;
    return result;
}


