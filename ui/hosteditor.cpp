// The host page of the properties pane.
#include "hosteditor.h"

#include "fieldcheck.h"
#include "hostjobs.h"
#include "keystore.h"
#include "planner.h"
#include "routersettingsgroup.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScopedValueRollback>
#include <QSignalBlocker>
#include <QSpinBox>

using namespace EditorFields;

namespace {

/// The site address that \a role uses (LAN or public); roaming hosts have none.
std::optional<SiteAddress> &siteAddress(Host &host, Host::Role role)
{
    return role == Host::Role::Lan ? host.lan : host.internet;
}

QString siteRequiredMessage(Host::Role role, const QString &name)
{
    if (role == Host::Role::Lan)
        return HostEditor::tr("enter the address of %1 on the home LAN").arg(name);
    return HostEditor::tr("enter the public address under which %1 is reached").arg(name);
}

/// An SSH text setting: which field, its object name, label, placeholder and check.
struct SshText
{
    QString SshSettings::*field;
    const char *objectName;
    const char *label;
    const char *placeholder;
    QString (*check)(const QString &);
};

} // namespace

HostEditor::HostEditor(MeshDocument *document, EditorForm *form, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_form(form)
    , m_fields(form)
    , m_sshFields(form)
{
    m_hostForm = new QFormLayout(this);

    auto *name = lineEdit("hostName");
    name->setToolTip(tr("The host's name, also the name of the folder of its configs"));
    m_hostForm->addRow(tr("&Name:"), name);
    m_fields.text(
        name, [this] { return shownHost()->name; },
        [this](const QString &text) {
            const QString error = FieldCheck::hostName(text);
            if (!error.isEmpty())
                return error;
            // Names become folder names: refuse names that differ only in case, too.
            const Host *host = shownHost();
            for (const Host &other : m_document->project().hosts) {
                if (&other != host && other.name.compare(text, Qt::CaseInsensitive) == 0)
                    return tr("a host called '%1' already exists").arg(other.name);
            }
            return QString();
        },
        [this](const QString &text) {
            if (const Host *host = editableHost())
                editHost(tr("Rename %1 to %2").arg(host->name, text), [&](Host &changed) { changed.name = text; });
        });

    m_os = new QComboBox;
    m_os->setObjectName(QStringLiteral("hostOs"));
    m_os->setEditable(true);
    m_os->setInsertPolicy(QComboBox::NoInsert);
    m_os->addItems({QStringLiteral("Linux"), QStringLiteral("FreeBSD"), QStringLiteral("OpenBSD"), QStringLiteral("Android"),
                    QStringLiteral("Windows"), QStringLiteral("macOS"), QStringLiteral("iOS")});
    m_os->setToolTip(tr("Decides the config format: OpenBSD hosts also get hostname.wg0"));
    m_hostForm->addRow(tr("&Operating system:"), m_os);

    m_role = new QComboBox;
    m_role->setObjectName(QStringLiteral("hostRole"));
    m_role->addItem(tr("On the home LAN"), int(Host::Role::Lan));
    m_role->addItem(tr("Internet gateway"), int(Host::Role::Internet));
    m_role->addItem(tr("Roaming"), int(Host::Role::Roaming));
    m_hostForm->addRow(tr("&Role:"), m_role);

    m_siteDomainLabel = new QLabel;
    m_siteDomain = lineEdit("siteDomain", tr("optional"));
    m_siteDomainLabel->setBuddy(m_siteDomain);
    m_hostForm->addRow(m_siteDomainLabel, m_siteDomain);
    m_siteIpLabel = new QLabel;
    m_siteIp = lineEdit("siteIp");
    m_siteIpLabel->setBuddy(m_siteIp);
    m_hostForm->addRow(m_siteIpLabel, m_siteIp);
    // The NATed site of a LAN host: hosts of one site dial each other's LAN address, hosts
    // of two sites reach each other through a relay.
    m_site = new QComboBox;
    m_site->setObjectName(QStringLiteral("hostSite"));
    m_site->setEditable(true);
    m_site->setInsertPolicy(QComboBox::NoInsert);
    m_site->lineEdit()->setPlaceholderText(tr("default (the LAN of hosts without a site)"));
    m_site->setToolTip(tr("The home or office this host is in, behind its NAT. Hosts of one site reach each other at their "
                          "LAN addresses; hosts of two sites, or a roaming client and a LAN host, through a relay: an internet "
                          "host both can dial."));
    m_siteLabel = new QLabel(tr("Si&te:"));
    m_siteLabel->setBuddy(m_site);
    m_hostForm->addRow(m_siteLabel, m_site);
    m_fields.text(
        m_site->lineEdit(), [this] { return shownHost()->site; },
        [](const QString &text) {
            return text.trimmed().isEmpty() || FieldCheck::hostName(text.trimmed()).isEmpty()
                ? QString()
                : tr("not a site name (letters, digits, '_', '.', '-')");
        },
        [this](const QString &text) { applySite(text.trimmed()); });
    connect(m_site, &QComboBox::textActivated, this, [this](const QString &text) { applySite(text.trimmed()); });

    const char *meshNames[2] = {"meshIpv4", "meshIpv6"};
    for (const bool v6 : {false, true}) {
        auto *edit = lineEdit(meshNames[v6], v6 ? tr("optional") : QString());
        edit->setToolTip(v6 ? tr("The host's IPv6 address inside the mesh") : tr("The host's IPv4 address inside the mesh"));
        m_hostForm->addRow(v6 ? tr("Mesh IPv&6 (wg0):") : tr("Mesh IPv&4 (wg0):"), edit);
        m_fields.text(
            edit, [this, v6] { return v6 ? shownHost()->meshInterface().ipv6 : shownHost()->meshInterface().ip; },
            [this, v6](const QString &text) { return meshAddressError(text, v6); },
            [this, v6](const QString &address) {
                if (const Host *host = editableHost())
                    editHost(tr("Change the mesh address of %1").arg(host->name),
                             [&](Host &changed) { (v6 ? changed.meshInterface().ipv6 : changed.meshInterface().ip) = address; });
            });
    }

    m_listenPort = spinBox("listenPort", 0, 65535); // 0: the project's default
    m_hostForm->addRow(tr("&Listen port:"), m_listenPort);
    m_fields.spin(
        m_listenPort, [this] { return shownHost()->meshInterface().listenPort.value_or(0); },
        [this](int value) {
            if (const Host *host = editableHost())
                editHost(tr("Change the listen port of %1").arg(host->name),
                         [&](Host &changed) { changed.meshInterface().listenPort = spinSetting(m_listenPort, value); },
                         QStringLiteral("listenPort"));
        });
    auto *mtu = spinBox("mtu", 1279, 9000); // 1279: automatic; IPv6 needs at least 1280
    mtu->setSpecialValueText(tr("automatic"));
    m_hostForm->addRow(tr("&MTU:"), mtu);
    m_fields.spin(
        mtu, [this, mtu] { return shownHost()->meshInterface().mtu.value_or(mtu->minimum()); },
        [this, mtu](int value) {
            if (const Host *host = editableHost())
                editHost(tr("Change the MTU of %1").arg(host->name),
                         [&](Host &changed) { changed.meshInterface().mtu = spinSetting(mtu, value); }, QStringLiteral("mtu"));
        });

    m_sshGroup = new QGroupBox(tr("Deployed over SSH"));
    m_sshGroup->setObjectName(QStringLiteral("sshGroup"));
    m_sshGroup->setCheckable(true);
    m_sshGroup->setToolTip(tr("Unchecked: the configs are installed by hand (phones, laptops)"));
    auto *sshForm = new QFormLayout(m_sshGroup);
    const auto ssh = [this] { return shownHost()->ssh.value_or(SshSettings()); };
    const SshText texts[4] = {
        {&SshSettings::user, "sshUser", QT_TR_NOOP("&User:"), QT_TR_NOOP("as in ~/.ssh/config"), FieldCheck::sshUser},
        {&SshSettings::confDir, "confDir", QT_TR_NOOP("Config &folder:"), "", FieldCheck::configFolder},
        {&SshSettings::sudoCmd, "sudoCmd", QT_TR_NOOP("&Sudo command:"), QT_TR_NOOP("none: logs in as root"), FieldCheck::remoteCommandText},
        {&SshSettings::reloadCmd, "reloadCmd", QT_TR_NOOP("&Reload command:"), QT_TR_NOOP("none"), FieldCheck::remoteCommandText},
    };
    for (int i = 0; i < 4; ++i) {
        const SshText &text = texts[i];
        m_sshText[i] = lineEdit(text.objectName, *text.placeholder ? tr(text.placeholder) : QString());
        m_sshFields.text(
            m_sshText[i], [ssh, field = text.field] { return ssh().*field; }, text.check,
            [this, field = text.field](const QString &value) {
                const Host *host = editableHost();
                if (host && host->ssh)
                    editHost(tr("Change the SSH settings of %1").arg(host->name), [&](Host &changed) { (*changed.ssh).*field = value; });
            });
        if (i == 1) { // the port sits between the user and the folder
            m_sshPort = spinBox("sshPort", 1, 65535);
            sshForm->addRow(tr("&Port:"), m_sshPort);
        }
        sshForm->addRow(tr(text.label), m_sshText[i]);
    }
    m_sshFields.spin(
        m_sshPort, [ssh] { return ssh().port; },
        [this](int value) {
            const Host *host = editableHost();
            if (host && host->ssh)
                editHost(tr("Change the SSH settings of %1").arg(host->name), [&](Host &changed) { changed.ssh->port = value; },
                         QStringLiteral("ssh.port"));
        });
    m_hostForm->addRow(m_sshGroup);

    m_gateway = checkBox("gatewayFlag", tr("Send all &traffic through the gateways"),
                         tr("For roaming hosts: route everything through the VPN, not only the mesh"));
    m_hostForm->addRow(m_gateway);
    m_fields.check(
        m_gateway, [this] { return shownHost()->gateway; },
        [this](bool gateway) {
            if (const Host *host = editableHost())
                editHost((gateway ? tr("Send all traffic of %1 through the gateways") : tr("Send only mesh traffic of %1 through the VPN"))
                             .arg(host->name),
                         [&](Host &changed) { changed.gateway = gateway; });
        });

    // A full-tunnel client's exits, in order: the first holds its default route.
    m_exits = lineEdit("exits", QString());
    m_exits->setToolTip(tr("The gateways this host sends all its traffic to, in order of preference, separated by commas: "
                           "the first holds the default route, the others their own addresses (and take over when it fails). "
                           "Empty: its gateways in file order."));
    m_hostForm->addRow(tr("E&xits:"), m_exits);
    m_fields.text(
        m_exits, [this] { return shownHost()->exits.join(QLatin1String(", ")); },
        [this](const QString &text) {
            for (const QString &name : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                if (m_document->project().indexOf(name.trimmed()) < 0)
                    return tr("no host is called '%1'").arg(name.trimmed());
            }
            return QString();
        },
        [this](const QString &text) {
            QStringList exits;
            for (const QString &name : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
                exits.append(name.trimmed());
            const Host *host = editableHost();
            if (host && exits != host->exits)
                editHost(tr("Change the exits of %1").arg(host->name), [&](Host &changed) { changed.exits = exits; });
        });

    // An exit gateway (the default route of a full-tunnel roaming client) forwards and
    // masquerades the clients' traffic; these two say how.
    m_exitNat = checkBox("exitNat", tr("&Masquerade the roaming clients' traffic (NAT)"));
    m_hostForm->addRow(m_exitNat);
    m_egress = lineEdit("egress", tr("the default route's interface"));
    m_egress->setToolTip(tr("The uplink the clients' traffic leaves by (eth0, vio0, ...); empty: the interface of the "
                            "default route when the tunnel comes up"));
    m_hostForm->addRow(tr("Up&link:"), m_egress);
    m_fields.text(
        m_egress, [this] { return shownHost()->egress; },
        [](const QString &text) {
            return text.isEmpty() || isValidInterfaceName(text) ? QString()
                                                                 : tr("not an interface name (up to 15 letters, digits, '_', '.', '-')");
        },
        [this](const QString &text) {
            const Host *host = editableHost();
            if (host && text != host->egress)
                editHost(tr("Change the uplink of %1").arg(host->name), [&](Host &changed) { changed.egress = text; });
        });

    auto *peersLabel = new QLabel(tr("P&eers (unchecked: excluded):"));
    m_peers = new QListWidget;
    m_peers->setObjectName(QStringLiteral("peerList"));
    m_peers->setToolTip(tr("The hosts this host has a tunnel to"));
    peersLabel->setBuddy(m_peers);
    m_hostForm->addRow(peersLabel);
    m_hostForm->addRow(m_peers);

    // Right above the summary, which shows what these settings come to.
    m_router = new RouterSettingsGroup(
        form, [this] { return shownHost(); },
        [this](const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField) {
            editHost(undoText, change, mergeField);
        });
    m_hostForm->addRow(m_router);

    m_routing = new QLabel;
    m_routing->setObjectName(QStringLiteral("routingSummary"));
    m_routing->setWordWrap(true);
    m_routing->setTextFormat(Qt::RichText);
    m_routing->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hostForm->addRow(m_routing);

    connect(m_os, &QComboBox::textActivated, this, &HostEditor::applyOs);
    connect(m_os->lineEdit(), &QLineEdit::editingFinished, this, &HostEditor::applyOs);
    connect(m_role, &QComboBox::currentIndexChanged, this, &HostEditor::applyRole);
    connect(m_siteDomain, &QLineEdit::editingFinished, this, &HostEditor::applySiteDomain);
    connect(m_siteIp, &QLineEdit::editingFinished, this, &HostEditor::applySiteIp);
    connect(m_sshGroup, &QGroupBox::toggled, this, &HostEditor::applySshEnabled);
    connect(m_exitNat, &QCheckBox::toggled, this, &HostEditor::applyExitNat);
    connect(m_peers, &QListWidget::itemChanged, this, &HostEditor::applyPeer);
}

void HostEditor::showHost(HostId id, bool reset)
{
    m_hostId = id;
    refresh(reset);
}

void HostEditor::clear()
{
    m_hostId = 0;
    m_pendingRole.reset();
    m_router->clearPending();
}

void HostEditor::refresh(bool reset)
{
    const Host *host = shownHost();
    if (!host)
        return;
    const QScopedValueRollback<bool> updating(m_form->updating(), true);
    if (reset) {
        m_form->clearMarks();
        m_form->forgetShown();
        m_pendingRole.reset();
    }
    if (m_pendingRole && host->role() != Host::Role::Roaming) {
        // The role changed under us (undo, another pane): the pending choice is moot.
        m_pendingRole.reset();
        m_form->markValid(m_siteIp);
        m_form->markValid(m_siteDomain);
    }

    m_form->syncText(m_os->lineEdit(), host->os, m_os); // the combo box carries the mark
    const Host::Role role = m_pendingRole.value_or(host->role());
    m_role->setCurrentIndex(m_role->findData(int(role)));
    updateSiteRows(role);
    {
        // The sites in use, offered; the field is the host's own.
        const QStringList sites = m_document->project().siteNames();
        QStringList offered;
        for (int i = 0; i < m_site->count(); ++i)
            offered.append(m_site->itemText(i));
        if (offered != sites) {
            const QSignalBlocker blocker(m_site);
            m_site->clear();
            m_site->addItems(sites);
        }
        m_site->setEnabled(role == Host::Role::Lan);
        m_siteLabel->setEnabled(role == Host::Role::Lan);
    }
    if (!m_pendingRole) {
        const std::optional<SiteAddress> &site = role == Host::Role::Lan ? host->lan : host->internet;
        m_form->syncText(m_siteDomain, site ? site->domain : QString());
        m_form->syncText(m_siteIp, site ? site->ip : QString());
        // Empty with a domain: peers dial the name, which a re-resolve job follows.
        m_siteIp->setPlaceholderText(site && !site->domain.isEmpty() ? tr("none: dialled as %1.%2").arg(host->name, site->domain)
                                                                     : QString());
    }
    // A roaming host listens on no fixed port unless it is given one.
    m_listenPort->setSpecialValueText(role == Host::Role::Roaming ? tr("none (roaming)")
                                                                  : tr("default (%1)").arg(m_document->project().defaults.listenPort));
    m_fields.refresh();

    m_sshGroup->setChecked(host->ssh.has_value());
    // Without SSH the fields keep what they showed, so unchecking and checking again
    // brings the old settings back.
    if (host->ssh || reset)
        m_sshFields.refresh();

    m_gateway->setEnabled(role == Host::Role::Roaming);
    {
        // The exits the planner uses now, as the field's placeholder when none are set.
        const qsizetype index = m_document->project().indexOf(host->name);
        QStringList exits;
        for (const qsizetype exit : m_document->planner().exitsOf(index))
            exits.append(m_document->project().hosts[exit].name);
        m_exits->setEnabled(role == Host::Role::Roaming && host->gateway);
        m_exits->setPlaceholderText(exits.isEmpty() ? tr("its gateways in file order") : tr("file order: %1").arg(exits.join(QLatin1String(", "))));
    }
    {
        const Project &project = m_document->project();
        const Planner &planner = m_document->planner();
        const Planner::Forwarding forwarding = planner.forwarding(project.indexOf(host->name));
        const bool exit = forwarding.exitGateway;
        const QSignalBlocker blocker(m_exitNat);
        m_exitNat->setChecked(forwarding.nat);
        const bool own = exit && host->ownForwarding;
        m_exitNat->setEnabled(exit && !host->isFreeBsd() && !own);
        m_exitNat->setToolTip(own ? tr("Its own PostUp lines forward and masquerade (own_forwarding): Meshwright adds none")
                              : exit ? (host->isFreeBsd() ? tr("Meshwright does not write NAT for FreeBSD yet")
                                                          : tr("Roaming clients send everything here. Off: forward their traffic "
                                                               "unmasqueraded, for an upstream that routes the mesh's prefixes back"))
                                     : tr("Only for exit gateways: hosts that full-tunnel roaming clients send everything to"));
        m_egress->setEnabled(exit && !host->isFreeBsd() && !own);
    }
    m_router->refresh(*host, reset);
    refreshPeers();
    refreshRouting();
}

void HostEditor::refreshRouting()
{
    const qsizetype index = m_document->indexOf(m_hostId);
    if (index < 0) {
        m_routing->clear();
        return;
    }
    const Project &project = m_document->project();
    const Host &host = project.hosts[index];
    const Planner &planner = m_document->planner();
    QStringList html;
    // MTU and MSS, with the arithmetic, for routers and wherever an MTU is set.
    const int mtu = planner.tunnelMtu(index);
    if (host.router && !host.meshInterface().mtu) {
        const RouterSettings &router = *host.router;
        html.append(tr("<b>MTU</b> %1 = %2 (uplink) − %3 (outer %4) − 8 (UDP) − 32 (WireGuard)")
                        .arg(mtu)
                        .arg(router.uplinkMtu)
                        .arg(router.outerIpv6 ? 40 : 20)
                        .arg(router.outerIpv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4")));
    } else if (mtu > 0) {
        html.append(tr("<b>MTU</b> %1").arg(mtu));
    }
    if (mtu > 0)
        html.append(tr("<b>TCP MSS</b> %1 (IPv4: MTU − 20 − 20), %2 (IPv6: MTU − 40 − 20)%3")
                        .arg(TunnelMtu::mss(mtu, false))
                        .arg(TunnelMtu::mss(mtu, true))
                        .arg(host.router && host.router->mssClamp ? tr(", clamped") : QString()));
    if (planner.isPerPeerRouter(index)) {
        QStringList rows;
        for (const qsizetype peer : planner.peersOf(index)) {
            const int slot = planner.slotOf(index, peer);
            rows.append(tr("<tr><td>wg%1</td><td>%2</td><td>:%3</td><td>%4</td></tr>")
                            .arg(slot)
                            .arg(planner.tunnelAddress(index, slot))
                            .arg(host.router->basePort + slot)
                            .arg(project.hosts[peer].name.toHtmlEscaped()));
        }
        html.append(tr("<b>Interfaces</b>, one per peer:<table cellspacing=\"4\">%1</table>").arg(rows.join(QString())));
    }
    if (host.router && host.router->routes == RouterSettings::Routes::Explicit) {
        QStringList routes;
        QStringList bgp;
        for (const qsizetype peer : planner.tunnelPeersOf(index)) {
            const QString interfaceName = planner.isPerPeerRouter(index) ? QStringLiteral("wg%1").arg(planner.slotOf(index, peer))
                                                                         : host.meshInterface().name;
            for (const IpPrefix &prefix : planner.staticRoutes(index, peer, true))
                routes.append(tr("%1 → %2").arg(prefix.toString(), interfaceName));
            for (const IpPrefix &prefix : planner.bgpPrefixes(index, peer))
                bgp.append(tr("%1 (%2, by BGP)").arg(prefix.toString(), project.hosts[peer].name.toHtmlEscaped()));
        }
        html.append(tr("<b>Routes</b> (Table = off): %1").arg(routes.isEmpty() ? tr("none") : routes.join(QStringLiteral(", "))));
        if (!bgp.isEmpty())
            html.append(tr("<b>Left to BGP</b>: %1").arg(bgp.join(QStringLiteral(", "))));
    } else if (host.router) {
        html.append(tr("<b>Routes</b>: from AllowedIPs (wg-quick)"));
    }
    if (host.router && (host.router->forwarding || host.router->nat))
        html.append(tr("<b>Forwarding</b>: %1%2")
                        .arg(host.router->forwarding ? tr("on") : tr("off"))
                        .arg(host.router->nat ? tr(", NAT for the mesh") : QString()));
    // Its jobs: failover between exits, names resolved again (the keys play no part in them).
    if (!host.isExternal()) {
        for (const PlannedInterface &planned : planner.planAll(index, KeyStore())) {
            for (const QString &line : HostJobs::describe(host, planned, project))
                html.append(tr("<b>Jobs</b>: %1").arg(line.toHtmlEscaped()));
        }
    }
    m_routing->setText(html.join(QStringLiteral("<br>")));
    m_routing->setVisible(!html.isEmpty());
}

void HostEditor::refreshPeers()
{
    const Host *host = shownHost();
    if (!host)
        return;
    const QScopedValueRollback<bool> updating(m_form->updating(), true);
    QList<HostId> peers = m_document->hostIds();
    peers.removeAll(m_hostId);
    bool same = m_peers->count() == peers.size();
    for (int row = 0; same && row < m_peers->count(); ++row)
        same = m_peers->item(row)->data(Qt::UserRole).value<HostId>() == peers[row];
    if (!same) {
        m_peers->clear();
        for (const HostId peer : std::as_const(peers)) {
            auto *item = new QListWidgetItem(m_peers);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setData(Qt::UserRole, QVariant::fromValue(peer));
        }
    }
    for (int row = 0; row < m_peers->count(); ++row) {
        QListWidgetItem *item = m_peers->item(row);
        const Host *peer = m_document->host(peers[row]);
        const bool excluded = host->excludePeers.contains(peer->name);
        const bool excludedBack = peer->excludePeers.contains(host->name);
        const Qt::CheckState state = !excluded && !excludedBack ? Qt::Checked
                                   : excluded && excludedBack   ? Qt::Unchecked
                                                                : Qt::PartiallyChecked;
        item->setText(peer->name);
        item->setCheckState(state);
        item->setToolTip(state == Qt::PartiallyChecked ? tr("Only one of the two has the other as peer: a broken half link. "
                                                            "Check it to connect both.")
                                                       : QString());
    }
}

void HostEditor::updateSiteRows(Host::Role role)
{
    const bool visible = role != Host::Role::Roaming;
    m_hostForm->setRowVisible(m_siteDomain, visible);
    m_hostForm->setRowVisible(m_siteIp, visible);
    if (role == Host::Role::Internet) {
        m_siteDomainLabel->setText(tr("Public &domain:"));
        m_siteIpLabel->setText(tr("Public &address:"));
    } else {
        m_siteDomainLabel->setText(tr("LAN &domain:"));
        m_siteIpLabel->setText(tr("LAN &address:"));
    }
}

void HostEditor::editHost(const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField)
{
    const Host *host = editableHost();
    if (!host)
        return;
    Host changed = *host;
    change(changed);
    m_document->changeHost(m_hostId, changed, undoText, mergeField);
}

void HostEditor::applySite(const QString &site)
{
    const Host *host = editableHost();
    if (!host || site == host->site || (!site.isEmpty() && !FieldCheck::hostName(site).isEmpty()))
        return;
    // It moves into the site's frame on the canvas, in the same step.
    const std::optional<QPointF> position = m_document->positionInSite(m_hostId, site);
    editHost(site.isEmpty() ? tr("Move %1 to the default site").arg(host->name) : tr("Move %1 to site %2").arg(host->name, site),
             [&](Host &changed) {
                 changed.site = site;
                 if (position)
                     changed.position = position;
             });
}

void HostEditor::applyOs()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const QString os = m_os->currentText().trimmed();
    if (os.isEmpty()) {
        m_form->markInvalid(m_os, tr("the operating system may not be empty"));
        return;
    }
    if (!isSafeConfigValue(os)) {
        m_form->markInvalid(m_os, tr("the operating system may not hold '#' or control characters"));
        return;
    }
    m_form->markValid(m_os);
    editHost(tr("Change the OS of %1").arg(host->name), [&](Host &changed) { changed.os = os; });
}

void HostEditor::applyRole()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const auto role = Host::Role(m_role->currentData().toInt());
    if (role == host->role()) {
        if (m_pendingRole) { // back to roaming before the address came
            m_pendingRole.reset();
            m_form->markValid(m_siteIp);
            m_form->markValid(m_siteDomain);
            refresh(false);
        }
        return;
    }
    if (role != Host::Role::Roaming && !host->lan && !host->internet) {
        setPendingRole(role);
        return;
    }
    const QString text = role == Host::Role::Roaming ? tr("Make %1 roaming")
                       : role == Host::Role::Lan     ? tr("Move %1 to the home LAN")
                                                     : tr("Make %1 an internet gateway");
    m_pendingRole.reset();
    editHost(text.arg(host->name), [role](Host &changed) {
        switch (role) {
        case Host::Role::Roaming:
            changed.lan.reset();
            changed.internet.reset();
            break;
        case Host::Role::Lan:
            if (!changed.lan)
                changed.lan = changed.internet;
            changed.internet.reset();
            break;
        case Host::Role::Internet:
            changed.internet = changed.lan;
            changed.lan.reset();
            break;
        }
    });
}

void HostEditor::setPendingRole(Host::Role role)
{
    m_pendingRole = role;
    {
        const QScopedValueRollback<bool> updating(m_form->updating(), true);
        updateSiteRows(role);
        m_gateway->setEnabled(false);
    }
    m_siteIp->setFocus();
    // Applies at once when the field already holds an address, else asks for one.
    applySiteIp();
}

std::optional<Host::Role> HostEditor::siteRole(const Host *host) const
{
    if (!host)
        return std::nullopt;
    const Host::Role role = m_pendingRole.value_or(host->role());
    return role == Host::Role::Roaming ? std::nullopt : std::optional(role);
}

void HostEditor::applySiteDomain()
{
    const Host *host = editableHost();
    const std::optional<Host::Role> role = siteRole(host);
    if (!role)
        return;
    const auto domain = m_form->checkedText(m_siteDomain, FieldCheck::domainName);
    if (!domain)
        return;
    if (m_pendingRole) { // nothing to apply before the address is there
        applySiteIp();
        return;
    }
    editHost(tr("Change the domain of %1").arg(host->name), [&](Host &changed) { siteAddress(changed, *role)->domain = *domain; });
}

void HostEditor::applySiteIp()
{
    const Host *host = editableHost();
    const std::optional<Host::Role> role = siteRole(host);
    if (!role)
        return;
    const auto ip = m_form->checkedText(m_siteIp, [&](const QString &text) {
        // Emptied on a site with a domain: peers dial NAME.DOMAIN (dynamic DNS). A host
        // becoming a LAN host or gateway waits for its address.
        if (text.isEmpty())
            return m_pendingRole || m_siteDomain->text().trimmed().isEmpty() ? siteRequiredMessage(*role, host->name) : QString();
        return FieldCheck::address(text, IpAddress::Family::None);
    });
    if (!ip)
        return;
    if (!m_pendingRole) {
        editHost(tr("Change the site address of %1").arg(host->name), [&](Host &changed) { siteAddress(changed, *role)->ip = *ip; });
        return;
    }
    const auto domain = m_form->checkedText(m_siteDomain, FieldCheck::domainName);
    if (!domain)
        return;
    const QString text = *role == Host::Role::Lan ? tr("Make %1 a LAN host") : tr("Make %1 an internet gateway");
    m_pendingRole.reset();
    editHost(text.arg(host->name), [&](Host &changed) { siteAddress(changed, *role) = SiteAddress{*domain, *ip}; });
}

QString HostEditor::meshAddressError(const QString &text, bool v6) const
{
    if (const QString error = FieldCheck::meshAddress(text, v6); !error.isEmpty() || text.isEmpty())
        return error;
    const IpAddress address = *IpAddress::parse(text);
    const QList<HostId> &ids = m_document->hostIds();
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (ids[i] == m_hostId)
            continue;
        const Host &other = m_document->project().hosts[i];
        for (const Interface &iface : other.interfaces) {
            if (IpAddress::parse(v6 ? iface.ipv6 : iface.ip) == address)
                return FieldCheck::addressTaken(text, other.name);
        }
    }
    return {};
}

void HostEditor::applySshEnabled(bool enabled)
{
    const Host *host = editableHost();
    if (!host)
        return;
    std::optional<SshSettings> ssh;
    QString SshSettings::*const fields[4] = {&SshSettings::user, &SshSettings::confDir, &SshSettings::sudoCmd, &SshSettings::reloadCmd};
    QString (*const checks[4])(const QString &) = {FieldCheck::sshUser, FieldCheck::configFolder, FieldCheck::remoteCommandText,
                                                    FieldCheck::remoteCommandText};
    if (enabled) {
        ssh.emplace();
        bool valid = true;
        for (int i = 0; i < 4; ++i)
            valid = valid && checks[i](m_sshText[i]->text().trimmed()).isEmpty();
        if (valid) { // what the fields still show, else the defaults
            for (int i = 0; i < 4; ++i)
                (*ssh).*fields[i] = m_sshText[i]->text().trimmed();
            ssh->port = m_sshPort->value();
        }
    } else {
        for (QLineEdit *edit : m_sshText)
            m_form->markValid(edit);
    }
    editHost((enabled ? tr("Deploy %1 over SSH") : tr("Install %1 by hand")).arg(host->name), [&](Host &changed) { changed.ssh = ssh; });
}

void HostEditor::applyExitNat(bool nat)
{
    if (const Host *host = editableHost()) {
        editHost((nat ? tr("Masquerade the roaming clients' traffic on %1") : tr("Forward the roaming clients' traffic on %1 "
                                                                                 "unmasqueraded"))
                     .arg(host->name),
                 [&](Host &changed) { changed.nat = nat; });
    }
}

void HostEditor::applyPeer(QListWidgetItem *item)
{
    if (!editableHost())
        return;
    const HostId peer = item->data(Qt::UserRole).value<HostId>();
    m_document->setLinked(m_hostId, peer, item->checkState() == Qt::Checked);
    refreshPeers(); // when nothing changed, the item goes back to what the document says
}
