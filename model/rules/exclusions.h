// Which hosts each host of a project leaves out (exclude_peers), resolved to indexes.
#pragma once

#include "project.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <span>
#include <vector>

/// exclude_peers of every host as host indexes: what the planner, the validator and the
/// drawn links ask most, thousands of times per pair of hosts. Resolving the names is the
/// costly part, so it is done once per set of names and exclude lists: an edit that keeps
/// both (an address, a keepalive) keeps the same Exclusions (MeshDocument shares it).
/// Immutable once built, and safe to read from several threads.
class Exclusions
{
public:
    explicit Exclusions(const Project &project);

    /// The number of hosts it was built for.
    qsizetype size() const { return qsizetype(m_rows.size()); }
    /// True when \a host's exclude_peers names \a peer.
    bool excludes(qsizetype host, qsizetype peer) const
    {
        const Row &row = m_rows[size_t(host)];
        if (!row.bits.empty())
            return (row.bits[size_t(peer) / 64] >> (size_t(peer) % 64)) & 1;
        return std::binary_search(row.sorted.cbegin(), row.sorted.cend(), qint32(peer));
    }
    /// The hosts \a host excludes, ascending, each once.
    std::span<const qint32> excluded(qsizetype host) const { return m_rows[size_t(host)].sorted; }
    /// The entries of \a host's exclude_peers that name no host of the project.
    const QStringList &unknown(qsizetype host) const { return m_rows[size_t(host)].unknown; }

    /// True when \a before and \a after (one host, before and after an edit) resolve to
    /// the same exclusions: neither the name nor exclude_peers changed.
    static bool keeps(const Host &before, const Host &after)
    {
        return before.name == after.name && before.excludePeers == after.excludePeers;
    }

private:
    struct Row
    {
        std::vector<qint32> sorted;
        /// Set when the host leaves out many: one bit per host, for a lookup without a search.
        std::vector<quint64> bits;
        QStringList unknown;
    };
    std::vector<Row> m_rows;
};
