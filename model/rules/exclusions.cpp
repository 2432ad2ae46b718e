// Which hosts each host of a project leaves out (exclude_peers), resolved to indexes.
#include "exclusions.h"

#include <QHash>

#include <algorithm>

Exclusions::Exclusions(const Project &project)
{
    const qsizetype count = project.hosts.size();
    QHash<QString, qint32> index;
    index.reserve(count);
    // Backwards, so that the first of two hosts with one name wins, as in Project::indexOf.
    for (qsizetype i = count - 1; i >= 0; --i)
        index.insert(project.hosts[i].name, qint32(i));
    m_rows.resize(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        const QStringList &names = project.hosts[i].excludePeers;
        if (names.isEmpty())
            continue;
        Row &row = m_rows[size_t(i)];
        row.sorted.reserve(size_t(names.size()));
        for (const QString &name : names) {
            const auto found = index.constFind(name);
            if (found == index.cend())
                row.unknown.append(name);
            else
                row.sorted.push_back(found.value());
        }
        std::sort(row.sorted.begin(), row.sorted.end());
        row.sorted.erase(std::unique(row.sorted.begin(), row.sorted.end()), row.sorted.end());
        // A bit per host costs count / 8 bytes; the sorted list 4 bytes per entry.
        if (qsizetype(row.sorted.size()) * 32 >= count) {
            row.bits.assign(size_t(count + 63) / 64, 0);
            for (const qint32 peer : row.sorted)
                row.bits[size_t(peer) / 64] |= quint64(1) << (size_t(peer) % 64);
        }
    }
}
