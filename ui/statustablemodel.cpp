// The status table: one row per link, from the StatusMonitor.
#include "statustablemodel.h"

#include "linkitem.h"

#include <QDir>
#include <QGuiApplication>
#include <QPalette>
#include <QPen>
#include <QPixmap>

StatusTableModel::StatusTableModel(const StatusMonitor *monitor, QObject *parent)
    : QAbstractTableModel(parent)
    , m_monitor(monitor)
{
    // The colours of the canvas's pens, so that table and canvas agree.
    const QPalette palette = QGuiApplication::palette();
    for (const LinkState state : {LinkState::Alive, LinkState::Idle, LinkState::Down, LinkState::OneSided, LinkState::Unknown}) {
        QPixmap swatch(12, 12);
        swatch.fill(LinkItem::penFor(state, palette).color());
        m_swatches.insert(state, QIcon(swatch));
    }
    connect(monitor, &StatusMonitor::changed, this, &StatusTableModel::refresh);
    refresh();
}

void StatusTableModel::refresh()
{
    const QList<LinkStatus> &links = m_monitor->links();
    bool sameLinks = links.size() == m_links.size();
    for (qsizetype i = 0; sameLinks && i < links.size(); ++i)
        sameLinks = links[i].a == m_links[i].a && links[i].b == m_links[i].b;
    m_hosts.clear();
    for (const HostStatus &host : m_monitor->hosts())
        m_hosts.insert(host.name, host);
    if (!sameLinks) {
        beginResetModel();
        m_links = links;
        endResetModel();
        return;
    }
    m_links = links;
    if (!m_links.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_links.size()) - 1, ColumnCount - 1));
}

int StatusTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_links.size());
}

int StatusTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int StatusTableModel::rowOf(const QString &a, const QString &b) const
{
    for (qsizetype i = 0; i < m_links.size(); ++i) {
        if ((m_links[i].a == a && m_links[i].b == b) || (m_links[i].a == b && m_links[i].b == a))
            return int(i);
    }
    return -1;
}

QVariant StatusTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_links.size())
        return {};
    const LinkStatus &link = m_links[index.row()];
    // Rates and endpoint from the host's end when it answered, else from the peer's.
    const LinkStatus::Traffic traffic = link.traffic().value_or(LinkStatus::Traffic{});
    const std::optional<qint64> age = link.freshestHandshake();
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Host:
            return link.a;
        case Peer:
            return link.b;
        case State:
            return LinkStates::name(link.state);
        case LastHandshake:
            if (!link.viewA && !link.viewB)
                return tr("nobody to ask");
            return StatusPoll::ageText(age) + (traffic.fromA ? QString() : tr(" (seen by %1)").arg(link.b));
        case Endpoint:
            return traffic.endpoint.isEmpty() ? QStringLiteral("—") : traffic.endpoint;
        case RxRate:
            return traffic.ratesKnown ? StatusPoll::rateText(traffic.rx) : QStringLiteral("—");
        case TxRate:
            return traffic.ratesKnown ? StatusPoll::rateText(traffic.tx) : QStringLiteral("—");
        }
    } else if (role == SortRole) {
        switch (index.column()) {
        case State:
            return int(link.state);
        case LastHandshake:
            return age ? double(*age) : 1e18;
        case RxRate:
            return traffic.ratesKnown ? traffic.rx : -1.0;
        case TxRate:
            return traffic.ratesKnown ? traffic.tx : -1.0;
        default:
            return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::ToolTipRole) {
        const HostStatus a = m_hosts.value(link.a);
        const HostStatus b = m_hosts.value(link.b);
        return tr("%1 sees %2: %3\n%2 sees %1: %4")
            .arg(link.a, link.b, StatusReport::endText(link.viewA, a.ssh, a.reachable), StatusReport::endText(link.viewB, b.ssh, b.reachable));
    } else if (role == Qt::DecorationRole && index.column() == State) {
        return m_swatches.value(link.state);
    } else if (role == Qt::TextAlignmentRole && (index.column() == RxRate || index.column() == TxRate)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant StatusTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Host:
        return tr("Host");
    case Peer:
        return tr("Peer");
    case State:
        return tr("State");
    case LastHandshake:
        return tr("Last handshake");
    case Endpoint:
        return tr("Endpoint");
    case RxRate:
        return tr("Rx rate");
    case TxRate:
        return tr("Tx rate");
    }
    return {};
}
