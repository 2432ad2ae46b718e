// The validator's findings of a MeshDocument as a table: severity, host, peer, message.
#pragma once

#include "diagnostic.h"

#include <QAbstractTableModel>

class MeshDocument;

class DiagnosticsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { SeverityColumn, HostColumn, PeerColumn, MessageColumn, ColumnCount };
    enum Role { HostNameRole = Qt::UserRole + 1, PeerNameRole, IsErrorRole };

    explicit DiagnosticsModel(MeshDocument *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int errorCount() const;

private:
    void refresh();

    MeshDocument *m_document;
    QList<Diagnostic> m_rows;
};
