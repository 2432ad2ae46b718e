// The properties pane: edits the selected host or link through MeshDocument's commands.
#pragma once

#include "meshdocument.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QWidget>

#include <functional>
#include <optional>
#include <utility>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QSpinBox;
class QStackedWidget;

/// Edits the host or the link selected in the main window. Every applied change is one
/// call of a MeshDocument edit method, hence one undo step; line edits apply when editing
/// finishes, combo boxes, check boxes and spin boxes when they change. Input that would
/// make the project unusable is marked at its field (red border, tooltip, the message
/// under the form) and not applied. The pane holds no data of its own: it follows the
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

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    enum class Mode { Nothing, Host, Link };

    QWidget *createHostPage();
    QWidget *createLinkPage();

    void onHostChanged(HostId id);
    void onHostRemoved(HostId id);

    /// Brings the host page in line with the document; \a reset for a newly shown host,
    /// which also drops pending input and error marks.
    void refreshHost(bool reset);
    void refreshPeers();
    void guardWheel(QWidget *field);
    /// The router summary: interfaces, MTU and MSS with the arithmetic, routes.
    void refreshRouting();
    void refreshLink(bool reset);
    void updateSiteRows(Host::Role role);
    /// Sets \a edit to \a value unless the document value is the one shown already, so
    /// that refreshes keep what the user is still typing in other fields.
    void syncText(QLineEdit *edit, const QString &value);

    void applyName();
    void applyOs();
    void applyRole();
    void applySiteDomain();
    void applySiteIp();
    void applyMeshAddress(bool v6);
    void applyListenPort(int value);
    void applyMtu(int value);
    void applySshEnabled(bool enabled);
    void applySshText(QLineEdit *edit);
    void applySshPort(int value);
    void applyGateway(bool gateway);
    void applyExitNat(bool nat);
    void applyEgress();
    void applyRouterEnabled(bool enabled);
    void applyInterfacePerPeer(bool enabled);
    void applyTunnelRange();
    /// Applies \a change to the shown host's router settings (one undo step).
    void applyRouterSetting(const std::function<void(RouterSettings &)> &change, const QString &mergeField = {});
    void applyPeer(QListWidgetItem *item);
    void applyKeepalive(int value);
    void applyPresharedKey(bool enabled);
    void applyEndpoint(int end);
    /// Stores the prefixes typed into \a edit for link end \a end in that setting.
    void applyPrefixes(int end, QLineEdit *edit, QStringList LinkEnd::*prefixesOf);
    void applyEncryptPublicAddress(bool enabled);

    /// Validates \a edit with \a error (empty when valid), marks it, and returns the
    /// trimmed text when valid.
    std::optional<QString> checkedText(QLineEdit *edit,
                                       const std::function<QString(const QString &)> &error);
    /// The shown host, or null when no edit may apply: during a refresh, with another
    /// page shown, or once the host is gone. The apply functions check it before they
    /// validate any input.
    const Host *editableHost() const;
    /// Applies \a change to a copy of the shown host and hands the copy to the document:
    /// one undo step, named \a undoText (merged with the next change of \a mergeField, for
    /// spin boxes). Does nothing when editableHost() is null.
    void editHost(const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField = {});
    /// Waits for the site address that \a role needs before it is applied.
    void setPendingRole(Host::Role role);
    /// The role whose site address the site fields edit for \a host: the pending one, else
    /// the host's own; nullopt without a host and for a roaming one.
    std::optional<Host::Role> siteRole(const Host *host) const;
    /// The host at \a end (0 or 1) of the shown link, or null when no edit may apply, as
    /// editableHost().
    const Host *editableLinkEnd(int end) const;
    /// Applies \a change to the shown link's settings (nullopt once back to defaults):
    /// one undo step, none when nothing changes. Does nothing when an end is null.
    void editLink(const std::function<void(LinkSettings &)> &change, const QString &mergeField = {});
    /// Why \a text cannot be the mesh address (IPv4, or IPv6 with \a v6): its syntax, or
    /// another host using it. Empty when it can.
    QString meshAddressError(const QString &text, bool v6) const;
    /// Why \a text cannot go into the SSH field \a edit; empty when it can.
    QString sshTextError(QLineEdit *edit, const QString &text) const;
    /// Why \a text cannot be the tunnel range, with one interface per peer when
    /// \a perPeer; empty when it can.
    /// The prefixes in the comma-separated list \a edit holds, normalised, when they are
    /// valid (the field is marked otherwise); the field then shows them normalised.
    std::optional<QStringList> checkedPrefixes(QLineEdit *edit);

    void markInvalid(QWidget *field, const QString &message);
    void markValid(QWidget *field);
    void clearMarks();
    void updateErrorLabel();

    MeshDocument *m_document;
    Mode m_mode = Mode::Nothing;
    HostId m_hostId = 0;
    HostId m_linkA = 0;
    HostId m_linkB = 0;
    /// A role chosen for a roaming host that waits for the site address it needs.
    std::optional<Host::Role> m_pendingRole;
    /// "One interface per peer" was checked and waits for the tunnel range it needs.
    bool m_pendingInterfacePerPeer = false;
    bool m_updating = false;
    QHash<QLineEdit *, QString> m_shownText;
    QList<std::pair<QWidget *, QString>> m_errors;
    QHash<QWidget *, QString> m_normalToolTips;

    QStackedWidget *m_stack = nullptr;
    QWidget *m_nothingPage = nullptr;
    QWidget *m_hostPage = nullptr;
    QWidget *m_linkPage = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_routing = nullptr; ///< interfaces, MTU/MSS arithmetic and routes (read-only)

    QFormLayout *m_hostForm = nullptr;

    QLineEdit *m_name = nullptr;
    QComboBox *m_os = nullptr;
    QComboBox *m_role = nullptr;
    QLabel *m_siteDomainLabel = nullptr;
    QLineEdit *m_siteDomain = nullptr;
    QLabel *m_siteIpLabel = nullptr;
    QLineEdit *m_siteIp = nullptr;
    QLineEdit *m_meshIpv4 = nullptr;
    QLineEdit *m_meshIpv6 = nullptr;
    QSpinBox *m_listenPort = nullptr;
    QSpinBox *m_mtu = nullptr;
    QGroupBox *m_sshGroup = nullptr;
    QLineEdit *m_sshUser = nullptr;
    QSpinBox *m_sshPort = nullptr;
    QLineEdit *m_confDir = nullptr;
    QLineEdit *m_sudoCmd = nullptr;
    QLineEdit *m_reloadCmd = nullptr;
    QCheckBox *m_gateway = nullptr;
    QCheckBox *m_exitNat = nullptr; ///< exit gateways: masquerade the clients' traffic
    QLineEdit *m_egress = nullptr;   ///< exit gateways: the uplink to masquerade out of
    QGroupBox *m_routerGroup = nullptr;
    QCheckBox *m_interfacePerPeer = nullptr;
    QSpinBox *m_basePort = nullptr;
    QLineEdit *m_tunnelRange = nullptr;
    QComboBox *m_routesMode = nullptr;
    QSpinBox *m_uplinkMtu = nullptr;
    QCheckBox *m_outerIpv6 = nullptr;
    QCheckBox *m_mssClamp = nullptr;
    QCheckBox *m_forwarding = nullptr;
    QCheckBox *m_nat = nullptr;
    QListWidget *m_peers = nullptr;

    QLabel *m_linkTitle = nullptr;
    QSpinBox *m_keepalive = nullptr;
    QCheckBox *m_presharedKey = nullptr;
    QGroupBox *m_endGroups[2] = {};
    QLineEdit *m_endpoints[2] = {};
    QLineEdit *m_allowedIps[2] = {};
    QLineEdit *m_bgpPrefixes[2] = {};
    QCheckBox *m_encryptPublicAddress = nullptr;
};
