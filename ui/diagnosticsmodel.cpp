// The validator's findings of a MeshDocument as a table: severity, host, peer, message; one
// row for a finding that says the same of many hosts (groupFindings()).
#include "diagnosticsmodel.h"

#include "meshdocument.h"
#include "statecolors.h"

DiagnosticsModel::DiagnosticsModel(MeshDocument *document, QObject *parent)
    : QAbstractTableModel(parent)
    , m_document(document)
{
    connect(document, &MeshDocument::diagnosticsChanged, this, &DiagnosticsModel::refresh);
    connect(document, &MeshDocument::projectReset, this, &DiagnosticsModel::refresh);
    refresh();
}

void DiagnosticsModel::refresh()
{
    const QList<Diagnostic> &current = m_document->diagnostics();
    if (current == m_findings)
        return;
    beginResetModel();
    m_findings = current;
    m_rows = groupFindings(current);
    endResetModel();
}

int DiagnosticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DiagnosticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int DiagnosticsModel::errorCount() const
{
    return int(std::count_if(m_findings.cbegin(), m_findings.cend(), [](const Diagnostic &d) { return d.isError(); }));
}

QVariant DiagnosticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FindingGroup &group = m_rows.at(index.row());
    const Diagnostic &d = group.first;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return d.isError() ? tr("Error") : d.isNote() ? tr("Note") : tr("Warning");
        case HostColumn:
            return group.hosts.size() > 1 ? nameList(group.hosts, 3) : d.host;
        case PeerColumn:
            return d.peer;
        case MessageColumn:
            return d.message;
        }
        break;
    case Qt::ToolTipRole:
        return group.toString();
    case Qt::ForegroundRole:
        if (index.column() == SeverityColumn && !d.isNote())
            return d.isError() ? StateColors::error() : StateColors::warningText();
        break;
    case HostNameRole:
        return d.host;
    case PeerNameRole:
        return d.peer;
    case IsErrorRole:
        return d.isError();
    case HostNamesRole:
        return group.hosts;
    }
    return {};
}

QVariant DiagnosticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case HostColumn:
        return tr("Host");
    case PeerColumn:
        return tr("Peer");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}
