// The properties pane: edits the selected host or link through MeshDocument's commands.
#include "propertiespane.h"

#include "fieldcheck.h"

#include "planner.h"
#include "statecolors.h"

#include <QAbstractSpinBox>
#include <QEvent>
#include <QCheckBox>
#include <QSignalBlocker>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {

/// The one colour of our own: readable on light and dark palettes (Solarized red).
/// The dynamic property that marks a field holding input that was not applied.
constexpr char InvalidProperty[] = "invalid";

QScrollArea *scrollable(QWidget *content)
{
    auto *area = new QScrollArea;
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setWidget(content);
    return area;
}

QLineEdit *lineEdit(const char *objectName, const QString &placeholder = {})
{
    auto *edit = new QLineEdit;
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    return edit;
}

QSpinBox *spinBox(const char *objectName, int minimum, int maximum)
{
    auto *spin = new QSpinBox;
    spin->setObjectName(QLatin1String(objectName));
    spin->setRange(minimum, maximum);
    // Typing "51820" must be one change, not five.
    spin->setKeyboardTracking(false);
    return spin;
}

QCheckBox *checkBox(const char *objectName, const QString &text, const QString &toolTip)
{
    auto *check = new QCheckBox(text);
    check->setObjectName(QLatin1String(objectName));
    check->setToolTip(toolTip);
    return check;
}

/// Sets \a spin only when its value differs, so that a refresh does not reset its text.
void setSpinValue(QSpinBox *spin, int value)
{
    if (spin->value() != value)
        spin->setValue(value);
}

/// The optional setting that \a value of \a spin stands for: unset at the minimum, which
/// the special value text names ("default", "automatic", "by rule").
std::optional<int> spinSetting(const QSpinBox *spin, int value)
{
    return value == spin->minimum() ? std::nullopt : std::optional(value);
}

/// The site address that \a role uses (LAN or public); roaming hosts have none.
std::optional<SiteAddress> &siteAddress(Host &host, Host::Role role)
{
    return role == Host::Role::Lan ? host.lan : host.internet;
}

QString siteRequiredMessage(Host::Role role, const QString &name)
{
    if (role == Host::Role::Lan)
        return PropertiesPane::tr("enter the address of %1 on the home LAN").arg(name);
    return PropertiesPane::tr("enter the public address under which %1 is reached").arg(name);
}

} // namespace

PropertiesPane::PropertiesPane(MeshDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    Q_ASSERT(document);

    auto *hint = new QLabel(tr("Select a host or a link to edit its properties."));
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    hint->setEnabled(false); // drawn in the palette's disabled text colour
    m_nothingPage = hint;
    m_hostPage = scrollable(createHostPage());
    m_linkPage = scrollable(createLinkPage());

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_nothingPage);
    m_stack->addWidget(m_hostPage);
    m_stack->addWidget(m_linkPage);

    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_errorLabel->palette();
    palette.setColor(QPalette::WindowText, StateColors::error());
    m_errorLabel->setPalette(palette);
    m_errorLabel->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_errorLabel);

    connect(m_document, &MeshDocument::hostChanged, this, &PropertiesPane::onHostChanged);
    connect(m_document, &MeshDocument::hostRemoved, this, &PropertiesPane::onHostRemoved);
    connect(m_document, &MeshDocument::hostAdded, this, [this] {
        if (m_mode == Mode::Host)
            refreshPeers();
    });
    connect(m_document, &MeshDocument::linksChanged, this, [this] {
        if (m_mode == Mode::Link)
            refreshLink(false);
        else if (m_mode == Mode::Host)
            refreshRouting();
    });
    connect(m_document, &MeshDocument::projectReset, this, &PropertiesPane::showNothing);

    // Scrolling the pane must not turn the spin box or combo box under the pointer: each
    // turn would be an edit. They take the wheel only once focused.
    for (QWidget *field : findChildren<QAbstractSpinBox *>())
        guardWheel(field);
    for (QWidget *field : findChildren<QComboBox *>())
        guardWheel(field);
}

void PropertiesPane::guardWheel(QWidget *field)
{
    field->setFocusPolicy(Qt::StrongFocus);
    field->installEventFilter(this);
}

