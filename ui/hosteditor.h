// The host page of the properties pane: name, OS, role and site, mesh addresses, ports,
// SSH, exit gateway settings, peers, the router settings and what they come to.
#pragma once

#include "editorform.h"
#include "meshdocument.h"

#include <QWidget>

#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QSpinBox;
class RouterSettingsGroup;

/// Edits one host through MeshDocument::changeHost: every applied change is one undo
/// step; line edits apply when editing finishes, the others when they change.
class HostEditor : public QWidget
{
    Q_OBJECT

public:
    HostEditor(MeshDocument *document, EditorForm *form, QWidget *parent = nullptr);

    /// Shows host \a id; \a reset for a newly shown host, which also drops pending input.
    void showHost(HostId id, bool reset);
    /// Nothing shown: no edit applies, pending choices are dropped.
    void clear();
    HostId hostId() const { return m_hostId; }
    /// Brings the fields in line with the document.
    void refresh(bool reset);
    /// The peer list (hosts were added, removed or renamed).
    void refreshPeers();
    /// The router summary: interfaces, MTU and MSS with the arithmetic, routes.
    void refreshRouting();

private:
    /// The shown host, or null.
    const Host *shownHost() const { return m_document->host(m_hostId); }
    /// The shown host when an edit may apply: not during a refresh, not once it is gone.
    const Host *editableHost() const { return m_form->isUpdating() ? nullptr : shownHost(); }
    /// Applies \a change to a copy of the shown host: one undo step named \a undoText,
    /// merged with the next change of \a mergeField. Nothing when editableHost() is null.
    void editHost(const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField = {});

    void applyOs();
    /// Puts the host in \a site (empty: the default site), moved into its frame.
    void applySite(const QString &site);
    void applyRole();
    void applySiteDomain();
    void applySiteIp();
    void applySshEnabled(bool enabled);
    void applyExitNat(bool nat);
    void applyPeer(QListWidgetItem *item);
    void updateSiteRows(Host::Role role);
    /// Waits for the site address that \a role needs before it is applied.
    void setPendingRole(Host::Role role);
    /// The role whose site address the site fields edit for \a host: the pending one, else
    /// the host's own; nullopt without a host and for a roaming one.
    std::optional<Host::Role> siteRole(const Host *host) const;
    /// Why \a text cannot be the mesh address (IPv4, or IPv6 with \a v6): its syntax, or
    /// another host using it. Empty when it can.
    QString meshAddressError(const QString &text, bool v6) const;

    MeshDocument *m_document;
    EditorForm *m_form;
    FieldBindings m_fields;    ///< shown from the host at every refresh
    FieldBindings m_sshFields; ///< kept as they were while the host has no SSH
    HostId m_hostId = 0;
    /// A role chosen for a roaming host that waits for the site address it needs.
    std::optional<Host::Role> m_pendingRole;

    QFormLayout *m_hostForm = nullptr;
    QComboBox *m_os = nullptr;
    QComboBox *m_role = nullptr;
    QLabel *m_siteDomainLabel = nullptr;
    QLineEdit *m_siteDomain = nullptr;
    QLabel *m_siteIpLabel = nullptr;
    QLineEdit *m_siteIp = nullptr;
    QComboBox *m_site = nullptr; ///< LAN hosts: the NATed site (home, office) they are in
    QSpinBox *m_listenPort = nullptr;
    QLabel *m_siteLabel = nullptr;
    QGroupBox *m_sshGroup = nullptr;
    QLineEdit *m_sshText[4] = {}; ///< user, config folder, sudo, reload
    QSpinBox *m_sshPort = nullptr;
    QCheckBox *m_gateway = nullptr;
    QCheckBox *m_exitNat = nullptr; ///< exit gateways: masquerade the clients' traffic
    QLineEdit *m_egress = nullptr;   ///< exit gateways: the uplink to masquerade out of
    QLineEdit *m_exits = nullptr;    ///< full-tunnel roaming clients: their exits in order
    QListWidget *m_peers = nullptr;
    RouterSettingsGroup *m_router = nullptr;
    QLabel *m_routing = nullptr; ///< interfaces, MTU/MSS arithmetic and routes (read-only)
};
