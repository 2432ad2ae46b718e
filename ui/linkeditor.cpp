// The link page of the properties pane.
#include "linkeditor.h"

#include "fieldcheck.h"
#include "planner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSignalBlocker>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace EditorFields;

namespace {

/// The prefixes of the comma-separated list \a text, canonical and without repeats;
/// nullopt with \a error on the first that is not a prefix.
std::optional<QStringList> prefixList(const QString &text, QString *error)
{
    QStringList prefixes;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (trimmed.isEmpty())
            continue;
        const auto prefix = IpPrefix::parse(trimmed, true);
        if (!prefix) {
            if (error)
                *error = LinkEditor::tr("'%1' is not a valid address prefix").arg(trimmed);
            return std::nullopt;
        }
        prefixes.append(prefix->toString()); // the canonical form the file stores
    }
    prefixes.removeDuplicates();
    return prefixes;
}

} // namespace

LinkEditor::LinkEditor(MeshDocument *document, EditorForm *form, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_form(form)
    , m_fields(form)
{
    auto *layout = new QVBoxLayout(this);

    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("linkTitle"));
    QFont font = m_title->font();
    font.setBold(true);
    m_title->setFont(font);
    layout->addWidget(m_title);

    auto *linkForm = new QFormLayout;
    m_keepalive = spinBox("linkKeepalive", -1, 65535); // -1: by the planner's rule
    m_keepalive->setSpecialValueText(tr("by rule"));
    m_keepalive->setSuffix(tr(" s"));
    m_keepalive->setToolTip(tr("Seconds between keepalive packets, 0 for none; by rule: sent by "
                               "hosts behind NAT"));
    linkForm->addRow(tr("&Keepalive:"), m_keepalive);
    m_fields.spin(
        m_keepalive, [this] { return shown().keepalive.value_or(-1); },
        [this](int value) {
            editLink([&](LinkSettings &settings) { settings.keepalive = spinSetting(m_keepalive, value); }, QStringLiteral("keepalive"));
        });

    // Two ends without a direct path (two NATed sites, a roaming client and a LAN host)
    // are carried by a relay: the first one both reach, or the one named here.
    m_path = new QLabel;
    m_path->setObjectName(QStringLiteral("linkPath"));
    m_path->setWordWrap(true);
    linkForm->addRow(tr("Path:"), m_path);
    m_relay = new QComboBox;
    m_relay->setObjectName(QStringLiteral("linkRelay"));
    m_relay->setToolTip(tr("The host that forwards between the two ends when they cannot reach each other: auto picks "
                           "the first of the relays both ends can dial"));
    linkForm->addRow(tr("&Relay:"), m_relay);
    connect(m_relay, &QComboBox::activated, this, [this](int index) {
        const QString relay = m_relay->itemData(index).toString();
        editLink([&](LinkSettings &settings) { settings.relay = relay; });
    });

    auto *presharedKey = checkBox("linkPsk", tr("&Preshared key"), tr("Both ends share an extra symmetric key (post-quantum hedge)"));
    linkForm->addRow(presharedKey);
    m_fields.check(
        presharedKey, [this] { return shown().presharedKey; },
        [this](bool on) { editLink([&](LinkSettings &settings) { settings.presharedKey = on; }); });

    auto *encrypt = checkBox("encryptPublicAddress", tr("Route the far end's public address through the tunnel"),
                             tr("On a router end: also route the other end's public address into the "
                                "tunnel. That end must then be reached at an address outside the "
                                "tunnel: set its endpoint override, e.g. to its IPv6 address"));
    linkForm->addRow(encrypt);
    m_fields.check(
        encrypt, [this] { return shown().encryptPublicAddress; },
        [this](bool on) { editLink([&](LinkSettings &settings) { settings.encryptPublicAddress = on; }); });
    layout->addLayout(linkForm);

    const char *endpointNames[2] = {"endpointA", "endpointB"};
    const char *allowedIpsNames[2] = {"allowedIpsA", "allowedIpsB"};
    const char *bgpPrefixesNames[2] = {"bgpPrefixesA", "bgpPrefixesB"};
    for (int end = 0; end < 2; ++end) {
        m_endGroups[end] = new QGroupBox;
        auto *endForm = new QFormLayout(m_endGroups[end]);
        m_endpoints[end] = lineEdit(endpointNames[end], tr("HOST:PORT"));
        endForm->addRow(tr("Endpoint override:"), m_endpoints[end]);
        m_fields.text(
            m_endpoints[end], [this, end] { return shownEnd(end).endpoint; }, FieldCheck::endpoint,
            [this, end](const QString &endpoint) {
                const Host *host = m_document->host(end == 0 ? m_a : m_b);
                if (!host)
                    return;
                const QString name = host->name;
                editLink([&](LinkSettings &settings) { settings.end(name).endpoint = endpoint; });
            });
        m_allowedIps[end] = lineEdit(allowedIpsNames[end], tr("e.g. 192.168.60.0/24, fd60::/64"));
        endForm->addRow(tr("Extra AllowedIPs:"), m_allowedIps[end]);
        bindPrefixes(end, m_allowedIps[end], &LinkEnd::allowedIps);
        m_bgpPrefixes[end] = lineEdit(bgpPrefixesNames[end], tr("e.g. 10.96.0.0/24"));
        endForm->addRow(tr("BGP prefixes:"), m_bgpPrefixes[end]);
        bindPrefixes(end, m_bgpPrefixes[end], &LinkEnd::bgpPrefixes);
        layout->addWidget(m_endGroups[end]);
    }
    layout->addStretch(1);
}