bool PropertiesPane::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Wheel) {
        if (auto *field = qobject_cast<QWidget *>(watched); field && !field->hasFocus()) {
            event->ignore(); // passes on to the scroll area
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

PropertiesPane::~PropertiesPane()
{
    // ~QWidget takes the focus from a field, which then emits editingFinished to an object
    // that is no longer a PropertiesPane: drop the fields' connections first.
    for (QObject *child : findChildren<QObject *>())
        child->disconnect(this);
}

QWidget *PropertiesPane::createHostPage()
{
    auto *page = new QWidget;
    m_hostForm = new QFormLayout(page);

    m_name = lineEdit("hostName");
    m_name->setToolTip(tr("The host's name, also the name of the folder of its configs"));
    m_hostForm->addRow(tr("&Name:"), m_name);

    m_os = new QComboBox;
    m_os->setObjectName(QStringLiteral("hostOs"));
    m_os->setEditable(true);
    m_os->setInsertPolicy(QComboBox::NoInsert);
    m_os->addItems({QStringLiteral("Linux"), QStringLiteral("FreeBSD"), QStringLiteral("OpenBSD"),
                    QStringLiteral("Android"), QStringLiteral("Windows"), QStringLiteral("macOS"),
                    QStringLiteral("iOS")});
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

    m_meshIpv4 = lineEdit("meshIpv4");
    m_meshIpv4->setToolTip(tr("The host's IPv4 address inside the mesh"));
    m_hostForm->addRow(tr("Mesh IPv&4 (wg0):"), m_meshIpv4);
    m_meshIpv6 = lineEdit("meshIpv6", tr("optional"));
    m_meshIpv6->setToolTip(tr("The host's IPv6 address inside the mesh"));
    m_hostForm->addRow(tr("Mesh IPv&6 (wg0):"), m_meshIpv6);

    m_listenPort = spinBox("listenPort", 0, 65535); // 0: the project's default
    m_hostForm->addRow(tr("&Listen port:"), m_listenPort);
    m_mtu = spinBox("mtu", 1279, 9000); // 1279: automatic; IPv6 needs at least 1280
    m_mtu->setSpecialValueText(tr("automatic"));
    m_hostForm->addRow(tr("&MTU:"), m_mtu);

    m_sshGroup = new QGroupBox(tr("Deployed over SSH"));
    m_sshGroup->setObjectName(QStringLiteral("sshGroup"));
    m_sshGroup->setCheckable(true);
    m_sshGroup->setToolTip(tr("Unchecked: the configs are installed by hand (phones, laptops)"));
    auto *sshForm = new QFormLayout(m_sshGroup);
    m_sshUser = lineEdit("sshUser", tr("as in ~/.ssh/config"));
    sshForm->addRow(tr("&User:"), m_sshUser);
    m_sshPort = spinBox("sshPort", 1, 65535);
    sshForm->addRow(tr("&Port:"), m_sshPort);
    m_confDir = lineEdit("confDir");
    sshForm->addRow(tr("Config &folder:"), m_confDir);
    m_sudoCmd = lineEdit("sudoCmd", tr("none: logs in as root"));
    sshForm->addRow(tr("&Sudo command:"), m_sudoCmd);
    m_reloadCmd = lineEdit("reloadCmd", tr("none"));
    sshForm->addRow(tr("&Reload command:"), m_reloadCmd);
    m_hostForm->addRow(m_sshGroup);

    m_gateway = new QCheckBox(tr("Send all &traffic through the gateways"));
    m_gateway->setObjectName(QStringLiteral("gatewayFlag"));
    m_gateway->setToolTip(tr("For roaming hosts: route everything through the VPN, not only the mesh"));
    m_hostForm->addRow(m_gateway);

    // An exit gateway (the default route of a full-tunnel roaming client) forwards and
    // masquerades the clients' traffic; these two say how.
    m_exitNat = new QCheckBox(tr("&Masquerade the roaming clients' traffic (NAT)"));
    m_exitNat->setObjectName(QStringLiteral("exitNat"));
    m_hostForm->addRow(m_exitNat);
    m_egress = lineEdit("egress", tr("the default route's interface"));
    m_egress->setToolTip(tr("The uplink the clients' traffic leaves by (eth0, vio0, ...); empty: the interface of the "
                            "default route when the tunnel comes up"));
    m_hostForm->addRow(tr("Up&link:"), m_egress);

    auto *peersLabel = new QLabel(tr("P&eers (unchecked: excluded):"));
    m_peers = new QListWidget;
    m_peers->setObjectName(QStringLiteral("peerList"));
    m_peers->setToolTip(tr("The hosts this host has a tunnel to"));
    peersLabel->setBuddy(m_peers);
    m_hostForm->addRow(peersLabel);
    m_hostForm->addRow(m_peers);

    // Right above the summary, which shows what these settings come to.
    m_routerGroup = new QGroupBox(tr("Router"));
    m_routerGroup->setObjectName(QStringLiteral("routerGroup"));
    m_routerGroup->setCheckable(true);
    m_routerGroup->setToolTip(tr("The router pattern: a home router to the nodes of a cluster, with "
                                 "MTU and MSS from its uplink"));
    auto *routerForm = new QFormLayout(m_routerGroup);
    m_interfacePerPeer = checkBox("interfacePerPeer", tr("One interface per peer"),
                                  tr("wg0, wg1, ... one per peer in peer order, so that the router's "
                                     "own routing table, not AllowedIPs, picks the peer"));
    routerForm->addRow(m_interfacePerPeer);
    m_basePort = spinBox("basePort", 1, 65000);
    m_basePort->setToolTip(tr("Interface N listens on this port + N"));
    routerForm->addRow(tr("Base port:"), m_basePort);
    m_tunnelRange = lineEdit("tunnelRange", tr("e.g. 10.99.0.0/28"));
    m_tunnelRange->setToolTip(tr("An IPv4 prefix: interface N gets its (N+1)th address; needed for "
                                 "one interface per peer"));
    routerForm->addRow(tr("Tunnel range:"), m_tunnelRange);
    m_routesMode = new QComboBox;
    m_routesMode->setObjectName(QStringLiteral("routesMode"));
    m_routesMode->addItem(tr("From AllowedIPs (wg-quick)"), int(RouterSettings::Routes::FromAllowedIps));
    m_routesMode->addItem(tr("Explicit (Table = off)"), int(RouterSettings::Routes::Explicit));
    m_routesMode->setToolTip(tr("Explicit: wg-quick adds no routes; one route per prefix a peer "
                                "serves, none for prefixes left to BGP"));
    routerForm->addRow(tr("Routes:"), m_routesMode);
    m_uplinkMtu = spinBox("uplinkMtu", 1280, 9000);
    m_uplinkMtu->setToolTip(tr("The MTU of the router's internet uplink: 1500, or 1492 on PPPoE"));
    routerForm->addRow(tr("Uplink MTU:"), m_uplinkMtu);
    m_outerIpv6 = checkBox("outerIpv6", tr("Tunnels run over IPv6"),
                           tr("The outer header is then 40 bytes instead of 20"));
    routerForm->addRow(m_outerIpv6);
    m_mssClamp = checkBox("mssClamp", tr("Clamp TCP MSS"),
                          tr("Rewrite the MSS of TCP connections through the tunnels to fit the tunnel MTU"));
    routerForm->addRow(m_mssClamp);
    m_forwarding = checkBox("forwarding", tr("Forward traffic"),
                            tr("Forward packets between the tunnels and the router's networks"));
    routerForm->addRow(m_forwarding);
    m_nat = checkBox("nat", tr("NAT the mesh's traffic"),
                     tr("Masquerade the mesh's traffic to the internet"));
    routerForm->addRow(m_nat);
    m_hostForm->addRow(m_routerGroup);

    m_routing = new QLabel;
    m_routing->setObjectName(QStringLiteral("routingSummary"));
    m_routing->setWordWrap(true);
    m_routing->setTextFormat(Qt::RichText);
    m_routing->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hostForm->addRow(m_routing);

    connect(m_name, &QLineEdit::editingFinished, this, &PropertiesPane::applyName);
    connect(m_os, &QComboBox::textActivated, this, &PropertiesPane::applyOs);
    connect(m_os->lineEdit(), &QLineEdit::editingFinished, this, &PropertiesPane::applyOs);
    connect(m_role, &QComboBox::currentIndexChanged, this, &PropertiesPane::applyRole);
    connect(m_siteDomain, &QLineEdit::editingFinished, this, &PropertiesPane::applySiteDomain);
    connect(m_siteIp, &QLineEdit::editingFinished, this, &PropertiesPane::applySiteIp);
    connect(m_meshIpv4, &QLineEdit::editingFinished, this, [this] { applyMeshAddress(false); });
    connect(m_meshIpv6, &QLineEdit::editingFinished, this, [this] { applyMeshAddress(true); });
    connect(m_listenPort, &QSpinBox::valueChanged, this, &PropertiesPane::applyListenPort);
    connect(m_mtu, &QSpinBox::valueChanged, this, &PropertiesPane::applyMtu);
    connect(m_sshGroup, &QGroupBox::toggled, this, &PropertiesPane::applySshEnabled);
    for (QLineEdit *edit : {m_sshUser, m_confDir, m_sudoCmd, m_reloadCmd})
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] { applySshText(edit); });
    connect(m_sshPort, &QSpinBox::valueChanged, this, &PropertiesPane::applySshPort);
    connect(m_gateway, &QCheckBox::toggled, this, &PropertiesPane::applyGateway);
    connect(m_exitNat, &QCheckBox::toggled, this, &PropertiesPane::applyExitNat);
    connect(m_egress, &QLineEdit::editingFinished, this, &PropertiesPane::applyEgress);
    connect(m_routerGroup, &QGroupBox::toggled, this, &PropertiesPane::applyRouterEnabled);
    connect(m_interfacePerPeer, &QCheckBox::toggled, this, &PropertiesPane::applyInterfacePerPeer);
    connect(m_basePort, &QSpinBox::valueChanged, this,
            [this](int value) { applyRouterSetting([value](RouterSettings &router) { router.basePort = value; }, QStringLiteral("basePort")); });
    connect(m_tunnelRange, &QLineEdit::editingFinished, this, &PropertiesPane::applyTunnelRange);
    connect(m_routesMode, &QComboBox::currentIndexChanged, this, [this] {
        const auto routes = RouterSettings::Routes(m_routesMode->currentData().toInt());
        applyRouterSetting([routes](RouterSettings &router) { router.routes = routes; });
    });
    connect(m_uplinkMtu, &QSpinBox::valueChanged, this,
            [this](int value) { applyRouterSetting([value](RouterSettings &router) { router.uplinkMtu = value; }, QStringLiteral("uplinkMtu")); });
    for (const auto &[check, flag] : {std::pair(m_outerIpv6, &RouterSettings::outerIpv6),
                                      std::pair(m_mssClamp, &RouterSettings::mssClamp),
                                      std::pair(m_forwarding, &RouterSettings::forwarding),
                                      std::pair(m_nat, &RouterSettings::nat)}) {
        connect(check, &QCheckBox::toggled, this, [this, flag = flag](bool on) {
            applyRouterSetting([&](RouterSettings &router) { router.*flag = on; });
        });
    }
    connect(m_peers, &QListWidget::itemChanged, this, &PropertiesPane::applyPeer);
    return page;
}

