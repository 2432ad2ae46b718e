// The links of a mesh as a table: state, last handshake, endpoint and rates.
#pragma once

#include "statusmonitor.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>

/// One row per link of the mesh, from the StatusMonitor.
class StatusTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Host, Peer, State, LastHandshake, Endpoint, RxRate, TxRate, ColumnCount };
    /// Sorting uses this role: numbers for ages and rates, so "9 s" sorts before "12 s".
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit StatusTableModel(const StatusMonitor *monitor, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The row of the link between \a a and \a b (either order), or -1.
    int rowOf(const QString &a, const QString &b) const;
    const LinkStatus &linkAt(int row) const { return m_links.at(row); }

private:
    void refresh();

    const StatusMonitor *m_monitor;
    /// One swatch per state, made once: a new icon per paint would fill the pixmap cache.
    QHash<LinkState, QIcon> m_swatches;
    QList<LinkStatus> m_links;
    QHash<QString, HostStatus> m_hosts;
};
