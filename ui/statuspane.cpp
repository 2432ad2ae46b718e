// The status pane: a sortable, filterable table of links and the selected link's rates.
#include "statuspane.h"

#include "linkitem.h"
#include "rateplot.h"

#include <QDir>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

StatusPane::StatusPane(StatusMonitor *monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
    , m_model(new StatusTableModel(monitor, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_interval(new QSpinBox(this))
    , m_knownHosts(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_plot(new RatePlot(this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("statusPane"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(StatusTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);
    m_filter->setObjectName(QStringLiteral("statusFilter"));
    m_filter->setPlaceholderText(tr("Filter by host, peer, state, endpoint…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_interval->setObjectName(QStringLiteral("statusInterval"));
    m_interval->setRange(1, 3600);
    m_interval->setValue(5);
    m_interval->setSuffix(tr(" s"));
    m_interval->setToolTip(tr("Seconds between polls of each host (applies when status is turned on)"));
    m_knownHosts->setObjectName(QStringLiteral("statusKnownHosts"));
    m_knownHosts->setPlaceholderText(QDir::toNativeSeparators(QDir::homePath() + QLatin1String("/.ssh/known_hosts")));
    m_knownHosts->setToolTip(tr("Host keys must be known already (a deploy records them); status never accepts a new one"));

    m_table->setObjectName(QStringLiteral("statusTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(StatusTableModel::State, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Fitted to the contents when the rows change, not at every poll: measuring every cell
    // of a large mesh each time would cost the event loop tens of milliseconds. The rows on
    // screen and a few dozen more are measured, not all of a large mesh's.
    m_table->horizontalHeader()->setResizeContentsPrecision(64);
    connect(m_model, &QAbstractItemModel::modelReset, m_table, &QTableView::resizeColumnsToContents);
    m_table->setAlternatingRowColors(true);
    m_summary->setObjectName(QStringLiteral("statusSummary"));

    // One row of settings and filter, then the table beside the plot: the pane usually
    // sits in the wide, low bottom area.
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Poll every"), this));
    top->addWidget(m_interval);
    top->addSpacing(8);
    top->addWidget(new QLabel(tr("known_hosts"), this));
    top->addWidget(m_knownHosts, 2);
    top->addSpacing(8);
    top->addWidget(m_filter, 3);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_plot);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        const LinkStatus &link = m_model->linkAt(m_proxy->mapToSource(rows.front()).row());
        m_selectedA = link.a;
        m_selectedB = link.b;
        updatePlot();
        if (!m_selecting)
            emit linkSelected(link.a, link.b);
    });
    connect(monitor, &StatusMonitor::changed, this, [this] {
        updatePlot();
        updateSummary();
    });
    connect(monitor, &StatusMonitor::runningChanged, this, [this](bool running) {
        m_interval->setEnabled(!running);
        m_knownHosts->setEnabled(!running);
        updateSummary();
    });
    updateSummary();
}

StatusOptions StatusPane::options() const
{
    StatusOptions options;
    options.interval = m_interval->value();
    options.knownHostsFile = m_knownHosts->text().trimmed();
    return options;
}

void StatusPane::selectLink(const QString &a, const QString &b)
{
    const int row = m_model->rowOf(a, b);
    if (row < 0)
        return;
    m_selecting = true; // from the canvas: do not send it back
    m_table->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
    m_selecting = false;
}

void StatusPane::updatePlot()
{
    const int row = m_model->rowOf(m_selectedA, m_selectedB);
    if (row < 0) {
        m_plot->setData({}, m_monitor->elapsed(), {});
        return;
    }
    m_plot->setData(m_monitor->history(m_model->linkAt(row).a, m_model->linkAt(row).b), m_monitor->elapsed(),
                    tr("%1 — %2: transfer rate, last 10 minutes").arg(m_model->linkAt(row).a, m_model->linkAt(row).b));
}

void StatusPane::updateSummary()
{
    if (!m_monitor->isRunning()) {
        m_summary->setText(tr("Live status is off. Turn it on with View ▸ Live Status (or the toolbar) to poll the hosts over SSH."));
        return;
    }
    int unreachable = 0;
    for (const HostStatus &host : m_monitor->hosts())
        unreachable += host.ssh && !host.reachable ? 1 : 0;
    const QString counts = StatusReport::countText(m_monitor->links());
    m_summary->setText(tr("%1 links: %2 · %3 host(s) unreachable · every %4 s")
                           .arg(m_monitor->links().size())
                           .arg(counts.isEmpty() ? tr("waiting for the first answers") : counts)
                           .arg(unreachable)
                           .arg(m_monitor->options().interval));
}