QWidget *PropertiesPane::createLinkPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    m_linkTitle = new QLabel;
    m_linkTitle->setObjectName(QStringLiteral("linkTitle"));
    QFont font = m_linkTitle->font();
    font.setBold(true);
    m_linkTitle->setFont(font);
    layout->addWidget(m_linkTitle);

    auto *form = new QFormLayout;
    m_keepalive = spinBox("linkKeepalive", -1, 65535); // -1: by the planner's rule
    m_keepalive->setSpecialValueText(tr("by rule"));
    m_keepalive->setSuffix(tr(" s"));
    m_keepalive->setToolTip(tr("Seconds between keepalive packets, 0 for none; by rule: sent by "
                               "hosts behind NAT"));
    form->addRow(tr("&Keepalive:"), m_keepalive);
    m_presharedKey = new QCheckBox(tr("&Preshared key"));
    m_presharedKey->setObjectName(QStringLiteral("linkPsk"));
    m_presharedKey->setToolTip(tr("Both ends share an extra symmetric key (post-quantum hedge)"));
    form->addRow(m_presharedKey);
    m_encryptPublicAddress = checkBox("encryptPublicAddress",
                                      tr("Route the far end's public address through the tunnel"),
                                      tr("On a router end: also route the other end's public address into the "
                                         "tunnel. That end must then be reached at an address outside the "
                                         "tunnel: set its endpoint override, e.g. to its IPv6 address"));
    form->addRow(m_encryptPublicAddress);
    layout->addLayout(form);

    const char *endpointNames[2] = {"endpointA", "endpointB"};
    const char *allowedIpsNames[2] = {"allowedIpsA", "allowedIpsB"};
    const char *bgpPrefixesNames[2] = {"bgpPrefixesA", "bgpPrefixesB"};
    for (int end = 0; end < 2; ++end) {
        m_endGroups[end] = new QGroupBox;
        auto *endForm = new QFormLayout(m_endGroups[end]);
        m_endpoints[end] = lineEdit(endpointNames[end], tr("HOST:PORT"));
        endForm->addRow(tr("Endpoint override:"), m_endpoints[end]);
        m_allowedIps[end] = lineEdit(allowedIpsNames[end], tr("e.g. 192.168.60.0/24, fd60::/64"));
        endForm->addRow(tr("Extra AllowedIPs:"), m_allowedIps[end]);
        m_bgpPrefixes[end] = lineEdit(bgpPrefixesNames[end], tr("e.g. 10.96.0.0/24"));
        endForm->addRow(tr("BGP prefixes:"), m_bgpPrefixes[end]);
        layout->addWidget(m_endGroups[end]);

        connect(m_endpoints[end], &QLineEdit::editingFinished, this, [this, end] { applyEndpoint(end); });
        connect(m_allowedIps[end], &QLineEdit::editingFinished, this, [this, end] { applyPrefixes(end, m_allowedIps[end], &LinkEnd::allowedIps); });
        connect(m_bgpPrefixes[end], &QLineEdit::editingFinished, this, [this, end] { applyPrefixes(end, m_bgpPrefixes[end], &LinkEnd::bgpPrefixes); });
    }
    layout->addStretch(1);

    connect(m_keepalive, &QSpinBox::valueChanged, this, &PropertiesPane::applyKeepalive);
    connect(m_presharedKey, &QCheckBox::toggled, this, &PropertiesPane::applyPresharedKey);
    connect(m_encryptPublicAddress, &QCheckBox::toggled, this, &PropertiesPane::applyEncryptPublicAddress);
    return page;
}

