// The validator's findings below the canvas; activating one selects its host or link.
#pragma once

#include <QTableView>

class DiagnosticsModel;
class MeshDocument;

class DiagnosticsPane : public QTableView
{
    Q_OBJECT

public:
    explicit DiagnosticsPane(MeshDocument *document, QWidget *parent = nullptr);
    DiagnosticsModel *diagnosticsModel() const { return m_model; }

signals:
    /// A finding was clicked or activated: \a peer is empty for findings about a host.
    void findingActivated(const QString &host, const QString &peer);

private:
    DiagnosticsModel *m_model;
};
