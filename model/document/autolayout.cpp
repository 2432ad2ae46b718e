// A readable first layout for projects without positions (every wireguardmeshgenerator file).
#include "autolayout.h"

#include <cmath>

namespace AutoLayout {

QList<QPointF> arrange(const Project &project)
{
    QList<qsizetype> groups[3]; // LAN, gateways, roaming
    // LAN hosts site by site (the default site first), a free row between two sites: each
    // site's frame then holds its own hosts alone.
    const QStringList sites = QStringList{QString()} + project.siteNames();
    QList<QList<qsizetype>> bySite(sites.size());
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        if (project.hosts[i].role() == Host::Role::Lan)
            bySite[sites.indexOf(project.hosts[i].site)].append(i);
    }
    for (const QList<qsizetype> &site : std::as_const(bySite)) {
        if (site.isEmpty())
            continue;
        if (!groups[0].isEmpty())
            groups[0].append(-1);
        groups[0] += site;
    }
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        switch (project.hosts[i].role()) {
        case Host::Role::Lan:
            break;
        case Host::Role::Internet:
            groups[1].append(i);
            break;
        case Host::Role::Roaming:
            groups[2].append(i);
            break;
        }
    }
    // Tall enough columns that a large mesh stays roughly square.
    const qsizetype total = project.hosts.size();
    const int rowsPerColumn = std::max(8, int(std::ceil(std::sqrt(double(total) * 1.5))));

    QList<QPointF> positions(total);
    const int direction[3] = {-1, 0, 1};
    const int gatewayColumns = int((groups[1].size() + rowsPerColumn - 1) / rowsPerColumn);
    for (int g = 0; g < 3; ++g) {
        const QList<qsizetype> &members = groups[g];
        if (members.isEmpty())
            continue;
        const int columns = int((members.size() + rowsPerColumn - 1) / rowsPerColumn);
        const int rows = int(std::min<qsizetype>(members.size(), rowsPerColumn));
        for (qsizetype k = 0; k < members.size(); ++k) {
            const int column = int(k / rowsPerColumn);
            const int row = int(k % rowsPerColumn);
            // The last column of a group may be shorter: centre it too.
            const int rowsHere = column == columns - 1 ? int(members.size() - qsizetype(column) * rowsPerColumn) : rows;
            qreal x = 0;
            if (g == 1) {
                x = (column - (columns - 1) / 2.0) * ColumnStep;
            } else {
                const qreal gatewayHalf = std::max(0, gatewayColumns - 1) / 2.0 * ColumnStep;
                x = direction[g] * (gatewayHalf + (column + 1) * ColumnStep);
            }
            const qreal y = (row - (rowsHere - 1) / 2.0) * RowStep;
            // Columns bow outwards (gateways zigzag), so a link between two hosts of one
            // column never runs hidden behind the hosts between them.
            if (rowsHere >= 3) {
                const qreal half = (rowsHere - 1) / 2.0 * RowStep;
                const qreal t = y / half;
                if (g == 1)
                    x += (row % 2 == 0 ? -1 : 1) * NodeSize.width() * 0.35;
                else
                    x += direction[g] * Bulge * (1 - t * t);
            }
            if (members[k] >= 0)
                positions[members[k]] = QPointF(x, y);
        }
    }
    return positions;
}

} // namespace AutoLayout