// --- Showing ---------------------------------------------------------------------------------

void PropertiesPane::showHost(HostId id)
{
    if (!m_document->host(id)) {
        showNothing();
        return;
    }
    const bool reset = m_mode != Mode::Host || m_hostId != id;
    m_mode = Mode::Host;
    m_hostId = id;
    m_linkA = m_linkB = 0;
    refreshHost(reset);
    m_stack->setCurrentWidget(m_hostPage);
}

void PropertiesPane::showLink(HostId a, HostId b)
{
    if (a == b || !m_document->host(a) || !m_document->host(b)) {
        showNothing();
        return;
    }
    const bool reset = m_mode != Mode::Link || m_linkA != a || m_linkB != b;
    m_mode = Mode::Link;
    m_hostId = 0;
    m_linkA = a;
    m_linkB = b;
    refreshLink(reset);
    m_stack->setCurrentWidget(m_linkPage);
}

void PropertiesPane::showNothing()
{
    m_mode = Mode::Nothing;
    m_hostId = m_linkA = m_linkB = 0;
    m_pendingRole.reset();
    m_pendingInterfacePerPeer = false;
    clearMarks();
    m_stack->setCurrentWidget(m_nothingPage);
}

void PropertiesPane::onHostChanged(HostId id)
{
    switch (m_mode) {
    case Mode::Host:
        if (id == m_hostId)
            refreshHost(false);
        else
            refreshPeers(); // a rename, or the other side of a link
        break;
    case Mode::Link:
        if (id == m_linkA || id == m_linkB)
            refreshLink(false);
        break;
    case Mode::Nothing:
        break;
    }
}

void PropertiesPane::onHostRemoved(HostId id)
{
    if ((m_mode == Mode::Host && id == m_hostId) || (m_mode == Mode::Link && (id == m_linkA || id == m_linkB)))
        showNothing();
    else if (m_mode == Mode::Host)
        refreshPeers();
}

void PropertiesPane::refreshHost(bool reset)
{
    const Host *host = m_document->host(m_hostId);
    if (!host) {
        showNothing();
        return;
    }
    const QScopedValueRollback<bool> updating(m_updating, true);
    if (reset) {
        clearMarks();
        m_shownText.clear();
        m_pendingRole.reset();
        m_pendingInterfacePerPeer = false;
    }
    if (m_pendingRole && host->role() != Host::Role::Roaming) {
        // The role changed under us (undo, another pane): the pending choice is moot.
        m_pendingRole.reset();
        markValid(m_siteIp);
        markValid(m_siteDomain);
    }

    syncText(m_name, host->name);
    syncText(m_os->lineEdit(), host->os);

    const Host::Role role = m_pendingRole.value_or(host->role());
    m_role->setCurrentIndex(m_role->findData(int(role)));
    updateSiteRows(role);
    if (!m_pendingRole) {
        const std::optional<SiteAddress> &site = role == Host::Role::Lan ? host->lan : host->internet;
        syncText(m_siteDomain, site ? site->domain : QString());
        syncText(m_siteIp, site ? site->ip : QString());
    }

    const Interface &iface = host->meshInterface();
    syncText(m_meshIpv4, iface.ip);
    syncText(m_meshIpv6, iface.ipv6);
    m_listenPort->setSpecialValueText(tr("default (%1)").arg(m_document->project().defaults.listenPort));
    setSpinValue(m_listenPort, iface.listenPort.value_or(0));
    setSpinValue(m_mtu, iface.mtu.value_or(m_mtu->minimum()));

    m_sshGroup->setChecked(host->ssh.has_value());
    // Without SSH the fields keep what they showed, so unchecking and checking again
    // brings the old settings back.
    if (host->ssh || reset) {
        const SshSettings ssh = host->ssh.value_or(SshSettings());
        syncText(m_sshUser, ssh.user);
        setSpinValue(m_sshPort, ssh.port);
        syncText(m_confDir, ssh.confDir);
        syncText(m_sudoCmd, ssh.sudoCmd);
        syncText(m_reloadCmd, ssh.reloadCmd);
    }

    m_gateway->setChecked(host->gateway);
    m_gateway->setEnabled(role == Host::Role::Roaming);
    {
        const Project &project = m_document->project();
        const qsizetype index = project.indexOf(host->name);
        const Planner planner(project);
        const Planner::Forwarding forwarding = planner.forwarding(index);
        const bool exit = forwarding.exitGateway;
        const QSignalBlocker blocker(m_exitNat);
        m_exitNat->setChecked(forwarding.nat);
        m_exitNat->setEnabled(exit && !host->isFreeBsd());
        m_exitNat->setToolTip(exit ? (host->isFreeBsd() ? tr("Meshwright does not write NAT for FreeBSD yet")
                                                        : tr("Roaming clients send everything here. Off: forward their traffic "
                                                             "unmasqueraded, for an upstream that routes the mesh's prefixes back"))
                                   : tr("Only for exit gateways: hosts that full-tunnel roaming clients send everything to"));
        syncText(m_egress, host->egress);
        m_egress->setEnabled(exit && !host->isFreeBsd());
    }

    if (m_pendingInterfacePerPeer && (!host->router || host->router->interfacePerPeer)) {
        // The router changed under us (undo, another pane): the pending choice is moot.
        m_pendingInterfacePerPeer = false;
        markValid(m_tunnelRange);
    }
    m_routerGroup->setChecked(host->router.has_value());
    // As with SSH: without router settings the fields keep what they showed.
    if (host->router || reset) {
        const RouterSettings router = host->router.value_or(RouterSettings());
        m_interfacePerPeer->setChecked(router.interfacePerPeer || m_pendingInterfacePerPeer);
        setSpinValue(m_basePort, router.basePort);
        syncText(m_tunnelRange, router.tunnelRange ? router.tunnelRange->toString() : QString());
        m_routesMode->setCurrentIndex(m_routesMode->findData(int(router.routes)));
        setSpinValue(m_uplinkMtu, router.uplinkMtu);
        m_outerIpv6->setChecked(router.outerIpv6);
        m_mssClamp->setChecked(router.mssClamp);
        m_forwarding->setChecked(router.forwarding);
        m_nat->setChecked(router.nat);
    }

    refreshPeers();
    refreshRouting();
}

