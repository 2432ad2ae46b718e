// The router settings group of the host editor.
#include "routersettingsgroup.h"

#include "fieldcheck.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QSpinBox>

#include <utility>

using namespace EditorFields;

RouterSettingsGroup::RouterSettingsGroup(EditorForm *form, std::function<const Host *()> shownHost, EditHost editHost,
                                         QWidget *parent)
    : QGroupBox(tr("Router"), parent)
    , m_form(form)
    , m_shownHost(std::move(shownHost))
    , m_editHost(std::move(editHost))
    , m_fields(form)
{
    setObjectName(QStringLiteral("routerGroup"));
    setCheckable(true);
    setToolTip(tr("The router pattern: a home router to the nodes of a cluster, with "
                  "MTU and MSS from its uplink"));
    auto *routerForm = new QFormLayout(this);
    const auto settings = [this] {
        const Host *host = m_shownHost();
        return host && host->router ? *host->router : RouterSettings();
    };

    m_interfacePerPeer = checkBox("interfacePerPeer", tr("One interface per peer"),
                                  tr("wg0, wg1, ... one per peer in peer order, so that the router's "
                                     "own routing table, not AllowedIPs, picks the peer"));
    routerForm->addRow(m_interfacePerPeer);
    m_basePort = spinBox("basePort", 1, 65000);
    m_basePort->setToolTip(tr("Interface N listens on this port + N"));
    routerForm->addRow(tr("Base port:"), m_basePort);
    m_fields.spin(
        m_basePort, [settings] { return settings().basePort; },
        [this](int value) { applySetting([value](RouterSettings &router) { router.basePort = value; }, QStringLiteral("basePort")); });
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
    m_fields.spin(
        m_uplinkMtu, [settings] { return settings().uplinkMtu; },
        [this](int value) { applySetting([value](RouterSettings &router) { router.uplinkMtu = value; }, QStringLiteral("uplinkMtu")); });
    m_outerIpv6 = checkBox("outerIpv6", tr("Tunnels run over IPv6"), tr("The outer header is then 40 bytes instead of 20"));
    m_mssClamp = checkBox("mssClamp", tr("Clamp TCP MSS"),
                          tr("Rewrite the MSS of TCP connections through the tunnels to fit the tunnel MTU"));
    m_forwarding = checkBox("forwarding", tr("Forward traffic"), tr("Forward packets between the tunnels and the router's networks"));
    m_nat = checkBox("nat", tr("NAT the mesh's traffic"), tr("Masquerade the mesh's traffic to the internet"));
    for (const auto &[check, flag] : {std::pair(m_outerIpv6, &RouterSettings::outerIpv6), std::pair(m_mssClamp, &RouterSettings::mssClamp),
                                      std::pair(m_forwarding, &RouterSettings::forwarding), std::pair(m_nat, &RouterSettings::nat)}) {
        routerForm->addRow(check);
        m_fields.check(
            check, [settings, flag = flag] { return settings().*flag; },
            [this, flag = flag](bool on) { applySetting([&](RouterSettings &router) { router.*flag = on; }); });
    }

    connect(this, &QGroupBox::toggled, this, &RouterSettingsGroup::applyEnabled);
    connect(m_interfacePerPeer, &QCheckBox::toggled, this, &RouterSettingsGroup::applyInterfacePerPeer);
    connect(m_tunnelRange, &QLineEdit::editingFinished, this, &RouterSettingsGroup::applyTunnelRange);
    connect(m_routesMode, &QComboBox::currentIndexChanged, this, [this] {
        const auto routes = RouterSettings::Routes(m_routesMode->currentData().toInt());
        applySetting([routes](RouterSettings &router) { router.routes = routes; });
    });
}

