// The mesh's names in /etc/hosts: a block between marker lines that Meshwright owns.
#include "hostsfile.h"

namespace HostsFile {

const QByteArray BeginMarker = "# BEGIN meshwright: the mesh's names, written by each deploy (edits here are replaced)";
const QByteArray EndMarker = "# END meshwright";

QByteArray block(const Project &project)
{
    QByteArray out = BeginMarker + '\n';
    for (const Host &host : project.hosts) {
        const Interface &iface = host.meshInterface();
        QByteArray names = host.name.toUtf8() + '.' + iface.name.toUtf8();
        if (!iface.domain.isEmpty())
            names += ' ' + host.name.toUtf8() + '.' + iface.domain.toUtf8();
        for (const QString &address : {iface.ip, iface.ipv6}) {
            if (!address.isEmpty())
                out += address.toUtf8() + ' ' + names + '\n';
        }
    }
    return out + EndMarker + '\n';
}

QByteArray merge(const QByteArray &live, const QByteArray &block)
{
    // The block starts at a line that is the begin marker, and ends after the end marker's line.
    qsizetype begin = -1;
    for (qsizetype at = 0; at < live.size();) {
        const qsizetype end = live.indexOf('\n', at);
        const qsizetype next = end < 0 ? live.size() : end + 1;
        const QByteArray line = live.mid(at, next - at).trimmed();
        if (begin < 0 && line.startsWith("# BEGIN meshwright")) {
            begin = at;
        } else if (begin >= 0 && line == EndMarker) {
            return live.left(begin) + block + live.mid(next);
        }
        at = next;
    }
    if (begin >= 0) // a begin marker without its end: the rest was ours
        return live.left(begin) + block;
    if (block.isEmpty())
        return live;
    QByteArray out = live;
    if (!out.isEmpty() && !out.endsWith('\n'))
        out += '\n';
    return out + block;
}

} // namespace HostsFile
