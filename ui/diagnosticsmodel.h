// The validator's findings of a MeshDocument as a table: severity, host, peer, message; one
// row for a finding that says the same of many hosts (groupFindings()).
#pragma once

#include "diagnostic.h"

#include <QAbstractTableModel>

class MeshDocument;

class DiagnosticsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { SeverityColumn, HostColumn, PeerColumn, MessageColumn, ColumnCount };
    /// HostNameRole: the first host of the row; HostNamesRole: all of them (QStringList).
    enum Role { HostNameRole = Qt::UserRole + 1, PeerNameRole, IsErrorRole, HostNamesRole };

    explicit DiagnosticsModel(MeshDocument *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Errors, counted per host: a row about 12 hosts is 12 of them.
    int errorCount() const;

private:
    void refresh();

    MeshDocument *m_document;
    QList<Diagnostic> m_findings;
    QList<FindingGroup> m_rows;
};
