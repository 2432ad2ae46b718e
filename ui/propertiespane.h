// The properties pane: edits the selected host or link through MeshDocument's commands.
#pragma once

#include "meshdocument.h"

#include <QWidget>

class EditorForm;
class HostEditor;
class LinkEditor;
class QLabel;
class QStackedWidget;

/// Shows the editor of the host or the link selected in the main window: HostEditor (with
/// its RouterSettingsGroup) or LinkEditor, which share one EditorForm for their marks and
/// the message under the form. Every applied change is one call of a MeshDocument edit
/// method, hence one undo step. The pane holds no data of its own: it follows the
/// document, so undo, renames elsewhere and removals refresh it.
class PropertiesPane : public QWidget
{
    Q_OBJECT

public:
    /// \a document must outlive the pane.
    explicit PropertiesPane(MeshDocument *document, QWidget *parent = nullptr);
    ~PropertiesPane() override;

public slots:
    /// Shows the host \a id for editing; an unknown id shows nothing.
    void showHost(HostId id);
    /// Shows the settings of the link between \a a and \a b, in that order.
    void showLink(HostId a, HostId b);
    /// Shows a hint instead of a form (nothing or several things are selected).
    void showNothing();

private:
    enum class Mode { Nothing, Host, Link };

    void onHostChanged(HostId id);
    void onHostRemoved(HostId id);

    MeshDocument *m_document;
    Mode m_mode = Mode::Nothing;
    EditorForm *m_form = nullptr;
    QStackedWidget *m_stack = nullptr;
    QWidget *m_nothingPage = nullptr;
    QWidget *m_hostPage = nullptr;
    QWidget *m_linkPage = nullptr;
    HostEditor *m_hostEditor = nullptr;
    LinkEditor *m_linkEditor = nullptr;
};
