// The router settings of a host (the router pattern): one interface per peer, ports, the
// tunnel range, routes, uplink MTU, MSS clamping, forwarding and NAT.
#pragma once

#include "editorform.h"
#include "project.h"

#include <QGroupBox>

#include <functional>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

/// A checkable group in the host editor: checked, the host has router settings. Without
/// them the fields keep what they showed, so checking the group again brings them back.
class RouterSettingsGroup : public QGroupBox
{
    Q_OBJECT

public:
    /// How the group changes the host: \a undoText names the step, \a change edits a copy
    /// of the host, \a mergeField as MeshDocument::changeHost.
    using EditHost = std::function<void(const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField)>;

    /// \a shownHost gives the host the editor shows (null: none).
    RouterSettingsGroup(EditorForm *form, std::function<const Host *()> shownHost, EditHost editHost, QWidget *parent = nullptr);

    /// Brings the fields in line with \a host; \a reset for a newly shown host.
    void refresh(const Host &host, bool reset);
    /// Forgets a pending "one interface per peer" (another host is shown).
    void clearPending() { m_pendingInterfacePerPeer = false; }

private:
    /// The shown host when an edit may apply: not during a refresh, and only with router
    /// settings.
    const Host *editableRouter() const;
    /// Applies \a change to the shown host's router settings (one undo step).
    void applySetting(const std::function<void(RouterSettings &)> &change, const QString &mergeField = {});
    void applyEnabled(bool enabled);
    void applyInterfacePerPeer(bool enabled);
    void applyTunnelRange();

    EditorForm *m_form;
    std::function<const Host *()> m_shownHost;
    EditHost m_editHost;
    FieldBindings m_fields;
    /// "One interface per peer" was checked and waits for the tunnel range it needs.
    bool m_pendingInterfacePerPeer = false;

    QCheckBox *m_interfacePerPeer = nullptr;
    QSpinBox *m_basePort = nullptr;
    QLineEdit *m_tunnelRange = nullptr;
    QComboBox *m_routesMode = nullptr;
    QSpinBox *m_uplinkMtu = nullptr;
    QCheckBox *m_outerIpv6 = nullptr;
    QCheckBox *m_mssClamp = nullptr;
    QCheckBox *m_forwarding = nullptr;
    QCheckBox *m_nat = nullptr;
};