void PropertiesPane::refreshRouting()
{
    const qsizetype index = m_document->indexOf(m_hostId);
    if (index < 0) {
        m_routing->clear();
        return;
    }
    const Project &project = m_document->project();
    const Host &host = project.hosts[index];
    const Planner planner(project);
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
        for (const qsizetype peer : planner.peersOf(index)) {
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
    m_routing->setText(html.join(QStringLiteral("<br>")));
    m_routing->setVisible(!html.isEmpty());
}

void PropertiesPane::refreshPeers()
{
    const Host *host = m_document->host(m_hostId);
    if (m_mode != Mode::Host || !host)
        return;
    const QScopedValueRollback<bool> updating(m_updating, true);

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
        item->setToolTip(state == Qt::PartiallyChecked
                             ? tr("Only one of the two has the other as peer: a broken half link. "
                                  "Check it to connect both.")
                             : QString());
    }
}

void PropertiesPane::refreshLink(bool reset)
{
    const Host *a = m_document->host(m_linkA);
    const Host *b = m_document->host(m_linkB);
    if (!a || !b) {
        showNothing();
        return;
    }
    const QScopedValueRollback<bool> updating(m_updating, true);
    if (reset) {
        clearMarks();
        m_shownText.clear();
    }
    m_linkTitle->setText(tr("%1 — %2").arg(a->name, b->name));
    const LinkSettings *stored = m_document->project().linkSettings(a->name, b->name);
    const LinkSettings settings = stored ? *stored : LinkSettings();
    setSpinValue(m_keepalive, settings.keepalive.value_or(-1));
    m_presharedKey->setChecked(settings.presharedKey);

    const Host *ends[2] = {a, b};
    for (int end = 0; end < 2; ++end) {
        const QString &name = ends[end]->name;
        const QString &other = ends[1 - end]->name;
        m_endGroups[end]->setTitle(name);
        m_endpoints[end]->setToolTip(tr("Where %1 reaches %2; empty: derived from %2's address and "
                                        "listen port")
                                         .arg(other, name));
        m_allowedIps[end]->setToolTip(tr("Further prefixes that %1 routes to %2, comma separated")
                                          .arg(other, name));
        m_bgpPrefixes[end]->setToolTip(tr("Prefixes that BGP announces from %1 (MetalLB): in the "
                                           "AllowedIPs of %2, but never given a static route")
                                            .arg(name, other));
        const LinkEnd settingsEnd = stored ? stored->end(name) : LinkEnd();
        syncText(m_endpoints[end], settingsEnd.endpoint);
        syncText(m_allowedIps[end], settingsEnd.allowedIps.join(QLatin1String(", ")));
        syncText(m_bgpPrefixes[end], settingsEnd.bgpPrefixes.join(QLatin1String(", ")));
    }
    m_encryptPublicAddress->setChecked(settings.encryptPublicAddress);
}

void PropertiesPane::updateSiteRows(Host::Role role)
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

void PropertiesPane::syncText(QLineEdit *edit, const QString &value)
{
    const auto shown = m_shownText.constFind(edit);
    if (shown != m_shownText.cend() && *shown == value)
        return;
    m_shownText.insert(edit, value);
    if (edit->text() != value)
        edit->setText(value);
    // The OS combo box carries the mark of its line edit.
    markValid(edit == m_os->lineEdit() ? static_cast<QWidget *>(m_os) : edit);
}

// --- Host edits --------------------------------------------------------------------------------

std::optional<QString> PropertiesPane::checkedText(QLineEdit *edit,
                                                   const std::function<QString(const QString &)> &error)
{
    const QString text = edit->text().trimmed();
    const QString message = error(text);
    if (!message.isEmpty()) {
        markInvalid(edit, message);
        return std::nullopt;
    }
    markValid(edit);
    if (edit->text() != text)
        edit->setText(text);
    return text;
}

const Host *PropertiesPane::editableHost() const
{
    if (m_updating || m_mode != Mode::Host)
        return nullptr;
    return m_document->host(m_hostId);
}

void PropertiesPane::editHost(const QString &undoText, const std::function<void(Host &)> &change, const QString &mergeField)
{
    const Host *host = editableHost();
    if (!host)
        return;
    Host changed = *host;
    change(changed);
    m_document->changeHost(m_hostId, changed, undoText, mergeField);
}