void LinkEditor::bindPrefixes(int end, QLineEdit *edit, QStringList LinkEnd::*list)
{
    m_fields.text(
        edit, [this, end, list] { return (shownEnd(end).*list).join(QLatin1String(", ")); },
        [](const QString &text) {
            QString error;
            prefixList(text, &error);
            return error;
        },
        [this, end, edit, list](const QString &text) {
            const QStringList prefixes = prefixList(text, nullptr).value_or(QStringList());
            edit->setText(prefixes.join(QLatin1String(", "))); // shown as the file stores them
            const Host *host = m_document->host(end == 0 ? m_a : m_b);
            if (!host)
                return;
            const QString name = host->name;
            editLink([&](LinkSettings &settings) { settings.end(name).*list = prefixes; });
        });
}

void LinkEditor::showLink(HostId a, HostId b, bool reset)
{
    m_a = a;
    m_b = b;
    refresh(reset);
}

LinkSettings LinkEditor::shown() const
{
    const Host *a = m_document->host(m_a);
    const Host *b = m_document->host(m_b);
    const LinkSettings *stored = a && b ? m_document->project().linkSettings(a->name, b->name) : nullptr;
    return stored ? *stored : LinkSettings();
}

LinkEnd LinkEditor::shownEnd(int end) const
{
    const Host *a = m_document->host(m_a);
    const Host *b = m_document->host(m_b);
    const LinkSettings *stored = a && b ? m_document->project().linkSettings(a->name, b->name) : nullptr;
    return stored ? stored->end((end == 0 ? a : b)->name) : LinkEnd();
}

void LinkEditor::refresh(bool reset)
{
    const Host *a = m_document->host(m_a);
    const Host *b = m_document->host(m_b);
    if (!a || !b)
        return;
    if (reset) {
        m_form->clearMarks();
        m_form->forgetShown();
    }
    m_title->setText(tr("%1 — %2").arg(a->name, b->name));
    {
        const Project &project = m_document->project();
        const Planner &planner = m_document->planner();
        const qsizetype ia = m_document->indexOf(m_a);
        const qsizetype ib = m_document->indexOf(m_b);
        const qsizetype relay = planner.relayOf(ia, ib);
        const QString chosen = shown().relay;
        if (relay >= 0)
            m_path->setText(tr("relayed by <b>%1</b>: %2. %1 sees their traffic decrypted.")
                                .arg(project.hosts[relay].name.toHtmlEscaped(), planner.whyNoPath(ia, ib).toHtmlEscaped()));
        else if (planner.lacksPath(ia, ib))
            m_path->setText(tr("<b>no path</b>: %1, and no relay both reach").arg(planner.whyNoPath(ia, ib).toHtmlEscaped()));
        else
            m_path->setText(planner.isDirect(ia, ib) ? tr("direct") : tr("not planned (one end is run by someone else, or has one interface per peer)"));
        // auto, then every host that could carry it (and the one named, whatever it is).
        const QSignalBlocker blocker(m_relay);
        m_relay->clear();
        m_relay->addItem(tr("auto"), QString());
        for (qsizetype r = 0; r < project.hosts.size(); ++r) {
            if (r == ia || r == ib)
                continue;
            const QString &name = project.hosts[r].name;
            const QString problem = planner.relayProblem(r, ia, ib);
            if (problem.isEmpty() || name == chosen) {
                m_relay->addItem(name, name);
                if (!problem.isEmpty())
                    m_relay->setItemData(m_relay->count() - 1, problem, Qt::ToolTipRole);
            }
        }
        m_relay->setCurrentIndex(std::max(0, m_relay->findData(chosen)));
        m_relay->setEnabled(!planner.isDirect(ia, ib) || !chosen.isEmpty());
    }
    const Host *ends[2] = {a, b};
    for (int end = 0; end < 2; ++end) {
        const QString &name = ends[end]->name;
        const QString &other = ends[1 - end]->name;
        m_endGroups[end]->setTitle(name);
        m_endpoints[end]->setToolTip(tr("Where %1 reaches %2; empty: derived from %2's address and "
                                        "listen port")
                                         .arg(other, name));
        m_allowedIps[end]->setToolTip(tr("Further prefixes that %1 routes to %2, comma separated").arg(other, name));
        m_bgpPrefixes[end]->setToolTip(tr("Prefixes that BGP announces from %1 (MetalLB): in the "
                                           "AllowedIPs of %2, but never given a static route")
                                            .arg(name, other));
    }
    m_fields.refresh();
}

void LinkEditor::editLink(const std::function<void(LinkSettings &)> &change, const QString &mergeField)
{
    const Host *a = m_document->host(m_a);
    const Host *b = m_document->host(m_b);
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
    m_document->setLinkSettings(m_a, m_b, isDefault ? std::nullopt : std::optional(settings), mergeField);
}
