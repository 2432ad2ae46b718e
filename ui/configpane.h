// The files Meshwright generates for the selected host, one tab each, secrets masked.
#pragma once

#include "meshdocument.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;

/// Follows the document (once per event-loop turn): an edit anywhere shows in the text at
/// once, with the lines that changed against the previous text marked. Private and
/// preshared keys show as "•••• (hidden)" until Reveal; Copy copies what is shown.
class ConfigPane : public QWidget
{
    Q_OBJECT

public:
    explicit ConfigPane(MeshDocument *document, QWidget *parent = nullptr);

    void showHost(HostId id);
    void showNothing();

    bool isRevealed() const;
    void setRevealed(bool revealed);
    /// File name of the current tab (wg0.conf, wg0-GATEWAY.conf, hostname.wg0).
    QString currentFileName() const;
    /// The text of the current tab as shown (masked unless revealed).
    QString currentText() const;
    /// Line numbers (0-based) marked as changed in the current tab.
    QList<int> changedLines() const;
    /// Copies what is shown to the clipboard.
    void copyCurrent();
    /// Writes the current file, keys included, with mode 0600.
    bool saveCurrent(const QString &path, QString *error);
    QTabWidget *tabs() const { return m_tabs; }
    /// Applies pending document changes now instead of when the event loop next runs.
    void refreshNow();

signals:
    void qrCodeRequested(HostId id);
    /// The shown files were made anew from the document (after an edit, a selection).
    void refreshed();

private:
    void refresh();
    void render();

    MeshDocument *m_document;
    HostId m_host = 0;
    QLabel *m_title;
    QTabWidget *m_tabs;
    QPushButton *m_reveal;
    QPushButton *m_copy;
    QPushButton *m_save;
    QPushButton *m_qr;
    QTimer *m_debounce;
    QList<std::pair<QString, QString>> m_files;      ///< file name -> real text
    QHash<QString, QList<int>> m_changed;            ///< file name -> changed lines
    QHash<QString, QString> m_previous;              ///< file name -> text before the last change
};
