// The status pane: a sortable, filterable table of links and the selected link's rates.
#pragma once

#include "statusmonitor.h"
#include "statustablemodel.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class RatePlot;

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
