// The validator's findings below the canvas; activating one selects its host or link.
#include "diagnosticspane.h"

#include "diagnosticsmodel.h"

#include <QHeaderView>

DiagnosticsPane::DiagnosticsPane(MeshDocument *document, QWidget *parent)
    : QTableView(parent)
    , m_model(new DiagnosticsModel(document, this))
{
    setObjectName(QStringLiteral("diagnostics"));
    setModel(m_model);
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    setWordWrap(false);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setSectionResizeMode(DiagnosticsModel::SeverityColumn, QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(DiagnosticsModel::HostColumn, QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(DiagnosticsModel::PeerColumn, QHeaderView::ResizeToContents);
    auto activate = [this](const QModelIndex &index) {
        emit findingActivated(index.data(DiagnosticsModel::HostNameRole).toString(),
                              index.data(DiagnosticsModel::PeerNameRole).toString());
    };
    connect(this, &QTableView::clicked, this, activate);
    connect(this, &QTableView::activated, this, activate);
}
