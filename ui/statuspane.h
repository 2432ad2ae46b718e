// The status pane: a sortable, filterable table of links and the selected link's rates.
#pragma once

#include "statusmonitor.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class RatePlot;

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

class StatusPane : public QWidget
{
    Q_OBJECT

public:
    StatusPane(StatusMonitor *monitor, QWidget *parent = nullptr);

    StatusTableModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    RatePlot *plot() const { return m_plot; }
    /// Selects the row of the link between \a a and \a b (from the canvas).
    void selectLink(const QString &a, const QString &b);
    /// The known_hosts file and interval the user set.
    StatusOptions options() const;

signals:
    /// The user selected the row of this link.
    void linkSelected(const QString &a, const QString &b);

private:
    void updatePlot();
    void updateSummary();

    StatusMonitor *m_monitor;
    StatusTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QSpinBox *m_interval;
    QLineEdit *m_knownHosts;
    QTableView *m_table;
    RatePlot *m_plot;
    QLabel *m_summary;
    QString m_selectedA;
    QString m_selectedB;
    bool m_selecting = false;
};