void RouterSettingsGroup::refresh(const Host &host, bool reset)
{
    const QScopedValueRollback<bool> updating(m_form->updating(), true);
    if (reset)
        m_pendingInterfacePerPeer = false;
    if (m_pendingInterfacePerPeer && (!host.router || host.router->interfacePerPeer)) {
        // The router changed under us (undo, another pane): the pending choice is moot.
        m_pendingInterfacePerPeer = false;
        m_form->markValid(m_tunnelRange);
    }
    setChecked(host.router.has_value());
    // Without router settings the fields keep what they showed.
    if (host.router || reset) {
        const RouterSettings router = host.router.value_or(RouterSettings());
        m_interfacePerPeer->setChecked(router.interfacePerPeer || m_pendingInterfacePerPeer);
        m_form->syncText(m_tunnelRange, router.tunnelRange ? router.tunnelRange->toString() : QString());
        m_routesMode->setCurrentIndex(m_routesMode->findData(int(router.routes)));
        m_fields.refresh();
    }
}

const Host *RouterSettingsGroup::editableRouter() const
{
    if (m_form->isUpdating())
        return nullptr;
    const Host *host = m_shownHost();
    return host && host->router ? host : nullptr;
}

void RouterSettingsGroup::applySetting(const std::function<void(RouterSettings &)> &change, const QString &mergeField)
{
    const Host *host = editableRouter();
    if (!host)
        return;
    m_editHost(tr("Change the router settings of %1").arg(host->name), [&](Host &changed) { change(*changed.router); }, mergeField);
}

void RouterSettingsGroup::applyEnabled(bool enabled)
{
    const Host *host = m_form->isUpdating() ? nullptr : m_shownHost();
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
        const QScopedValueRollback<bool> updating(m_form->updating(), true);
        m_pendingInterfacePerPeer = false;
        m_interfacePerPeer->setChecked(host->router->interfacePerPeer);
        m_form->forgetShown(m_tunnelRange);
        m_form->syncText(m_tunnelRange, host->router->tunnelRange ? host->router->tunnelRange->toString() : QString());
    }
    m_editHost((enabled ? tr("Make %1 a router") : tr("Remove the router settings of %1")).arg(host->name),
               [&](Host &changed) { changed.router = router; }, QString());
}

void RouterSettingsGroup::applyInterfacePerPeer(bool enabled)
{
    const Host *host = editableRouter();
    if (!host)
        return;
    if (!enabled) {
        if (m_pendingInterfacePerPeer) { // unchecked again before the range came
            m_pendingInterfacePerPeer = false;
            if (FieldCheck::tunnelRange(m_tunnelRange->text().trimmed(), false).isEmpty())
                m_form->markValid(m_tunnelRange);
        }
        applySetting([](RouterSettings &router) { router.interfacePerPeer = false; });
        return;
    }
    if (host->router->tunnelRange) {
        applySetting([](RouterSettings &router) { router.interfacePerPeer = true; });
        return;
    }
    // The interfaces need addresses: applies with the range once there is one.
    m_pendingInterfacePerPeer = true;
    applyTunnelRange();
    if (m_pendingInterfacePerPeer)
        m_tunnelRange->setFocus();
}

void RouterSettingsGroup::applyTunnelRange()
{
    const Host *host = editableRouter();
    if (!host)
        return;
    const bool perPeer = host->router->interfacePerPeer || m_pendingInterfacePerPeer;
    const auto text = m_form->checkedText(m_tunnelRange, [&](const QString &text) { return FieldCheck::tunnelRange(text, perPeer); });
    if (!text)
        return;
    std::optional<IpPrefix> range;
    if (!text->isEmpty()) {
        range = IpPrefix::parse(*text)->network(); // the form the file stores
        m_tunnelRange->setText(range->toString());
    }
    const bool pending = std::exchange(m_pendingInterfacePerPeer, false);
    m_editHost((pending ? tr("Give %1 one interface per peer") : tr("Change the router settings of %1")).arg(host->name),
               [&](Host &changed) {
                   changed.router->tunnelRange = range;
                   changed.router->interfacePerPeer = perPeer;
               },
               QString());
}
