// The link page of the properties pane: keepalive, PSK, and what each end sets for itself.
#pragma once

#include "editorform.h"
#include "meshdocument.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QGroupBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

/// Edits the settings of the link between two hosts through MeshDocument::setLinkSettings
/// (one undo step per change; none when nothing changes). A link back at the defaults
/// loses its entry in the project.
class LinkEditor : public QWidget
{
    Q_OBJECT

public:
    LinkEditor(MeshDocument *document, EditorForm *form, QWidget *parent = nullptr);

    /// Shows the link between \a a and \a b, in that order; \a reset for a newly shown
    /// link, which also drops pending input.
    void showLink(HostId a, HostId b, bool reset);
    /// Nothing shown: no edit applies.
    void clear() { m_a = m_b = 0; }
    HostId a() const { return m_a; }
    HostId b() const { return m_b; }
    /// Brings the fields in line with the document.
    void refresh(bool reset);

private:
    /// The shown link's stored settings, or the defaults.
    LinkSettings shown() const;
    /// What end \a end (0: a, 1: b) sets, as stored.
    LinkEnd shownEnd(int end) const;
    /// Applies \a change to the shown link's settings (nullopt once back to defaults): one
    /// undo step, merged with the next change of \a mergeField. Nothing when not shown.
    void editLink(const std::function<void(LinkSettings &)> &change, const QString &mergeField = {});
    /// Binds a per-end prefix list (extra AllowedIPs, BGP prefixes) of end \a end.
    void bindPrefixes(int end, QLineEdit *edit, QStringList LinkEnd::*list);

    MeshDocument *m_document;
    EditorForm *m_form;
    FieldBindings m_fields;
    HostId m_a = 0;
    HostId m_b = 0;

    QLabel *m_title = nullptr;
    QSpinBox *m_keepalive = nullptr;
    QComboBox *m_relay = nullptr; ///< auto, or a host named to carry the link
    QLabel *m_path = nullptr;     ///< direct, relayed by whom and why, or no path
    QGroupBox *m_endGroups[2] = {};
    QLineEdit *m_endpoints[2] = {};
    QLineEdit *m_allowedIps[2] = {};
    QLineEdit *m_bgpPrefixes[2] = {};
};