void PropertiesPane::applyName()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const auto name = checkedText(m_name, [&](const QString &text) {
        const QString error = FieldCheck::hostName(text);
        if (!error.isEmpty())
            return error;
        // Names become folder names: refuse names that differ only in case, too.
        for (const Host &other : m_document->project().hosts) {
            if (&other != host && other.name.compare(text, Qt::CaseInsensitive) == 0)
                return tr("a host called '%1' already exists").arg(other.name);
        }
        return QString();
    });
    if (!name)
        return;
    editHost(tr("Rename %1 to %2").arg(host->name, *name), [&](Host &changed) { changed.name = *name; });
}

void PropertiesPane::applyOs()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const QString os = m_os->currentText().trimmed();
    if (os.isEmpty()) {
        markInvalid(m_os, tr("the operating system may not be empty"));
        return;
    }
    if (!isSafeConfigValue(os)) {
        markInvalid(m_os, tr("the operating system may not hold '#' or control characters"));
        return;
    }
    markValid(m_os);
    editHost(tr("Change the OS of %1").arg(host->name), [&](Host &changed) { changed.os = os; });
}

void PropertiesPane::applyRole()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const auto role = Host::Role(m_role->currentData().toInt());
    if (role == host->role()) {
        if (m_pendingRole) { // back to roaming before the address came
            m_pendingRole.reset();
            markValid(m_siteIp);
            markValid(m_siteDomain);
            refreshHost(false);
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

void PropertiesPane::setPendingRole(Host::Role role)
{
    m_pendingRole = role;
    {
        const QScopedValueRollback<bool> updating(m_updating, true);
        updateSiteRows(role);
        m_gateway->setEnabled(false);
    }
    m_siteIp->setFocus();
    // Applies at once when the field already holds an address, else asks for one.
    applySiteIp();
}

std::optional<Host::Role> PropertiesPane::siteRole(const Host *host) const
{
    if (!host)
        return std::nullopt;
    const Host::Role role = m_pendingRole.value_or(host->role());
    return role == Host::Role::Roaming ? std::nullopt : std::optional(role);
}

void PropertiesPane::applySiteDomain()
{
    const Host *host = editableHost();
    const std::optional<Host::Role> role = siteRole(host);
    if (!role)
        return;
    const auto domain = checkedText(m_siteDomain, FieldCheck::domainName);
    if (!domain)
        return;
    if (m_pendingRole) { // nothing to apply before the address is there
        applySiteIp();
        return;
    }
    editHost(tr("Change the domain of %1").arg(host->name),
             [&](Host &changed) { siteAddress(changed, *role)->domain = *domain; });
}

void PropertiesPane::applySiteIp()
{
    const Host *host = editableHost();
    const std::optional<Host::Role> role = siteRole(host);
    if (!role)
        return;
    const auto ip = checkedText(m_siteIp, [&](const QString &text) {
        return text.isEmpty() ? siteRequiredMessage(*role, host->name)
                              : FieldCheck::address(text, IpAddress::Family::None);
    });
    if (!ip)
        return;
    if (!m_pendingRole) {
        editHost(tr("Change the site address of %1").arg(host->name),
                 [&](Host &changed) { siteAddress(changed, *role)->ip = *ip; });
        return;
    }
    const auto domain = checkedText(m_siteDomain, FieldCheck::domainName);
    if (!domain)
        return;
    const QString text = *role == Host::Role::Lan ? tr("Make %1 a LAN host")
                                                  : tr("Make %1 an internet gateway");
    m_pendingRole.reset();
    editHost(text.arg(host->name),
             [&](Host &changed) { siteAddress(changed, *role) = SiteAddress{*domain, *ip}; });
}

QString PropertiesPane::meshAddressError(const QString &text, bool v6) const
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

void PropertiesPane::applyMeshAddress(bool v6)
{
    const Host *host = editableHost();
    if (!host)
        return;
    QLineEdit *edit = v6 ? m_meshIpv6 : m_meshIpv4;
    const auto address = checkedText(edit, [&](const QString &text) { return meshAddressError(text, v6); });
    if (!address)
        return;
    editHost(tr("Change the mesh address of %1").arg(host->name), [&](Host &changed) {
        (v6 ? changed.meshInterface().ipv6 : changed.meshInterface().ip) = *address;
    });
}

void PropertiesPane::applyListenPort(int value)
{
    if (const Host *host = editableHost()) {
        editHost(tr("Change the listen port of %1").arg(host->name),
                 [&](Host &changed) { changed.meshInterface().listenPort = spinSetting(m_listenPort, value); },
                 QStringLiteral("listenPort"));
    }
}

void PropertiesPane::applyMtu(int value)
{
    if (const Host *host = editableHost()) {
        editHost(tr("Change the MTU of %1").arg(host->name),
                 [&](Host &changed) { changed.meshInterface().mtu = spinSetting(m_mtu, value); }, QStringLiteral("mtu"));
    }
}

QString PropertiesPane::sshTextError(QLineEdit *edit, const QString &text) const
{
    if (edit == m_sshUser)
        return FieldCheck::sshUser(text);
    if (edit == m_confDir)
        return FieldCheck::configFolder(text);
    return FieldCheck::remoteCommandText(text);
}

void PropertiesPane::applySshEnabled(bool enabled)
{
    const Host *host = editableHost();
    if (!host)
        return;
    std::optional<SshSettings> ssh;
    if (enabled) {
        ssh.emplace();
        bool valid = true;
        for (QLineEdit *edit : {m_sshUser, m_confDir, m_sudoCmd, m_reloadCmd})
            valid = valid && sshTextError(edit, edit->text().trimmed()).isEmpty();
        if (valid) { // what the fields still show, else the defaults
            ssh->user = m_sshUser->text().trimmed();
            ssh->port = m_sshPort->value();
            ssh->confDir = m_confDir->text().trimmed();
            ssh->sudoCmd = m_sudoCmd->text().trimmed();
            ssh->reloadCmd = m_reloadCmd->text().trimmed();
        }
    } else {
        for (QLineEdit *edit : {m_sshUser, m_confDir, m_sudoCmd, m_reloadCmd})
            markValid(edit);
    }
    editHost((enabled ? tr("Deploy %1 over SSH") : tr("Install %1 by hand")).arg(host->name),
             [&](Host &changed) { changed.ssh = ssh; });
}

void PropertiesPane::applySshText(QLineEdit *edit)
{
    const Host *host = editableHost();
    if (!host || !host->ssh)
        return;
    const auto value = checkedText(edit, [&](const QString &text) { return sshTextError(edit, text); });
    if (!value)
        return;
    editHost(tr("Change the SSH settings of %1").arg(host->name), [&](Host &changed) {
        SshSettings &ssh = *changed.ssh;
        QString &field = edit == m_sshUser ? ssh.user
                       : edit == m_confDir ? ssh.confDir
                       : edit == m_sudoCmd ? ssh.sudoCmd
                                           : ssh.reloadCmd;
        field = *value;
    });
}

void PropertiesPane::applySshPort(int value)
{
    const Host *host = editableHost();
    if (host && host->ssh) {
        editHost(tr("Change the SSH settings of %1").arg(host->name), [&](Host &changed) { changed.ssh->port = value; },
                 QStringLiteral("ssh.port"));
    }
}

void PropertiesPane::applyGateway(bool gateway)
{
    if (const Host *host = editableHost()) {
        editHost((gateway ? tr("Send all traffic of %1 through the gateways")
                          : tr("Send only mesh traffic of %1 through the VPN"))
                     .arg(host->name),
                 [&](Host &changed) { changed.gateway = gateway; });
    }
}

void PropertiesPane::applyExitNat(bool nat)
{
    if (const Host *host = editableHost()) {
        editHost((nat ? tr("Masquerade the roaming clients' traffic on %1") : tr("Forward the roaming clients' traffic on %1 "
                                                                                 "unmasqueraded"))
                     .arg(host->name),
                 [&](Host &changed) { changed.nat = nat; });
    }
}

void PropertiesPane::applyEgress()
{
    const Host *host = editableHost();
    if (!host)
        return;
    const QString text = m_egress->text().trimmed();
    if (!text.isEmpty() && !isValidInterfaceName(text)) {
        markInvalid(m_egress, tr("not an interface name (up to 15 letters, digits, '_', '.', '-')"));
        return;
    }
    markValid(m_egress);
    if (text != host->egress)
        editHost(tr("Change the uplink of %1").arg(host->name), [&](Host &changed) { changed.egress = text; });
}

void PropertiesPane::applyRouterEnabled(bool enabled)
{
    const Host *host = editableHost();
    if (!host)
        return;
    std::optional<RouterSettings> router;
    if (enabled) {
        // What the fields still show (the settings from before unchecking), else the defaults.
        router.emplace();
        const QString range = m_tunnelRange->text().trimmed();
        if (FieldCheck::tunnelRange(range, m_interfacePerPeer->isChecked()).isEmpty()) {
            router->interfacePerPeer = m_interfacePerPeer->isChecked();
            router->basePort = m_basePort->value();
            if (!range.isEmpty())
                router->tunnelRange = IpPrefix::parse(range)->network();
            router->routes = RouterSettings::Routes(m_routesMode->currentData().toInt());
            router->uplinkMtu = m_uplinkMtu->value();
            router->outerIpv6 = m_outerIpv6->isChecked();
            router->mssClamp = m_mssClamp->isChecked();
            router->forwarding = m_forwarding->isChecked();
            router->nat = m_nat->isChecked();
        }
    } else if (host->router) {
        // Input not applied yet gives way to the stored settings, which checking the group
        // again brings back.
        const QScopedValueRollback<bool> updating(m_updating, true);
        m_pendingInterfacePerPeer = false;
        m_interfacePerPeer->setChecked(host->router->interfacePerPeer);
        m_shownText.remove(m_tunnelRange);
        syncText(m_tunnelRange, host->router->tunnelRange ? host->router->tunnelRange->toString() : QString());
    }
    editHost((enabled ? tr("Make %1 a router") : tr("Remove the router settings of %1")).arg(host->name),
             [&](Host &changed) { changed.router = router; });
}

void PropertiesPane::applyRouterSetting(const std::function<void(RouterSettings &)> &change, const QString &mergeField)
{
    const Host *host = editableHost();
    if (!host || !host->router)
        return;
    editHost(tr("Change the router settings of %1").arg(host->name), [&](Host &changed) { change(*changed.router); },
             mergeField);
}

void PropertiesPane::applyInterfacePerPeer(bool enabled)
{
    const Host *host = editableHost();
    if (!host || !host->router)
        return;
    if (!enabled) {
        if (m_pendingInterfacePerPeer) { // unchecked again before the range came
            m_pendingInterfacePerPeer = false;
            if (FieldCheck::tunnelRange(m_tunnelRange->text().trimmed(), false).isEmpty())
                markValid(m_tunnelRange);
        }
        applyRouterSetting([](RouterSettings &router) { router.interfacePerPeer = false; });
        return;
    }
    if (host->router->tunnelRange) {
        applyRouterSetting([](RouterSettings &router) { router.interfacePerPeer = true; });
        return;
    }
    // The interfaces need addresses: applies with the range once there is one.
    m_pendingInterfacePerPeer = true;
    applyTunnelRange();
    if (m_pendingInterfacePerPeer)
        m_tunnelRange->setFocus();
}

void PropertiesPane::applyTunnelRange()
{
    const Host *host = editableHost();
    if (!host || !host->router)
        return;
    const bool perPeer = host->router->interfacePerPeer || m_pendingInterfacePerPeer;
    const auto text = checkedText(m_tunnelRange, [&](const QString &text) { return FieldCheck::tunnelRange(text, perPeer); });
    if (!text)
        return;
    std::optional<IpPrefix> range;
    if (!text->isEmpty()) {
        range = IpPrefix::parse(*text)->network(); // the form the file stores
        m_tunnelRange->setText(range->toString());
    }
    const bool pending = std::exchange(m_pendingInterfacePerPeer, false);
    editHost((pending ? tr("Give %1 one interface per peer") : tr("Change the router settings of %1")).arg(host->name),
             [&](Host &changed) {
                 changed.router->tunnelRange = range;
                 changed.router->interfacePerPeer = perPeer;
             });
}

void PropertiesPane::applyPeer(QListWidgetItem *item)
{
    if (m_updating || m_mode != Mode::Host)
        return;
    const HostId peer = item->data(Qt::UserRole).value<HostId>();
    m_document->setLinked(m_hostId, peer, item->checkState() == Qt::Checked);
    refreshPeers(); // when nothing changed, the item goes back to what the document says
}

// --- Link edits --------------------------------------------------------------------------------

const Host *PropertiesPane::editableLinkEnd(int end) const
{
    if (m_updating || m_mode != Mode::Link)
        return nullptr;
    return m_document->host(end == 0 ? m_linkA : m_linkB);
}

void PropertiesPane::editLink(const std::function<void(LinkSettings &)> &change, const QString &mergeField)
{
    const Host *a = editableLinkEnd(0);
    const Host *b = editableLinkEnd(1);
    if (!a || !b)
        return;
    const LinkSettings *stored = m_document->project().linkSettings(a->name, b->name);
    LinkSettings settings;
    if (stored) {
        settings = *stored;
    } else {
        settings.a = a->name;
        settings.b = b->name;
    }
    change(settings);
    // setLinkSettings() moves the entry to the end even when nothing changed: avoid
    // pushing such an empty step.
    if (stored && settings == *stored)
        return;
    LinkSettings defaults;
    defaults.a = settings.a;
    defaults.b = settings.b;
    const bool isDefault = settings == defaults;
    if (!stored && isDefault)
        return;
    m_document->setLinkSettings(m_linkA, m_linkB, isDefault ? std::nullopt : std::optional(settings), mergeField);
}

void PropertiesPane::applyKeepalive(int value)
{
    editLink([&](LinkSettings &settings) { settings.keepalive = spinSetting(m_keepalive, value); }, QStringLiteral("keepalive"));
}

void PropertiesPane::applyPresharedKey(bool enabled)
{
    editLink([&](LinkSettings &settings) { settings.presharedKey = enabled; });
}

void PropertiesPane::applyEndpoint(int end)
{
    const Host *host = editableLinkEnd(end);
    if (!host)
        return;
    const auto endpoint = checkedText(m_endpoints[end], FieldCheck::endpoint);
    if (!endpoint)
        return;
    const QString name = host->name;
    editLink([&](LinkSettings &settings) { settings.end(name).endpoint = *endpoint; });
}

std::optional<QStringList> PropertiesPane::checkedPrefixes(QLineEdit *edit)
{
    QStringList prefixes;
    const auto text = checkedText(edit, [&](const QString &text) {
        prefixes.clear();
        for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString trimmed = part.trimmed();
            if (trimmed.isEmpty())
                continue;
            const auto prefix = IpPrefix::parse(trimmed, true);
            if (!prefix)
                return tr("'%1' is not a valid address prefix").arg(trimmed);
            prefixes.append(prefix->toString()); // the canonical form the file stores
        }
        prefixes.removeDuplicates();
        return QString();
    });
    if (!text)
        return std::nullopt;
    edit->setText(prefixes.join(QLatin1String(", ")));
    return prefixes;
}

void PropertiesPane::applyPrefixes(int end, QLineEdit *edit, QStringList LinkEnd::*prefixesOf)
{
    const Host *host = editableLinkEnd(end);
    if (!host)
        return;
    const auto prefixes = checkedPrefixes(edit);
    if (!prefixes)
        return;
    const QString name = host->name;
    editLink([&](LinkSettings &settings) { settings.end(name).*prefixesOf = *prefixes; });
}

void PropertiesPane::applyEncryptPublicAddress(bool enabled)
{
    editLink([&](LinkSettings &settings) { settings.encryptPublicAddress = enabled; });
}

// --- Error marks -------------------------------------------------------------------------------

void PropertiesPane::markInvalid(QWidget *field, const QString &message)
{
    auto it = std::find_if(m_errors.begin(), m_errors.end(), [&](const auto &error) { return error.first == field; });
    if (it == m_errors.end()) {
        m_normalToolTips.insert(field, field->toolTip());
        m_errors.append({field, message});
    } else {
        it->second = message;
    }
    field->setProperty(InvalidProperty, true);
    field->setToolTip(message);
    field->setStyleSheet(QStringLiteral("%1 { border: 1px solid %2; border-radius: 2px; padding: 1px; }")
                             .arg(QLatin1String(field->metaObject()->className()), StateColors::error().name()));
    updateErrorLabel();
}

void PropertiesPane::markValid(QWidget *field)
{
    const auto removed = m_errors.removeIf([&](const auto &error) { return error.first == field; });
    if (removed == 0)
        return;
    field->setProperty(InvalidProperty, false);
    field->setToolTip(m_normalToolTips.take(field));
    field->setStyleSheet(QString());
    updateErrorLabel();
}

void PropertiesPane::clearMarks()
{
    while (!m_errors.isEmpty())
        markValid(m_errors.constFirst().first);
}

void PropertiesPane::updateErrorLabel()
{
    QStringList messages;
    for (const auto &error : std::as_const(m_errors))
        messages.append(error.second);
    m_errorLabel->setText(messages.join(QLatin1Char('\n')));
    m_errorLabel->setVisible(!messages.isEmpty());
}
